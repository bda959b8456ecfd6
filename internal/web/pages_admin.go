package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

// requireSystem guards sysadmin pages and endpoints with a system-domain
// permission. Others get 404: the page does not exist for them.
func (s *Server) requireSystem(resource, action string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a := actorOf(c)
			if a == nil || !s.deps.Authz.CanSystem(a.UserID, resource, action) {
				return domain.NotFound("page")
			}
			return next(c)
		}
	}
}

type orgsPage struct {
	Form
	Orgs []domain.Org
}

func (s *Server) handleOrgList(c echo.Context) error {
	orgs, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "orgs", &orgsPage{Orgs: orgs})
}

var orgFields = []string{"code", "type", "level", "parent_id", "name_zh", "name_en", "region_code", "short_code"}

func (s *Server) handleOrgCreate(c echo.Context) error {
	f := newForm(c, orgFields...)
	orgs, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return err
	}
	page := &orgsPage{Form: *f, Orgs: orgs}
	parent, err := int64Value(f.V("parent_id"), "parent_id")
	if err != nil {
		return s.formFailed(c, "orgs", page, err)
	}
	o := domain.Org{Code: f.V("code"), Type: domain.OrgType(f.V("type")), Level: domain.OrgLevel(f.V("level")),
		NameZH: f.V("name_zh"), NameEN: f.V("name_en"), RegionCode: f.V("region_code"), ShortCode: f.V("short_code")}
	if parent != 0 {
		o.ParentID = &parent
	}
	if _, err := s.deps.Orgs.Create(ctxOf(c), o); err != nil {
		return s.formFailed(c, "orgs", page, err)
	}
	s.flash(c, "ok", "flash.saved")
	return c.Redirect(http.StatusSeeOther, "/orgs")
}

type orgEditPage struct {
	Form
	Org  domain.Org
	Orgs []domain.Org
}

func (s *Server) handleOrgShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	o, err := s.deps.Orgs.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	orgs, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "org_edit", &orgEditPage{Org: o, Orgs: orgs})
}

func (s *Server) handleOrgUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	o, err := s.deps.Orgs.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	f := newForm(c, orgFields...)
	orgs, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return err
	}
	page := &orgEditPage{Form: *f, Org: o, Orgs: orgs}
	parent, err := int64Value(f.V("parent_id"), "parent_id")
	if err != nil {
		return s.formFailed(c, "org_edit", page, err)
	}
	o.NameZH, o.NameEN, o.RegionCode, o.ShortCode = f.V("name_zh"), f.V("name_en"), f.V("region_code"), f.V("short_code")
	o.Level = domain.OrgLevel(f.V("level"))
	o.ParentID = nil
	if parent != 0 {
		o.ParentID = &parent
	}
	o.Active = c.FormValue("active") == "on"
	if _, err := s.deps.Orgs.Update(ctxOf(c), o); err != nil {
		return s.formFailed(c, "org_edit", page, err)
	}
	s.flash(c, "ok", "flash.saved")
	return c.Redirect(http.StatusSeeOther, "/orgs/"+itoa(id))
}

type usersPage struct {
	Form
	Users      []identity.UserListItem
	Next       string
	OrgID      int64
	Query      string
	Orgs       []domain.Org // where the actor may create users
	Roles      []domain.Role
	CanCreate  bool
	MaskPhones bool
}

// handleUserList lists the users the actor may see: everyone for a
// sysadmin, a director's committee staff for a director.
func (s *Server) handleUserList(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, &Form{})
}

func (s *Server) renderUsers(c echo.Context, status int, f *Form) error {
	ctx := ctxOf(c)
	orgID, err := int64Value(c.QueryParam("org_id"), "org_id")
	if err != nil {
		return err
	}
	items, next, err := s.deps.Identity.ListUsers(ctx, identity.UserFilter{OrgID: orgID, Query: c.QueryParam("q"), Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	page := &usersPage{Form: *f, Users: items, Next: next, OrgID: orgID, Query: c.QueryParam("q"), Roles: domain.Roles[1:]}
	a := actorOf(c)
	dir, err := s.deps.Orgs.Directory(ctx)
	if err != nil {
		return err
	}
	for _, o := range dir {
		if a.Sysadmin || s.deps.Authz.Can(a.UserID, o.ID, "role", "grant") {
			page.Orgs = append(page.Orgs, o)
		}
	}
	if !a.Sysadmin {
		page.Roles = domain.RolesWhere(domain.Role.Staff)
	}
	page.CanCreate = len(page.Orgs) > 0
	return s.render(c, status, "users", page)
}

var userFields = []string{"username", "display_name", "email", "phone", "org_id", "role"}

func (s *Server) handleUserCreate(c echo.Context) error {
	f := newForm(c, userFields...)
	orgID, err := int64Value(f.V("org_id"), "org_id")
	if err != nil {
		f.Errors = err.(*domain.Error).Fields
		return s.renderUsers(c, http.StatusUnprocessableEntity, f)
	}
	u, err := s.deps.Identity.CreateUser(ctxOf(c), identity.NewUser{
		Username: f.V("username"), DisplayName: f.V("display_name"), Email: f.V("email"), Phone: f.V("phone"),
		Password: c.FormValue("password"), OrgID: orgID, Role: domain.Role(f.V("role")),
	})
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			f.Errors = err.(*domain.Error).Fields
			return s.renderUsers(c, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	s.flash(c, "ok", "flash.saved")
	return c.Redirect(http.StatusSeeOther, "/users/"+itoa(u.ID))
}

type userPage struct {
	Form
	User  identity.UserListItem
	Orgs  []domain.Org
	Roles []domain.Role
}

func (s *Server) handleUserShow(c echo.Context) error {
	return s.renderUser(c, http.StatusOK, &Form{})
}

func (s *Server) renderUser(c echo.Context, status int, f *Form) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := ctxOf(c)
	u, err := s.deps.Identity.GetUser(ctx, id)
	if err != nil {
		return err
	}
	a := actorOf(c)
	page := &userPage{Form: *f, User: u, Roles: domain.Roles[1:]}
	if !a.Sysadmin {
		page.Roles = domain.RolesWhere(domain.Role.Staff)
	}
	dir, err := s.deps.Orgs.Directory(ctx)
	if err != nil {
		return err
	}
	for _, o := range dir {
		if a.Sysadmin || s.deps.Authz.Can(a.UserID, o.ID, "role", "grant") {
			page.Orgs = append(page.Orgs, o)
		}
	}
	return s.render(c, status, "user", page)
}

// handleUserAction runs one of the forms on the user page: grant, revoke,
// enable, disable, reset password, unlock.
func (s *Server) handleUserAction(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := ctxOf(c)
	orgID, _ := int64Value(c.FormValue("org_id"), "org_id")
	role := domain.Role(c.FormValue("role"))
	switch c.Param("action") {
	case "grant":
		err = s.deps.Identity.GrantRole(ctx, id, orgID, role)
	case "revoke":
		err = s.deps.Identity.RevokeRole(ctx, id, orgID, role)
	case "enable":
		err = s.deps.Identity.SetActive(ctx, id, true)
	case "disable":
		err = s.deps.Identity.SetActive(ctx, id, false)
	case "password":
		err = s.deps.Identity.ResetPassword(ctx, id, c.FormValue("password"))
	case "unlock":
		err = s.deps.Identity.Unlock(ctx, id)
	default:
		return domain.NotFound("action")
	}
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return s.renderUser(c, http.StatusUnprocessableEntity, &Form{Errors: err.(*domain.Error).Fields})
		}
		return err
	}
	s.flash(c, "ok", "flash.saved")
	return c.Redirect(http.StatusSeeOther, "/users/"+itoa(id))
}

