package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// The named fairs' pages (docs/design.md §8): the assistance centre and
// the IP office add a fair and keep its organiser, venue and dates.

// fairRoutes registers the fairs' pages.
func (s *Server) fairRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/exhibitions", s.handleFairs, in)
	g.POST("/exhibitions", s.handleFairCreate, in)
	g.GET("/exhibitions/:code", s.handleFairEdit, in)
	g.POST("/exhibitions/:code", s.handleFairUpdate, in)
}

type fairsPage struct {
	Form
	Fairs []assistance.Fair
}

type fairEditPage struct {
	Form
	Fair assistance.Fair
	// Staff are the users on the fair's complaint station; Candidates
	// those who could be added (pages_faircomplaints.go).
	Staff      []assistance.StaffMember
	Candidates []assistance.StaffMember
}

// fairInput reads a fair's form.
func fairInput(f *Form, code string) assistance.FairInput {
	version, _ := strconv.Atoi(f.V("version"))
	return assistance.FairInput{Code: code, NameZH: f.V("name_zh"), NameEN: f.V("name_en"), Organiser: f.V("organiser"),
		Venue: f.V("venue"), Season: f.V("season"), StartsOn: f.V("starts_on"), EndsOn: f.V("ends_on"),
		Active: f.V("active") == "on", Version: version}
}

func (s *Server) renderFairs(c echo.Context, status int, f *Form) error {
	fairs, err := s.deps.Assistance.Fairs(ctxOf(c))
	if err != nil {
		return err
	}
	return s.render(c, status, "exhibitions", &fairsPage{Form: *f, Fairs: fairs})
}

func (s *Server) handleFairs(c echo.Context) error {
	return s.renderFairs(c, http.StatusOK, &Form{Values: map[string]string{"active": "on"}})
}

func (s *Server) handleFairCreate(c echo.Context) error {
	f := assistanceForm(c)
	fair, err := s.deps.Assistance.SaveFair(ctxOf(c), fairInput(f, f.V("code")), true)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderFairs(c, http.StatusUnprocessableEntity, &Form{Values: f.Values, Errors: de.Fields})
		}
		return err
	}
	s.flash(c, "ok", "fair.flash.created")
	return c.Redirect(http.StatusSeeOther, "/exhibitions#fair-"+fair.Code)
}

func (s *Server) handleFairEdit(c echo.Context) error {
	fair, err := s.deps.Assistance.Fair(ctxOf(c), c.Param("code"))
	if err != nil {
		return err
	}
	page := &fairEditPage{Form: Form{Values: fairValues(fair)}, Fair: fair}
	if err := s.fillStaff(c, page); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "exhibition_edit", page)
}

// fairValues fills the edit form from a fair.
func fairValues(f assistance.Fair) map[string]string {
	v := map[string]string{"name_zh": f.NameZH, "name_en": f.NameEN, "organiser": f.Organiser, "venue": f.Venue,
		"season": f.Season, "version": itoa(int64(f.Version))}
	if f.StartsOn != nil {
		v["starts_on"] = f.StartsOn.String()
	}
	if f.EndsOn != nil {
		v["ends_on"] = f.EndsOn.String()
	}
	if f.Active {
		v["active"] = "on"
	}
	return v
}

func (s *Server) handleFairUpdate(c echo.Context) error {
	code := c.Param("code")
	fair, err := s.deps.Assistance.Fair(ctxOf(c), code)
	if err != nil {
		return err
	}
	f := assistanceForm(c)
	if _, err := s.deps.Assistance.SaveFair(ctxOf(c), fairInput(f, code), false); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			page := &fairEditPage{Form: Form{Values: f.Values, Errors: de.Fields}, Fair: fair}
			if err := s.fillStaff(c, page); err != nil {
				return err
			}
			return s.render(c, http.StatusUnprocessableEntity, "exhibition_edit", page)
		}
		return err
	}
	s.flash(c, "ok", "fair.flash.saved")
	return c.Redirect(http.StatusSeeOther, "/exhibitions#fair-"+code)
}
