package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/org"
	"github.com/ipmediate/ipmediate/internal/warning"
)

// The industry risk warning pages (docs/design.md §10): the list, the
// writing form, a warning with its steps and its recipients, and the
// industries an enterprise or an association chooses on its profile.

// warningRoutes registers the warning pages.
func (s *Server) warningRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/warnings", s.handleWarningList, in)
	g.GET("/warnings/new", s.handleWarningNew, in)
	g.POST("/warnings", s.handleWarningCreate, in)
	g.GET("/warnings/:id", s.handleWarningShow, in)
	g.POST("/warnings/:id", s.handleWarningUpdate, in)
	g.POST("/warnings/:id/publish", s.handleWarningPublish, in)
	g.POST("/warnings/:id/discard", s.handleWarningDiscard, in)
	g.GET("/me/industries", s.handleIndustriesShow, in)
	g.POST("/me/industries", s.handleIndustriesSave, in)
}

// industryNames turns industry codes into names in the page's language.
type industryNames struct {
	list []org.Industry
	lang string
}

// Industries are the choices of a form.
func (n industryNames) Industries() []org.Industry { return n.list }

// IndustryName is the name of one industry.
func (n industryNames) IndustryName(code string) string {
	for _, i := range n.list {
		if i.Code == code {
			return i.Name(n.lang)
		}
	}
	return code
}

// Has reports whether the comma-separated choice csv holds code (a form
// sent back with its errors).
func (industryNames) Has(csv, code string) bool {
	return slices.Contains(strings.Split(csv, ","), code)
}

// IndustryNames joins the names of codes.
func (n industryNames) IndustryNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = n.IndustryName(c)
	}
	sep := "、"
	if n.lang == "en" {
		sep = ", "
	}
	return strings.Join(names, sep)
}

func (s *Server) industryNames(c echo.Context) (industryNames, error) {
	list, err := s.deps.Warnings.IndustryList(ctxOf(c))
	return industryNames{list: list, lang: langOf(c)}, err
}

type warningListPage struct {
	industryNames
	Items    []warning.Warning
	Issue    bool // the actor issues warnings (the new-warning button, the status filter)
	Receives bool // the actor reads as a recipient (read marks)
	// Profile: the actor sets the industries of an enterprise or an
	// association (the link to /me/industries).
	Profile  bool
	Status   string
	Statuses []warning.Status
}

func (s *Server) handleWarningList(c echo.Context) error {
	a := actorOf(c)
	if !s.deps.Warnings.CanRead(a) {
		return domain.Errorf(domain.EFORBIDDEN, "you may not read risk warnings")
	}
	names, err := s.industryNames(c)
	if err != nil {
		return err
	}
	page := &warningListPage{industryNames: names, Issue: s.deps.Warnings.CanIssue(a), Receives: s.deps.Warnings.Receives(a),
		Status: c.QueryParam("status"), Statuses: warning.Statuses, Profile: len(warning.ProfileOrgs(a)) > 0}
	if page.Items, err = s.deps.Warnings.List(ctxOf(c), warning.Filter{Status: warning.Status(page.Status)}); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "warnings", page)
}

type warningFormPage struct {
	Form
	industryNames
	// W is the warning edited (nil for a new one).
	W *warning.Warning
}

// Chosen reports whether the form has industry code ticked.
func (p *warningFormPage) Chosen(code string) bool {
	return slices.Contains(strings.Split(p.V("industries"), ","), code)
}

func (s *Server) handleWarningNew(c echo.Context) error {
	if !s.deps.Warnings.CanIssue(actorOf(c)) {
		return domain.NotFound("page")
	}
	names, err := s.industryNames(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "warning_new", &warningFormPage{Form: Form{Values: map[string]string{}}, industryNames: names})
}

// warningInput reads the writing form.
func warningInput(f *Form) warning.Input {
	version, _ := strconv.Atoi(f.V("version"))
	var inds []string
	if v := f.V("industries"); v != "" {
		inds = strings.Split(v, ",")
	}
	return warning.Input{Title: f.V("title"), Situation: f.V("situation"), Rights: f.V("rights"), Advice: f.V("advice"),
		Links: strings.Split(strings.ReplaceAll(f.V("links"), "\r", ""), "\n"), Industries: inds, Version: version}
}

func (s *Server) handleWarningCreate(c echo.Context) error {
	f := assistanceForm(c)
	w, err := s.deps.Warnings.Create(ctxOf(c), warningInput(f))
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			names, nerr := s.industryNames(c)
			if nerr != nil {
				return nerr
			}
			return s.render(c, http.StatusUnprocessableEntity, "warning_new", &warningFormPage{Form: Form{Values: f.Values, Errors: de.Fields},
				industryNames: names})
		}
		return err
	}
	s.flash(c, "ok", "warning.flash.created")
	return c.Redirect(http.StatusSeeOther, warning.Link(w.ID))
}

