package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/association"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/warning"
)

// An industry association's pages (docs/design.md §15): its first page
// (members and their open matters), its members (add, remove), filing a
// case for a member; and the member enterprise's page of its
// associations, where it grants or withdraws each one's consent.

// associationRoutes registers the association's and the members' pages.
func (s *Server) associationRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/association", s.handleAssociationHome, in)
	g.GET("/association/members", s.handleAssociationMembers, in)
	g.POST("/association/members", s.handleAssociationMemberAdd, in)
	g.POST("/association/members/:id/remove", s.handleAssociationMemberRemove, in)
	g.GET("/association/file", s.handleAssociationFile, in)
	g.POST("/association/file", s.handleAssociationFileCreate, in)
	g.GET("/memberships", s.handleMemberships, in)
	g.POST("/memberships/:id/:action", s.handleMembershipConsent, in)
}

type associationPage struct {
	Form
	Members []association.Member
	// Warnings are the latest risk warnings the association published,
	// with their reach; Drafts counts those waiting for review.
	Warnings []warning.Warning
	Drafts   int64
}

// Consenting are the members whose consent stands.
func (p *associationPage) Consenting() []association.Member {
	var out []association.Member
	for _, m := range p.Members {
		if m.Consent {
			out = append(out, m)
		}
	}
	return out
}

type associationFilePage struct {
	Form
	Members    []association.Member
	Committees []domain.Org
	PartyRows  []string
}

// RightKinds lists the IP right kinds for the form.
func (p *associationFilePage) RightKinds() []domain.RightKind { return domain.RightKinds }

// associationStaff answers the pages of the association's staff: 404 for
// anyone else, as a page that is not theirs.
func (s *Server) associationStaff(c echo.Context, perm string) error {
	if len(s.deps.Associations.Associations(actorOf(c), perm)) == 0 {
		return domain.NotFound("page")
	}
	return nil
}

func (s *Server) renderAssociation(c echo.Context, status int, page string, f *Form) error {
	members, err := s.deps.Associations.Members(ctxOf(c), 0)
	if err != nil {
		return err
	}
	p := &associationPage{Form: *f, Members: members}
	if page == "association" {
		if p.Drafts, p.Warnings, err = s.deps.Warnings.Issued(ctxOf(c)); err != nil {
			return err
		}
	}
	return s.render(c, status, page, p)
}

func (s *Server) handleAssociationHome(c echo.Context) error {
	if err := s.associationStaff(c, "manage"); err != nil {
		return err
	}
	return s.renderAssociation(c, http.StatusOK, "association", &Form{})
}

func (s *Server) handleAssociationMembers(c echo.Context) error {
	if err := s.associationStaff(c, "manage"); err != nil {
		return err
	}
	return s.renderAssociation(c, http.StatusOK, "association_members", &Form{})
}

func (s *Server) handleAssociationMemberAdd(c echo.Context) error {
	f := assistanceForm(c)
	if _, err := s.deps.Associations.Add(ctxOf(c), association.AddInput{CreditCode: f.V("credit_code"), Since: f.V("since")}); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderAssociation(c, http.StatusUnprocessableEntity, "association_members", &Form{Values: f.Values, Errors: de.Fields})
		}
		return err
	}
	s.flash(c, "ok", "association.flash.added")
	return c.Redirect(http.StatusSeeOther, "/association/members")
}

func (s *Server) handleAssociationMemberRemove(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.NotFound("membership")
	}
	f := assistanceForm(c)
	version, _ := strconv.Atoi(f.V("version"))
	if _, err := s.deps.Associations.Remove(ctxOf(c), id, association.VersionInput{Version: version}); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderAssociation(c, http.StatusUnprocessableEntity, "association_members", &Form{Errors: de.Fields})
		}
		return err
	}
	s.flash(c, "ok", "association.flash.removed")
	return c.Redirect(http.StatusSeeOther, "/association/members")
}

// associationPartyRows are the party rows of the filing form: the member
// (the applicant), the respondent and an optional third.
var associationPartyRows = []string{string(domain.PartyApplicant), string(domain.PartyRespondent), string(domain.PartyThird)}

func (s *Server) renderAssociationFile(c echo.Context, status int, f *Form) error {
	members, err := s.deps.Associations.Members(ctxOf(c), 0)
	if err != nil {
		return err
	}
	committees, err := s.committees(c)
	if err != nil {
		return err
	}
	p := &associationFilePage{Form: *f, Committees: committees, PartyRows: associationPartyRows}
	for _, m := range members {
		if m.Consent {
			p.Members = append(p.Members, m)
		}
	}
	return s.render(c, status, "association_file", p)
}

func (s *Server) handleAssociationFile(c echo.Context) error {
	if err := s.associationStaff(c, "file"); err != nil {
		return err
	}
	return s.renderAssociationFile(c, http.StatusOK, &Form{Values: map[string]string{"member_org_id": c.QueryParam("member")}})
}

func (s *Server) handleAssociationFileCreate(c echo.Context) error {
	f := assistanceForm(c)
	var pre domain.Fields
	in := intakeFromForm(c.Request().Form, &pre)
	org, _ := strconv.ParseInt(f.V("org_id"), 10, 64)
	in.OrgID = org
	member, _ := strconv.ParseInt(f.V("member_org_id"), 10, 64)
	if err := pre.Err(); err != nil {
		if err := s.associationStaff(c, "file"); err != nil {
			return domain.Errorf(domain.EFORBIDDEN, "only an industry association's staff may file for a member")
		}
		var de *domain.Error
		errors.As(err, &de)
		return s.renderAssociationFile(c, http.StatusUnprocessableEntity, &Form{Values: f.Values, Errors: de.Fields})
	}
	filed, err := s.deps.Associations.FileCase(ctxOf(c), association.FileInput{MemberOrgID: member, Case: *in})
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderAssociationFile(c, http.StatusUnprocessableEntity, &Form{Values: f.Values, Errors: de.Fields})
		}
		return err
	}
	s.flash(c, "ok", "association.flash.filed")
	return c.Redirect(http.StatusSeeOther, "/cases/"+itoa(filed.ID))
}

type membershipsPage struct {
	Form
	Memberships []association.Member
}

func (s *Server) handleMemberships(c echo.Context) error {
	list, err := s.deps.Associations.Memberships(ctxOf(c))
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EFORBIDDEN {
			return domain.NotFound("page")
		}
		return err
	}
	return s.render(c, http.StatusOK, "memberships", &membershipsPage{Memberships: list})
}

func (s *Server) handleMembershipConsent(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.NotFound("membership")
	}
	var grant bool
	switch c.Param("action") {
	case "consent":
		grant = true
	case "withdraw":
	default:
		return domain.NotFound("page")
	}
	f := assistanceForm(c)
	version, _ := strconv.Atoi(f.V("version"))
	if _, err := s.deps.Associations.SetConsent(ctxOf(c), id, grant, association.VersionInput{Version: version}); err != nil {
		return err
	}
	if grant {
		s.flash(c, "ok", "association.flash.consented")
	} else {
		s.flash(c, "ok", "association.flash.withdrawn")
	}
	return c.Redirect(http.StatusSeeOther, "/memberships")
}
