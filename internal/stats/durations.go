package stats

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// durations fills in how long the mediations that ended in p took, per
// committee and in total: from acceptance to outcome, in days, the median
// and the 90th percentile as PostgreSQL's percentile_cont computes them.
//
// It reads few mediations (migration 0044): case_duration_tallies counts
// how many of a committee's mediations took each whole number of days, so
// the counts of the period say in which whole day lies each rank the
// percentiles need, and at which place among that day's mediations. Only
// the mediations of those days are read (cases_duration_days_idx), and
// each rank's exact value is taken among them. Reading every duration of
// the city's year was most of the statistics' time at 5,000,000 cases
// (docs/benchmarks.md).
//
// The triggers keep the counts in the transaction that changes a case,
// as 0022 keeps its own (TestTallies_KeptEqualToTheCases). Should a count
// still be negative, or the mediations read of a day not number what its
// count says (counts changed by hand), every mediation of the period is
// read instead, and a warning names the count; damage to the count of a
// day no rank falls on goes unnoticed.
func (s *Service) durations(db *gorm.DB, orgs []int64, p Period, r *Report) error {
	spans, args := tallySpans(p)
	var counts []struct {
		OrgID int64
		Days  int
		N     int
	}
	err := db.Raw(`SELECT org_id, days, sum(n) AS n FROM case_duration_tallies
WHERE org_id IN ? AND (`+spans+`) GROUP BY org_id, days HAVING sum(n) <> 0`,
		append([]any{orgs}, args...)...).Scan(&counts).Error
	if err != nil {
		return fmt.Errorf("statistics durations: %w", err)
	}
	var total histogram
	byOrg := map[int64]*histogram{}
	for _, c := range counts {
		if c.N < 0 {
			s.log.Warn("statistics: a duration count is negative; reading every mediation of the period",
				"org_id", c.OrgID, "days", c.Days, "counted", c.N, "from", p.From, "to", p.To)
			return durationsRead(db, orgs, p, r)
		}
		if byOrg[c.OrgID] == nil {
			byOrg[c.OrgID] = &histogram{}
		}
		byOrg[c.OrgID].add(c.Days, c.N)
		total.add(c.Days, c.N)
	}

	// The whole days to read: each committee's own, and for the total the
	// days it needs of every committee that has mediations on them.
	want := map[orgDay]bool{}
	for org, h := range byOrg {
		for _, d := range h.wanted() {
			want[orgDay{org, d}] = true
		}
	}
	for _, d := range total.wanted() {
		for org, h := range byOrg {
			if h.count[d] > 0 {
				want[orgDay{org, d}] = true
			}
		}
	}
	values, err := readDays(db, want, p)
	if err != nil {
		return err
	}
	for k := range want {
		if got, counted := len(values[k]), byOrg[k.org].count[k.days]; got != counted {
			s.log.Warn("statistics: the duration counts disagree with the cases; reading every mediation of the period",
				"org_id", k.org, "days", k.days, "counted", counted, "cases", got, "from", p.From, "to", p.To)
			return durationsRead(db, orgs, p, r)
		}
		slices.Sort(values[k])
	}

	merged := map[int][]float64{}
	r.Duration = total.duration(func(d int) []float64 {
		if merged[d] == nil {
			for org := range byOrg {
				merged[d] = append(merged[d], values[orgDay{org, d}]...)
			}
			slices.Sort(merged[d])
		}
		return merged[d]
	})
	for i := range r.Committees {
		org := r.Committees[i].OrgID
		if h := byOrg[org]; h != nil {
			r.Committees[i].Duration = h.duration(func(d int) []float64 { return values[orgDay{org, d}] })
		}
	}
	return nil
}

// orgDay is a committee and a whole number of days.
type orgDay struct {
	org  int64
	days int
}

// histogram counts durations by whole days.
type histogram struct {
	count map[int]int
	n     int
	days  []int // the days counted, ascending (sorted on first use)
}

func (h *histogram) add(days, n int) {
	if h.count == nil {
		h.count = map[int]int{}
	}
	h.count[days] += n
	h.n += n
	h.days = nil
}

