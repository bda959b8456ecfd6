package boundary

import (
	"unicode/utf8"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Message ids of the boundary's field errors (web/i18n/input.*.yaml).
const (
	MsgUTF8       = "validation.utf8"         // not valid UTF-8 (or a lone surrogate escape)
	MsgControl    = "validation.control_char" // NUL or another control character
	MsgSingleLine = "validation.single_line"  // a line break in a single-line field
	MsgTooLong    = "validation.too_long"     // Max characters
	MsgTooMany    = "validation.too_many"     // Max entries
	MsgJSON       = "validation.json"         // not JSON
	MsgJSONType   = "validation.json_type"    // Expected: string, integer, number, boolean, object, array
	MsgDuplicate  = "validation.json_duplicate"
	MsgUnknown    = "validation.json_unknown"
	MsgDepth      = "validation.json_depth"
	MsgNumber     = "validation.number"
	MsgForm       = "validation.form_encoding" // a form or query pair that is not URL-encoded properly
)

// Refused reports whether r may never appear in any text: the C0 control
// characters but tab, line feed and carriage return; DEL; the C1 control
// characters. U+0000 is among them.
func Refused(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20:
		return true
	case r >= 0x7f && r <= 0x9f:
		return true
	}
	return false
}

// textState accumulates what was seen in one string.
type textState struct {
	runes   int
	badUTF8 bool
	control bool
	newline bool
}

func (t *textState) add(r rune) {
	t.runes++
	switch {
	case r == '\n' || r == '\r':
		t.newline = true
	case Refused(r):
		t.control = true
	}
}

// verdict turns what was seen into the field error for field under rule,
// or nil. The most basic fault wins: encoding, then control characters,
// then line breaks, then length.
func (t *textState) verdict(field string, rule Rule) *domain.FieldError {
	switch {
	case t.badUTF8:
		return &domain.FieldError{Field: field, Message: MsgUTF8}
	case t.control:
		return &domain.FieldError{Field: field, Message: MsgControl}
	case t.newline && !rule.MultiLine:
		return &domain.FieldError{Field: field, Message: MsgSingleLine}
	case t.runes > rule.Max:
		return &domain.FieldError{Field: field, Message: MsgTooLong, Params: map[string]any{"Max": rule.Max}}
	}
	return nil
}

// CheckText checks one value of the field named field under rule: valid
// UTF-8, no refused control character, no line break unless the rule is
// multi-line, at most rule.Max characters. It returns nil when s passes.
func CheckText(field, s string, rule Rule) *domain.FieldError {
	var t textState
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			t.badUTF8 = true
			break
		}
		t.add(r)
		i += size
	}
	return t.verdict(field, rule)
}

// errs collects field errors up to MaxErrors.
type errs []domain.FieldError

func (e *errs) add(fe *domain.FieldError) {
	if fe != nil && len(*e) < MaxErrors {
		*e = append(*e, *fe)
	}
}

func (e *errs) full() bool { return len(*e) >= MaxErrors }
