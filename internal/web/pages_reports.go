package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/report"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// reportPage is one organisation's annual work report: the form of its
// unit while it is being written, the office's decision once submitted.
type reportPage struct {
	Form
	Report report.Report
	// Unit: the reader writes this report (its links lead to its own
	// lists); Office: the reader is the leadership office.
	Unit, Office bool
	// Only: this is the reader's only report, so the year page is the
	// report itself and there is no list to go back to.
	Only bool
	// Conflict is why the last step could not be taken (409).
	Conflict string
	Sections []string
}

// reportBoardPage is the office's board of a year; reportUnitsPage the
// list of a user who writes the reports of several organisations.
type reportBoardPage struct {
	Form
	Board report.Board
	Year  int
	// ThisYear is the latest year the board can show.
	ThisYear int
}

// Years are the years the board links to: this year and the three before.
func (p *reportBoardPage) Years() []int {
	return []int{p.ThisYear, p.ThisYear - 1, p.ThisYear - 2, p.ThisYear - 3}
}

// Count is how many organisations stand at status st.
func (p *reportBoardPage) Count(st string) int { return p.Board.Counts[report.Status(st)] }

// Badge is the colour of a status on the board.
func (p *reportBoardPage) Badge(st report.Status) string { return reportBadge(st) }

// Badge is the colour of the report's status.
func (p *reportPage) Badge() string { return reportBadge(p.Report.Status) }

func reportBadge(st report.Status) string {
	switch st {
	case report.Accepted:
		return "ok"
	case report.Submitted:
		return "info"
	case report.Returned, report.Draft:
		return "warn"
	}
	return "bad"
}

type reportUnitsPage struct {
	Form
	Year  int
	Units []report.Report
}

// reportSummaryPage is the office's compilation of a year.
type reportSummaryPage struct {
	Form
	C report.Compilation
}

// figureRow is one figure of a report: its label, value and the list
// behind it (empty when the reader has no such list).
type figureRow struct {
	Label, Value, Link string
}

// yearParam reads the year of an annual report address.
func yearParam(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, domain.Invalid(domain.FieldError{Field: "year", Message: "validation.report_year"})
	}
	return y, nil
}

// handleReportsHome is this year's reports: the office's board, or the
// unit's own report (or its list when it writes several). It answers
// in place rather than redirecting, so the navigation link is a page.
func (s *Server) handleReportsHome(c echo.Context) error {
	return s.reportYear(c, s.deps.Reports.ThisYear())
}

// handleReportYear is the same for a chosen year.
func (s *Server) handleReportYear(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	return s.reportYear(c, year)
}

func (s *Server) reportYear(c echo.Context, year int) error {
	a := actorOf(c)
	svc := s.deps.Reports
	if svc.Reviewer(a) {
		b, err := svc.Board(ctxOf(c), year)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "report_board", &reportBoardPage{Board: b, Year: year, ThisYear: svc.ThisYear()})
	}
	units := svc.Units(a)
	switch len(units) {
	case 0:
		return domain.Errorf(domain.EFORBIDDEN, "your organisation owes no annual work report")
	case 1:
		// The unit's one report is its year page: no list to go back to.
		return s.renderReportOf(c, http.StatusOK, &reportPage{Only: true}, units[0], year)
	}
	page := &reportUnitsPage{Year: year}
	for _, id := range units {
		r, err := svc.Get(ctxOf(c), id, year)
		if err != nil {
			return err
		}
		page.Units = append(page.Units, r)
	}
	return s.render(c, http.StatusOK, "report_units", page)
}

// handleReportShow is one organisation's report.
func (s *Server) handleReportShow(c echo.Context) error {
	return s.renderReport(c, http.StatusOK, &reportPage{})
}

func (s *Server) renderReport(c echo.Context, status int, page *reportPage) error {
	year, org, err := reportAddress(c)
	if err != nil {
		return err
	}
	page.Only = len(s.deps.Reports.Units(actorOf(c))) == 1 && !s.deps.Reports.Reviewer(actorOf(c))
	return s.renderReportOf(c, status, page, org, year)
}

