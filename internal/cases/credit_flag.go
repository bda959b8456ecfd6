package cases

import "github.com/ipmediate/ipmediate/internal/domain"

// The repeat-infringer flag (a respondent matches a final credit record,
// docs/design.md §9) is an internal warning for the committee's intake and
// assignment, not a finding about the party: it is shown to the handling
// committee's director and clerks only (the roles that handle the
// committee's whole docket, domain.Role.Docket). The other party (an applicant
// enterprise's users), the mediators, who must stay impartial between the
// parties, and every other reader see the case without it, and no printed
// document carries it.

// seesCreditFlag reports whether a may see the repeat-infringer flag of a
// case handled by org.
func seesCreditFlag(a *domain.Actor, org int64) bool {
	return a.ReachIn(org, domain.ObjectCase).Has(domain.ReachOrg)
}

// repeatInfringerEvent is the timeline event intake writes when a
// respondent matches a credit record; it names the records.
const repeatInfringerEvent = "repeat_infringer"

// withoutCreditFlag removes the flag from a case page: the case's and each
// party's, and the intake event that names the credit records.
func withoutCreditFlag(cv *CaseView) {
	cv.RepeatInfringer = false
	for i := range cv.Parties {
		cv.Parties[i].RepeatInfringer = false
	}
	events := cv.Events[:0]
	for _, e := range cv.Events {
		if e.Action != repeatInfringerEvent {
			events = append(events, e)
		}
	}
	cv.Events = events
}
