package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
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
//
// The monitor reads Redis, and answers a Redis error with a 500 carrying
// the raw error text. So while Redis does not answer (QueuesPing), and
// whenever the monitor fails anyway, the error goes to the log and the
// sysadmin gets a 503 in their language: a page, or problem details for
// the monitor's own JSON API.
func (s *Server) queueHandler() echo.HandlerFunc {
	csp := queueCSP(s.deps.Queues)
	return func(c echo.Context) error {
		if ping := s.deps.QueuesPing; ping != nil {
			if err := ping(c.Request().Context()); err != nil {
				return s.queuesUnavailable(c, err)
			}
		}
		h := c.Response().Header()
		pageCSP := h.Get("Content-Security-Policy")
		h.Set("Content-Security-Policy", csp)
		// The catcher sits in front of echo's response, so a failure
		// never commits it and the 503 below can still be written.
		w := &failCatcher{ResponseWriter: c.Response()}
		s.deps.Queues.ServeHTTP(w, c.Request())
		if w.failed != 0 {
			h.Set("Content-Security-Policy", pageCSP)
			return s.queuesUnavailable(c, fmt.Errorf("queue monitor answered %d: %s", w.failed, strings.TrimSpace(w.body.String())))
		}
		return nil
	}
}

// queuesUnavailable logs why the queue monitor cannot answer and answers
// 503 without the reason.
func (s *Server) queuesUnavailable(c echo.Context, cause error) error {
	s.log.WarnContext(c.Request().Context(), "queue monitor unavailable", "err", cause,
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	h := c.Response().Header()
	h.Del(echo.HeaderContentType) // the monitor's text/plain, if it set one
	h.Set("Retry-After", "30")
	lang := langOf(c)
	title, text := s.tmpl.tr.T(lang, "error.queues_unavailable.title", nil), s.tmpl.tr.T(lang, "error.queues_unavailable.text", nil)
	if strings.HasPrefix(c.Request().URL.Path, QueuesPath+"/api/") {
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		return c.JSON(http.StatusServiceUnavailable, Problem{
			Type: "https://ipmediate.example/problems/" + domain.EUNAVAILABLE, Title: title, Status: http.StatusServiceUnavailable,
			Detail: text, Code: domain.EUNAVAILABLE, Instance: c.Request().URL.Path,
			RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		})
	}
	return s.render(c, http.StatusServiceUnavailable, "error", errPage{Status: http.StatusServiceUnavailable, Title: title, Text: text})
}

// failCatcher passes a response through unless its status is 5xx; then it
// keeps the body (the monitor's raw error) for the log instead of sending
// it.
type failCatcher struct {
	http.ResponseWriter
	failed int
	body   bytes.Buffer
}

func (w *failCatcher) WriteHeader(code int) {
	if code >= 500 {
		w.failed = code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *failCatcher) Write(b []byte) (int, error) {
	if w.failed != 0 {
		if w.body.Len() < 4096 {
			w.body.Write(b)
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets a streamed answer through.
func (w *failCatcher) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && w.failed == 0 {
		f.Flush()
	}
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// queueCSP renders the monitor's index page once and hashes its inline
// scripts into the policy.
func queueCSP(h http.Handler) string {
	var page pageCapture
	req, err := http.NewRequest(http.MethodGet, QueuesPath, nil)
	if err == nil {
		h.ServeHTTP(&page, req)
	}
	var hashes []string
	for _, m := range inlineScript.FindAllStringSubmatch(page.body.String(), -1) {
		sum := sha256.Sum256([]byte(m[1]))
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
		"script-src 'self' " + strings.Join(hashes, " ") + "; object-src 'none'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
}

// pageCapture is the ResponseWriter queueCSP renders the monitor's index
// page into, once, at start: it keeps the body and ignores the rest.
type pageCapture struct {
	header http.Header
	body   bytes.Buffer
}

func (p *pageCapture) Header() http.Header {
	if p.header == nil {
		p.header = http.Header{}
	}
	return p.header
}

func (p *pageCapture) Write(b []byte) (int, error) { return p.body.Write(b) }

func (p *pageCapture) WriteHeader(int) {}
