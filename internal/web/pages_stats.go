package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// statsPage is /stats: the period's figures of the committees the user
// oversees, each a link to its cases, with bars drawn on the server.
type statsPage struct {
	Form
	Report stats.Report
	// Cases: the user reads the cases' figures (Report, Tables);
	// Referrals are their organisations' referral figures, if any.
	Cases     bool
	Referrals []referral.KindStats
	// Assistance are the centre's applications' figures (nil for a user
	// who reviews none).
	Assistance *assistance.Stats
	// Credit are the credit records' figures (nil for a user who does
	// not read every record).
	Credit *credit.Stats
	// Query is the period as asked (year, quarter, month or from/to).
	Query url.Values
	// Tables are the breakdowns, named in the reader's language.
	Tables []statsTable
}

// statsTable is one breakdown: its rows, and a bar chart of the filed
// figure when Chart.
type statsTable struct {
	ID, Title, Head string
	Dim             string // org, type or source (Link)
	Rows            []statsRow
	Chart           bool
	// Durations: the rows carry how long their mediations took (the
	// committees), and Total the total's.
	Durations bool
	Total     stats.Duration
	// Parts: the rows overlap (a case with rights of two kinds is in two
	// rows), so the table has no total row and no SME or amount columns;
	// Note says so.
	Parts bool
	Note  string
}

// statsRow is a line of a breakdown with its name.
type statsRow struct {
	Name string
	stats.Line
	Duration stats.Duration
}

// days is a duration figure for a download: the days rounded to one
// decimal, or empty.
func days(d stats.Duration, p90 bool) any {
	if d.N == 0 {
		return ""
	}
	v := d.Median
	if p90 {
		v = d.P90
	}
	return math.Round(v*10) / 10
}

// Days prints the row's duration in days with one decimal (the median, or
// the 90th percentile), or a dash when no mediation ended.
func (r statsRow) Days(p90 bool) string { return daysText(r.Duration, p90) }

// TotalDays is Days of the table's total.
func (t statsTable) TotalDays(p90 bool) string { return daysText(t.Total, p90) }

func daysText(d stats.Duration, p90 bool) string {
	if d.N == 0 {
		return "—"
	}
	if p90 {
		return strconv.FormatFloat(d.P90, 'f', 1, 64)
	}
	return strconv.FormatFloat(d.Median, 'f', 1, 64)
}

// Bars draws the table's filed figures: each bar's length in chart
// units (the longest is barMax) and its row.
func (t statsTable) Bars() []Bar {
	most := 0
	for _, r := range t.Rows {
		most = max(most, r.Filed)
	}
	out := make([]Bar, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = Bar{Label: r.Name, N: r.Filed, Y: i * barStep}
		if most > 0 {
			out[i].Length = barMax * float64(r.Filed) / float64(most)
		}
	}
	return out
}

// ChartHeight is the height of the table's chart in chart units.
func (t statsTable) ChartHeight() int { return len(t.Rows) * barStep }

const (
	barStep = 26  // chart units per bar
	barMax  = 360 // the longest bar
)

// tables names the report's breakdowns with tr in lang.
func statsTables(r stats.Report, name func(id string) string, lang string) []statsTable {
	committees := statsTable{ID: "stats-committees", Title: name("stats.by_committee"), Head: name("work.headline.committee"), Dim: "org",
		Chart: true, Durations: true, Total: r.Duration}
	for _, c := range r.Committees {
		committees.Rows = append(committees.Rows, statsRow{Name: c.Name(lang), Duration: c.Duration,
			Line: committeeLine(c, strconv.FormatInt(c.OrgID, 10))})
	}
	types := statsTable{ID: "stats-types", Title: name("stats.by_type"), Head: name("case.dispute_type"), Dim: "type", Chart: true}
	for _, l := range r.ByType {
		types.Rows = append(types.Rows, statsRow{Name: name("dispute." + l.Key), Line: l})
	}
	sources := statsTable{ID: "stats-sources", Title: name("stats.by_source"), Head: name("case.source"), Dim: "source"}
	for _, l := range r.BySource {
		sources.Rows = append(sources.Rows, statsRow{Name: name("source." + l.Key), Line: l})
	}
	rights := statsTable{ID: "stats-rights", Title: name("stats.by_right"), Head: name("right.kind"), Dim: "right", Chart: true,
		Parts: true, Note: name("stats.by_right_note")}
	for _, l := range r.ByRight {
		rights.Rows = append(rights.Rows, statsRow{Name: name("right." + l.Key), Line: l})
	}
	out := []statsTable{committees, types, sources}
	if r.ByRight != nil {
		out = append(out, rights)
	}
	return out
}

