package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// BoardRow is one organisation on the year's board.
type BoardRow struct {
	Org
	Status      Status
	SubmittedAt *time.Time
	Late        bool
	DecidedAt   *time.Time
}

// Board is the year's board of the leadership office: every active
// organisation that owes a report, and the counts by status.
type Board struct {
	Year  int
	DueAt time.Time
	Rows  []BoardRow
	// Counts by status; OnTime and Late split the reports submitted at
	// least once (submitted, returned or accepted).
	Counts       map[Status]int
	OnTime, Late int
	Owed         int
}

// Board answers the year's board; only the office reads it (EFORBIDDEN).
func (s *Service) Board(ctx context.Context, year int) (Board, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Board{}, err
	}
	if err := s.checkYear(year); err != nil {
		return Board{}, err
	}
	if !s.Reviewer(a) {
		return Board{}, domain.Errorf(domain.EFORBIDDEN, "only the leadership office reads the board of annual reports")
	}
	b := Board{Year: year, DueAt: s.DueAt(year), Counts: map[Status]int{}}
	err = s.d.DB.WithContext(ctx).Raw(`SELECT o.id, o.code, o.type, o.name_zh, o.name_en,
coalesce(r.status, 'missing') AS status, r.submitted_at, coalesce(r.late, false) AS late, r.decided_at
FROM orgs o LEFT JOIN annual_reports r ON r.org_id = o.id AND r.year = ?
WHERE o.active AND o.type IN ? ORDER BY o.type, o.level, o.id`, year, s.d.OwedBy).Scan(&b.Rows).Error
	if err != nil {
		return Board{}, fmt.Errorf("annual report board: %w", err)
	}
	// The owing types in their configured order, then as the query sorted.
	slices.SortStableFunc(b.Rows, func(x, y BoardRow) int {
		return slices.Index(s.d.OwedBy, x.Type) - slices.Index(s.d.OwedBy, y.Type)
	})
	for _, r := range b.Rows {
		b.Counts[r.Status]++
		if r.SubmittedAt != nil {
			if r.Late {
				b.Late++
			} else {
				b.OnTime++
			}
		}
	}
	b.Owed = len(b.Rows)
	return b, nil
}

// Compilation is the city's summary of a year: every accepted report,
// the city's figures beside the year before, and the committees with the
// most work overdue now.
type Compilation struct {
	Year     int
	Reports  []Report
	This     stats.Report
	Before   stats.Report
	Overdue  []Overdue
	Board    Board
	Accepted int
}

// Overdue is a committee's open deadlines past their due time.
type Overdue struct {
	stats.Committee
	N int
}

// mostOverdue bounds the overview's list of committees.
const mostOverdue = 5

// Compile answers the city's summary; only the office compiles it.
func (s *Service) Compile(ctx context.Context, year int) (Compilation, error) {
	b, err := s.Board(ctx, year)
	if err != nil {
		return Compilation{}, err
	}
	c := Compilation{Year: year, Board: b}
	for _, r := range b.Rows {
		if r.Status != Accepted {
			continue
		}
		rep, err := s.Get(ctx, r.ID, year)
		if err != nil {
			return Compilation{}, err
		}
		c.Reports = append(c.Reports, rep)
	}
	c.Accepted = len(c.Reports)
	var committees []int64
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT id FROM orgs WHERE type = ? AND active ORDER BY level, id`,
		domain.OrgMediationCommittee).Scan(&committees).Error; err != nil {
		return Compilation{}, fmt.Errorf("committees: %w", err)
	}
	if c.This, err = s.d.Cases.OrgReport(ctx, committees, stats.Year(year)); err != nil {
		return Compilation{}, err
	}
	if c.Before, err = s.d.Cases.OrgReport(ctx, committees, stats.Year(year-1)); err != nil {
		return Compilation{}, err
	}
	overdue, err := s.d.Cases.Overdue(ctx, committees)
	if err != nil {
		return Compilation{}, err
	}
	for _, cm := range c.This.Committees {
		if n := overdue[cm.OrgID]; n > 0 {
			c.Overdue = append(c.Overdue, Overdue{Committee: cm, N: n})
		}
	}
	slices.SortStableFunc(c.Overdue, func(x, y Overdue) int { return y.N - x.N })
	if len(c.Overdue) > mostOverdue {
		c.Overdue = c.Overdue[:mostOverdue]
	}
	return c, nil
}

// Change is this year's figure against last year's in whole percent, and
// whether there is a base to compare with.
func Change(this, before int) (int, bool) {
	if before == 0 {
		return 0, false
	}
	d := 100 * (this - before)
	if d >= 0 {
		return (2*d + before) / (2 * before), true
	}
	return -((-2*d + before) / (2 * before)), true
}
