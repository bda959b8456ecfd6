package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// QueuesPath is where the job queue monitor (asynqmon) is mounted.
const QueuesPath = "/admin/queues"

// isQueueMonitor reports whether the request is for the queue monitor.
func isQueueMonitor(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == QueuesPath || strings.HasPrefix(p, QueuesPath+"/")
}

// queueRoutes mounts the queue monitor for sysadmins (queue:admin in the
// system domain). Its single-page UI calls its own JSON API with GET, POST
// and DELETE.
func (s *Server) queueRoutes(g *echo.Group) {
	if s.deps.Queues == nil {
		return
	}
	h := s.queueHandler()
	guard := s.requireQueueAdmin
	g.GET(QueuesPath, h, guard)
	g.GET(QueuesPath+"/*", h, guard)
	g.POST(QueuesPath+"/*", h, guard)
	g.DELETE(QueuesPath+"/*", h, guard)
}

// requireQueueAdmin lets sysadmins in, signed in by web session or by an
// API bearer token. Without credentials a browser is sent to the login
// page; anyone else signed in gets 404, as for every sysadmin page. The
// monitor's UI cannot send the CSRF token, so a state-changing request
// on a session must prove that it comes from this site (Sec-Fetch-Site or
// Origin); a bearer token carries no ambient authority and needs no proof.
func (s *Server) requireQueueAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := ctxOf(c)
		a := actorOf(c)
		byToken := false
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || tok == "" {
				return domain.Errorf(domain.EUNAUTHORIZED, "use Authorization: Bearer <token>")
			}
			uid, err := s.deps.Identity.AuthenticateToken(ctx, tok)
			if err != nil {
				return err
			}
			if a, err = s.deps.Identity.Actor(ctx, uid); err != nil {
				return domain.Errorf(domain.EUNAUTHORIZED, "invalid or expired token")
			}
			setActor(c, a)
			byToken = true
		}
		if a == nil {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(QueuesPath))
		}
		if !s.deps.Authz.CanSystem(a.UserID, "queue", "admin") {
			return domain.NotFound("page")
		}
		if !byToken && !safeMethod(c.Request().Method) && !sameOrigin(c.Request()) {
			return domain.Errorf(domain.EFORBIDDEN, "the request was not sent from this site")
		}
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sameOrigin reports whether the browser says the request comes from a
// page of this site.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// queueHandler serves the monitor with a Content-Security-Policy that
// admits exactly its two inline bootstrap scripts (by hash) and the
// inline styles its UI library writes, and nothing from elsewhere.
func (s *Server) queueHandler() echo.HandlerFunc {
	csp := queueCSP(s.deps.Queues)
	return func(c echo.Context) error {
		c.Response().Header().Set("Content-Security-Policy", csp)
		s.deps.Queues.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// queueCSP renders the monitor's index page once and hashes its inline
// scripts into the policy.
func queueCSP(h http.Handler) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, QueuesPath, nil))
	var hashes []string
	for _, m := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
		sum := sha256.Sum256([]byte(m[1]))
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
		"script-src 'self' " + strings.Join(hashes, " ") + "; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
}