// committeeLine is a committee's figures as a line keyed key.
func committeeLine(c stats.Committee, key string) stats.Line {
	return stats.Line{Key: key, Filed: c.Filed, Open: c.Open, Settled: c.Settled, Failed: c.Failed,
		Withdrawn: c.Withdrawn, Rejected: c.Rejected, SME: c.SME, ClaimedFen: c.ClaimedFen, AgreedFen: c.AgreedFen, FiledBefore: c.FiledBefore}
}

var (
	quarterParam = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	monthParam   = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
)

// statsPeriod reads the period of a statistics request: year=2026,
// quarter=2026-Q3, month=2026-07, or from= and to= (Beijing days, both
// inclusive); by default the current calendar year. A bad value is a
// field error naming its parameter.
func statsPeriod(q url.Values, now time.Time) (stats.Period, error) {
	bad := func(field string) error {
		return domain.Invalid(domain.FieldError{Field: field, Message: "validation.period"})
	}
	switch {
	case q.Get("year") != "":
		y, err := strconv.Atoi(q.Get("year"))
		if err != nil || y < 2000 || y > 2100 {
			return stats.Period{}, bad("year")
		}
		return stats.Year(y), nil
	case q.Get("quarter") != "":
		m := quarterParam.FindStringSubmatch(q.Get("quarter"))
		if m == nil {
			return stats.Period{}, bad("quarter")
		}
		y, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		from := time.Date(y, time.Month(3*n-2), 1, 0, 0, 0, 0, beijing)
		return stats.Period{From: from, To: from.AddDate(0, 3, 0)}, nil
	case q.Get("month") != "":
		m := monthParam.FindStringSubmatch(q.Get("month"))
		if m == nil {
			return stats.Period{}, bad("month")
		}
		y, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		from := time.Date(y, time.Month(n), 1, 0, 0, 0, 0, beijing)
		return stats.Period{From: from, To: from.AddDate(0, 1, 0)}, nil
	case q.Get("from") != "" || q.Get("to") != "":
		from, err := time.ParseInLocation("2006-01-02", q.Get("from"), beijing)
		if err != nil {
			return stats.Period{}, bad("from")
		}
		to, err := time.ParseInLocation("2006-01-02", q.Get("to"), beijing)
		if err != nil {
			return stats.Period{}, bad("to")
		}
		p := stats.Period{From: from, To: to.AddDate(0, 0, 1)}
		if !p.Valid() {
			return stats.Period{}, bad("to")
		}
		return p, nil
	}
	return stats.Year(now.In(beijing).Year()), nil
}

// statsView is what a statistics request answers: the cases' figures of
// the committees the user oversees (when Cases) and the referral figures
// of the organisations through which they read referrals (when any).
type statsView struct {
	stats.Report
	Cases      bool
	Referrals  []referral.KindStats
	Assistance *assistance.Stats
	// Credit: the credit records' figures, for a reader of every record.
	Credit *credit.Stats
}

// report answers the statistics the request asks for; a user who reads
// neither cases' nor referrals' figures is refused (403).
func (s *Server) report(c echo.Context) (statsView, error) {
	p, err := statsPeriod(c.QueryParams(), s.now())
	if err != nil {
		return statsView{}, err
	}
	r, ok, err := s.deps.Stats.Report(ctxOf(c), p)
	if err != nil {
		return statsView{}, err
	}
	v := statsView{Report: r, Cases: ok}
	v.Period = p
	refs, rok, err := s.deps.Referrals.Stats(ctxOf(c), p.From, p.To)
	if err != nil {
		return statsView{}, err
	}
	if rok {
		v.Referrals = refs
	}
	as, aok, err := s.deps.Assistance.Stats(ctxOf(c), p.From, p.To)
	if err != nil {
		return statsView{}, err
	}
	if aok {
		v.Assistance = &as
	}
	cs, cok, err := s.deps.Credit.Stats(ctxOf(c), p.From, p.To)
	if err != nil {
		return statsView{}, err
	}
	if cok {
		v.Credit = &cs
	}
	if !ok && !rok && !aok {
		return statsView{}, domain.Errorf(domain.EFORBIDDEN, "you may not read statistics")
	}
	return v, nil
}

func (s *Server) handleStats(c echo.Context) error {
	v, err := s.report(c)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			page := &statsPage{Form: Form{Errors: de.Fields}, Query: c.QueryParams()}
			return s.render(c, http.StatusUnprocessableEntity, "stats", page)
		}
		return err
	}
	lang := langOf(c)
	name := func(id string) string { return s.tmpl.tr.T(lang, id, nil) }
	page := &statsPage{Report: v.Report, Cases: v.Cases, Referrals: v.Referrals, Assistance: v.Assistance, Credit: v.Credit,
		Query: c.QueryParams()}
	if v.Cases {
		page.Tables = statsTables(v.Report, name, lang)
	}
	return s.render(c, http.StatusOK, "stats", page)
}

