package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/i18n"
)

// Templates holds one parsed template set per page: the layout plus the
// page, parsed once at start.
type Templates struct {
	pages map[string]*template.Template
	tr    *i18n.Translator
}

// NewTemplates parses layout.html and every pages/*.html of fsys.
func NewTemplates(fsys fs.FS, tr *i18n.Translator) (*Templates, error) {
	base, err := template.New("base").Funcs(funcs).Funcs(caseFuncs).ParseFS(fsys, "layout.html", "partials.html", "print_layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages, err := fs.Glob(fsys, "pages/*.html")
	// Partials shared by several pages are parsed into every page.
	shared := []string{"pages/case_actions.html"}
	if err != nil {
		return nil, err
	}
	t := &Templates{pages: map[string]*template.Template{}, tr: tr}
	for _, p := range pages {
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if p == shared[0] {
			continue
		}
		if _, err := clone.ParseFS(fsys, append([]string{p}, shared...)...); err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		t.pages[strings.TrimSuffix(path.Base(p), ".html")] = clone
	}
	return t, nil
}

// Page is what every template receives: the request's language, a
// translation method and the page's own data.
type Page struct {
	Lang      string
	Path      string
	RequestID string
	CSRF      string
	// Once is the page's one-time submission token (once.go).
	Once  string
	Actor *domain.Actor
	Flash *Flash
	Data  any
	tr    *i18n.Translator
	authz Authz

	// Unread is the signed-in user's unread notification count, up to
	// notify.UnreadCap, for the badge in the navigation.
	Unread int

	// now is the application's clock when the page was rendered (ahead
	// of the wall clock in a demo with time travel). TimeTravel says the
	// demo clock can be moved (a link for the administrator), Travelled
	// that it has been (a banner for everyone).
	now time.Time
	// cal is the working-day calendar the deadline service computes with,
	// for countdowns in working days.
	cal        *calendar.Calendar
	TimeTravel bool
	Travelled  bool
	// Reports: the user writes an annual work report or reviews them
	// (the navigation's 年度报告); holding report:submit in an
	// organisation that owes no report is not enough.
	Reports bool
}

// Flash is a one-time message from the previous request.
type Flash struct {
	Kind string // ok or bad
	Msg  string // message id
}

// Can reports whether the signed-in user holds a system permission
// (sysadmin pages in the navigation).
func (p *Page) CanSystem(resource, action string) bool {
	return p.Actor != nil && p.authz != nil && p.authz.CanSystem(p.Actor.UserID, resource, action)
}

// CanAny reports whether the signed-in user holds resource:action in any
// of their organisations (links in the navigation).
func (p *Page) CanAny(resource, action string) bool {
	if p.Actor == nil || p.authz == nil {
		return false
	}
	for _, m := range p.Actor.Memberships {
		if p.authz.Can(p.Actor.UserID, m.OrgID, resource, action) {
			return true
		}
	}
	return false
}

// FieldError returns the translated error for a form field, if any. Data
// must implement fieldErrors (forms do).
func (p *Page) FieldError(field string) string {
	fe, ok := p.Data.(interface{ FieldErrors() []domain.FieldError })
	if !ok {
		return ""
	}
	for _, e := range fe.FieldErrors() {
		if e.Field == field {
			return p.tr.T(p.Lang, e.Message, e.Params)
		}
	}
	return ""
}

// T translates a message id into the page's language. Extra arguments are
// key/value pairs for placeholders.
func (p *Page) T(id string, kv ...any) string {
	var params map[string]any
	if len(kv) > 1 {
		params = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			params[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return p.tr.T(p.Lang, id, params)
}

// Paren puts s in brackets as the page's language writes them: full-width
// （…） in Chinese, " (…)" in English.
func (p *Page) Paren(s string) string {
	if s == "" {
		return ""
	}
	if strings.HasPrefix(p.Lang, "zh") {
		return "（" + s + "）"
	}
	return " (" + s + ")"
}

// Now is the application's current time (its clock, see Server.now), for
// overdue marks and similar business comparisons. A Page not made by
// render has none and reads the production clock.
func (p *Page) Now() time.Time {
	if p.now.IsZero() {
		return clock.Wall()
	}
	return p.now
}

// funcs are the template helpers; everything language-dependent goes
// through Page.T instead.
var funcs = template.FuncMap{
	"orgTypes":   func() []domain.OrgType { return domain.OrgTypes },
	"maskMobile": domain.MaskMobile,
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	// fmtTime shows a time in Beijing time, minutes precision.
	"fmtTime": func(v any) string {
		switch t := v.(type) {
		case time.Time:
			return t.In(beijing).Format("2006-01-02 15:04")
		case *time.Time:
			if t == nil {
				return ""
			}
			return t.In(beijing).Format("2006-01-02 15:04")
		}
		return ""
	},
	"json": func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	},
}

// Who is who acted, as a timeline shows it: the name stored with the
// event, or the system in words for work done by no one (the scheduler,
// a rule; stored as "system" or left empty).
func (p *Page) Who(name string) string {
	if name == "" || name == "system" {
		return p.T("audit.system")
	}
	return name
}

// OtherLang is the language the switch offers.
func (p *Page) OtherLang() string {
	if p.Lang == "en" {
		return "zh-CN"
	}
	return "en"
}

// render writes page name with data and status. Rendering into a buffer
// first means a template error becomes a clean 500, not half a page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	tmpl, ok := s.tmpl.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p := &Page{
		Lang:      langOf(c),
		Path:      c.Request().URL.RequestURI(),
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		Actor:     actorOf(c),
		Data:      data,
		tr:        s.tmpl.tr,
		authz:     s.deps.Authz,
		now:       s.now(),
	}
	if strings.HasPrefix(c.Request().URL.Path, "/p/") {
		// A party's pages are drawn for the party: a staff session in the
		// same browser does not put its name and navigation on them.
		p.Actor = nil
	}
	p.cal = s.deps.Deadlines.Calendar()
	p.TimeTravel = s.deps.Clock.Travel()
	p.Travelled = p.TimeTravel && s.deps.Clock.Offset() > 0
	p.Reports = p.Actor != nil && (s.deps.Reports.Reviewer(p.Actor) || len(s.deps.Reports.Units(p.Actor)) > 0)
	if tok, ok := c.Get("csrf").(string); ok {
		p.CSRF = tok
	}
	if p.Actor != nil {
		p.Once = newOnceToken()
	}
	p.Flash = s.popFlash(c)
	if p.Actor != nil && isPage(c) {
		n, err := s.deps.Notify.UnreadCount(c.Request().Context())
		if err != nil {
			s.log.WarnContext(c.Request().Context(), "unread count", "err", err)
		}
		p.Unread = n
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Response().Header().Set("Content-Language", p.Lang)
	return c.HTMLBlob(status, buf.Bytes())
}

const langCookie = "lang"

// langOf picks the UI language: the lang cookie, else Chinese. The
// browser's Accept-Language is deliberately ignored: the system's users
// expect Chinese unless they switch.
func langOf(c echo.Context) string {
	if ck, err := c.Cookie(langCookie); err == nil {
		return i18n.NormalizeLang(ck.Value)
	}
	return i18n.Languages[0]
}

// handleLangSwitch stores the chosen language in a cookie and returns to
// the page the user came from (only paths of this site, never elsewhere).
func (s *Server) handleLangSwitch(c echo.Context) error {
	lang := i18n.NormalizeLang(c.QueryParam("to"))
	c.SetCookie(&http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https",
	})
	return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next"), "/"))
}

// popFlash takes the one-time message from the session. An error page
// rendered before the session middleware ran has no session: no flash.
func (s *Server) popFlash(c echo.Context) (f *Flash) {
	if !isPage(c) {
		return nil
	}
	defer func() {
		if recover() != nil {
			f = nil
		}
	}()
	if v := s.deps.Sessions.PopString(ctxOf(c), "flash"); v != "" {
		kind, msg, _ := strings.Cut(v, "|")
		return &Flash{Kind: kind, Msg: msg}
	}
	return nil
}

// ListNames names the values of a list filter (comma-separated) in the
// page's language: each is the text of prefix+value, joined.
func (p *Page) ListNames(prefix, list string) string {
	var out []string
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, p.T(prefix+v))
		}
	}
	return strings.Join(out, p.T("list.sep"))
}
