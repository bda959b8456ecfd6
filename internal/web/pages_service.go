package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/pdf"
	"github.com/ipmediate/ipmediate/internal/service"
)

// serviceRoutes registers the pages of the service of documents (送达).
func (s *Server) serviceRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.POST("/cases/:id/serve", s.handleServe, in)
	g.GET("/served/:id", s.handleServedOpen, in)
	g.GET("/service/overdue", s.handleServiceOverdue, in)
	g.POST("/service/records/:id/other-means", s.handleServiceOtherMeans, in)
	g.GET("/service/seal", s.handleSealShow, in)
	g.POST("/service/seal", s.handleSealUpload, s.uploadLimit, in)
}

// handleServe serves a notice of the case on a party or every party.
func (s *Server) handleServe(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := service.ServeInput{Doc: notice.Doc(c.FormValue("doc")), PartyID: formInt(c.FormValue("party_id"))}
	form, _ := c.FormParams()
	page := &casePage{Form: Form{Values: formValues(form)}, FailedForm: "serve"}
	return s.finishAction(c, nil, func() error { _, err := s.deps.Service.Serve(ctxOf(c), id, in); return err },
		&page.Form, &page.Conflict, func(status int) error { return s.renderCase(c, status, id, page) },
		"service.flash.served", "/cases/"+itoa(id)+"#service")
}

// handleServedOpen hands a user of a party enterprise the PDF served on
// it, marking it opened the first time.
func (s *Server) handleServedOpen(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, b, err := s.deps.Service.OpenAsUser(ctxOf(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+string(r.Doc)+"-"+itoa(r.CaseID)+`.pdf"`)
	return c.Blob(http.StatusOK, pdf.MediaType, b)
}

// serviceOverduePage lists the notices to serve by other means.
type serviceOverduePage struct {
	Form
	Items []service.Record
	// Failed is the record whose form the errors belong to.
	Failed int64
	// Days is service.open_within in days, for the lead.
	Days int
}

// Methods are the other means of service.
func (p *serviceOverduePage) Methods() []service.Method {
	return []service.Method{service.MethodPost, service.MethodInPerson}
}

func (s *Server) renderServiceOverdue(c echo.Context, status int, page *serviceOverduePage) error {
	if !s.deps.Service.RecordsOtherMeans(actorOf(c)) {
		return domain.NotFound("page")
	}
	var err error
	if page.Items, err = s.deps.Service.Overdue(ctxOf(c)); err != nil {
		return err
	}
	page.Days = int(s.deps.Service.OpenWithin().Hours() / 24)
	return s.render(c, status, "service_overdue", page)
}

func (s *Server) handleServiceOverdue(c echo.Context) error {
	return s.renderServiceOverdue(c, http.StatusOK, &serviceOverduePage{})
}

// handleServiceOtherMeans records service by post or in person.
func (s *Server) handleServiceOtherMeans(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := service.OtherMeansInput{Method: service.Method(c.FormValue("method")), ServedOn: c.FormValue("served_on"),
		TrackingNumber: c.FormValue("tracking_number"), Receiver: c.FormValue("receiver"), Note: c.FormValue("note")}
	form, _ := c.FormParams()
	page := &serviceOverduePage{Form: Form{Values: formValues(form)}, Failed: id}
	var conflict string
	return s.finishAction(c, nil, func() error { _, err := s.deps.Service.RecordOtherMeans(ctxOf(c), id, in); return err },
		&page.Form, &conflict, func(status int) error { return s.renderServiceOverdue(c, status, page) },
		"service.flash.other_means", "/service/overdue")
}

// sealPage is the committee's seal image upload.
type sealPage struct {
	Form
	Orgs []sealOrg
}

type sealOrg struct {
	ID      int64
	Name    string
	HasSeal bool
}

func (s *Server) renderSeal(c echo.Context, status int, page *sealPage) error {
	a := actorOf(c)
	orgs := s.deps.Service.SealOrgs(a)
	if len(orgs) == 0 {
		return domain.NotFound("page")
	}
	for _, m := range a.Memberships {
		if !slices.Contains(orgs, m.OrgID) || slices.ContainsFunc(page.Orgs, func(o sealOrg) bool { return o.ID == m.OrgID }) {
			continue
		}
		name, has, err := s.deps.Service.SealStatus(ctxOf(c), m.OrgID)
		if err != nil {
			return err
		}
		page.Orgs = append(page.Orgs, sealOrg{ID: m.OrgID, Name: name, HasSeal: has})
	}
	return s.render(c, status, "service_seal", page)
}

func (s *Server) handleSealShow(c echo.Context) error {
	return s.renderSeal(c, http.StatusOK, &sealPage{})
}

// handleSealUpload stores the committee's seal image.
func (s *Server) handleSealUpload(c echo.Context) error {
	page := &sealPage{}
	org := formInt(c.FormValue("org_id"))
	fh, err := c.FormFile("seal")
	if err != nil {
		page.Errors = domain.Fields{{Field: "seal", Message: "validation.required"}}
		return s.renderSeal(c, http.StatusUnprocessableEntity, page)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	if err := s.deps.Service.SetSeal(ctxOf(c), org, f); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			page.Errors = de.Fields
			return s.renderSeal(c, http.StatusUnprocessableEntity, page)
		}
		return err
	}
	s.flash(c, "ok", "service.flash.seal")
	return c.Redirect(http.StatusSeeOther, "/service/seal")
}
