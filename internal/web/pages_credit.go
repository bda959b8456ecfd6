package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// The credit record pages (docs/design.md §9): the list, a record with its
// history and the steps of its due process, the recording form, and the
// export for the public credit platform.

// creditRoutes registers the credit pages.
func (s *Server) creditRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/credit", s.handleCreditList, in)
	g.GET("/credit/new", s.handleCreditNew, in)
	g.POST("/credit", s.handleCreditCreate, in)
	g.GET("/credit/export.csv", s.handleCreditExportCSV, in)
	g.GET("/credit/:id", s.handleCreditShow, in)
	g.POST("/credit/:id/:action", s.handleCreditAction, in)
}

// apiCreditRoutes registers the credit API.
func (s *Server) apiCreditRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/credit/records", listRoute(creditFilter, s.deps.Credit.List), in)
	g.POST("/credit/records", createRoute(s.deps.Credit.Create), in)
	g.GET("/credit/records/:id", s.apiCreditGet, in)
	g.POST("/credit/records/:id/:action", s.apiCreditStep, in)
	g.GET("/credit/export", s.apiCreditExport, in)
	g.POST("/credit/import", s.apiCreditImport, in)
}

// creditFilter reads a list's filters; field errors name the parameter.
func creditFilter(c echo.Context) (credit.ListFilter, error) {
	q := c.QueryParams()
	var fe domain.Fields
	f := credit.ListFilter{SourceKind: credit.SourceKind(q.Get("source_kind")), Q: q.Get("q"), Cursor: q.Get("cursor"),
		Shown: q.Get("shown") == "1"}
	for _, st := range listParam(q, "status") {
		f.Statuses = append(f.Statuses, credit.Status(st))
	}
	readDays(q, &fe, dayBound{"recorded_from", &f.RecordedFrom, false}, dayBound{"recorded_to", &f.RecordedTo, true})
	n, err := int64Value(q.Get("limit"), "limit")
	if err != nil {
		fe.Add("limit", "validation.number")
	}
	f.Limit = int(n)
	return f, fe.Err()
}

type creditListPage struct {
	Items    []credit.Record
	Next     string
	Query    url.Values
	Record   bool // the actor records (the new-record button)
	Export   bool // the actor reads every record (the export link)
	Statuses []credit.Status
}

// NextQuery is the link to the next page with the same filters.
func (p *creditListPage) NextQuery() string {
	q := url.Values{}
	for k, v := range p.Query {
		if k != "cursor" {
			q[k] = v
		}
	}
	q.Set("cursor", p.Next)
	return q.Encode()
}

// Badge is the colour of a record's status.
func (creditListPage) Badge(st credit.Status) string { return creditBadge(st) }

func creditBadge(st credit.Status) string {
	switch st {
	case credit.StatusInEffect, credit.StatusRepairing:
		return "bad"
	case credit.StatusObjection, credit.StatusObjected, credit.StatusProvisional:
		return "warn"
	}
	return "ok"
}

func (s *Server) handleCreditList(c echo.Context) error {
	a := actorOf(c)
	if !s.deps.Credit.CanRead(a) {
		return domain.Errorf(domain.EFORBIDDEN, "you may not read credit records")
	}
	f, err := creditFilter(c)
	if err != nil {
		return err
	}
	page := &creditListPage{Query: c.QueryParams(), Record: s.deps.Credit.CanRecord(a), Export: s.deps.Credit.ReadsAll(a),
		Statuses: credit.Statuses}
	if page.Items, page.Next, err = s.deps.Credit.List(ctxOf(c), f); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "credit", page)
}

type creditNewPage struct {
	Form
	Sources    []credit.SourceKind
	Severities []credit.Severity
	Methods    []string
}

func (s *Server) creditNewPage(f *Form) *creditNewPage {
	return &creditNewPage{Form: *f, Sources: credit.SourceKinds, Severities: credit.Severities, Methods: credit.NoticeMethods}
}

func (s *Server) handleCreditNew(c echo.Context) error {
	if !s.deps.Credit.CanRecord(actorOf(c)) {
		return domain.NotFound("page")
	}
	return s.render(c, http.StatusOK, "credit_new", s.creditNewPage(&Form{Values: map[string]string{"severity": "serious",
		"subject_kind": "organisation", "source_kind": "enforcement"}}))
}

func (s *Server) handleCreditCreate(c echo.Context) error {
	f := assistanceForm(c)
	months, _ := strconv.Atoi(f.V("display_months"))
	in := credit.Input{SubjectKind: f.V("subject_kind"), Name: f.V("name"), CreditCode: f.V("credit_code"), IDNumber: f.V("id_number"),
		Finding: f.V("finding"), SourceKind: credit.SourceKind(f.V("source_kind")), DocumentNumber: f.V("document_number"),
		Source: f.V("source"), Final: f.V("final") == "on", Severity: credit.Severity(f.V("severity")), DisplayMonths: months,
		NoticeMethod: f.V("notice_method")}
	if d := f.V("decided_on"); d != "" {
		day, err := calendar.ParseDate(d)
		if err != nil {
			return s.render(c, http.StatusUnprocessableEntity, "credit_new", s.creditNewPage(&Form{Values: f.Values,
				Errors: []domain.FieldError{{Field: "decided_on", Message: "validation.date"}}}))
		}
		in.DecidedOn = day
	}
	r, err := s.deps.Credit.Create(ctxOf(c), in)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.render(c, http.StatusUnprocessableEntity, "credit_new", s.creditNewPage(&Form{Values: f.Values, Errors: de.Fields}))
		}
		return err
	}
	s.flash(c, "ok", "credit.flash.recorded")
	return c.Redirect(http.StatusSeeOther, credit.Link(r.ID))
}