type warningShowPage struct {
	warningFormPage
	Recipients []warning.Recipient
	// Mine: the actor is the issuing body (edit, publish, discard).
	Mine bool
	// FailedForm is the step whose form failed ("edit", "publish", "discard").
	FailedForm string
}

// Badge is the colour of a status.
func (warningShowPage) Badge(st warning.Status) string { return warningBadge(st) }

// Badge is the colour of a status.
func (warningListPage) Badge(st warning.Status) string { return warningBadge(st) }

func warningBadge(st warning.Status) string {
	switch st {
	case warning.StatusDraft:
		return "warn"
	case warning.StatusPublished:
		return "ok"
	}
	return ""
}

func (s *Server) renderWarning(c echo.Context, status int, id int64, page *warningShowPage) error {
	w, err := s.deps.Warnings.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	if page == nil {
		page = &warningShowPage{}
	}
	if page.industryNames, err = s.industryNames(c); err != nil {
		return err
	}
	a := actorOf(c)
	page.W = &w
	page.Mine = slices.Contains(s.deps.Warnings.IssuerOrgs(a), w.OrgID)
	if page.Values == nil {
		page.Values = map[string]string{"title": w.Title, "situation": w.Situation, "rights": w.Rights, "advice": w.Advice,
			"links": strings.Join(w.Links, "\n"), "industries": strings.Join(w.Industries, ",")}
	}
	page.Values["version"] = strconv.Itoa(w.Version)
	if w.Status == warning.StatusPublished && !s.deps.Warnings.Receives(a) || page.Mine {
		if page.Recipients, err = s.deps.Warnings.Recipients(ctxOf(c), id); err != nil && domain.ErrorCode(err) != domain.EFORBIDDEN {
			return err
		}
	}
	return s.render(c, status, "warning_show", page)
}

func (s *Server) handleWarningShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderWarning(c, http.StatusOK, id, nil)
}

// warningStep runs one of the issuer's steps and answers the page: on a
// field error the page again with the form, else back to the warning.
func (s *Server) warningStep(c echo.Context, form string, run func(id int64, f *Form) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f := assistanceForm(c)
	if err := run(id, f); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderWarning(c, http.StatusUnprocessableEntity, id, &warningShowPage{
				warningFormPage: warningFormPage{Form: Form{Values: f.Values, Errors: de.Fields}}, FailedForm: form})
		}
		return err
	}
	s.flash(c, "ok", "warning.flash."+form)
	return c.Redirect(http.StatusSeeOther, warning.Link(id))
}

func (s *Server) handleWarningUpdate(c echo.Context) error {
	return s.warningStep(c, "edit", func(id int64, f *Form) error {
		_, err := s.deps.Warnings.Update(ctxOf(c), id, warningInput(f))
		return err
	})
}

func (s *Server) handleWarningPublish(c echo.Context) error {
	return s.warningStep(c, "publish", func(id int64, f *Form) error {
		_, err := s.deps.Warnings.Publish(ctxOf(c), id, warningInput(f).Version)
		return err
	})
}

func (s *Server) handleWarningDiscard(c echo.Context) error {
	return s.warningStep(c, "discard", func(id int64, f *Form) error {
		_, err := s.deps.Warnings.Discard(ctxOf(c), id, warningInput(f).Version, f.V("reason"))
		return err
	})
}

// industriesPage is the profile's industries of each organisation the
// user speaks for.
type industriesPage struct {
	Form
	industryNames
	Orgs []warning.OrgChoice
}

func (s *Server) industriesPage(c echo.Context, f Form) (*industriesPage, error) {
	orgs, err := s.deps.Warnings.ProfileChoices(ctxOf(c))
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, domain.NotFound("page")
	}
	names, err := s.industryNames(c)
	if err != nil {
		return nil, err
	}
	return &industriesPage{Form: f, industryNames: names, Orgs: orgs}, nil
}

func (s *Server) handleIndustriesShow(c echo.Context) error {
	page, err := s.industriesPage(c, Form{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "industries", page)
}

func (s *Server) handleIndustriesSave(c echo.Context) error {
	org, err := int64Value(c.FormValue("org_id"), "org_id")
	if err != nil {
		return err
	}
	if err := c.Request().ParseForm(); err != nil {
		return domain.Invalid(domain.FieldError{Field: "industries", Message: "validation.invalid"})
	}
	if _, err := s.deps.Warnings.SetOwnIndustries(ctxOf(c), org, c.Request().PostForm["industries"]); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			page, perr := s.industriesPage(c, Form{Errors: de.Fields})
			if perr != nil {
				return perr
			}
			return s.render(c, http.StatusUnprocessableEntity, "industries", page)
		}
		return err
	}
	s.flash(c, "ok", "industries.flash.saved")
	return c.Redirect(http.StatusSeeOther, "/me/industries")
}
