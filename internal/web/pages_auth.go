package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

type loginPage struct {
	Form
	Next      string
	DemoUsers []DemoUser
}

func (s *Server) handleLoginShow(c echo.Context) error {
	if actorOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next"), "/work"))
	}
	return s.render(c, http.StatusOK, "login", &loginPage{Next: c.QueryParam("next"), DemoUsers: s.deps.DemoUsers})
}

// handleLogin checks the password, renews the session token (no session
// fixation) and stores the user id server-side.
func (s *Server) handleLogin(c echo.Context) error {
	page := &loginPage{Form: *newForm(c, "username"), Next: c.FormValue("next"), DemoUsers: s.deps.DemoUsers}
	ctx := ctxOf(c)
	u, err := s.deps.Identity.Login(ctx, c.FormValue("username"), c.FormValue("password"))
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED:
			page.Message = "login.failed"
			return s.render(c, http.StatusUnauthorized, "login", page)
		case domain.ETOOMANY:
			page.Message = "login.throttled"
			return s.render(c, http.StatusTooManyRequests, "login", page)
		}
		return err
	}
	if err := s.deps.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.deps.Sessions.Put(ctx, sessionUserKey, u.ID)
	return c.Redirect(http.StatusSeeOther, safeNext(page.Next, "/work"))
}

func (s *Server) handleLogout(c echo.Context) error {
	if err := s.deps.Sessions.Destroy(ctxOf(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

var registerFields = []string{"enterprise_name", "credit_code", "contact_name", "phone", "email", "username"}

func (s *Server) handleRegisterShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "register", &Form{})
}

// handleRegister creates the enterprise and its applicant and signs the
// new user in.
func (s *Server) handleRegister(c echo.Context) error {
	f := newForm(c, registerFields...)
	if c.FormValue("password") != c.FormValue("password2") {
		f.Errors = append(f.Errors, domain.FieldError{Field: "password2", Message: "validation.password_mismatch"})
		return s.render(c, http.StatusUnprocessableEntity, "register", f)
	}
	ctx := ctxOf(c)
	u, _, err := s.deps.Identity.RegisterSME(ctx, identity.Registration{
		EnterpriseName: f.V("enterprise_name"), CreditCode: f.V("credit_code"), ContactName: f.V("contact_name"),
		Phone: f.V("phone"), Email: f.V("email"), Username: f.V("username"), Password: c.FormValue("password"),
	})
	if err != nil {
		return s.formFailed(c, "register", f, err)
	}
	if err := s.deps.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.deps.Sessions.Put(ctx, sessionUserKey, u.ID)
	s.flash(c, "ok", "register.done")
	return c.Redirect(http.StatusSeeOther, "/work")
}

func (s *Server) handlePasswordShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "password", &Form{})
}

func (s *Server) handlePasswordChange(c echo.Context) error {
	f := &Form{}
	if c.FormValue("new_password") != c.FormValue("new_password2") {
		f.Errors = []domain.FieldError{{Field: "new_password2", Message: "validation.password_mismatch"}}
		return s.render(c, http.StatusUnprocessableEntity, "password", f)
	}
	if err := s.deps.Identity.ChangePassword(ctxOf(c), c.FormValue("current_password"), c.FormValue("new_password")); err != nil {
		return s.formFailed(c, "password", f, err)
	}
	// A new session token after a credential change.
	if err := s.deps.Sessions.RenewToken(ctxOf(c)); err != nil {
		return err
	}
	s.flash(c, "ok", "password.changed")
	return c.Redirect(http.StatusSeeOther, "/work")
}
