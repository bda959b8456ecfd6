package boundary

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// The fuzz tests hold the boundary to its promise: what it accepts is
// valid UTF-8 without NUL or another refused control character, with
// line breaks only where a field is multi-line, within every limit;
// what it refuses names a field. Run one with
//
//	go test -fuzz FuzzCheckJSON ./internal/boundary/
//
// Without -fuzz the seeds below run as ordinary tests.

func asDomain(err error, de **domain.Error) bool { return errors.As(err, de) }

func jsonSeeds() []string {
	return []string{
		`{"summary":"商标侵权\n第二行","parties":[{"name":"陈某","is_sme":true}],"claim_amount_fen":1000}`,
		`{"summary":"a\u0000b"}`,
		"{\"name\":\"a\x00b\"}",
		"{\"name\":\"\xff\xfe\"}",
		`{"name":"\ud800"}`,
		`{"name":"\ud83d\ude00"}`,
		`{"name":"\u0007\u001b\u007f\u0085"}`,
		`{"name":"a\nb","summary":"a\nb"}`,
		`{"name":"` + strings.Repeat("x", MaxLine+1) + `"}`,
		`{"mediator_ids":[` + strings.Repeat("1,", MaxList) + `1]}`,
		strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2),
		`{"a":1,"A":2}`,
		`{"fields":{"goods":"x","infringer":{"name":"y"}},"result":null}`,
		`[1,-0.5e+3,true,false,null,"x"]`,
		`{"org_id":` + strings.Repeat("9", MaxNumber+1) + `}`,
		`"just a string"`,
		`{"x":1}garbage`,
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, s := range jsonSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fes := CheckJSON(body)
		if len(fes) > MaxErrors {
			t.Fatalf("%d errors, more than %d", len(fes), MaxErrors)
		}
		for _, fe := range fes {
			if fe.Field == "" || fe.Message == "" || !utf8.ValidString(fe.Field) {
				t.Fatalf("an error without a field: %+v", fe)
			}
		}
		if len(fes) > 0 || len(bytes.TrimSpace(body)) == 0 {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if !utf8.Valid(body) {
			t.Fatalf("accepted invalid UTF-8 %q", body)
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		checkAccepted(t, dec, "", 0)
	})
}

// checkAccepted walks one decoded value and fails on anything the
// boundary should have refused.
func checkAccepted(t *testing.T, dec *json.Decoder, path string, depth int) {
	t.Helper()
	tok, err := dec.Token()
	if err != nil {
		t.Fatalf("accepted JSON that does not decode: %v", err)
	}
	switch v := tok.(type) {
	case json.Delim:
		if depth+1 > MaxDepth {
			t.Fatalf("accepted nesting deeper than %d at %q", MaxDepth, path)
		}
		if v == '{' {
			seen := map[string]bool{}
			for dec.More() {
				k, _ := dec.Token()
				key := k.(string)
				checkString(t, key, Rule{Max: MaxKey}, path+" (name)")
				if seen[strings.ToLower(key)] {
					t.Fatalf("accepted a duplicate member %q at %q", key, path)
				}
				seen[strings.ToLower(key)] = true
				child := key
				if path != "" {
					child = path + "." + key
				}
				checkAccepted(t, dec, child, depth+1)
			}
		} else {
			n := 0
			for dec.More() {
				checkAccepted(t, dec, path+"["+strconv.Itoa(n)+"]", depth+1)
				n++
			}
			if n > ListMax(path) {
				t.Fatalf("accepted a list of %d at %q", n, path)
			}
		}
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
	case string:
		checkString(t, v, Lookup(path), path)
	case json.Number:
		if len(v) > MaxNumber {
			t.Fatalf("accepted a number of %d characters at %q", len(v), path)
		}
	}
}

func checkString(t *testing.T, s string, rule Rule, path string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("accepted invalid UTF-8 at %q", path)
	}
	for _, r := range s {
		if r == 0 || Refused(r) {
			t.Fatalf("accepted control character %U at %q", r, path)
		}
		if (r == '\n' || r == '\r') && !rule.MultiLine {
			t.Fatalf("accepted a line break in single-line %q", path)
		}
	}
	if n := utf8.RuneCountInString(s); n > rule.Max {
		t.Fatalf("accepted %d characters at %q (max %d)", n, path, rule.Max)
	}
}

func FuzzCheckValues(f *testing.F) {
	for _, s := range []string{
		"summary=%E5%95%86%E6%A0%87%0D%0A2&name=x&q=",
		"name=a%00b", "name=%FF%FE", "reason=%07%1B%7F%C2%85", "name=a%0Ab", "summary=a%0Ab",
		"q=%zz", "%zz=1", "a;b=1", "q=" + strings.Repeat("a", MaxQuery+1),
		strings.Repeat("mediator_ids=1&", MaxList+1), "a%00=1", "&&=&a=",
		"new_password=" + strings.Repeat("p", domain.MaxPasswordLength+1),
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, query bool) {
		src := Form
		if query {
			src = Query
		}
		vals, fes := ParseValues(raw, src)
		fes = append(fes, CheckValues(vals, src)...)
		for _, fe := range fes {
			if fe.Field == "" || fe.Message == "" || !utf8.ValidString(fe.Field) {
				t.Fatalf("an error without a field: %+v", fe)
			}
		}
		if len(fes) > 0 {
			return
		}
		if _, err := url.ParseQuery(raw); err != nil {
			t.Fatalf("accepted %q, which net/url refuses: %v", raw, err)
		}
		if len(vals) > MaxFormFields {
			t.Fatalf("accepted %d fields", len(vals))
		}
		for k, vs := range vals {
			checkString(t, k, Rule{Max: MaxKey}, k+" (name)")
			if len(vs) > ListMax(k) {
				t.Fatalf("accepted %d values of %q", len(vs), k)
			}
			rule := Lookup(k)
			if query {
				rule = Rule{Max: MaxQuery}
			}
			for _, v := range vs {
				checkString(t, v, rule, k)
			}
		}
	})
}

func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"陈某", "a\x00b", "\xff", "a\nb", "a\tb", "\u0085", strings.Repeat("x", MaxLine+1)} {
		f.Add("name", s)
		f.Add("summary", s)
	}
	f.Fuzz(func(t *testing.T, field, s string) {
		rule := Lookup(field)
		fe := CheckText(field, s, rule)
		if fe != nil {
			if fe.Field != field || fe.Message == "" {
				t.Fatalf("error %+v does not name %q", fe, field)
			}
			return
		}
		checkString(t, s, rule, field)
	})
}

func FuzzDecode(f *testing.F) {
	for _, s := range append(jsonSeeds(),
		`{"version":"1"}`, `{"fields":"x"}`, `{"parties":[{"name":{}}]}`, `{"held_at":"x"}`, `{"Summary":"x"}`, `{"case":{"claim_amount_fen":1e400}}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in decodeInput
		err := Decode(body, &in)
		if err == nil {
			return
		}
		var de *domain.Error
		if !asDomain(err, &de) || de.Code != domain.EINVALID || len(de.Fields) == 0 {
			t.Fatalf("Decode(%q) = %v, want EINVALID naming a field", body, err)
		}
		for _, fe := range de.Fields {
			if fe.Field == "" || fe.Message == "" {
				t.Fatalf("an error without a field: %+v", fe)
			}
		}
	})
}