func (s *Server) renderReportOf(c echo.Context, status int, page *reportPage, org int64, year int) error {
	r, err := s.deps.Reports.Get(ctxOf(c), org, year)
	if err != nil {
		return err
	}
	a := actorOf(c)
	page.Report = r
	page.Office = s.deps.Reports.Reviewer(a)
	for _, u := range s.deps.Reports.Units(a) {
		page.Unit = page.Unit || u == org
	}
	page.Sections = report.SectionFields
	if page.Values == nil {
		page.Values = map[string]string{}
		for _, f := range report.SectionFields {
			page.Values[f] = r.Get(f)
		}
	}
	return s.render(c, status, "report", page)
}

// handleReportWrite saves the unit's draft (action save) or submits it
// (action submit).
func (s *Server) handleReportWrite(c echo.Context) error {
	year, org, err := reportAddress(c)
	if err != nil {
		return err
	}
	f := newForm(c, "version", "work", "results", "problems", "plans", "action")
	version, err := strconv.Atoi(f.V("version"))
	if err != nil {
		version = -1 // refused by the service, after it decided who may write
	}
	in := report.Input{Version: version, Sections: report.Sections{Work: f.V("work"), Results: f.V("results"),
		Problems: f.V("problems"), Plans: f.V("plans")}}
	page := &reportPage{Form: *f}
	msg := "report.flash.saved"
	return s.finishAction(c, nil, func() error {
		if f.V("action") == "submit" {
			msg = "report.flash.submitted"
			_, err := s.deps.Reports.Submit(ctxOf(c), org, year, in)
			return err
		}
		_, err := s.deps.Reports.Save(ctxOf(c), org, year, in)
		return err
	}, &page.Form, &page.Conflict, func(status int) error { return s.renderReport(c, status, page) },
		msg, report.Link(org, year))
}

// handleReportReview returns (with a comment) or accepts a submitted
// report.
func (s *Server) handleReportReview(c echo.Context) error {
	year, org, err := reportAddress(c)
	if err != nil {
		return err
	}
	f := newForm(c, "version", "comment", "action")
	version, _ := strconv.Atoi(f.V("version")) // a bad one is a stale version
	page := &reportPage{Form: *f}
	msg := "report.flash.accepted"
	return s.finishAction(c, nil, func() error {
		var err error
		switch f.V("action") {
		case "accept":
			_, err = s.deps.Reports.Accept(ctxOf(c), org, year, version)
		case "return":
			msg = "report.flash.returned"
			_, err = s.deps.Reports.Return(ctxOf(c), org, year, version, f.V("comment"))
		default:
			err = domain.Invalid(domain.FieldError{Field: "action", Message: "validation.invalid"})
		}
		return err
	}, &page.Form, &page.Conflict, func(status int) error {
		// The unit's form keeps the report's text, not the comment.
		page.Values = nil
		if status == http.StatusUnprocessableEntity {
			page.Values = map[string]string{"comment": f.V("comment")}
			r, err := s.deps.Reports.Get(ctxOf(c), org, year)
			if err != nil {
				return err
			}
			for _, k := range report.SectionFields {
				page.Values[k] = r.Get(k)
			}
		}
		return s.renderReport(c, status, page)
	}, msg, report.Link(org, year))
}

// handleReportSummary is the office's compilation of the year.
func (s *Server) handleReportSummary(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	comp, err := s.deps.Reports.Compile(ctxOf(c), year)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "report_summary", &reportSummaryPage{C: comp})
}

// ReportStatus is a report status in the reader's words.
func (p *Page) ReportStatus(st report.Status) string { return p.T("report.status." + string(st)) }

// Figures are the report's figures as rows, each linked to its list when
// the reader has it: the committee's cases for the committee itself and
// the office, the unit's referrals for the unit.
func (p *reportPage) Figures(pg *Page) []figureRow {
	return figureRows(pg, p.Report, p.Unit || p.Office, p.Unit)
}

