package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// Templates holds one parsed template set per page: the layout plus the
// page, parsed once at start.
type Templates struct {
	pages map[string]*template.Template
	tr    *Translator
}

// NewTemplates parses layout.html and every pages/*.html of fsys.
func NewTemplates(fsys fs.FS, tr *Translator) (*Templates, error) {
	base, err := template.New("base").Funcs(template.FuncMap{}).ParseFS(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages, err := fs.Glob(fsys, "pages/*.html")
	if err != nil {
		return nil, err
	}
	t := &Templates{pages: map[string]*template.Template{}, tr: tr}
	for _, p := range pages {
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := clone.ParseFS(fsys, p); err != nil {
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
	Data      any
	tr        *Translator
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
		Data:      data,
		tr:        s.tmpl.tr,
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
		return normalizeLang(ck.Value)
	}
	return Languages[0]
}

// handleLangSwitch stores the chosen language in a cookie and returns to
// the page the user came from (only paths of this site, never elsewhere).
func (s *Server) handleLangSwitch(c echo.Context) error {
	lang := normalizeLang(c.QueryParam("to"))
	c.SetCookie(&http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https",
	})
	return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
}

// safeNext accepts only a local absolute path, so the language switch and
// later the login form cannot be used as an open redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
