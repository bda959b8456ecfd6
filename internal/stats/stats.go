// Package stats answers the headline numbers of "my work" (docs/design.md §10,
// §14): for the leadership office every committee of the city, for a
// committee's director their committee and, at city level, the county
// committees it supervises — cases filed this year, in progress, settled
// and failed, the success rate, and the open deadlines already overdue.
// The counts read the calendar year in Beijing by when a case was filed
// and when it ended (indexed with the committee), the cases in progress
// as of now, and the deadlines' organisation index.
package stats

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Authorizer is the slice of internal/authz the service needs.
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Reader hands out the connection for lag-tolerant reads: a healthy
// read replica, else the primary (internal/database.Reads).
type Reader interface {
	Read(ctx context.Context) *gorm.DB
}

// Service computes the headline numbers.
type Service struct {
	reads Reader
	authz Authorizer
	now   func() time.Time
	log   *slog.Logger
}

// Deps are the statistics service's collaborators; Now may be left out
// (the wall clock).
type Deps struct {
	// Reads serves the figures, which may lag the primary by a moment (a
	// read replica; internal/database.Reads): statistics only read.
	Reads Reader
	Authz Authorizer
	Now   func() time.Time
	// Log hears of counts that disagree with the cases (durations.go);
	// the default logger when left out.
	Log *slog.Logger
}

