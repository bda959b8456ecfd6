package stats

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Period is a span of Beijing days: From inclusive, To exclusive (both
// midnight in Beijing).
type Period struct {
	From, To time.Time
}

// Valid reports whether the period is a non-empty span of whole Beijing
// days of at most ten years.
func (p Period) Valid() bool {
	return !p.From.IsZero() && p.To.After(p.From) && !p.To.After(p.From.AddDate(10, 0, 1)) &&
		midnight(p.From) && midnight(p.To)
}

func midnight(t time.Time) bool {
	b := t.In(beijing)
	return b.Hour() == 0 && b.Minute() == 0 && b.Second() == 0 && b.Nanosecond() == 0
}

// LastDay is the period's last day (To is exclusive).
func (p Period) LastDay() time.Time { return p.To.AddDate(0, 0, -1) }

// Year is the calendar year y in Beijing.
func Year(y int) Period {
	from := time.Date(y, 1, 1, 0, 0, 0, 0, beijing)
	return Period{From: from, To: from.AddDate(1, 0, 0)}
}

// Line is one row of a breakdown: the cases filed in the period, in
// progress now, and settled, failed, withdrawn or rejected in the period;
// of the cases filed, those with an SME among the applicants and the sum
// of the amounts claimed (fen); of the cases settled, the sum of the
// amounts their agreements settle (fen).
type Line struct {
	Key                          string // committee id, dispute type, source or IP right kind
	Filed, Open, Settled, Failed int
	Withdrawn, Rejected          int
	SME                          int
	ClaimedFen, AgreedFen        int64
	// FiledBefore is the cases of the row filed in the same days one
	// year earlier (Period.YearBefore; only with the extras).
	FiledBefore int
}

// Change is the filings' change against the same days a year earlier in
// whole percent, and false when there were none then.
func (l Line) Change() (int, bool) {
	if l.FiledBefore == 0 {
		return 0, false
	}
	d := 100 * (l.Filed - l.FiledBefore)
	if d < 0 {
		return -((-2*d + l.FiledBefore) / (2 * l.FiledBefore)), true
	}
	return (2*d + l.FiledBefore) / (2 * l.FiledBefore), true
}

// SMEShare is the SME cases' share of the cases filed in whole percent; -1
// when none was filed.
func (l Line) SMEShare() int {
	if l.Filed == 0 {
		return -1
	}
	return (200*l.SME + l.Filed) / (2 * l.Filed)
}

// SuccessRate is settled / (settled + failed) in whole percent; -1 when
// no mediation ended.
func (l Line) SuccessRate() int { return Committee{Settled: l.Settled, Failed: l.Failed}.SuccessRate() }

func (l *Line) add(o Line) {
	l.Filed += o.Filed
	l.Open += o.Open
	l.Settled += o.Settled
	l.Failed += o.Failed
	l.Withdrawn += o.Withdrawn
	l.Rejected += o.Rejected
	l.SME += o.SME
	l.ClaimedFen += o.ClaimedFen
	l.AgreedFen += o.AgreedFen
}

// Report is the statistics of a period for the committees an actor
// oversees (the same scope as the headline): by committee, by dispute
// type and by source, and their total. Every figure counts the rows of a
// case list (the web layer links each to it).
type Report struct {
	Period     Period
	Committees []Committee
	ByType     []Line
	BySource   []Line
	// ByRight counts by kind of IP right the cases involving one (only
	// with the extras): a case with rights of two kinds is in both rows,
	// so the rows do not add up to the total. SME and ClaimedFen are
	// not counted there.
	ByRight []Line
	Total   Line
	// Deadlines is the total of the committees' deadlines kept (only
	// with the extras).
	Deadlines Kept
	// Feedback is the total of the committees' ratings given in the
	// period (only with the extras).
	Feedback Feedback
	// Duration is the total's duration (each committee has its own).
	Duration Duration
	// Trend is the cases filed month by month over the period (at most
	// trendMonths), each beside the same month a year before.
	Trend []Month
	// Before is the total of the same period a year earlier, for the
	// comparison (only with the extras). Open is not counted: in
	// progress is a figure of now, not of a past period.
	Before Line
}

// YearBefore is the same span of days one year earlier.
func (p Period) YearBefore() Period {
	return Period{From: p.From.AddDate(-1, 0, 0), To: p.To.AddDate(-1, 0, 0)}
}

// Month is one month of the trend: its first day, the cases filed in it
// and in the same month of the year before.
type Month struct {
	Start         time.Time
	Filed, Before int
}

// trendMonths bounds the trend: a longer period has none.
const trendMonths = 24

// Report answers the statistics of period p; ok is false for an actor who
// reads no statistics.
func (s *Service) Report(ctx context.Context, p Period) (r Report, ok bool, err error) {
	return s.report(ctx, p, true)
}

// report is Report; without extras (the headline of "my work") it leaves
// out the durations and the trend, which that page does not show.
func (s *Service) report(ctx context.Context, p Period, extras bool) (r Report, ok bool, err error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Report{}, false, err
	}
	if !p.Valid() {
		return Report{}, false, domain.Invalid(domain.FieldError{Field: "to", Message: "validation.period"})
	}
	ids, all, err := s.scope(ctx, a)
	if err != nil || (!all && len(ids) == 0) {
		return Report{}, false, err
	}
	r.Period = p
	db := s.reads.Read(ctx)
	q := db.Table("orgs").Select("id AS org_id, code, name_zh, name_en").
		Where("type = ? AND active", domain.OrgMediationCommittee).Order("level, id")
	if !all {
		q = q.Where("id IN ?", ids)
	}
	if err := q.Scan(&r.Committees).Error; err != nil {
		return Report{}, false, fmt.Errorf("statistics committees: %w", err)
	}
	if len(r.Committees) == 0 {
		return r, true, nil
	}
	return s.figures(ctx, r, extras)
}