// ReferralLink is the referral list behind a referral figure: sent,
// received, open, completed or declined, of kind k, in the period.
func (p *statsPage) ReferralLink(figure string, k referral.Kind) string {
	v := url.Values{"kind": {string(k)}, "box": {"inbox"}}
	from, to := p.Day(p.Report.Period.From), p.Day(p.Report.Period.LastDay())
	switch figure {
	case "declined":
		v.Del("box")
		v.Set("status", string(referral.StatusDeclined))
		v.Set("decided_from", from)
		v.Set("decided_to", to)
	case "sent":
		v.Set("box", "outbox")
		v.Set("sent_from", from)
		v.Set("sent_to", to)
	case "received":
		v.Set("sent_from", from)
		v.Set("sent_to", to)
	case "open":
		st := make([]string, len(referral.OpenStatuses))
		for i, x := range referral.OpenStatuses {
			st[i] = string(x)
		}
		v.Set("status", strings.Join(st, ","))
	case "completed":
		v.Set("completed_from", from)
		v.Set("completed_to", to)
	}
	return "/referrals?" + v.Encode()
}

// AssistanceLink is the application list behind an assistance figure:
// the applications submitted in the period, in status st and asking for
// help h (either may be empty).
func (p *statsPage) AssistanceLink(st assistance.Status, h assistance.Help) string {
	v := url.Values{"submitted_from": {p.Day(p.Report.Period.From)}, "submitted_to": {p.Day(p.Report.Period.LastDay())}}
	if st != "" {
		v.Set("status", string(st))
	}
	if h != "" {
		v.Set("help", string(h))
	}
	return "/assistance?" + v.Encode()
}

// CreditLink is the credit record list behind a credit figure: the
// records recorded in the period in status st (any when ""), or, for
// shown, the records displayed today.
func (p *statsPage) CreditLink(st credit.Status, shown bool) string {
	if shown {
		return "/credit?shown=1"
	}
	v := url.Values{"recorded_from": {p.Day(p.Report.Period.From)}, "recorded_to": {p.Day(p.Report.Period.LastDay())}}
	if st != "" {
		v.Set("status", string(st))
	}
	return "/credit?" + v.Encode()
}

// CreditStatuses are the statuses in the order of the process.
func (p *statsPage) CreditStatuses() []credit.Status { return credit.Statuses }

// DeadlineLink is the deadline list behind a figure of deadlines kept:
// status met or missed, of the committee org, closed in the period.
func (p *statsPage) DeadlineLink(status string, org int64) string {
	return "/deadlines?" + url.Values{"status": {status}, "org_id": {strconv.FormatInt(org, 10)},
		"closed_from": {p.Day(p.Report.Period.From)}, "closed_to": {p.Day(p.Report.Period.LastDay())}}.Encode()
}

// ResultLink is the referral list behind a result figure: the referrals
// of kind k sent or received, completed in the period with result value.
func (p *statsPage) ResultLink(k referral.Kind, value string) string {
	return "/referrals?" + url.Values{"kind": {string(k)}, "result": {value},
		"completed_from": {p.Day(p.Report.Period.From)}, "completed_to": {p.Day(p.Report.Period.LastDay())}}.Encode()
}