// New returns the service. A missing collaborator is a wiring mistake:
// New panics naming it.
func New(d Deps) *Service {
	domain.RequireDeps("stats.New", map[string]bool{"Reads": d.Reads == nil, "Authz": d.Authz == nil})
	if d.Now == nil {
		d.Now = clock.Wall
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{reads: d.Reads, authz: d.Authz, now: d.Now, log: d.Log}
}

// Committee is one committee's line.
type Committee struct {
	OrgID   int64
	Code    string
	NameZH  string
	NameEN  string
	Filed   int // cases submitted this year
	Open    int // cases in progress now (OpenStatuses), whenever filed
	Settled int // cases whose agreement took effect this year
	Failed  int // cases whose mediation failed this year
	Overdue int // open deadlines of the committee past their due time
	// Withdrawn, Rejected, SME, ClaimedFen, FiledBefore: as Line's
	// (Report only).
	Withdrawn, Rejected, SME int   `gorm:"-"`
	FiledBefore              int   `gorm:"-"`
	ClaimedFen, AgreedFen    int64 `gorm:"-"`
	// Duration is how long the mediations that ended in the period took
	// (Report only).
	Duration Duration `gorm:"-"`
	// Deadlines are the committee's deadlines met and missed in the
	// period (Report only).
	Deadlines Kept `gorm:"-"`
	// Feedback is the parties' ratings of its mediations given in the
	// period (Report only).
	Feedback Feedback `gorm:"-"`
}

// Feedback sums the parties' ratings (case_feedback, 1 to 5 each on
// service, fairness and timeliness) given in a period: N ratings and the
// sum of each score, so that committees add up to the total exactly.
type Feedback struct {
	N                                  int
	ServiceSum, FairnessSum, TimelySum int
}

// Avg is the mean of a sum over the ratings, to one decimal; -1 when
// there is none.
func (f Feedback) Avg(sum int) float64 {
	if f.N == 0 {
		return -1
	}
	return float64(int(float64(sum)*10/float64(f.N)+0.5)) / 10
}

// Service, Fairness and Timeliness are the mean scores (-1: no rating).
func (f Feedback) Service() float64    { return f.Avg(f.ServiceSum) }
func (f Feedback) Fairness() float64   { return f.Avg(f.FairnessSum) }
func (f Feedback) Timeliness() float64 { return f.Avg(f.TimelySum) }

// Kept counts the deadlines of an organisation closed in a period: met
// (done in time) and missed (done late, or run out). Every deadline
// counts but those that only inform a party (duty information), as in
// the deadline list.
type Kept struct {
	Met, Missed int
}

// Rate is met / (met + missed) in whole percent; -1 when none closed.
func (k Kept) Rate() int {
	if k.Met+k.Missed == 0 {
		return -1
	}
	return (200*k.Met + k.Met + k.Missed) / (2 * (k.Met + k.Missed))
}

// Duration is the time from acceptance to outcome of the cases settled or
// failed in a period, in days: the median and the 90th percentile; N is
// how many cases (0: no figure).
type Duration struct {
	N           int
	Median, P90 float64
}

// Name is the committee's name in lang.
func (c Committee) Name(lang string) string {
	if lang == "en" && c.NameEN != "" {
		return c.NameEN
	}
	return c.NameZH
}

// SuccessRate is settled / (settled + failed) in whole percent; -1 when
// no mediation has ended yet.
func (c Committee) SuccessRate() int {
	if c.Settled+c.Failed == 0 {
		return -1
	}
	return (200*c.Settled + c.Settled + c.Failed) / (2 * (c.Settled + c.Failed))
}

// Headline is the year's numbers of the committees the actor oversees.
type Headline struct {
	Year       int
	Committees []Committee
	Total      Committee
}

var beijing = time.FixedZone("CST", 8*3600)

// OpenStatuses are the statuses counted as in progress; the counts kept
// by migration 0022 (case_is_open) name the same, which the statistics
// tests hold by comparing the figure with the list of these statuses.
var OpenStatuses = []domain.CaseStatus{domain.StatusSubmitted, domain.StatusAccepted, domain.StatusMediating, domain.StatusAgreementDraft}

// scope lists the committees whose numbers the actor reads (stats:read),
// as the role table declares (domain.ObjectStats): every active committee
// for the leadership office, a director's own and, for a city committee's
// director, those it supervises. Nil: none.
func (s *Service) scope(ctx context.Context, a *domain.Actor) ([]int64, bool, error) {
	var own []int64
	all, supervising := false, false
	for _, m := range a.Memberships {
		if !s.authz.Can(a.UserID, m.OrgID, "stats", "read") {
			continue
		}
		r := m.Role.Reach(domain.ObjectStats)
		if r.Has(domain.ReachAll) {
			all = true
		}
		if r.Has(domain.ReachOrg) && !slices.Contains(own, m.OrgID) {
			own = append(own, m.OrgID)
		}
		if r.Has(domain.ReachSupervised) {
			supervising = true
		}
	}
	if all {
		return nil, true, nil
	}
	if supervising {
		for _, id := range a.Supervised {
			if !slices.Contains(own, id) {
				own = append(own, id)
			}
		}
	}
	if len(own) == 0 {
		return nil, false, nil
	}
	return own, false, nil
}

// Headline returns this year's numbers of the committees the actor
// oversees; ok is false for an actor who reads no statistics.
func (s *Service) Headline(ctx context.Context) (h Headline, ok bool, err error) {
	now := s.now()
	h.Year = now.In(beijing).Year()
	// The year's figures are the statistics of the calendar year (report.go).
	r, ok, err := s.report(ctx, Year(h.Year), false)
	if err != nil || !ok {
		return Headline{}, ok, err
	}
	h.Committees = r.Committees
	if len(h.Committees) == 0 {
		return h, true, nil
	}
	committees := make([]int64, len(h.Committees))
	for i, c := range h.Committees {
		committees[i] = c.OrgID
	}
	overdue, err := s.Overdue(ctx, committees)
	if err != nil {
		return Headline{}, false, err
	}
	for i := range h.Committees {
		c := &h.Committees[i]
		c.Overdue = overdue[c.OrgID]
		h.Total.Filed += c.Filed
		h.Total.Open += c.Open
		h.Total.Settled += c.Settled
		h.Total.Failed += c.Failed
		h.Total.Overdue += c.Overdue
	}
	return h, true, nil
}

// Overdue counts, for each of the organisations orgs, its own open
// deadlines (duty organisation; docs/law.md §1) already run out, leaving
// out those of a finished case: the work overdue now. Organisations with
// none are absent from the map.
func (s *Service) Overdue(ctx context.Context, orgs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(orgs) == 0 {
		return out, nil
	}
	var rows []struct {
		OrgID int64
		N     int
	}
	if err := s.reads.Read(ctx).Raw(`SELECT org_id, count(*) AS n FROM deadlines WHERE org_id IN ? AND status = 'open' AND due_at <= ?
AND duty = 'organisation'
AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = deadlines.case_id AND c.status IN ('settled', 'failed', 'withdrawn', 'rejected', 'closed'))
GROUP BY org_id`, orgs, s.now()).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("overdue deadlines: %w", err)
	}
	for _, r := range rows {
		out[r.OrgID] = r.N
	}
	return out, nil
}