// OrgReport is the statistics of period p for the committees orgs (an
// organisation that is no committee has none): the figures of Report
// without its authorization, for a caller that has decided who may read
// them (the annual work report of a committee, the city's compilation).
func (s *Service) OrgReport(ctx context.Context, orgs []int64, p Period) (Report, error) {
	if !p.Valid() {
		return Report{}, domain.Invalid(domain.FieldError{Field: "to", Message: "validation.period"})
	}
	r := Report{Period: p}
	if len(orgs) == 0 {
		return r, nil
	}
	err := s.reads.Read(ctx).Table("orgs").Select("id AS org_id, code, name_zh, name_en").
		Where("type = ? AND id IN ?", domain.OrgMediationCommittee, orgs).Order("level, id").Scan(&r.Committees).Error
	if err != nil {
		return Report{}, fmt.Errorf("statistics committees: %w", err)
	}
	if len(r.Committees) == 0 {
		return r, nil
	}
	r, _, err = s.figures(ctx, r, true)
	return r, err
}

// figures counts the period's figures of r's committees; without extras
// it leaves out the durations and the trend. Every figure of one report
// is read from one snapshot of the database (a read-only repeatable-read
// transaction), so that the breakdowns, the trend and the durations agree
// with each other while cases move on.
func (s *Service) figures(ctx context.Context, r Report, extras bool) (out Report, ok bool, err error) {
	err = s.reads.Read(ctx).Transaction(func(tx *gorm.DB) error {
		out, ok, err = s.figuresIn(tx, r, extras)
		return err
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return out, ok, err
}

func (s *Service) figuresIn(db *gorm.DB, r Report, extras bool) (Report, bool, error) {
	p := r.Period
	var err error
	orgs := make([]int64, len(r.Committees))
	for i, c := range r.Committees {
		orgs[i] = c.OrgID
	}
	// One grouped count per figure, by committee, dispute type and source;
	// the breakdowns are sums of the same rows, so they always agree.
	var rows []struct {
		Figure      string
		OrgID       int64
		DisputeType string
		Source      string
		N           int
		SME         int
		Fen         int64
	}
	// The counts kept as cases change (migration 0022: case_tallies and
	// case_open_tallies), which count exactly what the case lists filter.
	spans, args := tallySpans(p)
	err = db.Raw(`SELECT figure, org_id, dispute_type, source, sum(n) AS n, sum(sme) AS sme, sum(fen) AS fen FROM case_tallies
WHERE org_id IN ? AND (`+spans+`) GROUP BY figure, org_id, dispute_type, source HAVING sum(n) <> 0
UNION ALL
SELECT 'open', org_id, dispute_type, source, sum(n), 0, 0 FROM case_open_tallies
WHERE org_id IN ? GROUP BY org_id, dispute_type, source HAVING sum(n) <> 0`,
		append(append([]any{orgs}, args...), orgs)...).Scan(&rows).Error
	if err != nil {
		return Report{}, false, fmt.Errorf("statistics: %w", err)
	}
	byOrg := map[int64]*Line{}
	byType := map[string]*Line{}
	bySource := map[string]*Line{}
	get := func(m map[string]*Line, k string) *Line {
		if m[k] == nil {
			m[k] = &Line{Key: k}
		}
		return m[k]
	}
	for _, row := range rows {
		var l Line
		l.count(row.Figure, row.N, row.SME, row.Fen)
		if byOrg[row.OrgID] == nil {
			byOrg[row.OrgID] = &Line{}
		}
		byOrg[row.OrgID].add(l)
		get(byType, row.DisputeType).add(l)
		get(bySource, row.Source).add(l)
		r.Total.add(l)
	}
	for i := range r.Committees {
		if l := byOrg[r.Committees[i].OrgID]; l != nil {
			c := &r.Committees[i]
			c.Filed, c.Open, c.Settled, c.Failed = l.Filed, l.Open, l.Settled, l.Failed
			c.Withdrawn, c.Rejected, c.SME, c.ClaimedFen, c.AgreedFen = l.Withdrawn, l.Rejected, l.SME, l.ClaimedFen, l.AgreedFen
		}
	}
	r.ByType = ordered(byType, domain.DisputeTypes)
	r.BySource = ordered(bySource, domain.CaseSources)
	if !extras {
		return r, true, nil
	}
	if err := s.durations(db, orgs, p, &r); err != nil {
		return Report{}, false, err
	}
	if r.Trend, err = s.trend(db, orgs, p); err != nil {
		return Report{}, false, err
	}
	if r.ByRight, err = s.byRight(db, orgs, p); err != nil {
		return Report{}, false, err
	}
	if err := s.kept(db, orgs, p, &r); err != nil {
		return Report{}, false, err
	}
	if err := s.feedback(db, orgs, p, &r); err != nil {
		return Report{}, false, err
	}
	if r.Before, err = s.total(db, orgs, p.YearBefore()); err != nil {
		return Report{}, false, err
	}
	if err := s.filedBefore(db, orgs, p.YearBefore(), &r); err != nil {
		return Report{}, false, err
	}
	return r, true, nil
}

// filedBefore sets each row's FiledBefore: the cases filed in yb (the
// period's year before) by committee, dispute type, source and kind of
// IP right, from the same kept counts as the rows themselves, so that a
// row's figure of the year before is what the case list of those days
// with the row's filter lists.
func (s *Service) filedBefore(db *gorm.DB, orgs []int64, yb Period, r *Report) error {
	spans, args := tallySpans(yb)
	var rows []struct {
		OrgID       int64
		DisputeType string
		Source      string
		N           int
	}
	if err := db.Raw(`SELECT org_id, dispute_type, source, sum(n) AS n FROM case_tallies
WHERE figure = 'filed' AND org_id IN ? AND (`+spans+`) GROUP BY org_id, dispute_type, source`,
		append([]any{orgs}, args...)...).Scan(&rows).Error; err != nil {
		return fmt.Errorf("statistics of the year before: %w", err)
	}
	byOrg, byType, bySource := map[int64]int{}, map[string]int{}, map[string]int{}
	for _, row := range rows {
		byOrg[row.OrgID] += row.N
		byType[row.DisputeType] += row.N
		bySource[row.Source] += row.N
	}
	r.Total.FiledBefore = r.Before.Filed
	for i := range r.Committees {
		r.Committees[i].FiledBefore = byOrg[r.Committees[i].OrgID]
	}
	for i := range r.ByType {
		r.ByType[i].FiledBefore = byType[r.ByType[i].Key]
	}
	for i := range r.BySource {
		r.BySource[i].FiledBefore = bySource[r.BySource[i].Key]
	}
	rights, err := s.byRight(db, orgs, yb)
	if err != nil {
		return err
	}
	for i := range r.ByRight {
		for _, b := range rights {
			if b.Key == r.ByRight[i].Key {
				r.ByRight[i].FiledBefore = b.Filed
			}
		}
	}
	return nil
}

// kept counts the committees' deadlines met and missed in p (closed in
// it), as the deadline list with status, org_id and closed_from/closed_to
// lists them.
func (s *Service) kept(db *gorm.DB, orgs []int64, p Period, r *Report) error {
	var rows []struct {
		OrgID       int64
		Met, Missed int
	}
	err := db.Raw(`SELECT org_id, count(*) FILTER (WHERE status = 'met') AS met, count(*) FILTER (WHERE status = 'missed') AS missed
FROM deadlines WHERE org_id IN ? AND status IN ('met', 'missed') AND closed_at >= ? AND closed_at < ? AND duty <> 'information'
GROUP BY org_id`, orgs, p.From, p.To).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("statistics deadlines: %w", err)
	}
	for _, row := range rows {
		for i := range r.Committees {
			if r.Committees[i].OrgID == row.OrgID {
				r.Committees[i].Deadlines = Kept{Met: row.Met, Missed: row.Missed}
			}
		}
		r.Deadlines.Met += row.Met
		r.Deadlines.Missed += row.Missed
	}
	return nil
}

// feedback counts the parties' ratings given in period p of the cases
// of each committee (by the case's handling committee now), through the
// index on (created_at).
func (s *Service) feedback(db *gorm.DB, orgs []int64, p Period, r *Report) error {
	var rows []struct {
		OrgID                                 int64
		N, ServiceSum, FairnessSum, TimelySum int
	}
	err := db.Raw(`SELECT c.org_id, count(*) AS n, sum(f.service) AS service_sum, sum(f.fairness) AS fairness_sum,
  sum(f.timeliness) AS timely_sum
FROM case_feedback f JOIN cases c ON c.id = f.case_id
WHERE f.created_at >= ? AND f.created_at < ? AND c.org_id IN ? GROUP BY c.org_id`, p.From, p.To, orgs).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("statistics feedback: %w", err)
	}
	for _, row := range rows {
		f := Feedback{N: row.N, ServiceSum: row.ServiceSum, FairnessSum: row.FairnessSum, TimelySum: row.TimelySum}
		for i := range r.Committees {
			if r.Committees[i].OrgID == row.OrgID {
				r.Committees[i].Feedback = f
			}
		}
		r.Feedback.N += f.N
		r.Feedback.ServiceSum += f.ServiceSum
		r.Feedback.FairnessSum += f.FairnessSum
		r.Feedback.TimelySum += f.TimelySum
	}
	return nil
}