// ReferralResults are the kinds that report result values, for the
// results table.
func (p *statsPage) ReferralResults() []referral.KindStats {
	var out []referral.KindStats
	for _, k := range p.Referrals {
		if len(k.Results) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// Day formats a Beijing day of the period.
func (p *statsPage) Day(t time.Time) string { return t.In(beijing).Format("2006-01-02") }

// Link is the case list behind a figure: filed (also the amount claimed,
// the sum over that list), sme (filed with an SME applicant), open, or an
// outcome (settled, failed, withdrawn, rejected), of a committee (dim
// "org"), a dispute type ("type"), a source ("source"), a kind of IP
// right ("right") or all (""), in the report's period.
func (p *statsPage) Link(figure, dim, key string) string {
	v := url.Values{}
	switch dim {
	case "org":
		v.Set("org_id", key)
	case "type":
		v.Set("dispute_type", key)
	case "source":
		v.Set("source", key)
	case "right":
		v.Set("right_kind", key)
	}
	from, to := p.Day(p.Report.Period.From), p.Day(p.Report.Period.LastDay())
	if figure == "filed_before" {
		yb := p.Report.Period.YearBefore()
		figure, from, to = "filed", p.Day(yb.From), p.Day(yb.LastDay())
	}
	switch figure {
	case "filed", "sme":
		v.Set("from", from)
		v.Set("to", to)
		if figure == "sme" {
			v.Set("sme_applicant", "1")
		}
	case "open":
		v.Set("status", openStatusesParam)
	default:
		v.Set("outcome", figure)
		v.Set("outcome_from", from)
		v.Set("outcome_to", to)
	}
	return "/cases?" + v.Encode()
}

// Change prints a row's filings against the same days a year earlier:
// "+12%", "-5%", "0%", or "—" when there were none then.
func (p *statsPage) Change(l stats.Line) string {
	c, ok := l.Change()
	switch {
	case !ok:
		return "—"
	case c > 0:
		return "+" + strconv.Itoa(c) + "%"
	}
	return strconv.Itoa(c) + "%"
}

// Yuan prints an amount in fen as yuan with thousands separators.
func (p *statsPage) Yuan(fen int64) string { return yuanText(fen) }

// Bar is one bar of a chart: its label, figure, offset and length in
// chart units.
type Bar struct {
	Label  string
	N      int
	Y      int
	Length float64
}

// CSVQuery is the page's query for the CSV download.
func (p *statsPage) CSVQuery() string { return p.Query.Encode() }

// statsJSON is the API's shape of a report.
type statsJSON struct {
	From       string          `json:"from"`
	To         string          `json:"to"` // the last day, inclusive
	Committees []statsLineJSON `json:"committees"`
	ByType     []statsLineJSON `json:"by_dispute_type"`
	BySource   []statsLineJSON `json:"by_source"`
	// ByRight: the cases involving each kind of IP right; a case with
	// rights of two kinds counts in both.
	ByRight []statsLineJSON `json:"by_right_kind"`
	Total   statsLineJSON   `json:"total"`
	// YearBefore is the total of the same days a year earlier; its open
	// is 0 (in progress is a figure of now, not of a past period).
	YearBefore statsLineJSON `json:"year_before"`
	// Trend is month by month (none for a period over 24 months).
	Trend []statsMonthJSON `json:"trend"`
	// Referrals are the caller's organisations' referrals by kind (empty
	// for a caller who reads none).
	Referrals []statsReferralJSON `json:"referrals"`
	// Assistance: the applications of the caller's assistance centre
	// (null for a caller who reviews none).
	Assistance *statsAssistanceJSON `json:"assistance"`
	// Credit: the credit records recorded in the period by their status
	// now, and those displayed today (null for a caller who does not
	// read every record).
	Credit *statsCreditJSON `json:"credit"`
}

type statsCreditJSON struct {
	Recorded int            `json:"recorded"`
	ByStatus map[string]int `json:"by_status"`
	Shown    int            `json:"shown"`
}

type statsAssistanceJSON struct {
	Submitted int            `json:"submitted"`
	ByStatus  map[string]int `json:"by_status"`
	ByHelp    []struct {
		Help     string `json:"help"`
		Asked    int    `json:"asked"`
		Approved int    `json:"approved"`
	} `json:"by_help"`
}

func assistanceJSON(a *assistance.Stats) *statsAssistanceJSON {
	if a == nil {
		return nil
	}
	out := &statsAssistanceJSON{Submitted: a.Submitted, ByStatus: map[string]int{}}
	for _, c := range a.ByStatus {
		out.ByStatus[string(c.Status)] = c.N
	}
	for _, h := range a.ByHelp {
		out.ByHelp = append(out.ByHelp, struct {
			Help     string `json:"help"`
			Asked    int    `json:"asked"`
			Approved int    `json:"approved"`
		}{string(h.Help), h.Asked, h.Approved})
	}
	return out
}

type statsReferralJSON struct {
	Kind           string   `json:"kind"`
	Sent           int      `json:"sent"`
	Received       int      `json:"received"`
	Open           int      `json:"open"`
	Completed      int      `json:"completed"`
	TurnaroundDays *float64 `json:"turnaround_days"` // median, sending to completion; null when none completed
	// Declined: sent or received, declined in the period. Results: sent
	// or received, completed in the period, by result value.
	Declined int            `json:"declined"`
	Results  map[string]int `json:"results"`
}

type statsMonthJSON struct {
	Month  string `json:"month"` // YYYY-MM
	Filed  int    `json:"filed"`
	Before int    `json:"filed_year_before"`
}

type statsLineJSON struct {
	Key         string `json:"key"`
	Name        string `json:"name,omitempty"`
	Filed       int    `json:"filed"`
	Open        int    `json:"open"`
	Settled     int    `json:"settled"`
	Failed      int    `json:"failed"`
	Withdrawn   int    `json:"withdrawn"`
	Rejected    int    `json:"rejected"`
	SuccessRate *int   `json:"success_rate"` // percent; null when no mediation ended
	// SMEApplicant: of the cases filed, those with an SME applicant;
	// ClaimedFen the sum of their amounts claimed. Left out of the
	// breakdown by IP right (its rows overlap).
	SMEApplicant *int   `json:"sme_applicant,omitempty"`
	ClaimedFen   *int64 `json:"claimed_amount_fen,omitempty"`
	// AgreedFen: the sum of the amounts the agreements of the cases
	// settled in the period settle (absent by IP right).
	AgreedFen *int64 `json:"agreed_amount_fen,omitempty"`
	// DaysMedian, DaysP90: from acceptance to outcome of the mediations
	// that ended in the period (committees and the total only).
	DaysMedian *float64 `json:"days_median,omitempty"`
	DaysP90    *float64 `json:"days_p90,omitempty"`
	// DeadlinesMet, DeadlinesMissed: the committee's deadlines closed in
	// the period (committees and the total only).
	DeadlinesMet    *int `json:"deadlines_met,omitempty"`
	DeadlinesMissed *int `json:"deadlines_missed,omitempty"`
	// Ratings and the mean scores (1–5) of the parties' ratings given in
	// the period (committees and the total only; the means absent when
	// there is no rating).
	Ratings          *int     `json:"ratings,omitempty"`
	RatingService    *float64 `json:"rating_service,omitempty"`
	RatingFairness   *float64 `json:"rating_fairness,omitempty"`
	RatingTimeliness *float64 `json:"rating_timeliness,omitempty"`
	// FiledYearBefore: the row's cases filed in the same days a year
	// earlier (absent from year_before itself).
	FiledYearBefore *int `json:"filed_year_before,omitempty"`
}

func (l statsLineJSON) withKept(k stats.Kept) statsLineJSON {
	l.DeadlinesMet, l.DeadlinesMissed = &k.Met, &k.Missed
	return l
}

func (l statsLineJSON) withFeedback(f stats.Feedback) statsLineJSON {
	n := f.N
	l.Ratings = &n
	if n > 0 {
		sv, fa, ti := f.Service(), f.Fairness(), f.Timeliness()
		l.RatingService, l.RatingFairness, l.RatingTimeliness = &sv, &fa, &ti
	}
	return l
}

func (l statsLineJSON) withDuration(d stats.Duration) statsLineJSON {
	if d.N > 0 {
		m, p := math.Round(d.Median*10)/10, math.Round(d.P90*10)/10
		l.DaysMedian, l.DaysP90 = &m, &p
	}
	return l
}

// referralLineJSON is one kind's referral figures in the API.
func referralLineJSON(k referral.KindStats) statsReferralJSON {
	line := statsReferralJSON{Kind: string(k.Kind), Sent: k.Sent, Received: k.Received, Open: k.Open, Completed: k.Completed,
		Declined: k.Declined, Results: map[string]int{}}
	for _, r := range k.Results {
		line.Results[r.Value] = r.N
	}
	if k.Completed > 0 {
		d := math.Round(k.TurnaroundDays*10) / 10
		line.TurnaroundDays = &d
	}
	return line
}

func lineJSON(l stats.Line, name string) statsLineJSON {
	out := statsLineJSON{Key: l.Key, Name: name, Filed: l.Filed, Open: l.Open, Settled: l.Settled, Failed: l.Failed,
		Withdrawn: l.Withdrawn, Rejected: l.Rejected}
	if r := l.SuccessRate(); r >= 0 {
		out.SuccessRate = &r
	}
	sme, fen, agreed, before := l.SME, l.ClaimedFen, l.AgreedFen, l.FiledBefore
	out.SMEApplicant, out.ClaimedFen, out.AgreedFen, out.FiledYearBefore = &sme, &fen, &agreed, &before
	return out
}

// partJSON is lineJSON of a row of an overlapping breakdown.
func partJSON(l stats.Line) statsLineJSON {
	out := lineJSON(l, "")
	out.SMEApplicant, out.ClaimedFen, out.AgreedFen = nil, nil, nil
	return out
}

func (s *Server) apiStats(c echo.Context) error {
	r, err := s.report(c)
	if err != nil {
		return err
	}
	out := statsJSON{From: r.Period.From.In(beijing).Format("2006-01-02"), To: r.Period.LastDay().In(beijing).Format("2006-01-02"),
		Committees: []statsLineJSON{}, ByType: []statsLineJSON{}, BySource: []statsLineJSON{}, ByRight: []statsLineJSON{},
		Total:      lineJSON(r.Total, "").withDuration(r.Duration).withKept(r.Report.Deadlines).withFeedback(r.Report.Feedback),
		YearBefore: lineJSON(r.Before, "")}
	out.YearBefore.FiledYearBefore = nil
	for _, c := range r.Committees {
		out.Committees = append(out.Committees, lineJSON(committeeLine(c, c.Code), c.NameZH).withDuration(c.Duration).withKept(c.Deadlines).
			withFeedback(c.Feedback))
	}
	for _, l := range r.ByRight {
		out.ByRight = append(out.ByRight, partJSON(l))
	}
	for _, l := range r.ByType {
		out.ByType = append(out.ByType, lineJSON(l, ""))
	}
	for _, l := range r.BySource {
		out.BySource = append(out.BySource, lineJSON(l, ""))
	}
	out.Referrals = []statsReferralJSON{}
	for _, k := range r.Referrals {
		out.Referrals = append(out.Referrals, referralLineJSON(k))
	}
	out.Assistance = assistanceJSON(r.Assistance)
	if cr := r.Credit; cr != nil {
		out.Credit = &statsCreditJSON{Recorded: cr.Recorded, Shown: cr.Shown, ByStatus: map[string]int{}}
		for _, st := range credit.Statuses {
			out.Credit.ByStatus[string(st)] = cr.ByStatus[st]
		}
	}
	out.Trend = []statsMonthJSON{}
	for _, m := range r.Trend {
		out.Trend = append(out.Trend, statsMonthJSON{Month: m.Start.In(beijing).Format("2006-01"), Filed: m.Filed, Before: m.Before})
	}
	return c.JSON(http.StatusOK, out)
}

// statsSheet is one table of a download: its title, header row and rows
// (figures as numbers, the success rate and the SME share as fractions or
// empty).
type statsSheet struct {
	Title string
	Head  []string
	Rows  [][]any
	// Pct are the (0-based) columns holding a fraction shown as a
	// percentage, Money those holding yuan.
	Pct, Money []int
}

// statsDownload reads the report the request asks for and lays its tables
// out for a download in the reader's language; from and to are the
// period's first and last day.
func (s *Server) statsDownload(c echo.Context) (from, to string, title string, sheets []statsSheet, err error) {
	r, err := s.report(c)
	if err != nil {
		return "", "", "", nil, err
	}
	lang := langOf(c)
	t := func(id string) string { return s.tmpl.tr.T(lang, id, nil) }
	from, to = r.Period.From.In(beijing).Format("2006-01-02"), r.Period.LastDay().In(beijing).Format("2006-01-02")
	var tables []statsTable
	if r.Cases {
		tables = statsTables(r.Report, t, lang)
	}
	pct := func(n int) any {
		if n < 0 {
			return ""
		}
		return float64(n) / 100
	}
	for _, tab := range tables {
		row := func(name string, l stats.Line, d stats.Duration) []any {
			out := []any{name, l.Filed, l.Open, l.Settled, l.Failed, l.Withdrawn, l.Rejected, pct(l.SuccessRate())}
			if tab.Durations {
				out = append(out, days(d, false), days(d, true))
			}
			if !tab.Parts {
				out = append(out, l.SME, pct(l.SMEShare()), float64(l.ClaimedFen)/100, float64(l.AgreedFen)/100)
			}
			var change any = ""
			if c, ok := l.Change(); ok {
				change = float64(c) / 100
			}
			return append(out, l.FiledBefore, change)
		}
		sh := statsSheet{Title: tab.Title, Pct: []int{7}, Head: []string{tab.Head, t("work.headline.filed"), t("work.headline.open"),
			t("stats.settled"), t("stats.failed"), t("stats.withdrawn"), t("stats.rejected"), t("work.headline.rate")}}
		if tab.Durations {
			sh.Head = append(sh.Head, t("stats.days_median"), t("stats.days_p90"))
		}
		if !tab.Parts {
			sh.Pct = append(sh.Pct, len(sh.Head)+1)
			sh.Head = append(sh.Head, t("stats.sme"), t("stats.sme_share"), t("stats.claimed"), t("stats.agreed"))
			sh.Money = []int{len(sh.Head) - 2, len(sh.Head) - 1}
		}
		sh.Pct = append(sh.Pct, len(sh.Head)+1)
		sh.Head = append(sh.Head, t("stats.filed_before"), t("stats.change"))
		for _, l := range tab.Rows {
			sh.Rows = append(sh.Rows, row(l.Name, l.Line, l.Duration))
		}
		if !tab.Parts {
			sh.Rows = append(sh.Rows, row(t("work.headline.total"), r.Total, tab.Total))
			// The same days a year earlier; in progress is a figure of
			// now, so that cell stays empty.
			yb := r.Period.YearBefore()
			before := row(s.tmpl.tr.T(lang, "stats.year_before", map[string]any{"From": yb.From.In(beijing).Format("2006-01-02"),
				"To": yb.LastDay().In(beijing).Format("2006-01-02")}), r.Before, stats.Duration{})
			before[2] = ""
			before[len(before)-2], before[len(before)-1] = "", ""
			sh.Rows = append(sh.Rows, before)
		}
		sheets = append(sheets, sh)
	}
	if r.Cases && len(r.Committees) > 0 {
		sh := statsSheet{Title: t("stats.deadlines"), Pct: []int{3},
			Head: []string{t("work.headline.committee"), t("stats.deadlines_met"), t("stats.deadlines_missed"), t("stats.deadlines_rate")}}
		for _, c := range r.Committees {
			sh.Rows = append(sh.Rows, []any{c.Name(lang), c.Deadlines.Met, c.Deadlines.Missed, pct(c.Deadlines.Rate())})
		}
		k := r.Report.Deadlines
		sh.Rows = append(sh.Rows, []any{t("work.headline.total"), k.Met, k.Missed, pct(k.Rate())})
		sheets = append(sheets, sh)
		fb := statsSheet{Title: t("stats.feedback"), Head: []string{t("work.headline.committee"), t("stats.feedback_n"),
			t("stats.feedback_service"), t("stats.feedback_fairness"), t("stats.feedback_timeliness")}}
		score := func(v float64) any {
			if v < 0 {
				return ""
			}
			return v
		}
		fbRow := func(name string, f stats.Feedback) []any {
			return []any{name, f.N, score(f.Service()), score(f.Fairness()), score(f.Timeliness())}
		}
		for _, c := range r.Committees {
			fb.Rows = append(fb.Rows, fbRow(c.Name(lang), c.Feedback))
		}
		fb.Rows = append(fb.Rows, fbRow(t("work.headline.total"), r.Report.Feedback))
		sheets = append(sheets, fb)
	}
	if len(r.Referrals) > 0 {
		sh := statsSheet{Title: t("stats.referrals"), Head: []string{t("referral.kind"), t("stats.ref_sent"), t("stats.ref_received"),
			t("stats.ref_open"), t("stats.ref_completed"), t("stats.ref_turnaround"), t("stats.ref_declined")}}
		results := statsSheet{Title: t("stats.ref_results"), Head: []string{t("referral.kind"), t("stats.ref_result"), t("stats.ref_result_n")}}
		for _, k := range r.Referrals {
			var days any = ""
			if k.Completed > 0 {
				days = math.Round(k.TurnaroundDays*10) / 10
			}
			kind := t("referral.kind." + string(k.Kind))
			sh.Rows = append(sh.Rows, []any{kind, k.Sent, k.Received, k.Open, k.Completed, days, k.Declined})
			for _, rc := range k.Results {
				results.Rows = append(results.Rows, []any{kind, t("referral.value." + rc.Value), rc.N})
			}
		}
		sheets = append(sheets, sh, results)
	}
	if a := r.Assistance; a != nil {
		sh := statsSheet{Title: t("stats.assistance"), Head: []string{t("field.status"), t("stats.assistance_n")}}
		for _, c := range a.ByStatus {
			sh.Rows = append(sh.Rows, []any{t("assistance.status." + string(c.Status)), c.N})
		}
		sh.Rows = append(sh.Rows, []any{t("work.headline.total"), a.Submitted})
		help := statsSheet{Title: t("stats.assistance_help"), Head: []string{t("stats.assistance_help_kind"), t("stats.assistance_asked"), t("stats.assistance_approved")}}
		for _, h := range a.ByHelp {
			help.Rows = append(help.Rows, []any{t("assistance.help." + string(h.Help)), h.Asked, h.Approved})
		}
		sheets = append(sheets, sh, help)
	}
	if cr := r.Credit; cr != nil {
		sh := statsSheet{Title: t("stats.credit"), Head: []string{t("field.status"), t("stats.credit_n")}}
		for _, st := range credit.Statuses {
			sh.Rows = append(sh.Rows, []any{t("credit.status." + string(st)), cr.ByStatus[st]})
		}
		sh.Rows = append(sh.Rows, []any{t("work.headline.total"), cr.Recorded}, []any{t("stats.credit_shown"), cr.Shown})
		sheets = append(sheets, sh)
	}
	return from, to, t("stats.title") + " " + from + " – " + to, sheets, nil
}

// attachment starts a download named ipmediate-stats-FROM-TO.ext.
func attachment(c echo.Context, contentType, from, to, ext string) {
	c.Response().Header().Set(echo.HeaderContentType, contentType)
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="ipmediate-stats-%s-%s.%s"`, from, to, ext))
	c.Response().WriteHeader(http.StatusOK)
}

// handleStatsCSV downloads the page's tables as one CSV file (UTF-8 with
// a byte order mark, so that spreadsheet programs read the Chinese), one
// table after another.
func (s *Server) handleStatsCSV(c echo.Context) error {
	from, to, title, sheets, err := s.statsDownload(c)
	if err != nil {
		return err
	}
	records := [][]string{{title}}
	for _, sh := range sheets {
		records = append(records, []string{}, []string{sh.Title}, sh.Head)
		for _, row := range sh.Rows {
			rec := make([]string, len(row))
			for i, v := range row {
				switch v := v.(type) {
				case float64:
					switch {
					case slices.Contains(sh.Pct, i):
						rec[i] = strconv.Itoa(int(v*100+0.5)) + "%"
					case slices.Contains(sh.Money, i):
						rec[i] = strconv.FormatFloat(v, 'f', 2, 64)
					default:
						rec[i] = strconv.FormatFloat(v, 'f', 1, 64)
					}
				default:
					rec[i] = fmt.Sprint(v)
				}
			}
			records = append(records, rec)
		}
	}
	attachment(c, "text/csv; charset=utf-8", from, to, "csv")
	if _, err := c.Response().Write([]byte("\ufeff")); err != nil {
		return err
	}
	return csv.NewWriter(c.Response()).WriteAll(records)
}

// handleStatsXLSX downloads the page's tables as an Excel workbook: one
// sheet per table, Chinese headers, the header row frozen, the columns
// wide enough, the success rate as a percentage.
func (s *Server) handleStatsXLSX(c echo.Context) error {
	from, to, _, sheets, err := s.statsDownload(c)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	first := f.GetSheetName(0)
	for i, sh := range sheets {
		name := sheetName(sh.Title)
		if i == 0 {
			if err := f.SetSheetName(first, name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := f.SetSheetRow(name, "A1", &sh.Head); err != nil {
			return err
		}
		for j, row := range sh.Rows {
			if err := f.SetSheetRow(name, fmt.Sprintf("A%d", j+2), &row); err != nil {
				return err
			}
		}
		last := len(sh.Rows) + 1
		lastCol, err := excelize.ColumnNumberToName(len(sh.Head))
		if err != nil {
			return err
		}
		steps := []error{
			f.SetCellStyle(name, "A1", lastCol+"1", bold),
			f.SetColWidth(name, "A", "A", 32),
			f.SetColWidth(name, "B", lastCol, 14),
			f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}),
		}
		for _, cols := range []struct {
			at    []int
			style int
		}{{sh.Pct, pct}, {sh.Money, money}} {
			for _, i := range cols.at {
				col, err := excelize.ColumnNumberToName(i + 1)
				if err != nil {
					return err
				}
				steps = append(steps, f.SetCellStyle(name, col+"2", fmt.Sprintf("%s%d", col, last), cols.style))
			}
		}
		if err := errors.Join(steps...); err != nil {
			return err
		}
	}
	attachment(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", from, to, "xlsx")
	return f.Write(c.Response())
}

// sheetName makes a table's title a worksheet name: Excel allows 31
// characters and none of : \ / ? * [ ].
func sheetName(title string) string {
	r := []rune(strings.Map(func(c rune) rune {
		if strings.ContainsRune(`:\/?*[]`, c) {
			return '-'
		}
		return c
	}, title))
	if len(r) > 31 {
		r = r[:31]
	}
	return string(r)
}

// statsTableView is what the stats-table template reads: the page and one
// table.
type statsTableView struct {
	P     *Page
	Table statsTable
}

// With pairs the page with one of its tables for the stats-table template.
func (p *statsPage) With(page *Page, t statsTable) statsTableView {
	return statsTableView{P: page, Table: t}
}

// trendRow is one month of the trend as the page draws it: its bars
// (chart units, the tallest trendHeight) and the links of its figures.
type trendRow struct {
	stats.Month
	Label           string
	FiledLink       string
	BeforeLink      string
	X               int
	HFiled, HBefore float64
	YFiled, YBefore float64
}

const (
	trendStep   = 40  // chart units per month
	trendHeight = 120 // the tallest bar
)

// Trend lays the report's months out for the chart and the table.
func (p *statsPage) Trend() []trendRow {
	most := 0
	for _, m := range p.Report.Trend {
		most = max(most, m.Filed, m.Before)
	}
	out := make([]trendRow, len(p.Report.Trend))
	for i, m := range p.Report.Trend {
		from, to := m.Start, m.Start.AddDate(0, 1, 0)
		from, to = p.Report.Period.Clip(from, to)
		row := trendRow{Month: m, Label: m.Start.In(beijing).Format("2006-01"), X: i * trendStep,
			FiledLink:  "/cases?" + url.Values{"from": {p.Day(from)}, "to": {p.Day(to.AddDate(0, 0, -1))}}.Encode(),
			BeforeLink: "/cases?" + url.Values{"from": {p.Day(from.AddDate(-1, 0, 0))}, "to": {p.Day(to.AddDate(-1, 0, -1))}}.Encode()}
		if most > 0 {
			row.HFiled = trendHeight * float64(m.Filed) / float64(most)
			row.HBefore = trendHeight * float64(m.Before) / float64(most)
		}
		row.YFiled, row.YBefore = trendHeight-row.HFiled, trendHeight-row.HBefore
		out[i] = row
	}
	return out
}

// TrendWidth is the width of the trend chart in chart units.
func (p *statsPage) TrendWidth() int { return max(1, len(p.Report.Trend)) * trendStep }

// Turnaround prints a kind's median days from sending to completion, or a
// dash when none was completed.
func (p *statsPage) Turnaround(k referral.KindStats) string {
	if k.Completed == 0 {
		return "—"
	}
	return strconv.FormatFloat(k.TurnaroundDays, 'f', 1, 64)
}

// statsRoutes registers the statistics page and its downloads.
func (s *Server) statsRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/stats", s.handleStats, in)
	g.GET("/stats.csv", s.handleStatsCSV, in)
	g.GET("/stats.xlsx", s.handleStatsXLSX, in)
	g.GET("/stats/return.xlsx", s.handleStatsReturn, in)
}
