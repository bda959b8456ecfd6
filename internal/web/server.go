// Package web is ipmediate's HTTP layer: the JSON API under /api/v1 and the
// server-rendered pages under /. Handlers call services; they never touch
// the database. Errors are mapped to HTTP in exactly one place (errors.go).
package web

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/association"
	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/i18n"
	"github.com/ipmediate/ipmediate/internal/idempotency"
	"github.com/ipmediate/ipmediate/internal/identity"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/org"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/recordation"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/register"
	"github.com/ipmediate/ipmediate/internal/report"
	"github.com/ipmediate/ipmediate/internal/service"
	"github.com/ipmediate/ipmediate/internal/stats"
	"github.com/ipmediate/ipmediate/internal/warning"
	webfs "github.com/ipmediate/ipmediate/web"
)

// Check is one readiness probe: a named dependency and how to ping it.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Authz answers permission questions for the UI (which buttons to show)
// and for routes guarded by a system permission.
type Authz interface {
	Can(userID, orgID int64, resource, action string) bool
	CanSystem(userID int64, resource, action string) bool
}

// Deps are what the HTTP layer needs from the wiring in internal/app.
type Deps struct {
	Config config.HTTP
	// Texts are the message catalogs, loaded once by internal/app.
	Texts     *i18n.Translator
	Logger    *slog.Logger
	Ready     []Check
	Registry  *prometheus.Registry
	Sessions  *scs.SessionManager
	Identity  *identity.Service
	Orgs      *org.Service
	Audit     *audit.Log
	Authz     Authz
	Cases     *cases.Service
	Deadlines *deadline.Service
	Documents *document.Service
	// Notify serves the inbox and the unread count in the navigation.
	Notify *notify.Service
	// Assistance is SME rights-protection assistance and the exhibition
	// fast track (docs/design.md §8).
	Assistance *assistance.Service
	// Referrals is court docking and inter-agency referral.
	Referrals *referral.Service
	// Credit is the IP credit records and their due process.
	Credit *credit.Service
	// Warnings is the industry risk warnings.
	Warnings *warning.Service
	// Service serves the printed notices on the parties (送达).
	Service *service.Service
	// Recordations is the customs recordation register.
	Recordations *recordation.Service
	// Associations is an industry association working for its members.
	Associations *association.Service
	// Dossiers archives closed cases and serves their dossiers.
	Dossiers *dossier.Service
	// Party is the parties online: the staff's link pages and the
	// party's own pages under /p (pages_party.go).
	Party *party.Service
	// Register is the mediator register (docs/design.md §17).
	Register *register.Service
	// Queues is the job queue monitor (asynqmon), mounted at /admin/queues
	// for sysadmins.
	Queues http.Handler
	// QueuesPing checks the Redis server the monitor reads; while it
	// fails the monitor answers 503 instead of the monitor's raw errors.
	QueuesPing func(ctx context.Context) error
	// MaxUploadBytes caps one uploaded document.
	MaxUploadBytes int64
	// DemoUsers are listed on the login page in demo mode.
	DemoUsers []DemoUser
	// Clock is the application's "now"; in a demo with time travel
	// /admin/clock moves it ahead.
	Clock *clock.Clock
	// Stats answers the headline numbers on "my work".
	Stats *stats.Service
	// Reports are the annual work reports (pages_reports.go).
	Reports *report.Service
	// Once remembers the forms' one-time tokens (once.go).
	Once *idempotency.Store
	// Replicas reports the read replicas' health for /readyz: a replica
	// that is down or behind is "degraded", not down, since its reads
	// have moved to the primary.
	Replicas func() []database.ReplicaState
	// ReadYourWrites is how long after a signed-in user's change their
	// lists and statistics are read from the primary (auth.go).
	ReadYourWrites time.Duration
}

// now is the application's current time.
func (s *Server) now() time.Time { return s.deps.Clock.Now() }

// check refuses Deps with a service missing: every one is built once in
// internal/app and always exists, so the handlers never test for nil.
func (d Deps) check() error {
	v := reflect.ValueOf(d)
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Func:
			if f.IsNil() {
				return fmt.Errorf("web: Deps.%s is nil; internal/app builds every service", v.Type().Field(i).Name)
			}
		}
	}
	return nil
}

// DemoUser is a demo login shown on the login page in demo mode.
type DemoUser struct {
	Username string
	Role     string
	Org      string
}

// Server is the echo instance with ipmediate's routes.
type Server struct {
	Echo *echo.Echo
	deps Deps
	log  *slog.Logger
	tmpl *Templates
	// draining is set when the server is about to stop: /readyz answers
	// 503 so that load balancers send no new requests (SetDraining).
	draining atomic.Bool
}

// SetDraining marks the server as stopping: from now on /readyz answers
// 503 "draining", while every other request is still served.
func (s *Server) SetDraining() { s.draining.Store(true) }