// set puts n into the figure named so (filed, open or an outcome).
// total is the committees' total of the period p from the kept counts,
// without the cases in progress: the same figures as a report's Total.
func (s *Service) total(db *gorm.DB, orgs []int64, p Period) (Line, error) {
	var rows []struct {
		Figure string
		N, SME int
		Fen    int64
	}
	spans, args := tallySpans(p)
	if err := db.Raw(`SELECT figure, sum(n) AS n, sum(sme) AS sme, sum(fen) AS fen FROM case_tallies
WHERE org_id IN ? AND (`+spans+`) GROUP BY figure`, append([]any{orgs}, args...)...).Scan(&rows).Error; err != nil {
		return Line{}, fmt.Errorf("statistics of the year before: %w", err)
	}
	var out Line
	for _, row := range rows {
		out.count(row.Figure, row.N, row.SME, row.Fen)
	}
	return out, nil
}

// count sets one row of the kept counts: the figure's number, and with
// the cases filed their SME applicants and amounts claimed, with the
// cases settled the amounts their agreements settle (the settled list's).
func (l *Line) count(figure string, n, sme int, fen int64) {
	l.set(figure, n)
	switch figure {
	case "filed":
		l.SME, l.ClaimedFen = sme, fen
	case string(domain.StatusSettled):
		l.AgreedFen = fen
	}
}

