// Package boundary is the input boundary of the HTTP layer: the one place
// that every text a client sends passes before a handler sees it. It
// refuses what no field of the system may hold (a NUL, other control
// characters, invalid UTF-8, line breaks in single-line fields) and what
// is too big for any field (over-long strings, huge lists, deep nesting),
// naming the field; and it decodes JSON bodies strictly, naming the field
// whose value has the wrong type. The domain validators then apply each
// field's own rules (required, format, the tighter length limits).
//
// The rules are in docs/security.md, "Input boundary".
package boundary

import (
	"strings"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Limits that apply to every input. Lengths count characters (Unicode
// code points), as the domain validators do.
const (
	// MaxLine is the longest value of a single-line field that has no
	// rule of its own (names, numbers, codes, titles, choices).
	MaxLine = 1000
	// MaxText is the longest multi-line free text (summaries, claims,
	// reasons, notes, agreement clauses).
	MaxText = 20000
	// MaxMinutes is the longest session record (the minutes of a
	// mediation session can be long).
	MaxMinutes = 100000
	// MaxQuery is the longest value of a query parameter.
	MaxQuery = 1000
	// MaxKey is the longest field name (a JSON member name or a form
	// field name).
	MaxKey = 200
	// MaxList is the longest list: a JSON array, or the values of one
	// form field repeated (checkboxes).
	MaxList = 100
	// MaxFormFields is the largest number of distinct fields in one form
	// or query (the intake form has a dozen fields per party row).
	MaxFormFields = 2000
	// MaxDepth is the deepest nesting of JSON objects and arrays.
	MaxDepth = 16
	// MaxNumber is the longest JSON number literal.
	MaxNumber = 40
	// MaxErrors is the most field errors one refusal lists.
	MaxErrors = 20
)

// Rule is what the boundary accepts in one field.
type Rule struct {
	// Max is the most characters.
	Max int
	// MultiLine allows line breaks (\n and \r).
	MultiLine bool
}

// textFields are the multi-line fields, by field name (the last element
// of a JSON path or a form field name): every other field is single-line.
var textFields = map[string]int{
	"summary":            MaxText,
	"claims":             MaxText,
	"reason":             MaxText,
	"note":               MaxText,
	"statement":          MaxText,
	"facts":              MaxText,
	"disputed_matters":   MaxText,
	"responsibilities":   MaxText,
	"terms":              MaxText,
	"performance_method": MaxText,
	"next_steps":         MaxText,
	"consent_note":       MaxText,
	"narrative":          MaxText,
	"message":            MaxText,
	"answer":             MaxText,
	"plan_note":          MaxText,
	"goods":              MaxText,
	"items":              MaxText,
	"request":            MaxText,
	"help":               MaxText,
	"arbitration_clause": MaxText,
	"findings":           MaxText,
	"finding":            MaxText, // a credit record's conduct found
	"penalty":            MaxText,
	// A risk warning's text (internal/warning); links: one address per line.
	"situation": MaxText,
	"rights":    MaxText,
	"advice":    MaxText,
	"links":     MaxText,
	"minutes":   MaxMinutes,
	// The annual work report's sections and the office's comment.
	"work":     MaxText,
	"results":  MaxText,
	"problems": MaxText,
	"plans":    MaxText,
	"comment":  MaxText,
}

// secretFields are the password fields: single-line, at most
// domain.MaxPasswordLength characters (the input of argon2id).
var secretFields = map[string]bool{
	"password": true, "password2": true, "current_password": true, "new_password": true, "new_password2": true,
}

// listFields are the lists allowed to be longer than MaxList.
var listFields = map[string]int{
	// disclosure.documents: the case documents a referral discloses.
	"documents": 500,
	// records: an import of credit records (internal/credit, at most
	// 5000 at once).
	"records": 5000,
}

// Lookup returns the rule of the field named name: a JSON path such as
// "parties[0].name" or a form field name such as "case.summary". Only
// the last element counts.
func Lookup(name string) Rule {
	leaf := Leaf(name)
	if max, ok := textFields[leaf]; ok {
		return Rule{Max: max, MultiLine: true}
	}
	if secretFields[leaf] {
		return Rule{Max: domain.MaxPasswordLength}
	}
	return Rule{Max: MaxLine}
}

// ListMax returns the most entries the list named name may have.
func ListMax(name string) int {
	if n, ok := listFields[Leaf(name)]; ok {
		return n
	}
	return MaxList
}

// Leaf is the last element of a field path: "parties[0].name" and
// "case.parties[0].name" give "name", "help_wanted[3]" gives
// "help_wanted".
func Leaf(name string) string {
	for strings.HasSuffix(name, "]") {
		i := strings.LastIndexByte(name, '[')
		if i < 0 {
			break
		}
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// MultiLineFields lists the multi-line field names with their limits,
// for the documentation test and the corpus test.
func MultiLineFields() map[string]int {
	out := make(map[string]int, len(textFields))
	for k, v := range textFields {
		out[k] = v
	}
	return out
}