type auditPage struct {
	Items  []audit.Record
	Next   string
	Filter map[string]string
	// Orgs names the organisations for the filter and the rows.
	Orgs []domain.Org
}

// auditAreas are the first parts of the audit actions, offered by the
// action filter in words (audit.area.<name>).
var auditAreas = []string{"auth", "user", "role", "org", "enterprise", "case", "document", "deadline", "referral",
	"assistance", "exhibition", "system"}

// NextQuery is the filter of the page as the next page's query string.
func (p *auditPage) NextQuery() string {
	q := url.Values{"cursor": {p.Next}}
	for k, v := range p.Filter {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// OrgName names organisation id, or "" for none.
func (p *auditPage) OrgName(id *int64, lang string) string {
	if id == nil {
		return ""
	}
	for _, o := range p.Orgs {
		if o.ID == *id {
			return o.Name(lang)
		}
	}
	return "#" + strconv.FormatInt(*id, 10)
}

// handleAuditList lets a sysadmin browse and filter the audit log.
func (s *Server) handleAuditList(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Audit.List(ctxOf(c), f)
	if err != nil {
		return err
	}
	orgs, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "audit", &auditPage{Items: items, Next: next, Orgs: orgs, Filter: map[string]string{
		"org_id": c.QueryParam("org_id"), "actor_id": c.QueryParam("actor_id"), "actor": c.QueryParam("actor"),
		"action": c.QueryParam("action"), "from": c.QueryParam("from"), "to": c.QueryParam("to"),
	}})
}

// auditFilter reads the audit filters shared by the page and the API.
func auditFilter(c echo.Context) (audit.Filter, error) {
	var f audit.Filter
	var fields domain.Fields
	if v := c.QueryParam("org_id"); v != "" {
		n, err := int64Value(v, "org_id")
		if err != nil {
			fields.Add("org_id", "validation.number")
		} else {
			f.OrgID = &n
		}
	}
	if v := c.QueryParam("actor_id"); v != "" {
		n, err := int64Value(v, "actor_id")
		if err != nil {
			fields.Add("actor_id", "validation.number")
		} else {
			f.ActorID = &n
		}
	}
	f.Action = strings.TrimSpace(c.QueryParam("action"))
	f.ActorName = strings.TrimSpace(c.QueryParam("actor"))
	for _, k := range []string{"from", "to"} {
		v := c.QueryParam(k)
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", v, beijing)
		if err != nil {
			fields.Add(k, "validation.date")
			continue
		}
		if k == "from" {
			f.From = t
		} else {
			f.To = t.AddDate(0, 0, 1)
		}
	}
	f.Cursor = c.QueryParam("cursor")
	return f, fields.Err()
}

// beijing is the time zone of every date the users type or read.
var beijing = time.FixedZone("CST", 8*3600)

// adminRoutes registers the user, organisation and audit pages.
func (s *Server) adminRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/users", s.handleUserList, in)
	g.POST("/users", s.handleUserCreate, in)
	g.GET("/users/:id", s.handleUserShow, in)
	g.POST("/users/:id/:action", s.handleUserAction, in)

	orgs := s.requireSystem("org", "manage")
	g.GET("/orgs", s.handleOrgList, in, orgs)
	g.POST("/orgs", s.handleOrgCreate, in, orgs)
	g.GET("/orgs/:id", s.handleOrgShow, in, orgs)
	g.POST("/orgs/:id", s.handleOrgUpdate, in, orgs)

	g.GET("/audit", s.handleAuditList, in, s.requireSystem("audit", "read"))
}