func (l *Line) set(figure string, n int) {
	switch figure {
	case "filed":
		l.Filed = n
	case "open":
		l.Open = n
	case string(domain.StatusSettled):
		l.Settled = n
	case string(domain.StatusFailed):
		l.Failed = n
	case string(domain.StatusWithdrawn):
		l.Withdrawn = n
	case string(domain.StatusRejected):
		l.Rejected = n
	}
}

// byRight counts the figures by kind of IP right: each case once per kind
// it involves (the case list's right_kind filter), from the counts kept
// by kind (case_right_tallies, case_open_right_tallies).
func (s *Service) byRight(db *gorm.DB, orgs []int64, p Period) ([]Line, error) {
	spans, args := tallySpans(p)
	var rows []struct {
		Figure, Kind string
		N            int
	}
	err := db.Raw(`SELECT figure, kind, sum(n) AS n FROM case_right_tallies WHERE org_id IN ? AND (`+spans+`) GROUP BY figure, kind
UNION ALL
SELECT 'open', kind, sum(n) FROM case_open_right_tallies WHERE org_id IN ? GROUP BY kind`,
		append(append([]any{orgs}, args...), orgs)...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("statistics by IP right: %w", err)
	}
	m := map[string]*Line{}
	for _, row := range rows {
		if m[row.Kind] == nil {
			m[row.Kind] = &Line{Key: row.Kind}
		}
		var l Line
		l.set(row.Figure, row.N)
		m[row.Kind].add(l)
	}
	return ordered(m, domain.RightKinds), nil
}