type creditShowPage struct {
	Form
	Rec credit.View
	// FailedForm is the step whose form failed validation.
	FailedForm string
	Methods    []string
}

// Badge is the colour of the record's status.
func (creditShowPage) Badge(st credit.Status) string { return creditBadge(st) }

// Until is the last day the record is displayed ("" before it takes
// effect); RepairFrom the first day its subject may apply for repair.
func (p *creditShowPage) Until() string { return deref(p.Rec.DisplayUntil) }

// RepairFrom: see Until.
func (p *creditShowPage) RepairFrom() string { return deref(p.Rec.RepairFrom) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ReasonSteps are the steps whose form is a reason alone (the subject's).
func (creditShowPage) ReasonSteps() []string {
	return []string{string(credit.ActionObject), string(credit.ActionApplyRepair)}
}

// DecisionSteps are the body's decisions, each a choice with reasons.
func (creditShowPage) DecisionSteps() []string {
	return []string{string(credit.ActionDecideObjection), string(credit.ActionDecideRepair)}
}

// Allows reports whether the actor may take act now.
func (p *creditShowPage) Allows(act string) bool {
	return slices.Contains(p.Rec.Allowed, credit.Action(act))
}

func (s *Server) renderCredit(c echo.Context, status int, id int64, page *creditShowPage) error {
	v, err := s.deps.Credit.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	if page == nil {
		page = &creditShowPage{}
	}
	if page.Values == nil {
		page.Values = map[string]string{}
	}
	page.Rec, page.Methods = v, credit.NoticeMethods
	return s.render(c, status, "credit_show", page)
}

func (s *Server) handleCreditShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderCredit(c, http.StatusOK, id, nil)
}

// creditStepInput reads a step's form.
func creditStepInput(f *Form) credit.StepInput {
	version, _ := strconv.Atoi(f.V("version"))
	return credit.StepInput{Version: version, Reason: f.V("reason"), Upheld: f.V("decision") == "upheld",
		Granted: f.V("decision") == "granted", NoticeMethod: f.V("notice_method")}
}

func (s *Server) handleCreditAction(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	act := credit.Action(c.Param("action"))
	if !slices.Contains(credit.Actions, act) {
		return domain.NotFound("page")
	}
	f := assistanceForm(c)
	if _, err := s.deps.Credit.Step(ctxOf(c), id, act, creditStepInput(f)); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderCredit(c, http.StatusUnprocessableEntity, id, &creditShowPage{Form: Form{Values: f.Values, Errors: de.Fields},
				FailedForm: string(act)})
		}
		return err
	}
	s.flash(c, "ok", "credit.flash."+string(act))
	return c.Redirect(http.StatusSeeOther, credit.Link(id))
}

// handleCreditExportCSV downloads the records displayed today in the
// exchange layout (UTF-8 with a byte order mark).
func (s *Server) handleCreditExportCSV(c echo.Context) error {
	recs, err := s.deps.Credit.Export(ctxOf(c))
	if err != nil {
		return err
	}
	day := s.deps.Credit.Today().String()
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="ipmediate-credit-`+day+`.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	if _, err := c.Response().Write([]byte("\ufeff")); err != nil {
		return err
	}
	w := csv.NewWriter(c.Response())
	if err := w.Write(credit.ExchangeColumns); err != nil {
		return err
	}
	for _, r := range recs {
		if err := w.Write(r.CSVRow()); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func (s *Server) apiCreditGet(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.deps.Credit.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	if v.Events == nil {
		v.Events = []credit.Event{}
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) apiCreditStep(c echo.Context) error {
	act := credit.Action(c.Param("action"))
	if !slices.Contains(credit.Actions, act) {
		return domain.NotFound("action")
	}
	return objectStep(http.StatusOK, func(c echo.Context, id int64, in credit.StepInput) (credit.Record, error) {
		return s.deps.Credit.Step(ctxOf(c), id, act, in)
	}, func(r credit.Record) any { return r })(c)
}

// apiCreditExport answers the records displayed today in the exchange
// layout: JSON by default, CSV with format=csv.
func (s *Server) apiCreditExport(c echo.Context) error {
	switch c.QueryParam("format") {
	case "", "json":
	case "csv":
		return s.handleCreditExportCSV(c)
	default:
		return domain.Invalid(domain.FieldError{Field: "format", Message: "validation.one_of", Params: map[string]any{"Values": "json, csv"}})
	}
	recs, err := s.deps.Credit.Export(ctxOf(c))
	if err != nil {
		return err
	}
	if recs == nil {
		recs = []credit.Exchanged{}
	}
	return c.JSON(http.StatusOK, map[string]any{"date": s.deps.Credit.Today().String(), "records": recs})
}

// creditImport is the import's body.
type creditImport struct {
	OrgID   int64              `json:"org_id"`
	Records []credit.Exchanged `json:"records"`
}

func (s *Server) apiCreditImport(c echo.Context) error {
	var in creditImport
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Credit.Import(ctxOf(c), in.OrgID, in.Records)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
