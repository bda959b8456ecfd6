package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// The complaint stations of the fairs (docs/design.md §8): the station's
// staff receive complaints at their fairs and take each through its steps;
// the fairs' managers put users on a station from the fair's edit page.

// fairComplaintRoutes registers the station's pages.
func (s *Server) fairComplaintRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/exhibitions/complaints", s.handleFairComplaintsAll, in)
	g.GET("/exhibitions/complaints/:id", s.handleFairComplaintShow, in)
	g.POST("/exhibitions/complaints/:id/:action", s.handleFairComplaintStep, in)
	g.GET("/exhibitions/:code/complaints", s.handleFairComplaints, in)
	g.POST("/exhibitions/:code/complaints", s.handleFairComplaintReceive, in)
	g.POST("/exhibitions/:code/staff", s.handleFairStaff, in)
}

type fairComplaintsPage struct {
	Form
	// Fair is the fair of a per-fair list (nil: every fair the user sees).
	Fair       *assistance.Exhibition
	Fairs      []assistance.Exhibition
	Complaints []assistance.FairComplaint
	Kinds      []domain.RightKind
}

func (s *Server) renderFairComplaints(c echo.Context, status int, code string, f *Form) error {
	ctx := ctxOf(c)
	fairs, err := s.deps.Assistance.StaffFairs(ctx)
	if err != nil {
		return err
	}
	list, err := s.deps.Assistance.FairComplaints(ctx, code)
	if err != nil {
		return err
	}
	p := &fairComplaintsPage{Form: *f, Fairs: fairs, Complaints: list, Kinds: domain.RightKinds}
	if code != "" {
		for i := range fairs {
			if fairs[i].Code == code {
				p.Fair = &fairs[i]
			}
		}
		if p.Fair == nil {
			return domain.NotFound("exhibition")
		}
	}
	return s.render(c, status, "fair_complaints", p)
}

func (s *Server) handleFairComplaintsAll(c echo.Context) error {
	return s.renderFairComplaints(c, http.StatusOK, "", &Form{})
}

func (s *Server) handleFairComplaints(c echo.Context) error {
	return s.renderFairComplaints(c, http.StatusOK, c.Param("code"), &Form{Values: map[string]string{"infringement": "on"}})
}

func (s *Server) handleFairComplaintReceive(c echo.Context) error {
	code := c.Param("code")
	f := assistanceForm(c)
	in := assistance.FairComplaintInput{Infringement: f.V("infringement") == "on", ComplainantName: f.V("complainant_name"),
		ComplainantCreditCode: f.V("complainant_credit_code"), RightKind: domain.RightKind(f.V("right_kind")),
		RightNumber: f.V("right_number"), RightTitle: f.V("right_title"), RightProof: f.V("right_proof"),
		RespondentName: f.V("respondent_name"), RespondentCreditCode: f.V("respondent_credit_code"), Booth: f.V("booth"),
		Summary: f.V("summary")}
	fc, err := s.deps.Assistance.ReceiveFairComplaint(ctxOf(c), code, in)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderFairComplaints(c, http.StatusUnprocessableEntity, code, &Form{Values: f.Values, Errors: de.Fields})
		}
		return err
	}
	s.flash(c, "ok", "faircomplaint.flash.received")
	return c.Redirect(http.StatusSeeOther, assistance.FairComplaintLink(fc.ID))
}

type fairComplaintPage struct {
	Form
	C assistance.FairComplaintView
	// FailedForm is the step whose form failed validation.
	FailedForm  string
	Enforcement []domain.Org
	Committees  []domain.Org
	Measures    []string
	Decisions   []string
}

// Allows reports whether the complaint's status allows act now.
func (p *fairComplaintPage) Allows(act string) bool {
	return slices.Contains(p.C.Allowed, assistance.FairAction(act))
}

// Has reports whether the decision's measures include m.
func (p *fairComplaintPage) Has(m string) bool { return slices.Contains(p.C.Measures, m) }

// EventDetail is a history entry's detail value as text ("" if none).
func (p *fairComplaintPage) EventDetail(e assistance.FairEvent, key string) string {
	v, ok := e.Detail[key]
	if !ok || v == nil {
		return ""
	}
	if x, ok := v.(string); ok {
		return x
	}
	return ""
}