// trend counts the cases filed in each month of p and of the year before,
// by Beijing month. The months are whole calendar months touching p; the
// first and last are cut to p.
func (s *Service) trend(db *gorm.DB, orgs []int64, p Period) ([]Month, error) {
	first := time.Date(p.From.In(beijing).Year(), p.From.In(beijing).Month(), 1, 0, 0, 0, 0, beijing)
	var months []Month
	for m := first; m.Before(p.To); m = m.AddDate(0, 1, 0) {
		months = append(months, Month{Start: m})
		if len(months) > trendMonths {
			return nil, nil
		}
	}
	// Each month's span within p, and the same span a year before, is
	// summed from the counts kept by day and by month (tallySpans). Row
	// 2i is month i, row 2i+1 the same month a year before.
	values := make([]string, 0, 6*len(months))
	args := make([]any, 0, 18*len(months)+1)
	for i, mo := range months {
		from, to := p.Clip(mo.Start, mo.Start.AddDate(0, 1, 0))
		for j, span := range []Period{{from, to}, {from.AddDate(-1, 0, 0), to.AddDate(-1, 0, 0)}} {
			for _, g := range grains(span) {
				values = append(values, "(?::int, ?::\"char\", ?::date, ?::date)")
				args = append(args, 2*i+j, g.grain, g.lo, g.hi)
			}
		}
	}
	var rows []struct{ I, N int }
	// A lateral sum per span: a range scan of the counts' key each (a
	// join lets the planner read every count of the committees).
	err := db.Raw(`SELECT r.i, sum(t.n) AS n FROM (VALUES `+strings.Join(values, ", ")+`) AS r(i, grain, lo, hi)
CROSS JOIN LATERAL (SELECT coalesce(sum(n), 0) AS n FROM case_tallies
    WHERE org_id IN ? AND grain = r.grain AND day >= r.lo AND day < r.hi AND figure = 'filed') t
GROUP BY r.i`, append(args, orgs)...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("statistics trend: %w", err)
	}
	for _, row := range rows {
		if row.I%2 == 0 {
			months[row.I/2].Filed = row.N
		} else {
			months[row.I/2].Before = row.N
		}
	}
	return months, nil
}

// grain is a span of Beijing days [lo, hi) read from the counts kept by
// day ("d") or by month ("m"; lo and hi are then first days of months).
type grain struct {
	grain  string
	lo, hi string // YYYY-MM-DD
}

// grains splits a period into the spans of the counts: its whole months
// by month, the days of the months it cuts by day. A year is twelve month
// rows per key; only the days of a cut month are read one by one.
func grains(p Period) []grain {
	from, to := p.From.In(beijing), p.To.In(beijing)
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, beijing)
	if first.Before(from) {
		first = first.AddDate(0, 1, 0)
	}
	last := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, beijing)
	if !first.Before(last) {
		return []grain{{"d", day(from), day(to)}}
	}
	var out []grain
	if from.Before(first) {
		out = append(out, grain{"d", day(from), day(first)})
	}
	out = append(out, grain{"m", day(first), day(last)})
	if last.Before(to) {
		out = append(out, grain{"d", day(last), day(to)})
	}
	return out
}

// tallySpans is the condition on the counts' grain and day that covers p,
// with its arguments.
func tallySpans(p Period) (string, []any) {
	var parts []string
	var args []any
	for _, g := range grains(p) {
		parts = append(parts, "(grain = ? AND day >= ?::date AND day < ?::date)")
		args = append(args, g.grain, g.lo, g.hi)
	}
	return strings.Join(parts, " OR "), args
}

// Clip cuts the span [from, to) to the period.
func (p Period) Clip(from, to time.Time) (time.Time, time.Time) {
	if p.From.After(from) {
		from = p.From
	}
	if p.To.Before(to) {
		to = p.To
	}
	return from, to
}

// ordered lists a breakdown in the order of the enum, every value even
// when zero, then any value the enum does not know.
func ordered[T ~string](m map[string]*Line, enum []T) []Line {
	var out []Line
	for _, k := range enum {
		if l := m[string(k)]; l != nil {
			out = append(out, *l)
			delete(m, string(k))
		} else {
			out = append(out, Line{Key: string(k)})
		}
	}
	var rest []Line
	for _, l := range m {
		rest = append(rest, *l)
	}
	slices.SortFunc(rest, func(a, b Line) int { return cmp.Compare(a.Key, b.Key) })
	return append(out, rest...)
}
