package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/register"
)

// The register's own pages (docs/design.md §17): a mediator's profile
// with the director's edit form and training records, and the
// committee's technical experts.

// registerProfileRoutes registers the profile and expert pages.
func (s *Server) registerProfileRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/mediators/profiles/:org/:user", s.handleProfileShow, in)
	g.POST("/mediators/profiles/:org/:user", s.handleProfileSave, in)
	g.POST("/mediators/profiles/:org/:user/trainings", s.handleTrainingAdd, in)
	g.GET("/mediators/experts/:org", s.handleExpertList, in)
	g.POST("/mediators/experts/:org", s.handleExpertAdd, in)
	s.caseExpertRoutes(g, in)
}

// ProfileLink is the page of mediator user in committee org's register.
func ProfileLink(org, user int64) string {
	return "/mediators/profiles/" + strconv.FormatInt(org, 10) + "/" + strconv.FormatInt(user, 10)
}

// profilePage is a mediator's register entry; Keeps offers the
// director's forms, FailedForm names the form the errors belong to.
type profilePage struct {
	Form
	OrgID          int64
	P              register.Profile
	Keeps          bool
	FailedForm     string
	Specialties    []string
	Qualifications []string
}

// Checked reports whether value v of list field name is ticked: what the
// user sent after a failed save, the profile otherwise.
func (p *profilePage) Checked(name, v string) bool {
	if p.FailedForm == "profile" {
		return slices.Contains(strings.Split(p.V(name), ","), v)
	}
	if name == "specialties" {
		return slices.Contains(p.P.Specialties, v)
	}
	return slices.Contains(p.P.Qualifications, v)
}

// Field is a text field's value: what the user sent to the failed form,
// else def.
func (p *profilePage) Field(form, name, def string) string {
	if p.FailedForm == form {
		return p.V(name)
	}
	return def
}

func (s *Server) profilePage(c echo.Context, f Form) (*profilePage, error) {
	org, err := idParam(c, "org")
	if err != nil {
		return nil, err
	}
	user, err := idParam(c, "user")
	if err != nil {
		return nil, err
	}
	p, err := s.deps.Register.Profile(ctxOf(c), org, user)
	if err != nil {
		return nil, err
	}
	return &profilePage{Form: f, OrgID: org, P: p, Keeps: s.deps.Register.Keeps(actorOf(c), org),
		Specialties: register.Specialties, Qualifications: register.Qualifications}, nil
}

func (s *Server) handleProfileShow(c echo.Context) error {
	page, err := s.profilePage(c, Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "mediator_profile", page)
}

func (s *Server) handleProfileSave(c echo.Context) error {
	f := newForm(c, "technical_field", "qualification_other", "court_invited", "court_name", "invited_from", "invited_to", "version")
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	f.Values["specialties"] = strings.Join(form["specialties"], ",")
	f.Values["qualifications"] = strings.Join(form["qualifications"], ",")
	page, err := s.profilePage(c, *f)
	if err != nil {
		return err
	}
	page.FailedForm = "profile"
	version, _ := strconv.Atoi(f.V("version"))
	in := register.ProfileInput{Specialties: form["specialties"], TechnicalField: f.V("technical_field"),
		Qualifications: form["qualifications"], QualificationOther: f.V("qualification_other"),
		CourtInvited: f.V("court_invited") != "", CourtName: f.V("court_name"), InvitedFrom: f.V("invited_from"),
		InvitedTo: f.V("invited_to"), Version: version}
	if _, err := s.deps.Register.SaveProfile(ctxOf(c), page.OrgID, page.P.UserID, in); err != nil {
		return s.formFailed(c, "mediator_profile", page, err)
	}
	s.flash(c, "ok", "roster.flash.profile_saved")
	return c.Redirect(http.StatusSeeOther, ProfileLink(page.OrgID, page.P.UserID))
}

func (s *Server) handleTrainingAdd(c echo.Context) error {
	f := newForm(c, "title", "hours", "certificate", "certificate_no", "trained_on")
	page, err := s.profilePage(c, *f)
	if err != nil {
		return err
	}
	page.FailedForm = "training"
	in := register.TrainingInput{Title: f.V("title"), Hours: f.V("hours"), Certificate: f.V("certificate"),
		CertificateNo: f.V("certificate_no"), TrainedOn: f.V("trained_on")}
	if _, err := s.deps.Register.AddTraining(ctxOf(c), page.OrgID, page.P.UserID, in); err != nil {
		return s.formFailed(c, "mediator_profile", page, err)
	}
	s.flash(c, "ok", "roster.flash.training_added")
	return c.Redirect(http.StatusSeeOther, ProfileLink(page.OrgID, page.P.UserID))
}

// expertsPage is a committee's technical experts with the director's
// add form.
type expertsPage struct {
	Form
	OrgID   int64
	Experts []register.Expert
	Keeps   bool
}

func (s *Server) expertsPage(c echo.Context, f Form) (*expertsPage, error) {
	org, err := idParam(c, "org")
	if err != nil {
		return nil, err
	}
	ex, err := s.deps.Register.Experts(ctxOf(c), org)
	if err != nil {
		return nil, err
	}
	return &expertsPage{Form: f, OrgID: org, Experts: ex, Keeps: s.deps.Register.Keeps(actorOf(c), org)}, nil
}

func (s *Server) handleExpertList(c echo.Context) error {
	page, err := s.expertsPage(c, Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "mediator_experts", page)
}

func (s *Server) handleExpertAdd(c echo.Context) error {
	f := newForm(c, "name", "field", "employer", "phone")
	page, err := s.expertsPage(c, *f)
	if err != nil {
		return err
	}
	in := register.ExpertInput{Name: f.V("name"), Field: f.V("field"), Employer: f.V("employer"), Phone: f.V("phone")}
	if _, err := s.deps.Register.AddExpert(ctxOf(c), page.OrgID, in); err != nil {
		return s.formFailed(c, "mediator_experts", page, err)
	}
	s.flash(c, "ok", "roster.flash.expert_added")
	return c.Redirect(http.StatusSeeOther, "/mediators/experts/"+strconv.FormatInt(page.OrgID, 10))
}
