package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

const (
	csrfCookie    = "ipm_csrf"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
	csrfTokenLen  = 32 // random bytes
	csrfCookieAge = 24 * time.Hour
)

// csrfProtect guards every state-changing page request (any method but
// GET, HEAD, OPTIONS and TRACE) three ways, all of which must pass:
//
//   - Sec-Fetch-Site, when the browser sends it, must be "same-origin" or
//     "none" (typed by the user); "same-site" and "cross-site" are refused.
//   - Origin, when present, must be this site's own origin (ownOrigin);
//     "null" (a sandboxed or privacy-stripped origin) is refused.
//   - The CSRF token is always required: the form field _csrf or the
//     header X-CSRF-Token must equal the ipm_csrf cookie (HttpOnly,
//     SameSite=Strict). A browser that sends the fetch-metadata headers
//     gets no exemption from the token.
//
// Every page request gets the token (in the cookie, and as "csrf" in the
// context for the forms). A refused request gets a 403 page in the user's
// language. The API is not guarded here: it authenticates by bearer token
// only, which a browser never sends on its own. The queue monitor's UI
// cannot send the token; requireQueueAdmin checks its origin instead.
func (s *Server) csrfProtect(next echo.HandlerFunc) echo.HandlerFunc {
	secure := strings.HasPrefix(s.deps.Config.BaseURL, "https://")
	base := ""
	if u, err := url.Parse(s.deps.Config.BaseURL); err == nil {
		base = originOf(u.Scheme + "://" + u.Host) // base_url may carry a path
	}
	return func(c echo.Context) error {
		if !isPage(c) || isQueueMonitor(c) {
			return next(c)
		}
		r := c.Request()
		token := ""
		if ck, err := c.Cookie(csrfCookie); err == nil && validCSRFToken(ck.Value) {
			token = ck.Value
		}
		if !safeMethod(r.Method) {
			if reason := s.csrfRefusal(c, base, token); reason != "" {
				s.log.WarnContext(r.Context(), "state-changing request refused", "reason", reason,
					"path", logPath(r.URL.Path), "origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
				e := domain.Errorf(domain.EFORBIDDEN, "%s", s.tmpl.tr.T("en", "error.csrf.text", nil))
				e.ID = "error.csrf.text"
				return e
			}
		}
		if token == "" {
			token = newCSRFToken()
		}
		c.SetCookie(&http.Cookie{
			Name: csrfCookie, Value: token, Path: "/", Expires: time.Now().Add(csrfCookieAge),
			HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode,
		})
		c.Set("csrf", token)
		c.Response().Header().Add(echo.HeaderVary, echo.HeaderCookie)
		return next(c)
	}
}

// csrfRefusal returns why a state-changing request is refused, "" when it
// may go on.
func (s *Server) csrfRefusal(c echo.Context, base, token string) string {
	r := c.Request()
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return "sec-fetch-site " + site
	}
	if origin, ok := r.Header["Origin"]; ok && (len(origin) != 1 || !ownOrigin(origin[0], base, r)) {
		return "foreign origin"
	}
	if token == "" {
		return "no csrf cookie"
	}
	sent := r.Header.Get(csrfHeader)
	if sent == "" {
		sent = c.FormValue(csrfField)
	}
	if sent == "" {
		return "no csrf token"
	}
	if subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
		return "wrong csrf token"
	}
	return ""
}

// ownOrigin reports whether origin is this site: the origin of
// http.base_url, or the host the request was sent to (its Host header)
// under base_url's scheme, for a server reached under more than one name
// (127.0.0.1 and localhost, or a random test port). A page elsewhere
// cannot pass: the browser sets Origin to the page's own origin and Host
// to the host it sends the request (and the session cookie) to.
func ownOrigin(origin, base string, r *http.Request) bool {
	o := originOf(origin)
	if o == "" {
		return false
	}
	if o == base {
		return true
	}
	scheme := "http"
	if b, err := url.Parse(base); err == nil && b.Scheme != "" {
		scheme = b.Scheme
	} else if r.TLS != nil {
		scheme = "https"
	}
	return r.Host != "" && o == originOf(scheme+"://"+r.Host)
}

// originOf normalises a URL to its origin, scheme://host[:port] in lower
// case without a default port; "" when it is not an http(s) URL with a
// host and nothing else (a path, a query, user info).
func originOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host := strings.ToLower(u.Host)
	if h, port, err := net.SplitHostPort(host); err == nil &&
		((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	return scheme + "://" + host
}

func newCSRFToken() string {
	b := make([]byte, csrfTokenLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validCSRFToken accepts a cookie value only if it has the shape of a
// token this server makes; anything else is replaced by a fresh token.
func validCSRFToken(v string) bool {
	if len(v) != base64.RawURLEncoding.EncodedLen(csrfTokenLen) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil
}
