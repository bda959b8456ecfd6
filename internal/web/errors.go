package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// statusOf is the single mapping from domain error codes to HTTP statuses.
var statusOf = map[string]int{
	domain.EINVALID:      http.StatusUnprocessableEntity,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.ETOOMANY:      http.StatusTooManyRequests,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.EINTERNAL:     http.StatusInternalServerError,
}

// errPage is what the error page shows: what happened (Title, Text), the
// service's words about this case of it (Hint) and the way back (Back).
type errPage struct {
	Status                  int
	Title, Text, Hint, Back string
}

// Problem is an RFC 9457 problem details document with ipmediate's stable
// code, field errors and, for illegal transitions, the allowed actions.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Message says the same in the reader's language (the lang cookie),
	// for a client that shows it to a person.
	Message   string              `json:"message,omitempty"`
	Code      string              `json:"code"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
	Allowed   []string            `json:"allowed_actions,omitempty"`
}

// classify turns any error into a code, a status and a user-safe detail.
// Echo's own errors (404 for unknown routes, 405, 413 from the body
// limit) keep their status.
func classify(err error) (code string, status int, detail string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		switch status {
		case http.StatusNotFound:
			code = domain.ENOTFOUND
		case http.StatusUnauthorized:
			code = domain.EUNAUTHORIZED
		case http.StatusForbidden:
			code = domain.EFORBIDDEN
		case http.StatusTooManyRequests:
			code = domain.ETOOMANY
		case http.StatusServiceUnavailable:
			code = domain.EUNAVAILABLE
		default:
			if status >= 500 {
				code = domain.EINTERNAL
			} else {
				code = domain.EINVALID
			}
		}
		if status < 500 {
			if m, ok := he.Message.(string); ok {
				detail = m
			} else {
				detail = http.StatusText(status)
			}
		}
		return code, status, detail
	}
	code = domain.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return code, status, domain.ErrorMessage(err)
}

// handleError is echo's error handler: problem details for the API, an
// error page for the web. Internal errors are logged whole and shown as a
// generic message.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, status, detail := classify(err)
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "err", err, "path", c.Path(), "request_id", reqID)
	}
	if isAPI(c) {
		p := Problem{
			Type: "https://ipmediate.example/problems/" + code, Title: http.StatusText(status),
			Status: status, Detail: detail, Code: code, Instance: c.Request().URL.Path, RequestID: reqID,
		}
		lang := langOf(c)
		p.Message = s.tmpl.tr.T(lang, "error."+errorKey(code, status)+".title", nil)
		if words := s.errorWords(lang, err); words != "" && status < 500 {
			p.Message += "：" + words
			if lang == "en" {
				p.Message = strings.Replace(p.Message, "：", ": ", 1)
			}
		}
		var de *domain.Error
		if errors.As(err, &de) {
			p.Errors, p.Allowed = de.Fields, de.Allowed
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, p)
		return
	}
	lang := langOf(c)
	key := errorKey(code, status)
	page := errPage{Status: status,
		Title: s.tmpl.tr.T(lang, "error."+key+".title", nil),
		Text:  s.tmpl.tr.T(lang, "error."+key+".text", nil)}
	if status < 500 {
		page.Hint = s.errorWords(lang, err)
	}
	// Keep the reader's place: back to the page they came from on this site.
	if ref, perr := url.Parse(c.Request().Referer()); perr == nil && ref.Host == c.Request().Host && ref.Path != c.Request().URL.Path {
		back := ref.Path
		if ref.RawQuery != "" {
			back += "?" + ref.RawQuery
		}
		page.Back = safeNext(back, "")
	}
	if rerr := s.render(c, status, "error", page); rerr != nil {
		s.log.ErrorContext(c.Request().Context(), "render error page", "err", rerr)
		_ = c.String(status, http.StatusText(status))
	}
}

// isAPI reports whether the request is for the JSON API (or a machine
// endpoint) rather than a page.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" || p == "/metrics"
}

// isPage reports whether the request is for a web page (not the API, a
// machine endpoint or a static asset): only pages carry sessions.
func isPage(c echo.Context) bool {
	return !isAPI(c) && !strings.HasPrefix(c.Request().URL.Path, "/static/")
}
