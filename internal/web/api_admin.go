package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

// orgOut is the JSON form of an organisation.
type orgOut struct {
	ID         int64   `json:"id"`
	Code       string  `json:"code"`
	Type       string  `json:"type"`
	Level      string  `json:"level"`
	ParentID   *int64  `json:"parent_id"`
	NameZH     string  `json:"name_zh"`
	NameEN     string  `json:"name_en"`
	RegionCode string  `json:"region_code"`
	ShortCode  string  `json:"short_code"`
	CreditCode *string `json:"credit_code,omitempty"`
	Active     bool    `json:"active"`
}

func orgJSON(o domain.Org) orgOut {
	return orgOut{ID: o.ID, Code: o.Code, Type: string(o.Type), Level: string(o.Level), ParentID: o.ParentID,
		NameZH: o.NameZH, NameEN: o.NameEN, RegionCode: o.RegionCode, ShortCode: o.ShortCode, CreditCode: o.CreditCode, Active: o.Active}
}

func (s *Server) apiOrgList(c echo.Context) error {
	orgs, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return err
	}
	items := make([]orgOut, len(orgs))
	for i, o := range orgs {
		items[i] = orgJSON(o)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_cursor": ""})
}

func (s *Server) apiOrgGet(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	o, err := s.deps.Orgs.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, orgJSON(o))
}

type orgIn struct {
	Code       string `json:"code"`
	Type       string `json:"type"`
	Level      string `json:"level"`
	ParentID   *int64 `json:"parent_id"`
	NameZH     string `json:"name_zh"`
	NameEN     string `json:"name_en"`
	RegionCode string `json:"region_code"`
	ShortCode  string `json:"short_code"`
	Active     *bool  `json:"active"`
}

func (s *Server) apiOrgCreate(c echo.Context) error {
	var in orgIn
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	o, err := s.deps.Orgs.Create(ctxOf(c), domain.Org{Code: in.Code, Type: domain.OrgType(in.Type), Level: domain.OrgLevel(in.Level),
		ParentID: in.ParentID, NameZH: in.NameZH, NameEN: in.NameEN, RegionCode: in.RegionCode, ShortCode: in.ShortCode})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, orgJSON(o))
}

// apiOrgUpdate applies a partial update: absent fields keep their value.
func (s *Server) apiOrgUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	o, err := s.deps.Orgs.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	in := orgIn{Level: string(o.Level), ParentID: o.ParentID, NameZH: o.NameZH, NameEN: o.NameEN, RegionCode: o.RegionCode, ShortCode: o.ShortCode}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Code != "" || in.Type != "" {
		return domain.Invalid(domain.FieldError{Field: "code", Message: "validation.immutable"})
	}
	o.Level, o.ParentID, o.NameZH, o.NameEN = domain.OrgLevel(in.Level), in.ParentID, in.NameZH, in.NameEN
	o.RegionCode, o.ShortCode = in.RegionCode, in.ShortCode
	if in.Active != nil {
		o.Active = *in.Active
	}
	o, err = s.deps.Orgs.Update(ctxOf(c), o)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, orgJSON(o))
}

// userOut is the JSON form of a user; the phone number is masked unless
// full is set (the user themself, or a sysadmin on the detail view).
type userOut struct {
	ID          int64                `json:"id"`
	Username    string               `json:"username"`
	DisplayName string               `json:"display_name"`
	Email       string               `json:"email"`
	Phone       string               `json:"phone"`
	Active      bool                 `json:"active"`
	Locked      bool                 `json:"locked"`
	LockedUntil *time.Time           `json:"locked_until"`
	LastLoginAt *time.Time           `json:"last_login_at"`
	CreatedAt   time.Time            `json:"created_at"`
	Roles       []identity.RoleGrant `json:"roles"`
}

func userJSON(u identity.UserListItem, full bool) userOut {
	phone := domain.MaskMobile(u.Phone)
	if full {
		phone = u.Phone
	}
	roles := u.Roles
	if roles == nil {
		roles = []identity.RoleGrant{}
	}
	// Lockout is authentication timing: it follows real time (as the
	// identity service that sets it and decides it, u.Lockout, does), not
	// the application's clock.
	return userOut{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email, Phone: phone,
		Active: u.Active, Locked: u.Lockout != nil, LockedUntil: u.Lockout, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, Roles: roles}
}

func (s *Server) apiUserList(c echo.Context) error {
	orgID, err := int64Value(c.QueryParam("org_id"), "org_id")
	if err != nil {
		return err
	}
	limit, err := int64Value(c.QueryParam("limit"), "limit")
	if err != nil {
		return err
	}
	items, next, err := s.deps.Identity.ListUsers(ctxOf(c), identity.UserFilter{OrgID: orgID, Query: c.QueryParam("q"),
		Cursor: c.QueryParam("cursor"), Limit: int(limit)})
	if err != nil {
		return err
	}
	out := make([]userOut, len(items))
	for i, u := range items {
		out[i] = userJSON(u, false)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "next_cursor": next})
}

func (s *Server) apiUserGet(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := s.deps.Identity.GetUser(ctxOf(c), id)
	if err != nil {
		return err
	}
	a := actorOf(c)
	return c.JSON(http.StatusOK, userJSON(u, a.Sysadmin || a.UserID == u.ID))
}

type userIn struct {
	Username    string      `json:"username"`
	DisplayName string      `json:"display_name"`
	Email       string      `json:"email"`
	Phone       string      `json:"phone"`
	Password    string      `json:"password"`
	OrgID       int64       `json:"org_id"`
	Role        domain.Role `json:"role"`
}

func (s *Server) apiUserCreate(c echo.Context) error {
	var in userIn
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, err := s.deps.Identity.CreateUser(ctxOf(c), identity.NewUser(in))
	if err != nil {
		return err
	}
	item, err := s.deps.Identity.GetUser(ctxOf(c), u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, userJSON(item, false))
}

func (s *Server) apiUserEnable(c echo.Context) error  { return s.apiSetActive(c, true) }
func (s *Server) apiUserDisable(c echo.Context) error { return s.apiSetActive(c, false) }

func (s *Server) apiSetActive(c echo.Context, active bool) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Identity.SetActive(ctxOf(c), id, active); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiUserPassword(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := s.deps.Identity.ResetPassword(ctxOf(c), id, in.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiUserUnlock ends a user's lockout (sysadmin only).
func (s *Server) apiUserUnlock(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Identity.Unlock(ctxOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type roleIn struct {
	OrgID int64       `json:"org_id"`
	Role  domain.Role `json:"role"`
}

func (s *Server) apiUserGrant(c echo.Context) error  { return s.apiRole(c, true) }
func (s *Server) apiUserRevoke(c echo.Context) error { return s.apiRole(c, false) }

func (s *Server) apiRole(c echo.Context, grant bool) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in roleIn
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if grant {
		err = s.deps.Identity.GrantRole(ctxOf(c), id, in.OrgID, in.Role)
	} else {
		err = s.deps.Identity.RevokeRole(ctxOf(c), id, in.OrgID, in.Role)
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiAuditList(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	limit, err := int64Value(c.QueryParam("limit"), "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	items, next, err := s.deps.Audit.List(ctxOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}
