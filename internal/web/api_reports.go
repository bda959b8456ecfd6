package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/report"
)

// reportRoutes are the pages of the annual work reports.
func (s *Server) reportRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/reports/annual", s.handleReportsHome, in)
	g.GET("/reports/annual/:year", s.handleReportYear, in)
	g.GET("/reports/annual/:year/summary", s.handleReportSummary, in)
	g.GET("/reports/annual/:year/summary.docx", s.handleReportSummaryFile(formatDocx), in)
	g.GET("/reports/annual/:year/summary.pdf", s.handleReportSummaryFile(formatPDF), in)
	g.GET("/reports/annual/:year/:org", s.handleReportShow, in)
	g.POST("/reports/annual/:year/:org", s.handleReportWrite, in)
	g.POST("/reports/annual/:year/:org/review", s.handleReportReview, in)
	g.GET("/reports/annual/:year/:org/report.docx", s.handleReportFile(formatDocx), in)
	g.GET("/reports/annual/:year/:org/report.pdf", s.handleReportFile(formatPDF), in)
}

// apiReportRoutes are the annual work reports in the JSON API.
func (s *Server) apiReportRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/reports/annual/:year", s.apiReportBoard, in)
	g.GET("/reports/annual/:year/:org", s.apiReportGet, in)
	g.PUT("/reports/annual/:year/:org", s.apiReportSave, in)
	g.POST("/reports/annual/:year/:org/submit", s.apiReportSubmit, in)
	g.POST("/reports/annual/:year/:org/return", s.apiReportReturn, in)
	g.POST("/reports/annual/:year/:org/accept", s.apiReportAccept, in)
}

// reportJSON is the API's shape of a report.
type reportJSON struct {
	OrgID       int64             `json:"org_id"`
	OrgName     string            `json:"org_name"`
	Year        int               `json:"year"`
	Status      report.Status     `json:"status"`
	Version     int               `json:"version"`
	Sections    report.Sections   `json:"sections"`
	Figures     reportFiguresJSON `json:"figures"`
	DueAt       time.Time         `json:"due_at"`
	SubmittedAt *time.Time        `json:"submitted_at"`
	Late        bool              `json:"late"`
	DecidedAt   *time.Time        `json:"decided_at"`
	Comment     string            `json:"comment"`
	History     []reportEventJSON `json:"history"`
	Actions     []string          `json:"actions"`
}

// reportFiguresJSON are a report's figures: the committee's cases of the
// year (Committee only) and the referrals by kind.
type reportFiguresJSON struct {
	Committee  bool                `json:"committee"`
	Cases      *statsLineJSON      `json:"cases"`
	Referrals  []statsReferralJSON `json:"referrals"`
	ComputedAt time.Time           `json:"computed_at"`
}

