package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// workSection is one block of the "my work" page: what a role does in one
// organisation, and links to the pages that serve it.
type workSection struct {
	Role    domain.Role
	OrgID   int64
	OrgName string
	Links   []workLink
}

type workLink struct {
	Href, Label string
}

type workPage struct {
	Sections []workSection
	Sysadmin bool
}

// handleWork is each user's first page: one section per role held, most
// specific first. Later capabilities add their queues to the sections.
func (s *Server) handleWork(c echo.Context) error {
	a := actorOf(c)
	ctx := ctxOf(c)
	page := &workPage{Sysadmin: a.Sysadmin}
	lang := langOf(c)
	for _, m := range a.Memberships {
		sec := workSection{Role: m.Role, OrgID: m.OrgID}
		if o, err := s.deps.Orgs.Get(ctx, m.OrgID); err == nil {
			sec.OrgName = o.Name(lang)
		}
		if s.deps.Authz.Can(a.UserID, m.OrgID, "case", "read") {
			href := "/cases"
			if m.Role == domain.RoleMediator {
				href = "/cases?mine=1"
			}
			sec.Links = append(sec.Links, workLink{Href: href, Label: "work.link.cases"})
		}
		if s.deps.Authz.Can(a.UserID, m.OrgID, "case", "create") {
			sec.Links = append(sec.Links, workLink{Href: "/cases/new", Label: "work.link.new_case"})
		}
		if m.Role == domain.RoleDirector && s.deps.Authz.Can(a.UserID, m.OrgID, "user", "manage") {
			sec.Links = append(sec.Links, workLink{Href: "/users?org_id=" + itoa(m.OrgID), Label: "work.link.staff"})
		}
		page.Sections = append(page.Sections, sec)
	}
	return s.render(c, http.StatusOK, "work", page)
}
