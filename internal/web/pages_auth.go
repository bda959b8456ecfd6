package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

type loginPage struct {
	Form
	Next      string
	DemoUsers []DemoUser
	// MaxFailures and LockoutMinutes tell everyone, signed in or not and
	// whatever happened, how lockout works: the answer to a failed login
	// never says whether the account is locked (no user enumeration).
	MaxFailures    int
	LockoutMinutes int
}

// newLoginPage is the login page with the lockout policy filled in.
func (s *Server) newLoginPage(f Form, next string) *loginPage {
	p := s.deps.Identity.Policy()
	return &loginPage{Form: f, Next: safeNext(next, ""), DemoUsers: s.deps.DemoUsers,
		MaxFailures: p.MaxFailures, LockoutMinutes: int((p.Lockout + time.Minute - 1) / time.Minute)}
}

func (s *Server) handleLoginShow(c echo.Context) error {
	if actorOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next"), "/work"))
	}
	return s.render(c, http.StatusOK, "login", s.newLoginPage(Form{}, c.QueryParam("next")))
}

// handleLogin checks the password, renews the session token (no session
// fixation) and stores the user id server-side.
func (s *Server) handleLogin(c echo.Context) error {
	page := s.newLoginPage(*newForm(c, "username"), c.FormValue("next"))
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
	if err := s.signIn(ctx, u); err != nil {
		return err
	}
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
	names, err := s.industryNames(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "register", &Form{Extra: names})
}

// handleRegister creates the enterprise and its applicant and signs the
// new user in.
func (s *Server) handleRegister(c echo.Context) error {
	f := newForm(c, registerFields...)
	ctx := ctxOf(c)
	names, err := s.industryNames(c)
	if err != nil {
		return err
	}
	f.Extra = names
	industries := c.Request().Form["industries"]
	f.Values["industries"] = strings.Join(industries, ",")
	reg := identity.Registration{
		EnterpriseName: f.V("enterprise_name"), CreditCode: f.V("credit_code"), ContactName: f.V("contact_name"),
		Phone: f.V("phone"), Email: f.V("email"), Username: f.V("username"), Password: c.FormValue("password"),
		Industries: industries,
	}
	if c.FormValue("password") != c.FormValue("password2") {
		// Every error at once: the service checks the other fields with
		// the password left out (so nothing can be registered), and the
		// mismatch is reported on the repeated password.
		reg.Password = ""
		_, _, err := s.deps.Identity.RegisterSME(ctx, reg)
		if domain.ErrorCode(err) == domain.ETOOMANY {
			f.Message = "register.throttled"
			return s.render(c, http.StatusTooManyRequests, "register", f)
		}
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			for _, fe := range de.Fields {
				if fe.Field != "password" {
					f.Errors = append(f.Errors, fe)
				}
			}
		} else if err != nil {
			return err
		}
		f.Errors = append(f.Errors, domain.FieldError{Field: "password2", Message: "validation.password_mismatch"})
		return s.render(c, http.StatusUnprocessableEntity, "register", f)
	}
	u, _, err := s.deps.Identity.RegisterSME(ctx, reg)
	if domain.ErrorCode(err) == domain.ETOOMANY {
		f.Message = "register.throttled"
		return s.render(c, http.StatusTooManyRequests, "register", f)
	}
	if err != nil {
		return s.formFailed(c, "register", f, err)
	}
	if err := s.signIn(ctx, u); err != nil {
		return err
	}
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
	ctx := ctxOf(c)
	stamp, err := s.deps.Identity.ChangePassword(ctx, c.FormValue("current_password"), c.FormValue("new_password"), "")
	if err != nil {
		return s.formFailed(c, "password", f, err)
	}
	// The change ended every session of the user: this one carries on
	// under a new token with the new stamp; all others are signed out.
	if err := s.deps.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.deps.Sessions.Put(ctx, sessionStampKey, stamp)
	s.flash(c, "ok", "password.changed")
	return c.Redirect(http.StatusSeeOther, "/work")
}

// authRoutes registers signing in and out, registration and the
// password change.
func (s *Server) authRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/login", s.handleLoginShow)
	g.POST("/login", s.handleLogin)
	g.POST("/logout", s.handleLogout)
	g.GET("/register", s.handleRegisterShow)
	g.POST("/register", s.handleRegister)
	g.GET("/me/password", s.handlePasswordShow, in)
	g.POST("/me/password", s.handlePasswordChange, in)
}
