package register

import (
	"context"
	"slices"
	"sort"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Suggestion is a mediator of the case's committee, ranked for the
// assign form, with the reasons in words the form shows.
type Suggestion struct {
	UserID int64
	Name   string
	// Matches are the mediator's specialties that the case's rights
	// concern; OpenCases is the mediator's current workload.
	Matches   []string
	OpenCases int
	// ChosenBy names the parties whose latest choice is this mediator
	// (party.ChooseMediator, People's Mediation Law art. 23); a chosen
	// mediator is ranked first.
	ChosenBy []string
}

// Chosen reports whether a party chose the mediator.
func (s Suggestion) Chosen() bool { return len(s.ChosenBy) > 0 }

// specialtyOf maps a right kind to the specialty that covers it ("" for
// none of the list).
func specialtyOf(k domain.RightKind) string {
	switch k {
	case domain.RightInvention, domain.RightUtilityModel, domain.RightDesign, domain.RightLayoutDesign, domain.RightPlantVariety:
		return "patent"
	case domain.RightTrademark, domain.RightGeographical:
		return "trademark"
	case domain.RightCopyright, domain.RightSoftwareCopyr:
		return "copyright"
	case domain.RightTradeSecret:
		return "trade_secret"
	}
	return ""
}

// Suggest ranks the mediators of case id's committee for its assignment:
// first the mediators a party chose, then by how many of the specialties its rights concern they declare,
// then by fewer open cases, then by name. ENOTFOUND when the actor may not
// see the case; EFORBIDDEN when it sees but does not work it.
func (s *Service) Suggest(ctx context.Context, caseID int64) ([]Suggestion, error) {
	db := s.d.DB.WithContext(ctx)
	acc, err := s.d.Cases.AccessTx(ctx, db, caseID)
	if err != nil {
		return nil, err
	}
	if !acc.Works {
		return nil, domain.Errorf(domain.EFORBIDDEN, "only the committee working the case sees the assignment suggestions")
	}
	var kinds []string
	if err := db.Raw(`SELECT DISTINCT kind FROM case_rights WHERE case_id = ?`, caseID).Scan(&kinds).Error; err != nil {
		return nil, fmtErr("case rights", err)
	}
	var wanted []string
	for _, k := range kinds {
		if sp := specialtyOf(domain.RightKind(k)); sp != "" && !slices.Contains(wanted, sp) {
			wanted = append(wanted, sp)
		}
	}
	ps, err := s.profiles(ctx, db, acc.OrgID, 0)
	if err != nil {
		return nil, err
	}
	var choices []struct {
		MediatorID int64
		PartyName  string
	}
	if err := db.Raw(`SELECT latest.mediator_id, cp.name AS party_name FROM (
  SELECT DISTINCT ON (party_id) party_id, mediator_id FROM party_mediator_choices WHERE case_id = ?
  ORDER BY party_id, created_at DESC, id DESC) latest
JOIN case_parties cp ON cp.id = latest.party_id
WHERE latest.mediator_id IS NOT NULL ORDER BY cp.position, cp.id`, caseID).Scan(&choices).Error; err != nil {
		return nil, fmtErr("parties' choices", err)
	}
	out := make([]Suggestion, len(ps))
	for i, p := range ps {
		out[i] = Suggestion{UserID: p.UserID, Name: p.Name, OpenCases: p.OpenCases, Matches: []string{}}
		for _, c := range choices {
			if c.MediatorID == p.UserID {
				out[i].ChosenBy = append(out[i].ChosenBy, c.PartyName)
			}
		}
		for _, sp := range Specialties { // in the list's order
			if slices.Contains(wanted, sp) && slices.Contains(p.Specialties, sp) {
				out[i].Matches = append(out[i].Matches, sp)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Chosen() != b.Chosen() {
			return a.Chosen()
		}
		if len(a.Matches) != len(b.Matches) {
			return len(a.Matches) > len(b.Matches)
		}
		if a.OpenCases != b.OpenCases {
			return a.OpenCases < b.OpenCases
		}
		return a.Name < b.Name
	})
	return out, nil
}
