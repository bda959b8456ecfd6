package boundary

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

func names(fes []domain.FieldError) []string {
	var out []string
	for _, fe := range fes {
		out = append(out, fe.Field+":"+fe.Message)
	}
	return out
}

func TestCheckJSON(t *testing.T) {
	long := strings.Repeat("长", MaxLine+1)
	tests := []struct {
		desc, body string
		want       string // "field:message" of the first error; "" = accepted
	}{
		{"plain", `{"summary":"商标侵权\n第二行","parties":[{"name":"陈某"}]}`, ""},
		{"empty", ``, ""},
		{"tab in a single-line field", `{"name":"a\tb"}`, ""},
		{"escaped NUL", `{"summary":"a\u0000b"}`, "summary:validation.control_char"},
		{"raw NUL", "{\"summary\":\"a\x00b\"}", "summary:validation.control_char"},
		{"NUL in a nested list", `{"parties":[{"name":"x"},{"name":"\u0000"}]}`, "parties[1].name:validation.control_char"},
		{"NUL in a kind's fields", `{"fields":{"goods":"\u0000"}}`, "fields.goods:validation.control_char"},
		{"invalid UTF-8", "{\"name\":\"\xff\xfe\"}", "name:validation.utf8"},
		{"truncated UTF-8", "{\"name\":\"\xe5\x95\"}", "name:validation.utf8"},
		{"lone high surrogate", `{"name":"\ud800x"}`, "name:validation.utf8"},
		{"lone low surrogate", `{"name":"\udc00"}`, "name:validation.utf8"},
		{"surrogate pair", `{"name":"\ud83d\ude00"}`, ""},
		{"bell", `{"summary":"\u0007"}`, "summary:validation.control_char"},
		{"escape sequence", `{"summary":"\u001b[31m"}`, "summary:validation.control_char"},
		{"DEL", `{"name":"\u007f"}`, "name:validation.control_char"},
		{"C1 control", `{"name":"\u0085"}`, "name:validation.control_char"},
		{"line break in a single-line field", `{"name":"a\nb"}`, "name:validation.single_line"},
		{"carriage return in a single-line field", `{"username":"a\rb"}`, "username:validation.single_line"},
		{"line break in free text", `{"reason":"a\r\nb"}`, ""},
		{"over-long single line", `{"name":"` + long + `"}`, "name:validation.too_long"},
		{"over-long text", `{"summary":"` + strings.Repeat("a", MaxText+1) + `"}`, "summary:validation.too_long"},
		{"long minutes", `{"minutes":"` + strings.Repeat("a", MaxText+1) + `"}`, ""},
		{"over-long password", `{"password":"` + strings.Repeat("p", domain.MaxPasswordLength+1) + `"}`, "password:validation.too_long"},
		{"NUL in a name", `{"a\u0000":1}`, `"a\x00":validation.control_char`},
		{"duplicate member", `{"summary":"a","summary":"b"}`, "summary:validation.json_duplicate"},
		{"duplicate member by case", `{"summary":"a","Summary":"b"}`, "Summary:validation.json_duplicate"},
		{"huge list", `{"mediator_ids":[` + strings.Repeat("1,", MaxList) + `1]}`, "mediator_ids:validation.too_many"},
		{"list at the limit", `{"mediator_ids":[` + strings.Repeat("1,", MaxList-1) + `1]}`, ""},
		{"deep nesting", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a:validation.json_depth"},
		{"long number", `{"org_id":` + strings.Repeat("9", MaxNumber+1) + `}`, "org_id:validation.number"},
		{"syntax error", `{"summary":"a",}`, "body:validation.json"},
		{"syntax error inside", `{"parties":[{"name" "x"}]}`, "parties[0].name:validation.json"},
		{"trailing data", `{} {}`, "body:validation.json"},
		{"bad escape", `{"name":"\x"}`, "name:validation.json"},
		{"bad literal", `{"is_sme":tru}`, "is_sme:validation.json"},
		{"leading zero", `{"org_id":01}`, "body:validation.json"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			got := names(CheckJSON([]byte(tc.body)))
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("refused: %v", got)
			case tc.want != "" && (len(got) == 0 || got[0] != tc.want):
				t.Errorf("got %v, want %s first", got, tc.want)
			}
			if tc.want == "" && len(strings.TrimSpace(tc.body)) > 0 && !json.Valid([]byte(tc.body)) {
				t.Errorf("accepted invalid JSON")
			}
		})
	}
}

func TestCheckValues(t *testing.T) {
	tests := []struct {
		desc, raw string
		src       Source
		want      string
	}{
		{"plain form", "summary=%E5%95%86%E6%A0%87%0D%0A2&name=x", Form, ""},
		{"NUL", "name=a%00b", Form, "name:validation.control_char"},
		{"invalid UTF-8", "name=%FF%FE", Form, "name:validation.utf8"},
		{"control", "reason=%07", Form, "reason:validation.control_char"},
		{"line break in a single-line form field", "parties%5B0%5D.name=a%0Ab", Form, "parties[0].name:validation.single_line"},
		{"line break in a query", "q=a%0Ab", Query, "q:validation.single_line"},
		{"NUL in a query", "q=%00", Query, "q:validation.control_char"},
		{"over-long query", "q=" + strings.Repeat("a", MaxQuery+1), Query, "q:validation.too_long"},
		{"bad escape", "q=%zz", Query, "q:validation.form_encoding"},
		{"bad escape in a name", "%zz=1", Form, "body:validation.form_encoding"},
		{"semicolon", "q=a;b", Query, "q:validation.form_encoding"},
		{"repeated too often", strings.Repeat("mediator_ids=1&", MaxList+1), Form, "mediator_ids:validation.too_many"},
		{"NUL in a name", "a%00=1", Form, `"a\x00":validation.control_char`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			vals, fes := ParseValues(tc.raw, tc.src)
			got := names(append(fes, CheckValues(vals, tc.src)...))
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("refused: %v", got)
			case tc.want != "" && (len(got) == 0 || got[0] != tc.want):
				t.Errorf("got %v, want %s first", got, tc.want)
			}
		})
	}
}

