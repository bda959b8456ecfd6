package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/idempotency"
)

// onceField is the hidden field of every form (the "csrf" partial) that
// carries the page's one-time submission token.
const onceField = "_once"

// newOnceToken is a fresh one-time token for a rendered page.
func newOnceToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// once makes a form submission idempotent: the first POST with a page's
// token does the work; a repeat to the same address (a double click, the
// form sent again) gets the first one's redirect, after waiting for it
// while it runs, and never files a second case or trips over the version
// the first one moved. A submission that did not succeed (invalid input,
// a conflict) releases the token: the corrected form may be sent again.
func (s *Server) once(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a := actorOf(c)
		token := c.FormValue(onceField)
		if a == nil || c.Request().Method != http.MethodPost || token == "" {
			return next(c)
		}
		if len(token) < 16 || len(token) > 200 {
			return domain.Invalid(domain.FieldError{Field: onceField, Message: "validation.invalid"})
		}
		ctx := c.Request().Context()
		scope := http.MethodPost + " " + c.Request().URL.Path
		first, err := s.deps.Once.Claim(ctx, a.UserID, scope, token)
		if errors.Is(err, idempotency.ErrInFlight) {
			e := domain.Errorf(domain.ECONFLICT, "this form was already sent and is still being processed")
			e.ID = "conflict.in_flight"
			return e
		}
		if err != nil {
			return err
		}
		if first != nil {
			// Say so: someone who came back to an old page to send a new
			// record learns it was not taken, and reloads the form.
			s.flash(c, "info", "form.repeated")
			return c.Redirect(http.StatusSeeOther, first.Location)
		}
		herr := next(c)
		// The answer is recorded even when the client has gone away.
		bg := context.WithoutCancel(ctx)
		res := c.Response()
		if loc := res.Header().Get(echo.HeaderLocation); herr == nil && res.Status == http.StatusSeeOther && loc != "" {
			if err := s.deps.Once.Finish(bg, a.UserID, scope, token, idempotency.Answer{Status: res.Status, Location: loc}); err != nil {
				s.log.ErrorContext(ctx, "record form submission", "err", err)
			}
			return nil
		}
		if err := s.deps.Once.Release(bg, a.UserID, scope, token); err != nil {
			s.log.ErrorContext(ctx, "release form submission", "err", err)
		}
		return herr
	}
}

// idempotencyHeader names the API's idempotency key (the IETF draft
// "The Idempotency-Key HTTP Header Field").
const idempotencyHeader = "Idempotency-Key"

// apiOnce gives a POST to the API with an Idempotency-Key the meaning the
// forms' token has: the first request does the work; a repeat with the
// same key to the same address gets the first answer (its status and
// body, marked Idempotent-Replayed), never a second record. An answer
// that is not a success is not kept: the request may be corrected and
// sent again with the same key.
func (s *Server) apiOnce(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a := actorOf(c)
		key := c.Request().Header.Get(idempotencyHeader)
		if a == nil || c.Request().Method != http.MethodPost || key == "" {
			return next(c)
		}
		if len(key) < 16 || len(key) > 200 {
			return domain.Invalid(domain.FieldError{Field: idempotencyHeader, Message: "validation.idempotency_key"})
		}
		ctx := c.Request().Context()
		scope := "API " + c.Request().URL.Path
		first, err := s.deps.Once.Claim(ctx, a.UserID, scope, key)
		if errors.Is(err, idempotency.ErrInFlight) {
			e := domain.Errorf(domain.ECONFLICT, "a request with this Idempotency-Key is still being processed")
			e.ID = "conflict.in_flight"
			return e
		}
		if err != nil {
			return err
		}
		if first != nil {
			c.Response().Header().Set("Idempotent-Replayed", "true")
			if first.Location != "" {
				c.Response().Header().Set(echo.HeaderLocation, first.Location)
			}
			return c.Blob(first.Status, echo.MIMEApplicationJSON, first.Body)
		}
		res := c.Response()
		tee := &teeWriter{ResponseWriter: res.Writer}
		res.Writer = tee
		herr := next(c)
		res.Writer = tee.ResponseWriter
		bg := context.WithoutCancel(ctx)
		if herr == nil && res.Status >= 200 && res.Status < 300 && !tee.over {
			if err := s.deps.Once.Finish(bg, a.UserID, scope, key, idempotency.Answer{Status: res.Status,
				Location: res.Header().Get(echo.HeaderLocation), Body: tee.body}); err != nil {
				s.log.ErrorContext(ctx, "record API submission", "err", err)
			}
			return nil
		}
		if err := s.deps.Once.Release(bg, a.UserID, scope, key); err != nil {
			s.log.ErrorContext(ctx, "release API submission", "err", err)
		}
		return herr
	}
}

// maxReplay caps the body kept for a replay; a larger answer is not kept
// (the key is released) rather than replayed in part.
const maxReplay = 1 << 20

// teeWriter keeps a copy of what a handler writes.
type teeWriter struct {
	http.ResponseWriter
	body []byte
	over bool
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if !w.over {
		if len(w.body)+len(b) > maxReplay {
			w.over, w.body = true, nil
		} else {
			w.body = append(w.body, b...)
		}
	}
	return w.ResponseWriter.Write(b)
}
