package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/boundary"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

// bindJSON decodes a JSON body strictly (boundary.Decode): unknown
// fields, trailing data and values of the wrong type are errors naming
// the field, so a typo never silently drops a value. The input boundary
// (input.go) has already refused bad text, huge lists and deep nesting.
func bindJSON(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return err
	}
	return boundary.Decode(body, v)
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// apiLogin exchanges a username and password for a bearer token.
func (s *Server) apiLogin(c echo.Context) error {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var f domain.Fields
	if req.Username == "" {
		f.Add("username", "validation.required")
	}
	if req.Password == "" {
		f.Add("password", "validation.required")
	}
	if err := f.Err(); err != nil {
		return err
	}
	u, err := s.deps.Identity.Login(ctxOf(c), req.Username, req.Password)
	if err != nil {
		return err
	}
	tok, err := s.deps.Identity.IssueToken(ctxOf(c), u.ID, "api")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tok)
}

// apiLogout revokes the token the request was made with.
func (s *Server) apiLogout(c echo.Context) error {
	tok, _ := c.Get(bearerKey).(string)
	if err := s.deps.Identity.RevokeToken(ctxOf(c), tok); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type meRole struct {
	Role    domain.Role `json:"role"`
	OrgID   int64       `json:"org_id"`
	OrgCode string      `json:"org_code"`
}

type meResponse struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Sysadmin    bool     `json:"sysadmin"`
	Roles       []meRole `json:"roles"`
	Supervised  []int64  `json:"supervised_org_ids"`
}

func (s *Server) apiMe(c echo.Context) error {
	a := actorOf(c)
	out := meResponse{ID: a.UserID, Username: a.Username, DisplayName: a.DisplayName, Sysadmin: a.Sysadmin,
		Roles: []meRole{}, Supervised: a.Supervised}
	if a.Sysadmin {
		out.Roles = append(out.Roles, meRole{Role: domain.RoleSysadmin, OrgCode: domain.SystemDomain})
	}
	for _, m := range a.Memberships {
		out.Roles = append(out.Roles, meRole{Role: m.Role, OrgID: m.OrgID, OrgCode: m.OrgCode})
	}
	if out.Supervised == nil {
		out.Supervised = []int64{}
	}
	return c.JSON(http.StatusOK, out)
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) apiChangePassword(c echo.Context) error {
	var req passwordRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	// Every other token and every web session of the user end; the token
	// this request was made with stays valid.
	tok, _ := c.Get(bearerKey).(string)
	if _, err := s.deps.Identity.ChangePassword(ctxOf(c), req.CurrentPassword, req.NewPassword, tok); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type registerRequest struct {
	EnterpriseName string `json:"enterprise_name"`
	CreditCode     string `json:"credit_code"`
	ContactName    string `json:"contact_name"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	Username       string `json:"username"`
	Password       string `json:"password"`
	// Industries: codes of internal/warning's industries (optional).
	Industries []string `json:"industries"`
}

// apiRegister is SME self-registration.
func (s *Server) apiRegister(c echo.Context) error {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, o, err := s.deps.Identity.RegisterSME(ctxOf(c), identity.Registration(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"user": userJSON(identity.UserListItem{User: u}, false), "org": orgJSON(o)})
}