type decodeParty struct {
	Name  string `json:"name"`
	IsSME bool   `json:"is_sme"`
}

type decodeInput struct {
	Version int             `json:"version"`
	OrgID   int64           `json:"org_id"`
	Summary string          `json:"summary"`
	Parties []decodeParty   `json:"parties"`
	HeldAt  time.Time       `json:"held_at"`
	Next    *time.Time      `json:"next_at"`
	IDs     []int64         `json:"ids"`
	Fields  json.RawMessage `json:"fields,omitempty"`
	Case    *decodeNested   `json:"case,omitempty"`
}

type decodeNested struct {
	Claim int64 `json:"claim_amount_fen"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		desc, body string
		want       string
	}{
		{"ok", `{"version":1,"summary":"x","parties":[{"name":"a","is_sme":true}],"held_at":"2026-03-01T10:00:00+08:00","fields":{"a":1}}`, ""},
		{"nulls", `{"next_at":null,"fields":null,"case":null}`, ""},
		{"empty", ``, "body:validation.json_empty"},
		{"not an object", `["x"]`, "body:validation.json_type"},
		{"fields a string", `{"fields":"x"}`, "fields:validation.object"},
		{"fields an array", `{"fields":[]}`, "fields:validation.object"},
		{"string for a number", `{"version":"1"}`, "version:validation.json_type"},
		{"fraction for an integer", `{"org_id":1.5}`, "org_id:validation.json_type"},
		{"integer out of range", `{"org_id":99999999999999999999}`, "org_id:validation.json_type"},
		{"number for a string", `{"summary":5}`, "summary:validation.json_type"},
		{"object for a string in a list", `{"parties":[{"name":"a"},{"name":{}}]}`, "parties[1].name:validation.json_type"},
		{"string for a bool", `{"parties":[{"is_sme":"yes"}]}`, "parties[0].is_sme:validation.json_type"},
		{"string for a list", `{"ids":"1,2"}`, "ids:validation.json_type"},
		{"bad time", `{"held_at":"yesterday"}`, "held_at:validation.datetime"},
		{"number for a time", `{"next_at":1}`, "next_at:validation.datetime"},
		{"unknown member", `{"summery":"x"}`, "summery:validation.json_unknown"},
		{"member in another case", `{"Summary":"x"}`, "Summary:validation.json_unknown"},
		{"nested wrong type", `{"case":{"claim_amount_fen":"100"}}`, "case.claim_amount_fen:validation.json_type"},
		{"nested unknown", `{"case":{"claim":1}}`, "case.claim:validation.json_unknown"},
		{"trailing data", `{} []`, "body:validation.json"},
		{"syntax", `{"version":`, "body:validation.json"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			var in decodeInput
			err := Decode([]byte(tc.body), &in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var de *domain.Error
			if !asDomain(err, &de) || de.Code != domain.EINVALID || len(de.Fields) == 0 {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			if got := de.Fields[0].Field + ":" + de.Fields[0].Message; got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDecodeObject(t *testing.T) {
	var in struct {
		Amount int64      `json:"guarantee_amount_fen"`
		At     *time.Time `json:"detained_at"`
	}
	for body, want := range map[string]string{
		`{"guarantee_amount_fen":1,"other":"ignored"}`: "",
		`null`:                                   "",
		`"x"`:                                    "fields:validation.object",
		`{"guarantee_amount_fen":"1"}`:           "fields.guarantee_amount_fen:validation.json_type",
		`{"detained_at":"tomorrow"}`:             "fields.detained_at:validation.datetime",
		`{"detained_at":"2026-03-01T10:00:00Z"}`: "",
	} {
		fe := DecodeObject("fields", []byte(body), &in)
		got := ""
		if fe != nil {
			got = fe.Field + ":" + fe.Message
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", body, got, want)
		}
	}
}

func TestLeafAndLookup(t *testing.T) {
	for name, want := range map[string]string{
		"parties[0].name": "name", "case.parties[12].name": "name", "help_wanted[3]": "help_wanted",
		"summary": "summary", "fields.infringer.id_number": "id_number", "": "",
	} {
		if got := Leaf(name); got != want {
			t.Errorf("Leaf(%q) = %q, want %q", name, got, want)
		}
	}
	if r := Lookup("case.summary"); !r.MultiLine || r.Max != MaxText {
		t.Errorf("case.summary: %+v", r)
	}
	if r := Lookup("minutes"); !r.MultiLine || r.Max != MaxMinutes {
		t.Errorf("minutes: %+v", r)
	}
	if r := Lookup("new_password"); r.MultiLine || r.Max != domain.MaxPasswordLength {
		t.Errorf("new_password: %+v", r)
	}
	if r := Lookup("parties[0].name"); r.MultiLine || r.Max != MaxLine {
		t.Errorf("name: %+v", r)
	}
}
