package boundary

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// CheckJSON scans a JSON body before it is decoded and returns the field
// errors of what the boundary refuses, in document order (at most
// MaxErrors), naming each field by its path: "summary",
// "parties[1].name", "fields.goods". It checks every member name and
// every string (also those escaped as \u0000), the length of every list,
// the nesting depth, duplicate member names and the length of number
// literals. A syntax error ends the scan with an error naming the field
// where it was found ("body" at the top). An empty body passes: whether
// one is needed is the decoder's business.
//
// A body that passes is valid JSON whose strings are valid UTF-8 without
// refused control characters, within their fields' limits.
func CheckJSON(body []byte) []domain.FieldError {
	s := &scanner{b: body}
	s.ws()
	if s.i == len(s.b) {
		return nil
	}
	if s.value("", 0) {
		s.ws()
		if s.i < len(s.b) {
			s.syntax("")
		}
	}
	return s.errs
}

type scanner struct {
	b    []byte
	i    int
	errs errs
}

// syntax records a syntax error at path and stops the scan.
func (s *scanner) syntax(path string) bool {
	if path == "" {
		path = "body"
	}
	if len(s.errs) >= MaxErrors {
		s.errs = s.errs[:MaxErrors-1]
	}
	s.errs.add(&domain.FieldError{Field: path, Message: MsgJSON})
	return false
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans one JSON value at path; false after a syntax error.
func (s *scanner) value(path string, depth int) bool {
	s.ws()
	if s.i >= len(s.b) {
		return s.syntax(path)
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(path, depth+1)
	case c == '[':
		return s.array(path, depth+1)
	case c == '"':
		var t textState
		if !s.str(&t, nil) {
			return s.syntax(path)
		}
		s.errs.add(t.verdict(field(path), Lookup(path)))
		return true
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number(path)
	case c == 't':
		return s.literal(path, "true")
	case c == 'f':
		return s.literal(path, "false")
	case c == 'n':
		return s.literal(path, "null")
	}
	return s.syntax(path)
}

func field(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

func (s *scanner) literal(path, lit string) bool {
	if !strings.HasPrefix(string(s.b[s.i:min(len(s.b), s.i+len(lit))]), lit) {
		return s.syntax(path)
	}
	s.i += len(lit)
	return true
}

func (s *scanner) object(path string, depth int) bool {
	if depth > MaxDepth {
		s.errs.add(&domain.FieldError{Field: field(path), Message: MsgDepth, Params: map[string]any{"Max": MaxDepth}})
		return false
	}
	s.i++ // {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	seen := map[string]bool{}
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.syntax(path)
		}
		var t textState
		var key strings.Builder
		if !s.str(&t, &key) {
			return s.syntax(path)
		}
		name := key.String()
		child := join(path, name, t)
		switch fe := t.verdict(child, Rule{Max: MaxKey}); {
		case fe != nil:
			s.errs.add(fe)
		case seen[strings.ToLower(name)]:
			// encoding/json would keep the last of two members whose
			// names differ only in case, silently.
			s.errs.add(&domain.FieldError{Field: child, Message: MsgDuplicate})
		}
		seen[strings.ToLower(name)] = true
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.syntax(child)
		}
		s.i++
		if !s.value(child, depth) {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.syntax(path)
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return s.syntax(path)
		}
	}
}

// join appends a member name to a path. A name that is not printable
// text (it carries the error itself) is quoted, so the path stays safe
// to show.
func join(path, name string, t textState) string {
	if name == "" || t.badUTF8 || t.control || t.newline || t.runes > MaxKey {
		name = strconv.QuoteToASCII(truncate(name, 40))
	}
	if path == "" {
		return name
	}
	return path + "." + name
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func (s *scanner) array(path string, depth int) bool {
	if depth > MaxDepth {
		s.errs.add(&domain.FieldError{Field: field(path), Message: MsgDepth, Params: map[string]any{"Max": MaxDepth}})
		return false
	}
	s.i++ // [
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	max := ListMax(path)
	for n := 0; ; n++ {
		if n == max {
			s.errs.add(&domain.FieldError{Field: field(path), Message: MsgTooMany, Params: map[string]any{"Max": max}})
		}
		// Elements beyond the limit are only scanned for syntax: their
		// own faults would drown the one that matters.
		elem := path + "[" + strconv.Itoa(n) + "]"
		if n >= max {
			mark := len(s.errs)
			if !s.value(elem, depth) {
				return false
			}
			s.errs = s.errs[:mark]
		} else if !s.value(elem, depth) {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.syntax(path)
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return s.syntax(path)
		}
	}
}

// number scans a number literal by the JSON grammar.
func (s *scanner) number(path string) bool {
	start := s.i
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		return s.syntax(path)
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return s.syntax(path)
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return s.syntax(path)
		}
	}
	if s.i-start > MaxNumber {
		s.errs.add(&domain.FieldError{Field: field(path), Message: MsgNumber})
	}
	return true
}

// str scans a string literal from its opening quote, recording into t
// what it holds (after unescaping) and, when out is not nil, writing the
// text to it. False when the literal is malformed.
func (s *scanner) str(t *textState, out *strings.Builder) bool {
	s.i++ // "
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return false
			}
			e := s.b[s.i+1]
			s.i += 2
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				u, ok := s.hex4()
				if !ok {
					return false
				}
				r = u
				if utf16.IsSurrogate(r) {
					// A high surrogate must be followed by an escaped
					// low one; anything else is not text.
					r = utf8.RuneError
					if u < 0xdc00 && s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
						save := s.i
						s.i += 2
						lo, ok := s.hex4()
						if !ok {
							return false
						}
						if d := utf16.DecodeRune(u, lo); d != utf8.RuneError {
							r = d
						} else {
							s.i = save
						}
					}
					if r == utf8.RuneError {
						t.badUTF8 = true
						continue
					}
				}
			default:
				return false
			}
			t.add(r)
			if out != nil {
				out.WriteRune(r)
			}
		case c < 0x20:
			// Raw control characters are not even JSON; name the field
			// rather than the whole body.
			t.control = true
			t.runes++
			s.i++
		case c < utf8.RuneSelf:
			t.add(rune(c))
			if out != nil {
				out.WriteByte(c)
			}
			s.i++
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				t.badUTF8 = true
				if out != nil {
					out.WriteByte(c)
				}
				s.i++
				continue
			}
			t.add(r)
			if out != nil {
				out.WriteString(string(s.b[s.i : s.i+size]))
			}
			s.i += size
		}
	}
	return false
}

func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(n), true
}