// EventMeasures are the measures a decide entry recorded.
func (p *fairComplaintPage) EventMeasures(e assistance.FairEvent) []string {
	xs, _ := e.Detail["measures"].([]any)
	var out []string
	for _, m := range xs {
		if s, ok := m.(string); ok && slices.Contains(assistance.Measures, s) {
			out = append(out, s)
		}
	}
	return out
}

func (s *Server) renderFairComplaint(c echo.Context, status int, id int64, page *fairComplaintPage) error {
	v, err := s.deps.Assistance.FairComplaint(ctxOf(c), id)
	if err != nil {
		return err
	}
	if page == nil {
		page = &fairComplaintPage{}
	}
	if page.Values == nil {
		page.Values = map[string]string{}
	}
	dir, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return err
	}
	for _, o := range dir {
		if o.Type == domain.OrgEnforcement && o.Active {
			page.Enforcement = append(page.Enforcement, o)
		}
	}
	if page.Committees, err = s.committees(c); err != nil {
		return err
	}
	page.C, page.Measures, page.Decisions = v, assistance.Measures, assistance.Decisions
	return s.render(c, status, "fair_complaint", page)
}

func (s *Server) handleFairComplaintShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderFairComplaint(c, http.StatusOK, id, nil)
}

func (s *Server) handleFairComplaintStep(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	act := assistance.FairAction(c.Param("action"))
	if !slices.Contains(assistance.FairActions, act) {
		return domain.NotFound("page")
	}
	f := assistanceForm(c)
	version, _ := strconv.Atoi(f.V("version"))
	enf, _ := strconv.ParseInt(f.V("enforcement_org_id"), 10, 64)
	org, _ := strconv.ParseInt(f.V("org_id"), 10, 64)
	var measures []string
	if m := f.V("measures"); m != "" {
		measures = strings.Split(m, ",")
	}
	in := assistance.FairStepInput{Version: version, EnforcementOrgID: enf, Answer: f.V("answer"), NoAnswer: f.V("no_answer") == "on",
		Decision: f.V("decision"), Measures: measures, Reason: f.V("reason"), Note: f.V("note"),
		ComplainantConsent: f.V("complainant_consent") == "on", RespondentConsent: f.V("respondent_consent") == "on",
		OrgID: org, ContactPhone: f.V("contact_phone")}
	if _, err := s.deps.Assistance.FairStep(ctxOf(c), id, act, in); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderFairComplaint(c, http.StatusUnprocessableEntity, id, &fairComplaintPage{Form: Form{Values: f.Values, Errors: de.Fields},
				FailedForm: string(act)})
		}
		return err
	}
	s.flash(c, "ok", "faircomplaint.flash."+string(act))
	return c.Redirect(http.StatusSeeOther, assistance.FairComplaintLink(id))
}

// handleFairStaff puts a user on a fair's station or, with remove set,
// takes them off.
func (s *Server) handleFairStaff(c echo.Context) error {
	code := c.Param("code")
	fair, err := s.deps.Assistance.Fair(ctxOf(c), code)
	if err != nil {
		return err
	}
	f := assistanceForm(c)
	uid, _ := strconv.ParseInt(f.V("user_id"), 10, 64)
	remove := f.V("remove") == "1"
	if err := s.deps.Assistance.SetStationStaff(ctxOf(c), code, uid, !remove); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			page := &fairEditPage{Form: Form{Values: fairValues(fair), Errors: de.Fields}, Fair: fair}
			if err := s.fillStaff(c, page); err != nil {
				return err
			}
			return s.render(c, http.StatusUnprocessableEntity, "exhibition_edit", page)
		}
		return err
	}
	s.flash(c, "ok", "faircomplaint.flash.staff")
	return c.Redirect(http.StatusSeeOther, "/exhibitions/"+code+"#station")
}

// fillStaff gives a fair's edit page its station staff and the users who
// could be added.
func (s *Server) fillStaff(c echo.Context, p *fairEditPage) error {
	var err error
	if p.Staff, err = s.deps.Assistance.StationStaff(ctxOf(c), p.Fair.Code); err != nil {
		return err
	}
	all, err := s.deps.Assistance.StationCandidates(ctxOf(c))
	if err != nil {
		return err
	}
	for _, u := range all {
		if !slices.ContainsFunc(p.Staff, func(m assistance.StaffMember) bool { return m.UserID == u.UserID }) {
			p.Candidates = append(p.Candidates, u)
		}
	}
	return nil
}
