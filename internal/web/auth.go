package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

const sessionUserKey = "user_id"

// requestMeta puts the client address and request id into the request
// context for the audit log.
func (s *Server) requestMeta(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := domain.WithRequestMeta(r.Context(), domain.RequestMeta{
			IP: c.RealIP(), RequestID: c.Response().Header().Get(echo.HeaderXRequestID), UserAgent: r.UserAgent(),
		})
		c.SetRequest(r.WithContext(ctx))
		return next(c)
	}
}

// setActor stores the actor in the request context.
func setActor(c echo.Context, a *domain.Actor) {
	r := c.Request()
	c.SetRequest(r.WithContext(domain.WithActor(r.Context(), a)))
}

// webActor loads the signed-in user from the server-side session. A
// session whose user was disabled is destroyed.
func (s *Server) webActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id := s.deps.Sessions.GetInt64(ctx, sessionUserKey)
		if id != 0 {
			a, err := s.deps.Identity.Actor(ctx, id)
			switch {
			case err == nil:
				setActor(c, a)
			case domain.ErrorCode(err) == domain.EUNAUTHORIZED || domain.ErrorCode(err) == domain.ENOTFOUND:
				_ = s.deps.Sessions.Destroy(ctx)
			default:
				return err
			}
		}
		return next(c)
	}
}

// requireLogin sends anonymous visitors to the login page and back.
func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if domain.ActorFrom(c.Request().Context()) == nil {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// apiActor authenticates API requests by bearer token only: the API never
// honours the session cookie, so cross-site requests carry no authority
// and the API needs no CSRF token.
func (s *Server) apiActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return next(c)
		}
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return domain.Errorf(domain.EUNAUTHORIZED, "use Authorization: Bearer <token>")
		}
		ctx := c.Request().Context()
		uid, err := s.deps.Identity.AuthenticateToken(ctx, tok)
		if err != nil {
			return err
		}
		a, err := s.deps.Identity.Actor(ctx, uid)
		if err != nil {
			return domain.Errorf(domain.EUNAUTHORIZED, "invalid or expired token")
		}
		setActor(c, a)
		c.Set(bearerKey, tok)
		return next(c)
	}
}

const bearerKey = "bearer_token"

// requireAPIAuth answers 401 for anonymous API requests.
func requireAPIAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if domain.ActorFrom(c.Request().Context()) == nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="ipmediate"`)
			return domain.Errorf(domain.EUNAUTHORIZED, "authentication required: POST /api/v1/auth/login, then send Authorization: Bearer <token>")
		}
		return next(c)
	}
}

func actorOf(c echo.Context) *domain.Actor { return domain.ActorFrom(c.Request().Context()) }

func ctxOf(c echo.Context) context.Context { return c.Request().Context() }

// flash stores a one-time message shown on the next page.
func (s *Server) flash(c echo.Context, kind, msgID string) {
	s.deps.Sessions.Put(ctxOf(c), "flash", kind+"|"+msgID)
}