func figureRows(pg *Page, r report.Report, caseLinks, referralLinks bool) []figureRow {
	var out []figureRow
	// The lists behind the figures are those /stats links to for the
	// committee and the year.
	sp := statsPage{Report: stats.Report{Period: stats.Year(r.Year)}}
	org := strconv.FormatInt(r.Org.ID, 10)
	if r.Figures.Committee {
		link := func(figure string) string {
			if !caseLinks {
				return ""
			}
			return sp.Link(figure, "org", org)
		}
		deadlines := func(status string) string {
			if !caseLinks {
				return ""
			}
			return sp.DeadlineLink(status, r.Org.ID)
		}
		c := r.Figures.Cases
		out = append(out,
			figureRow{pg.T("work.headline.filed"), strconv.Itoa(c.Filed), link("filed")},
			figureRow{pg.T("stats.sme"), strconv.Itoa(c.SME), link("sme")},
			figureRow{pg.T("work.headline.open"), strconv.Itoa(c.Open), link("open")},
			figureRow{pg.T("stats.settled"), strconv.Itoa(c.Settled), link("settled")},
			figureRow{pg.T("stats.failed"), strconv.Itoa(c.Failed), link("failed")},
			figureRow{pg.T("stats.withdrawn"), strconv.Itoa(c.Withdrawn), link("withdrawn")},
			figureRow{pg.T("stats.rejected"), strconv.Itoa(c.Rejected), link("rejected")},
		)
		rate := "—"
		if sr := c.SuccessRate(); sr >= 0 {
			rate = strconv.Itoa(sr) + "%"
		}
		k := r.Figures.Deadlines
		out = append(out, figureRow{Label: pg.T("work.headline.rate"), Value: rate},
			figureRow{Label: pg.T("stats.days_median"), Value: daysText(r.Figures.Duration, false)},
			// The amounts are sums over the filed and the settled lists.
			figureRow{pg.T("stats.claimed"), yuanText(c.ClaimedFen), link("filed")},
			figureRow{pg.T("stats.agreed"), yuanText(c.AgreedFen), link("settled")},
			figureRow{pg.T("stats.deadlines") + " · " + pg.T("stats.deadlines_met"), strconv.Itoa(k.Met), deadlines("met")},
			figureRow{pg.T("stats.deadlines") + " · " + pg.T("stats.deadlines_missed"), strconv.Itoa(k.Missed), deadlines("missed")})
	}
	for _, k := range r.Figures.Referrals {
		kind := pg.T("referral.kind." + string(k.Kind))
		link := func(figure string) string {
			if !referralLinks {
				return ""
			}
			return sp.ReferralLink(figure, k.Kind)
		}
		for _, f := range []struct {
			id string
			n  int
		}{{"sent", k.Sent}, {"received", k.Received}, {"completed", k.Completed}} {
			if f.n > 0 {
				out = append(out, figureRow{kind + " · " + pg.T("stats.ref_"+f.id), strconv.Itoa(f.n), link(f.id)})
			}
		}
	}
	return out
}

// reportContent writes a report's figures and sections to a document.
func reportContent(pg *Page, d docWriter, r report.Report) {
	d.Heading(pg.T("report.figures"))
	var rows [][]string
	for _, f := range figureRows(pg, r, false, false) {
		rows = append(rows, []string{f.Label, f.Value})
	}
	if len(rows) > 0 {
		d.Table([]string{pg.T("report.figure"), pg.T("report.value")}, rows)
	} else {
		d.Para(pg.T("report.no_figures"))
	}
	for i, f := range report.SectionFields {
		d.Heading(chineseOrdinal(i+1, pg.Lang) + pg.T("report.section."+f))
		d.Para(r.Get(f))
	}
}

// chineseOrdinal numbers a heading: 一、二、… in Chinese, "1. " in English.
func chineseOrdinal(n int, lang string) string {
	if lang == "en" {
		return strconv.Itoa(n) + ". "
	}
	return string([]rune("一二三四五六七八九十")[n-1]) + "、"
}