// NewServer builds the echo server, its middleware and routes.
func NewServer(d Deps) (*Server, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	tfs, err := fs.Sub(webfs.FS, "templates")
	if err != nil {
		return nil, err
	}
	tmpl, err := NewTemplates(tfs, d.Texts)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// The client address (login throttle, audit rows) is the peer of the
	// TCP connection. Echo's default reads X-Forwarded-For and X-Real-IP,
	// which any client can forge to get a fresh throttle budget per
	// request and to plant a false address in the audit log.
	e.IPExtractor = ipExtractor(d.Config.TrustedProxies)
	s := &Server{Echo: e, deps: d, log: d.Logger, tmpl: tmpl}
	e.HTTPErrorHandler = s.handleError
	s.middleware()
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) middleware() {
	e := s.Echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		LogRemoteIP: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			// Only the path is logged, never the query string, which may
			// carry personal data in search filters.
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", logPath(v.URIPath)), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID),
				slog.String("remote_ip", v.RemoteIP))
			return nil
		},
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.ErrorContext(c.Request().Context(), "panic", "err", err, "stack", string(stack),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
			return err
		},
	}))
	// No 'unsafe-inline' for scripts: the templates have no inline script
	// or handler (web/static/app.js does it all), and
	// TestSecurityHeaders_EveryHTMLPage keeps it so.
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		HSTSMaxAge:            31536000,
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
	}))
	// Uploads have their own, larger limit (uploadLimit on their routes).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   s.deps.Config.BodyLimit,
		Skipper: func(c echo.Context) bool { return strings.HasSuffix(c.Path(), "/:id/documents") },
	}))
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: s.deps.Config.RequestTimeout}))
	e.Use(middleware.Gzip())
	e.Use(s.requestMeta)
	// Pages: a server-side session, the origin and the CSRF token checked
	// on every state-changing request (csrfProtect), and the signed-in
	// actor. The API instead authenticates by bearer token only and never
	// reads the session cookie.
	session := echo.WrapMiddleware(s.deps.Sessions.LoadAndSave)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		// checkInput is the input boundary (input.go).
		pages := session(s.checkInput(s.csrfProtect(s.webActor(next))))
		api := s.apiActor(s.checkInput(next))
		return func(c echo.Context) error {
			switch {
			case strings.HasPrefix(c.Request().URL.Path, "/api/"):
				return api(c)
			case isPage(c):
				return pages(c)
			default:
				return next(c)
			}
		}
	})
	// Metrics are counted here and served on their own listener
	// (http.metrics_addr, internal/app), never on this one.
	e.Use(echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
		Namespace:  "ipmediate",
		Subsystem:  "http",
		Registerer: s.deps.Registry,
	}))
}

func (s *Server) routes() error {
	e := s.Echo
	e.GET("/healthz", s.handleHealthz)
	e.GET("/api/openapi.yaml", s.handleOpenAPI)
	e.GET("/readyz", s.handleReadyz)
	static, err := fs.Sub(webfs.FS, "static")
	if err != nil {
		return err
	}
	assets := e.Group("/static", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "public, max-age=3600")
			return next(c)
		}
	})
	assets.StaticFS("/", static)
	w := e.Group("")
	w.GET("/", s.handleHome)
	w.GET("/lang", s.handleLangSwitch)
	s.webRoutes(w)

	api := e.Group("/api/v1")
	s.apiRoutes(api)
	api.Any("/*", func(echo.Context) error { return domain.NotFound("API endpoint") })
	return nil
}

// Handler returns the HTTP handler, for http.Server and tests.
func (s *Server) Handler() http.Handler { return s.Echo }

// NewHTTPServer wraps the handler with the configured timeouts.
func (s *Server) NewHTTPServer() *http.Server {
	c := s.deps.Config
	return &http.Server{
		Handler:           s.Echo,
		ReadTimeout:       c.ReadTimeout,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// handleHome shows signed-in users their work and everyone else what the
// system is.
func (s *Server) handleHome(c echo.Context) error {
	if actorOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/work")
	}
	return s.render(c, http.StatusOK, "home", nil)
}

// handleOpenAPI serves the API description; tests hold real responses
// against it.
func (s *Server) handleOpenAPI(c echo.Context) error {
	b, err := webfs.FS.ReadFile("openapi.yaml")
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/yaml", b)
}

func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 when every dependency answers, else 503 naming
// what is down, and 503 "draining" once the server is stopping. A read
// replica that is down or lagging makes the answer 200 "degraded" naming
// it: lists and statistics are then read from the primary. Each probe
// gets a short timeout so a hung dependency cannot hang the load
// balancer's check. Anyone may ask, so the answer names what is down but
// never why: the error (addresses, user names, driver messages) goes to
// the log.
func (s *Server) handleReadyz(c echo.Context) error {
	type result struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks,omitempty"`
		Down   []string          `json:"down,omitempty"`
	}
	if s.draining.Load() {
		return c.JSON(http.StatusServiceUnavailable, result{Status: "draining"})
	}
	res := result{Status: "ok", Checks: map[string]string{}}
	degraded := false
	for _, r := range s.deps.Replicas() {
		name := "replica " + r.Name
		if r.State == "ok" {
			res.Checks[name] = "ok"
			continue
		}
		// Its reads have moved to the primary: serving goes on.
		res.Checks[name] = "degraded: " + r.State
		degraded = true
	}
	for _, chk := range s.deps.Ready {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		err := chk.Ping(ctx)
		cancel()
		if err != nil {
			s.log.WarnContext(c.Request().Context(), "readiness check failed", "check", chk.Name, "err", err)
			res.Checks[chk.Name] = "down"
			res.Down = append(res.Down, chk.Name)
			continue
		}
		res.Checks[chk.Name] = "ok"
	}
	if len(res.Down) > 0 {
		res.Status = "unavailable"
		return c.JSON(http.StatusServiceUnavailable, res)
	}
	if degraded {
		res.Status = "degraded"
	}
	return c.JSON(http.StatusOK, res)
}

// ipExtractor decides where the client address comes from: the TCP peer,
// unless trusted reverse proxies are configured, in which case their
// X-Forwarded-For is believed (and only theirs).
func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, cidr := range trusted {
		if _, n, err := net.ParseCIDR(cidr); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
