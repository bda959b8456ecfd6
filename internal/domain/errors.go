// Package domain holds ipmediate's entities, value objects, state machines and
// error codes. It imports nothing of the project and no framework, so every
// other package can depend on it.
package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Error codes. Each maps to exactly one HTTP status in the web layer; nothing
// else in the code base decides statuses.
const (
	// EINVALID: the input is malformed or breaks a rule; Fields names what.
	EINVALID = "invalid"
	// ENOTFOUND: the object does not exist or is outside the actor's scope.
	ENOTFOUND = "not_found"
	// ECONFLICT: the object changed meanwhile, or the action is not allowed
	// in its current state.
	ECONFLICT = "conflict"
	// EUNAUTHORIZED: the actor is not authenticated.
	EUNAUTHORIZED = "unauthorized"
	// EFORBIDDEN: the actor is authenticated but lacks the permission.
	EFORBIDDEN = "forbidden"
	// ETOOMANY: the actor is throttled.
	ETOOMANY = "too_many_requests"
	// EUNAVAILABLE: a dependency (database, Redis) cannot be reached.
	EUNAVAILABLE = "unavailable"
	// EINTERNAL: anything unexpected; the user sees a generic message.
	EINTERNAL = "internal"
)

// FieldError names one invalid input field and why it is invalid. Message is
// an i18n message id (for example "validation.required") so that the web
// layer can render it in the user's language; Params fill its placeholders.
type FieldError struct {
	Field   string         `json:"field"`
	Message string         `json:"message"`
	Params  map[string]any `json:"params,omitempty"`
}

// Error is the one error type that crosses package boundaries. Code decides
// the HTTP status; Message is safe to show to users; Fields lists field
// errors for EINVALID; Allowed lists the actions allowed now for an illegal
// state transition; Err keeps the cause for logs. ID names Message in
// the message catalogs when a page should show it in the reader's
// language.
type Error struct {
	Code    string
	Message string
	// ID, when set, is the i18n message id of Message, so that a page can
	// say it in the reader's language (Message stays the API's English).
	ID      string
	Fields  []FieldError
	Allowed []string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error listing the given field errors.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: "invalid input", Fields: fields}
}

// NotFound returns an ENOTFOUND error for the named kind of object.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found"}
}

// InvalidFields lists, sorted, the fields an EINVALID error names; nil
// for any other error.
func InvalidFields(err error) []string {
	var de *Error
	if !errors.As(err, &de) || de.Code != EINVALID {
		return nil
	}
	out := make([]string, len(de.Fields))
	for i, f := range de.Fields {
		out[i] = f.Field
	}
	slices.Sort(out)
	return out
}

// ErrorCode returns the code of err: the code of the first *Error in its
// chain, or EINTERNAL for any other non-nil error, or "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err; unexpected errors give
// a generic message so that internals never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Fields collects field errors; Err returns nil when none were added.
type Fields []FieldError

// Text trims s and checks that it is present when required and at most
// max characters long, recording the field's error; it returns the trimmed
// text. Every free-text input of every service goes through it.
func (f *Fields) Text(field, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		f.Add(field, "validation.required")
	case utf8.RuneCountInString(s) > max:
		f.Add(field, "validation.too_long", "Max", max)
	}
	return s
}

// Add records that field is invalid with an i18n message id.
func (f *Fields) Add(field, message string, params ...any) {
	fe := FieldError{Field: field, Message: message}
	if len(params) > 0 {
		fe.Params = map[string]any{}
		for i := 0; i+1 < len(params); i += 2 {
			fe.Params[fmt.Sprint(params[i])] = params[i+1]
		}
	}
	*f = append(*f, fe)
}

// Err returns an EINVALID *Error when fields were added, else nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f...)
}

// Message ids of the conflicts every capability answers the same way.
const (
	// MsgStale: the object changed since the page was loaded.
	MsgStale = "conflict.stale"
	// MsgNotNow: the action is not allowed in the object's state.
	MsgNotNow = "conflict.not_now"
)
