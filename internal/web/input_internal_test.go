package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/boundary"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/report"
	webfs "github.com/ipmediate/ipmediate/web"
)

// TestTextareasAreMultiLine: the input boundary refuses line breaks in
// every field it does not know as multi-line, so every <textarea> of the
// pages must be one it knows (boundary.Lookup by the field's last name).
func TestTextareasAreMultiLine(t *testing.T) {
	re := regexp.MustCompile(`<textarea[^>]*\bname="([^"]+)"`)
	agreement := caseFuncs["agreementFields"].(func() []string)()
	n := 0
	err := fs.WalkDir(webfs.FS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := fs.ReadFile(webfs.FS, path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			names := []string{m[1]}
			if m[1] == "{{$f}}" {
				names = agreement
			} else if m[1] == "{{.}}" && strings.HasSuffix(path, "/report.html") {
				names = report.SectionFields
			} else if m[1] == "{{.Name}}" && strings.HasSuffix(path, "/partials.html") {
				names = referralTextareas() // referral-field
			} else if strings.Contains(m[1], "{{") {
				t.Errorf("%s: textarea %q: teach this test the names it takes", path, m[1])
				continue
			}
			for _, name := range names {
				n++
				if !boundary.Lookup(name).MultiLine {
					t.Errorf("%s: textarea %q is single-line to the input boundary (internal/boundary/rules.go)", path, name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("found only %d textareas", n)
	}
}

// referralTextareas are the names of the multi-line fields of every
// referral kind's forms (the referral-field template).
func referralTextareas() []string {
	var out []string
	for _, k := range referral.Kinds {
		d := k.Descriptor()
		for _, form := range []struct {
			prefix string
			fields []referral.Field
		}{{"fields.", d.Fields}, {"fields.", d.AcceptFields}, {"result.", d.ResultFields}} {
			for _, f := range form.fields {
				if f.Type == referral.FieldLongText {
					out = append(out, f.Name(form.prefix))
				}
			}
		}
	}
	return out
}

func TestParseYuan(t *testing.T) {
	for s, want := range map[string]int64{"12,345.67": 1234567, "0.5": 50, "": 0, "100": 10000} {
		if got, ok := parseYuan(s); !ok || got != want {
			t.Errorf("parseYuan(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"-0.50", "-1", "+5", "1.-5", "1.+5", "1e3", "1.234", "abc", "999999999999999"} {
		if got, ok := parseYuan(s); ok {
			t.Errorf("parseYuan(%q) = %d, want refused", s, got)
		}
	}
}

func TestYuanText(t *testing.T) {
	for fen, want := range map[int64]string{
		0: "0.00", 5: "0.05", 100: "1.00", 99999: "999.99", 100000: "1,000.00", 20000000: "200,000.00",
		123456789012: "1,234,567,890.12", -20000050: "-200,000.50",
	} {
		if got := yuanText(fen); got != want {
			t.Errorf("yuanText(%d) = %q, want %q", fen, got, want)
		}
	}
}

// TestParen: brackets as each language writes them, none around nothing.
func TestParen(t *testing.T) {
	for _, tt := range []struct{ lang, in, want string }{
		{"zh-CN", "选填", "（选填）"},
		{"en", "optional", " (optional)"},
		{"zh-CN", "", ""},
	} {
		if got := (&Page{Lang: tt.lang}).Paren(tt.in); got != tt.want {
			t.Errorf("Paren(%q) in %s = %q, want %q", tt.in, tt.lang, got, tt.want)
		}
	}
}

// TestNewServer_RefusesAMissingService: the handlers never test a service
// for nil, so the server does not start without one.
func TestNewServer_RefusesAMissingService(t *testing.T) {
	_, err := NewServer(Deps{})
	if err == nil || !strings.Contains(err.Error(), "Deps.Texts is nil") {
		t.Fatalf("NewServer without services: %v", err)
	}
}