// locate is the whole day holding the duration of rank k (0 ≤ k < n,
// ascending), and k's place among that day's durations.
func (h *histogram) locate(k int) (days, at int) {
	if h.days == nil {
		for d := range h.count {
			h.days = append(h.days, d)
		}
		slices.Sort(h.days)
	}
	for _, d := range h.days {
		if k < h.count[d] {
			return d, k
		}
		k -= h.count[d]
	}
	panic(fmt.Sprintf("stats: rank beyond the %d durations counted", h.n))
}

// wanted is the whole days of the ranks percentile_cont reads for the
// median and the 90th percentile.
func (h *histogram) wanted() []int {
	var out []int
	if h.n == 0 {
		return nil
	}
	for _, f := range percentiles {
		for _, k := range ranksOf(h.n, f) {
			d, _ := h.locate(k)
			out = append(out, d)
		}
	}
	return out
}

// duration is the Duration of the counted durations; sorted(d) is the
// durations of whole day d, ascending.
func (h *histogram) duration(sorted func(days int) []float64) Duration {
	if h.n == 0 {
		return Duration{}
	}
	at := func(k int) float64 {
		d, i := h.locate(k)
		return sorted(d)[i]
	}
	return Duration{N: h.n, Median: interpolated(h.n, percentiles[0], at), P90: interpolated(h.n, percentiles[1], at)}
}

// readDays reads the durations of the mediations ended in p of each
// committee and whole day in want, keyed like want.
func readDays(db *gorm.DB, want map[orgDay]bool, p Period) (map[orgDay][]float64, error) {
	out := map[orgDay][]float64{}
	if len(want) == 0 {
		return out, nil
	}
	keys := make([]orgDay, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b orgDay) int { return cmp.Or(cmp.Compare(a.org, b.org), cmp.Compare(a.days, b.days)) })
	pairs := make([]string, len(keys))
	args := make([]any, 0, 2*len(keys)+2)
	for i, k := range keys {
		pairs[i] = "(?::bigint, ?::double precision)"
		args = append(args, k.org, k.days)
	}
	rows, err := db.Raw(`SELECT c.org_id, k.days::integer AS day, c.mediation_days
FROM (VALUES `+strings.Join(pairs, ", ")+`) AS k (org_id, days)
JOIN cases c ON c.org_id = k.org_id AND floor(c.mediation_days) = k.days
WHERE c.outcome IN ('settled', 'failed') AND c.accepted_at IS NOT NULL AND c.outcome_at >= ? AND c.outcome_at < ?`,
		append(args, p.From, p.To)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("statistics durations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k orgDay
		var days float64
		if err := rows.Scan(&k.org, &k.days, &days); err != nil {
			return nil, fmt.Errorf("statistics durations: %w", err)
		}
		out[k] = append(out[k], days)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statistics durations: %w", err)
	}
	return out, nil
}

// durationsRead is durations from every mediation of the period.
func durationsRead(db *gorm.DB, orgs []int64, p Period, r *Report) error {
	rows, err := db.Raw(`SELECT org_id, mediation_days AS days
FROM cases WHERE org_id IN ? AND outcome IN ('settled', 'failed') AND outcome_at >= ? AND outcome_at < ? AND accepted_at IS NOT NULL`,
		orgs, p.From, p.To).Rows()
	if err != nil {
		return fmt.Errorf("statistics durations: %w", err)
	}
	defer rows.Close()
	byOrg := map[int64][]float64{}
	var all []float64
	for rows.Next() {
		var org int64
		var days float64
		if err := rows.Scan(&org, &days); err != nil {
			return fmt.Errorf("statistics durations: %w", err)
		}
		byOrg[org] = append(byOrg[org], days)
		all = append(all, days)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("statistics durations: %w", err)
	}
	r.Duration = durationOf(all)
	for i := range r.Committees {
		r.Committees[i].Duration = durationOf(byOrg[r.Committees[i].OrgID])
	}
	return nil
}
