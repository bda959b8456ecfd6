package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

// The web session holds the signed-in user and the stamp of the
// credentials they signed in with (identity.SessionStamp): a password
// change or reset moves the user's stamp and so ends every session opened
// before it.
const (
	sessionUserKey  = "user_id"
	sessionStampKey = "auth_stamp"
	// sessionWroteKey is when the user last changed something (Unix
	// milliseconds): for database.read_your_writes after it, their
	// reads go to the primary.
	sessionWroteKey = "wrote_at"
)

// signIn makes the request's session the user's: a new session token (no
// session fixation), the user id and the credentials' stamp.
func (s *Server) signIn(ctx context.Context, u domain.User) error {
	if err := s.deps.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.deps.Sessions.Put(ctx, sessionUserKey, u.ID)
	s.deps.Sessions.Put(ctx, sessionStampKey, identity.SessionStamp(u))
	return nil
}

// requestMeta puts the client address and request id into the request
// context for the audit log.
func (s *Server) requestMeta(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := domain.WithRequestMeta(r.Context(), domain.RequestMeta{
			IP: c.RealIP(), RequestID: requestID(c), UserAgent: headerText(r.UserAgent(), maxUserAgent),
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
// session whose user was disabled, or whose password changed since the
// session was opened, is destroyed.
func (s *Server) webActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		a, err := s.sessionActor(ctx)
		switch {
		case err == nil && a != nil:
			setActor(c, a)
			s.readYourWrites(c)
		case domain.ErrorCode(err) == domain.EUNAUTHORIZED || domain.ErrorCode(err) == domain.ENOTFOUND:
			_ = s.deps.Sessions.Destroy(ctx)
		case err != nil:
			return err
		}
		return next(c)
	}
}

// readYourWrites sends a signed-in user's reads to the primary while
// their last change may not have reached the read replicas: every
// unsafe request stamps the session, and the requests within
// ReadYourWrites of the stamp read the primary. Only lists and
// statistics read replicas at all (database.Reads).
func (s *Server) readYourWrites(c echo.Context) {
	r := c.Request()
	ctx := r.Context()
	now := s.now().UnixMilli()
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		if at := s.deps.Sessions.GetInt64(ctx, sessionWroteKey); at == 0 || now-at > s.deps.ReadYourWrites.Milliseconds() {
			return
		}
	default:
		s.deps.Sessions.Put(ctx, sessionWroteKey, now)
	}
	c.SetRequest(r.WithContext(database.WithPrimary(ctx)))
}

// sessionActor loads the actor of the request's web session: the only
// way from a session to a user, since it also checks the session's
// credential stamp (a session opened before a password change or reset
// is refused with EUNAUTHORIZED). A session without a user gives (nil, nil).
func (s *Server) sessionActor(ctx context.Context) (*domain.Actor, error) {
	id := s.deps.Sessions.GetInt64(ctx, sessionUserKey)
	if id == 0 {
		return nil, nil
	}
	return s.deps.Identity.SessionActor(ctx, id, s.deps.Sessions.GetInt64(ctx, sessionStampKey))
}

// requireLogin sends anonymous visitors to the login page and back, and
// makes a signed-in user's form submissions idempotent (once.go).
func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	guarded := s.once(next)
	return func(c echo.Context) error {
		if domain.ActorFrom(c.Request().Context()) == nil {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return guarded(c)
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
func (s *Server) requireAPIAuth(next echo.HandlerFunc) echo.HandlerFunc {
	guarded := s.apiOnce(next)
	return func(c echo.Context) error {
		if domain.ActorFrom(c.Request().Context()) == nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="ipmediate"`)
			return domain.Errorf(domain.EUNAUTHORIZED, "authentication required: POST /api/v1/auth/login, then send Authorization: Bearer <token>")
		}
		return guarded(c)
	}
}

func actorOf(c echo.Context) *domain.Actor { return domain.ActorFrom(c.Request().Context()) }

func ctxOf(c echo.Context) context.Context { return c.Request().Context() }

// flash stores a one-time message shown on the next page.
func (s *Server) flash(c echo.Context, kind, msgID string) {
	s.deps.Sessions.Put(ctxOf(c), "flash", kind+"|"+msgID)
}
