package boundary

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Source says where values come from: a query string is single-line and
// shorter than a form.
type Source int

const (
	// Form is a form body (URL-encoded or multipart).
	Form Source = iota
	// Query is the query string of a URL.
	Query
)

// ParseValues parses a URL-encoded query string or form body as
// url.ParseQuery does, but a pair that is not properly encoded is a field
// error naming its field (or "body"/"query" when not even the name can be
// read) instead of a pair silently dropped.
func ParseValues(raw string, src Source) (url.Values, []domain.FieldError) {
	out := url.Values{}
	var es errs
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || strings.Contains(k, ";") {
			es.add(&domain.FieldError{Field: whole(src), Message: MsgForm})
			continue
		}
		val, err := url.QueryUnescape(v)
		// net/url drops a pair with a semicolon (once a separator).
		if err != nil || strings.Contains(v, ";") {
			es.add(&domain.FieldError{Field: printable(key), Message: MsgForm})
			continue
		}
		out[key] = append(out[key], val)
	}
	return out, es
}

func whole(src Source) string {
	if src == Query {
		return "query"
	}
	return "body"
}

// printable is a field name as an error shows it: as sent when it is
// clean text, quoted otherwise (also when empty).
func printable(name string) string {
	if name == "" || CheckText("", name, Rule{Max: MaxKey}) != nil {
		return strconv.QuoteToASCII(truncate(name, 40))
	}
	return name
}

// CheckValues checks form or query values: every field name, the number
// of fields and of values of one field, and every value under its
// field's rule (query values are all single-line and at most MaxQuery
// characters). The errors name the fields in name order.
func CheckValues(vals url.Values, src Source) []domain.FieldError {
	var es errs
	if len(vals) > MaxFormFields {
		es.add(&domain.FieldError{Field: whole(src), Message: MsgTooMany, Params: map[string]any{"Max": MaxFormFields}})
		return es
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if es.full() {
			break
		}
		name := printable(k)
		if fe := CheckText(name, k, Rule{Max: MaxKey}); fe != nil {
			es.add(fe)
			continue
		}
		vs := vals[k]
		if max := ListMax(k); len(vs) > max {
			es.add(&domain.FieldError{Field: name, Message: MsgTooMany, Params: map[string]any{"Max": max}})
			continue
		}
		rule := Lookup(k)
		if src == Query {
			rule = Rule{Max: MaxQuery}
		}
		for _, v := range vs {
			if fe := CheckText(name, v, rule); fe != nil {
				es.add(fe)
				break
			}
		}
	}
	return es
}

// CheckFileName checks the name a client gave an uploaded file in the
// form field field: the same text rules as a single-line value. (The
// document services clean what passes: path elements, bidirectional
// controls, the length.)
func CheckFileName(field, name string) *domain.FieldError {
	return CheckText(field, name, Rule{Max: MaxLine})
}