// handleReportFile downloads one report as a Word document or a PDF.
func (s *Server) handleReportFile(format docFormat) echo.HandlerFunc {
	return func(c echo.Context) error {
		year, org, err := reportAddress(c)
		if err != nil {
			return err
		}
		r, err := s.deps.Reports.Get(ctxOf(c), org, year)
		if err != nil {
			return err
		}
		pg := s.textPage(c)
		title := pg.T("report.doc_title", "Org", r.Org.Name(pg.Lang), "Year", r.Year)
		return s.sendDocument(c, format, pg, title, "annual-report-"+strconv.Itoa(year)+"-"+r.Org.Code, func(d docWriter) {
			d.Title(title)
			d.Note(pg.T("report.doc_status", "Status", pg.ReportStatus(r.Status), "At", fmtSubmitted(r)))
			reportContent(pg, d, r)
		})
	}
}

func fmtSubmitted(r report.Report) string {
	if r.SubmittedAt == nil {
		return "—"
	}
	return r.SubmittedAt.In(beijing).Format("2006-01-02 15:04")
}

// handleReportSummaryFile downloads the compilation as a Word document or
// a PDF.
func (s *Server) handleReportSummaryFile(format docFormat) echo.HandlerFunc {
	return func(c echo.Context) error {
		year, err := yearParam(c)
		if err != nil {
			return err
		}
		comp, err := s.deps.Reports.Compile(ctxOf(c), year)
		if err != nil {
			return err
		}
		pg := s.textPage(c)
		title := pg.T("report.summary_title", "Year", year)
		return s.sendDocument(c, format, pg, title, "annual-reports-"+strconv.Itoa(year), func(d docWriter) {
			d.Title(title)
			d.Heading(pg.T("report.overview"))
			d.Para(strings.Join(overviewLines(pg, comp), "\n\n"))
			if len(comp.Overdue) > 0 {
				var rows [][]string
				for _, o := range comp.Overdue {
					rows = append(rows, []string{o.Name(pg.Lang), strconv.Itoa(o.N)})
				}
				d.Table([]string{pg.T("work.headline.committee"), pg.T("report.overdue_now")}, rows)
			}
			for _, r := range comp.Reports {
				d.Title(r.Org.Name(pg.Lang))
				reportContent(pg, d, r)
			}
		})
	}
}

// Overview is the compilation's generated overview, one sentence a line.
func (p *reportSummaryPage) Overview(pg *Page) []string { return overviewLines(pg, p.C) }

func overviewLines(pg *Page, c report.Compilation) []string {
	change := func(this, before int) string {
		if d, ok := report.Change(this, before); ok {
			return pg.T("report.change", "Pct", d)
		}
		return pg.T("report.change_none")
	}
	t, b := c.This.Total, c.Before.Total
	lines := []string{
		pg.T("report.overview_reports", "Owed", c.Board.Owed, "OnTime", c.Board.OnTime, "Late", c.Board.Late,
			"Missing", c.Board.Counts[report.Missing]+c.Board.Counts[report.Draft], "Accepted", c.Accepted),
		pg.T("report.overview_filed", "N", t.Filed, "Change", change(t.Filed, b.Filed)),
		pg.T("report.overview_settled", "N", t.Settled, "Change", change(t.Settled, b.Settled), "Failed", t.Failed),
	}
	if sr := t.SuccessRate(); sr >= 0 {
		lines = append(lines, pg.T("report.overview_rate", "Rate", sr))
	}
	if len(c.Overdue) > 0 {
		var names []string
		for _, o := range c.Overdue {
			names = append(names, pg.T("report.overdue_item", "Name", o.Name(pg.Lang), "N", o.N))
		}
		sep := "、"
		if pg.Lang == "en" {
			sep = "; "
		}
		lines = append(lines, pg.T("report.overview_overdue", "List", strings.Join(names, sep)))
	} else {
		lines = append(lines, pg.T("report.overview_no_overdue"))
	}
	return lines
}

// textPage is a Page for text outside a template (a download): the
// request's language and the translator.
func (s *Server) textPage(c echo.Context) *Page {
	return &Page{Lang: langOf(c), tr: s.tmpl.tr, now: s.now()}
}
