package cases

import (
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Input limits. They are generous: they exist so that a pasted document
// cannot be stored as a party name, not to constrain real cases.
const (
	maxName    = 200   // names, agent licence numbers
	maxShort   = 1000  // titles, places, attendees, external references
	maxText    = 20000 // summaries, claims, reasons, agreement clauses
	maxMinutes = 100000
	maxParties = 50
	maxRights  = 100
	// maxMediators is the most mediators one assignment (or one
	// objection's replacements) names.
	maxMediators = 20
)

// Rights are valid on dates between these (a copyright outlives its
// author by fifty years).
var (
	earliestRightDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	latestRightDate   = time.Date(2199, 12, 31, 0, 0, 0, 0, time.UTC)
)

// text trims s and checks that it is present when required and not longer
// than max characters, adding field errors under field.
func text(f *domain.Fields, field, s string, required bool, max int) string {
	return f.Text(field, s, required, max)
}

// dateLayout is the only date format the API takes (ISO 8601 calendar
// date).
const dateLayout = "2006-01-02"

// date parses an optional YYYY-MM-DD date as midnight UTC, which is how a
// date column is written without a time zone shifting its day.
func date(f *domain.Fields, field, s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		f.Add(field, "validation.date")
		return nil
	}
	return &t
}

// rightDate parses an optional validity date of an IP right, which must
// lie between earliestRightDate and latestRightDate.
func rightDate(f *domain.Fields, field, s string) *time.Time {
	t := date(f, field, s)
	if t != nil && !f.Between(field, *t, earliestRightDate, latestRightDate) {
		return nil
	}
	return t
}

// notFuture checks that t is set, not after limit and not before
// domain.EarliestInstant.
func notFuture(f *domain.Fields, field string, t, limit time.Time) {
	switch {
	case t.IsZero():
		f.Add(field, "validation.required")
	case t.After(limit):
		f.Add(field, "validation.future")
	case t.Before(domain.EarliestInstant):
		f.Between(field, t, domain.EarliestInstant, limit)
	}
}

// sinceFiling checks that t (when set) is not on a day before the case
// was filed: what happens in a case (the respondent's consent, a session)
// cannot precede it, though it may be recorded with the hour it happened
// on the day the case was registered.
func sinceFiling(f *domain.Fields, field string, t time.Time, st *caseState) {
	if !t.IsZero() && !t.Before(domain.EarliestInstant) && t.Before(domain.DayStart(st.row.CreatedAt)) {
		f.Add(field, "validation.before_case")
	}
}

// validSource, validDisputeType and friends report whether a value is one
// of the domain's known values.
func validSource(s domain.CaseSource) bool       { return containsValue(domain.CaseSources, s) }
func validDisputeType(d domain.DisputeType) bool { return containsValue(domain.DisputeTypes, d) }
func validRightKind(k domain.RightKind) bool     { return containsValue(domain.RightKinds, k) }
func validPartyRole(r domain.PartyRole) bool     { return containsValue(partyRoles, r) }
func validPartyKind(k domain.PartyKind) bool     { return containsValue(partyKinds, k) }
func validSessionMode(m domain.SessionMode) bool { return containsValue(sessionModes, m) }
func validFailRoute(r domain.FailRoute) bool     { return containsValue(failRoutes, r) }
func containsValue[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

var (
	partyRoles   = []domain.PartyRole{domain.PartyApplicant, domain.PartyRespondent, domain.PartyThird}
	partyKinds   = []domain.PartyKind{domain.PartyPerson, domain.PartyOrganisation}
	sessionModes = []domain.SessionMode{domain.ModeInPerson, domain.ModeVideo, domain.ModePhone}
	failRoutes   = []domain.FailRoute{domain.RouteLitigation, domain.RouteArbitration, domain.RouteAdministrative, domain.RouteNone}
)