type reportEventJSON struct {
	Action  string    `json:"action"`
	User    string    `json:"user"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

func toReportJSON(r report.Report) reportJSON {
	out := reportJSON{OrgID: r.Org.ID, OrgName: r.Org.NameZH, Year: r.Year, Status: r.Status, Version: r.Version,
		Sections: r.Sections, Figures: toReportFiguresJSON(r.Figures), DueAt: r.DueAt, SubmittedAt: r.SubmittedAt, Late: r.Late,
		DecidedAt: r.DecidedAt, Comment: r.Comment, History: []reportEventJSON{}, Actions: []string{}}
	for _, e := range r.History {
		out.History = append(out.History, reportEventJSON{Action: e.Action, User: e.User, Comment: e.Comment, At: e.At})
	}
	if r.CanEdit {
		out.Actions = append(out.Actions, "save", "submit")
	}
	if r.CanReview {
		out.Actions = append(out.Actions, "return", "accept")
	}
	return out
}

func toReportFiguresJSON(f report.Figures) reportFiguresJSON {
	out := reportFiguresJSON{Committee: f.Committee, Referrals: []statsReferralJSON{}, ComputedAt: f.Computed}
	if f.Committee {
		l := lineJSON(f.Cases, "").withDuration(f.Duration)
		out.Cases = &l
	}
	for _, k := range f.Referrals {
		out.Referrals = append(out.Referrals, referralLineJSON(k))
	}
	return out
}

// boardJSON is the office's board, or (for a unit) its own reports.
type boardJSON struct {
	Year    int            `json:"year"`
	DueAt   time.Time      `json:"due_at"`
	Reports []boardRowJSON `json:"reports"`
	Counts  map[string]int `json:"counts"`
	OnTime  int            `json:"on_time"`
	Late    int            `json:"late"`
}

type boardRowJSON struct {
	OrgID       int64         `json:"org_id"`
	OrgName     string        `json:"org_name"`
	OrgType     string        `json:"org_type"`
	Status      report.Status `json:"status"`
	SubmittedAt *time.Time    `json:"submitted_at"`
	Late        bool          `json:"late"`
}

func (s *Server) apiReportBoard(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	svc := s.deps.Reports
	a := actorOf(c)
	out := boardJSON{Year: year, DueAt: svc.DueAt(year), Reports: []boardRowJSON{}, Counts: map[string]int{}}
	if svc.Reviewer(a) {
		b, err := svc.Board(ctxOf(c), year)
		if err != nil {
			return err
		}
		for _, r := range b.Rows {
			out.Reports = append(out.Reports, boardRowJSON{OrgID: r.ID, OrgName: r.NameZH, OrgType: string(r.Type),
				Status: r.Status, SubmittedAt: r.SubmittedAt, Late: r.Late})
		}
		for k, v := range b.Counts {
			out.Counts[string(k)] = v
		}
		out.OnTime, out.Late = b.OnTime, b.Late
		return c.JSON(http.StatusOK, out)
	}
	for _, id := range svc.Units(a) {
		r, err := svc.Get(ctxOf(c), id, year)
		if err != nil {
			return err
		}
		out.Reports = append(out.Reports, boardRowJSON{OrgID: r.Org.ID, OrgName: r.Org.NameZH, OrgType: string(r.Org.Type),
			Status: r.Status, SubmittedAt: r.SubmittedAt, Late: r.Late})
		out.Counts[string(r.Status)]++
		if r.SubmittedAt != nil {
			if r.Late {
				out.Late++
			} else {
				out.OnTime++
			}
		}
	}
	if len(out.Reports) == 0 {
		return domain.Errorf(domain.EFORBIDDEN, "your organisation owes no annual work report")
	}
	return c.JSON(http.StatusOK, out)
}

// reportAddress reads the year and organisation of a report's address.
func reportAddress(c echo.Context) (int, int64, error) {
	year, err := yearParam(c)
	if err != nil {
		return 0, 0, err
	}
	org, err := idParam(c, "org")
	return year, org, err
}

func (s *Server) apiReportGet(c echo.Context) error {
	year, org, err := reportAddress(c)
	if err != nil {
		return err
	}
	r, err := s.deps.Reports.Get(ctxOf(c), org, year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReportJSON(r))
}

// reportWriteRequest is the body of a save or a submission.
type reportWriteRequest struct {
	Version  int    `json:"version"`
	Work     string `json:"work"`
	Results  string `json:"results"`
	Problems string `json:"problems"`
	Plans    string `json:"plans"`
}

func (s *Server) apiReportWrite(c echo.Context, submit bool) error {
	year, org, err := reportAddress(c)
	if err != nil {
		return err
	}
	var req reportWriteRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := report.Input{Version: req.Version, Sections: report.Sections{Work: req.Work, Results: req.Results,
		Problems: req.Problems, Plans: req.Plans}}
	var r report.Report
	if submit {
		r, err = s.deps.Reports.Submit(ctxOf(c), org, year, in)
	} else {
		r, err = s.deps.Reports.Save(ctxOf(c), org, year, in)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReportJSON(r))
}

func (s *Server) apiReportSave(c echo.Context) error   { return s.apiReportWrite(c, false) }
func (s *Server) apiReportSubmit(c echo.Context) error { return s.apiReportWrite(c, true) }

// reportDecisionRequest is the body of a return or an acceptance.
type reportDecisionRequest struct {
	Version int    `json:"version"`
	Comment string `json:"comment"`
}

func (s *Server) apiReportDecide(c echo.Context, accept bool) error {
	year, org, err := reportAddress(c)
	if err != nil {
		return err
	}
	var req reportDecisionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var r report.Report
	if accept {
		r, err = s.deps.Reports.Accept(ctxOf(c), org, year, req.Version)
	} else {
		r, err = s.deps.Reports.Return(ctxOf(c), org, year, req.Version, req.Comment)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReportJSON(r))
}

func (s *Server) apiReportReturn(c echo.Context) error { return s.apiReportDecide(c, false) }
func (s *Server) apiReportAccept(c echo.Context) error { return s.apiReportDecide(c, true) }
