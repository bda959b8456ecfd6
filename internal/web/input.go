package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/boundary"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// checkInput is the input boundary (docs/security.md, "Input boundary"):
// every query string, form, multipart text field, file name and JSON body
// passes internal/boundary before any handler reads it. What it refuses
// is a 422 naming the fields — problem details for the API, a page in
// the user's language for the web — and nothing has been written.
//
// It runs for the API after the bearer token is read (a multipart upload
// is parsed only for an authenticated caller) and for pages after the
// session is loaded but before the CSRF check, which would parse the
// form and drop pairs that are not properly encoded.
func (s *Server) checkInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		fields, err := s.inputErrors(c)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return s.refuseInput(c, fields)
		}
		return next(c)
	}
}

// inputErrors checks the request's query and body; err is for a body
// that could not be read (too large).
func (s *Server) inputErrors(c echo.Context) ([]domain.FieldError, error) {
	r := c.Request()
	if r.URL.RawQuery != "" {
		q, fields := boundary.ParseValues(r.URL.RawQuery, boundary.Query)
		if fields = append(fields, boundary.CheckValues(q, boundary.Query)...); len(fields) > 0 {
			return fields, nil
		}
	}
	if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil, nil
	}
	ctype, params, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	switch {
	case ctype == echo.MIMEMultipartForm:
		return s.multipartErrors(c, params["boundary"] != "")
	case isAPI(c):
		// The API decodes every other body as JSON, whatever its type.
		body, err := readBody(c)
		if err != nil {
			return nil, err
		}
		return boundary.CheckJSON(body), nil
	case ctype == echo.MIMEApplicationForm:
		body, err := readBody(c)
		if err != nil {
			return nil, err
		}
		vals, fields := boundary.ParseValues(string(body), boundary.Form)
		return append(fields, boundary.CheckValues(vals, boundary.Form)...), nil
	}
	// Pages read nothing else.
	return nil, nil
}

// readBody reads the whole body (the body limit applies) and puts it back
// for the handler.
func readBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var he *echo.HTTPError
		var mbe *http.MaxBytesError
		if errors.As(err, &he) || errors.As(err, &mbe) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, err
	}
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

// multipartErrors parses an upload (within the upload size limit) and
// checks its text fields and file names. An anonymous API caller's body
// is not read: the route answers 401 without it. Pages parse it anyway
// for the CSRF token.
func (s *Server) multipartErrors(c echo.Context, ok bool) ([]domain.FieldError, error) {
	if !ok {
		return []domain.FieldError{{Field: "body", Message: boundary.MsgForm}}, nil
	}
	if isAPI(c) && actorOf(c) == nil {
		return nil, nil
	}
	r := c.Request()
	if s.deps.MaxUploadBytes > 0 {
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.deps.MaxUploadBytes+64<<10)
	}
	if err := r.ParseMultipartForm(multipartMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return []domain.FieldError{{Field: "file", Message: "validation.file_too_large",
				Params: map[string]any{"Max": s.deps.MaxUploadBytes}}}, nil
		}
		return []domain.FieldError{{Field: "body", Message: boundary.MsgForm}}, nil
	}
	form := r.MultipartForm
	// Files spilled to disk are removed when the request ends (the
	// server only cleans up the form of the request it made itself).
	c.Response().After(func() { _ = form.RemoveAll() })
	fields := boundary.CheckValues(url.Values(form.Value), boundary.Form)
	for name, fhs := range form.File {
		if fe := boundary.CheckText(name, name, boundary.Rule{Max: boundary.MaxKey}); fe != nil {
			fields = append(fields, *fe)
			continue
		}
		for _, fh := range fhs {
			if fe := boundary.CheckFileName(name, fh.Filename); fe != nil {
				fields = append(fields, *fe)
				break
			}
		}
	}
	return fields, nil
}

// multipartMemory is how much of an upload is held in memory; the rest
// goes to a temporary file.
const multipartMemory = 1 << 20

// refuseInput answers refused input: EINVALID through the error handler
// for the API; for pages, a page listing the fields and what is wrong
// with each, in the user's language.
func (s *Server) refuseInput(c echo.Context, fields []domain.FieldError) error {
	if isAPI(c) {
		return &domain.Error{Code: domain.EINVALID, Message: "the input was refused at the boundary: see errors", Fields: fields}
	}
	// The page runs before the actor is loaded: load it for the
	// navigation as webActor would, with the same checks (a session that
	// outlived a password change shows no navigation).
	if actorOf(c) == nil {
		if a, err := s.sessionActor(ctxOf(c)); err == nil && a != nil {
			setActor(c, a)
		}
	}
	type item struct{ Field, Label, Text string }
	page := struct {
		Status int
		Errors []item
		Back   string
	}{Status: http.StatusUnprocessableEntity, Back: "/"}
	lang := langOf(c)
	for _, f := range fields {
		page.Errors = append(page.Errors, item{Field: f.Field, Label: s.fieldLabel(lang, f.Field), Text: s.tmpl.tr.T(lang, f.Message, f.Params)})
	}
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host && ref.Path != "" {
		page.Back = safeNext(ref.Path, "/")
	}
	return s.render(c, http.StatusUnprocessableEntity, "input_refused", page)
}

// Headers that end up in the audit log are client input too: the request
// id a client may send (X-Request-ID, which the request id middleware
// adopts) must be a short token, else it is replaced; the user agent is
// cut to valid, printable text.
const (
	maxRequestID = 128
	maxUserAgent = 512
)

// requestID returns the request's id, replacing (in the response header
// too) one sent by the client that is not 1 to 128 printable ASCII
// characters without spaces.
func requestID(c echo.Context) string {
	id := c.Response().Header().Get(echo.HeaderXRequestID)
	ok := id != "" && len(id) <= maxRequestID
	for i := 0; ok && i < len(id); i++ {
		ok = id[i] > ' ' && id[i] < 0x7f
	}
	if ok {
		return id
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id = hex.EncodeToString(b)
	c.Response().Header().Set(echo.HeaderXRequestID, id)
	return id
}

// headerText is a header value as text: invalid UTF-8 and control
// characters dropped, at most max bytes.
func headerText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || boundary.Refused(r) || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	for len(s) > max {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// fieldLabel is the words for a refused field's name (the catalog's
// field.<name>, for the last part of a path such as parties[0].name), or
// "" when the catalog has none and the page shows the name itself.
func (s *Server) fieldLabel(lang, field string) string {
	name := field
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	id := "field." + name
	if label := s.tmpl.tr.T(lang, id, nil); label != id {
		return label
	}
	return ""
}
