package web

// The message catalogs must stay complete: every id the templates and the
// Go code ask for exists in Chinese and in English, and the two languages
// have the same ids. The translator shows a missing id as the id itself
// (internal/i18n), so a gap does not fail a page: only this test finds it.
//
// What is checked, and how:
//
//   - TestCatalogPairsHaveSameKeys: each web/i18n/<name>zh-CN.yaml has an
//     <name>en.yaml (and the other way round) with exactly the same ids,
//     no empty text, and no id defined in two files of one language.
//
//   - TestCatalogCoversUsedKeys: the ids found statically are in both
//     languages (the union of a language's files, as the translator loads
//     them). They are found
//
//     in templates (parse trees of every file under web/templates): the
//     argument of a call of the T method ({{.T "id"}}, {{$.T "id" ...}},
//     {{$p.T "id"}});
//
//     in the Go code (every non-test file under internal/ and cmd/): the
//     id argument of T calls (Page.T(id, ...), Translator.T(lang, id,
//     ...)), of flash(c, kind, id) and finishAction(..., id, back), the
//     message of Fields.Add(field, id, ...), the Message, Msg, Label and
//     ValueKey fields of composite literals and assignments, every
//     literal "validation.*" (field errors built by helpers) and every
//     literal "<area>.flash.*" (flash ids kept in maps).
//
//   - Ids built at run time cannot be found that way. Each such form is
//     registered in dynamicForms below with the values it takes, and the
//     test checks prefix+value+suffix for every value. Where the code has
//     the list (domain.CaseStatuses, referral.Kinds …) the test uses it;
//     where the values are scattered the test collects them from the Go
//     source (the action argument of every newEvent call, the Kind of
//     every deadline.Spec …) or from the CHECK constraints of the schema
//     (migrations/*.sql). Every dynamic form in use must be registered:
//     {{T (print "prefix." x [".suffix"])}} in a template, and in Go any
//     literal ending in "." that begins catalog ids ("case.flash." +
//     action). Template calls with an id held in a variable (.Label,
//     .ValueKey, .Msg, the form message) must be in templateVarKeys: their
//     ids come from the Go forms above.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"gopkg.in/yaml.v3"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/recordation"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/register"
	"github.com/ipmediate/ipmediate/internal/report"
	"github.com/ipmediate/ipmediate/internal/service"
	"github.com/ipmediate/ipmediate/internal/warning"
	"github.com/ipmediate/ipmediate/migrations"
	webfs "github.com/ipmediate/ipmediate/web"
)

// catalogLangs are the language tags of the catalog files; the first is
// the reference the others are compared with.
var catalogLangs = []string{"zh-CN", "en"}

// catalogFiles reads every web/i18n/*.yaml: file name -> id -> text.
func catalogFiles(t *testing.T) map[string]map[string]string {
	t.Helper()
	sub, err := fs.Sub(webfs.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(sub, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no catalog in web/i18n")
	}
	out := map[string]map[string]string{}
	for _, name := range names {
		raw, err := fs.ReadFile(sub, name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		msgs := map[string]string{}
		for id, v := range m {
			s, ok := v.(string)
			if !ok {
				t.Errorf("%s: %s is a %T; the catalogs are flat \"id: text\" maps", name, id, v)
				continue
			}
			msgs[id] = s
		}
		out[name] = msgs
	}
	return out
}

// catalogLang is the language tag of a catalog file name: "zh-CN" for
// zh-CN.yaml and referral.zh-CN.yaml.
func catalogLang(name string) string {
	base := strings.TrimSuffix(name, ".yaml")
	for _, l := range catalogLangs {
		if base == l || strings.HasSuffix(base, "."+l) {
			return l
		}
	}
	return ""
}

// catalogsByLang merges the files of each language, as the translator's
// bundle does.
func catalogsByLang(files map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range catalogLangs {
		out[l] = map[string]string{}
	}
	for name, msgs := range files {
		if l := catalogLang(name); l != "" {
			for id, s := range msgs {
				out[l][id] = s
			}
		}
	}
	return out
}

func TestCatalogPairsHaveSameKeys(t *testing.T) {
	files := catalogFiles(t)
	ref := catalogLangs[0]
	// Group the files by their name without the language: "" (the main
	// catalog), "referral.", "assistance." …
	groups := map[string]map[string]string{} // stem -> lang -> file
	for name := range files {
		l := catalogLang(name)
		if l == "" {
			t.Errorf("web/i18n/%s: the name does not end in one of %v", name, catalogLangs)
			continue
		}
		stem := strings.TrimSuffix(strings.TrimSuffix(name, ".yaml"), l)
		if groups[stem] == nil {
			groups[stem] = map[string]string{}
		}
		groups[stem][l] = name
	}
	for _, stem := range sortedKeys(groups) {
		g := groups[stem]
		refFile, ok := g[ref]
		if !ok {
			t.Errorf("web/i18n: %s%s.yaml is missing (the %s catalogs %v have no %s partner)", stem, ref, stem, mapValues(g), ref)
			continue
		}
		for _, l := range catalogLangs[1:] {
			other, ok := g[l]
			if !ok {
				t.Errorf("web/i18n: %s%s.yaml is missing (partner of %s)", stem, l, refFile)
				continue
			}
			if miss := missingKeys(files[refFile], files[other]); len(miss) > 0 {
				t.Errorf("%d ids of %s are missing in %s:\n  %s", len(miss), refFile, other, strings.Join(miss, "\n  "))
			}
			if miss := missingKeys(files[other], files[refFile]); len(miss) > 0 {
				t.Errorf("%d ids of %s are missing in %s:\n  %s", len(miss), other, refFile, strings.Join(miss, "\n  "))
			}
		}
	}
	// An empty text shows the id, like a missing one; an id in two files
	// of one language has one of its texts silently dropped.
	seen := map[string]string{} // lang+id -> file
	for _, name := range sortedKeys(files) {
		l := catalogLang(name)
		for _, id := range sortedKeys(files[name]) {
			if strings.TrimSpace(files[name][id]) == "" {
				t.Errorf("%s: %s has an empty text", name, id)
			}
			if prev, ok := seen[l+"\x00"+id]; ok {
				t.Errorf("%s is defined in both %s and %s", id, prev, name)
			}
			seen[l+"\x00"+id] = name
		}
	}
}

func missingKeys(from, in map[string]string) []string {
	var out []string
	for id := range from {
		if _, ok := in[id]; !ok {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// use is an id the code asks for, and where.
type use struct {
	id, where string
}

func TestCatalogCoversUsedKeys(t *testing.T) {
	cats := catalogsByLang(catalogFiles(t))
	var all []string
	for _, l := range catalogLangs {
		for id := range cats[l] {
			all = append(all, id)
		}
	}
	src := loadGoSource(t, filepath.Join("..", ".."), "internal", "cmd")

	var uses []use
	tmpls, err := fs.Sub(webfs.FS, "templates")
	if err != nil {
		t.Fatal(err)
	}
	tmplUses, tmplDyn, tmplVars := templateKeys(t, tmpls)
	uses = append(uses, tmplUses...)
	uses = append(uses, src.staticKeys()...)

	forms := dynamicForms(t, src)
	// Every dynamic form a template uses is registered, with its suffix.
	for _, d := range tmplDyn {
		f, ok := forms[d.prefix]
		if !ok {
			t.Errorf("%s: the id %q+value+%q is built at run time and not checked: register %q in dynamicForms with the values it takes",
				d.where, d.prefix, d.suffix, d.prefix)
			continue
		}
		if !slices.Contains(f.suffixes(), d.suffix) {
			t.Errorf("%s: dynamicForms[%q] lists suffixes %q, not %q", d.where, d.prefix, f.suffixes(), d.suffix)
		}
	}
	for _, v := range tmplVars {
		if !slices.Contains(templateVarKeys, v.id) {
			t.Errorf("%s: T is called with the id held in %s; add it to templateVarKeys once the Go code that fills it is covered", v.where, v.id)
		}
	}
	// Every Go literal that is the start of catalog ids (and so most
	// likely the prefix of an id built at run time) is registered.
	for _, p := range src.prefixLiterals(all) {
		if _, ok := forms[p.id]; ok {
			continue
		}
		if _, ok := notMessagePrefixes[p.id]; ok {
			continue
		}
		t.Errorf("%s: %q looks like the prefix of message ids built at run time: register it in dynamicForms (or, if it is no message id, in notMessagePrefixes)",
			p.where, p.id)
	}
	for _, p := range sortedKeys(forms) {
		f := forms[p]
		if len(f.values) == 0 {
			t.Errorf("dynamicForms[%q] (%s) has no values: the source it reads them from has changed", p, f.from)
		}
		for _, v := range f.values {
			for _, s := range f.suffixes() {
				uses = append(uses, use{id: p + v + s, where: "dynamic " + p + "<" + f.from + ">" + s})
			}
		}
	}

	for _, l := range catalogLangs {
		missing := map[string][]string{}
		for _, u := range uses {
			if _, ok := cats[l][u.id]; !ok && !slices.Contains(missing[u.id], u.where) {
				missing[u.id] = append(missing[u.id], u.where)
			}
		}
		if len(missing) == 0 {
			continue
		}
		var lines []string
		for _, id := range sortedKeys(missing) {
			lines = append(lines, fmt.Sprintf("%s (used at %s)", id, strings.Join(missing[id], ", ")))
		}
		t.Errorf("%d ids used by the code are missing in the %s catalogs:\n  %s", len(lines), l, strings.Join(lines, "\n  "))
	}
}

// --- templates -------------------------------------------------------

// templateVarKeys are the template expressions that hold a message id
// filled by the Go code; the Go forms that fill them are checked there.
var templateVarKeys = []string{
	".Msg",      // Flash.Msg: flash(c, kind, id)
	".",         // form-message: Form.Message (assignments of .Message)
	".Label",    // workLink.Label and Row.Label (Label: fields; referral.field.*)
	".ValueKey", // Row.ValueKey (ValueKey: fields; referral.value.* and enumKeys)
	".Key",      // RowPart.Key (listPart: party.*, right.*, referral.value.*)
}

// dynUse is an id built in a template: prefix + value + suffix.
type dynUse struct {
	prefix, suffix, where string
}

// templateKeys walks the parse trees of every template: the literal ids
// T is called with, the (print "prefix" x "suffix") forms, and the
// variables that hold ids.
func templateKeys(t *testing.T, sub fs.FS) (static []use, dyn []dynUse, vars []use) {
	t.Helper()
	var names []string
	err := fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no template under web/templates")
	}
	for _, name := range names {
		raw, err := fs.ReadFile(sub, name)
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := template.New(name).Funcs(template.FuncMap(funcs)).Funcs(caseFuncs).Parse(string(raw))
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		for _, tt := range tmpl.Templates() {
			if tt.Tree == nil {
				continue
			}
			walkTemplate(tt.Tree.Root, func(cmd *parse.CommandNode) {
				if len(cmd.Args) < 2 || !isTranslateCall(cmd.Args[0]) {
					return
				}
				where := fmt.Sprintf("web/templates/%s:%d", name, lineOf(string(raw), int(cmd.Position())))
				switch a := cmd.Args[1].(type) {
				case *parse.StringNode:
					static = append(static, use{id: a.Text, where: where})
				case *parse.PipeNode:
					if d, ok := printForm(a); ok {
						d.where = where
						dyn = append(dyn, d)
						return
					}
					t.Errorf("%s: T %s: an id built some other way than (print \"prefix\" value [\"suffix\"]) is not checked", where, a)
				default:
					vars = append(vars, use{id: a.String(), where: where})
				}
			})
		}
	}
	return static, dyn, vars
}

// isTranslateCall reports whether n is the T method: .T, $.T, $p.T.
func isTranslateCall(n parse.Node) bool {
	switch x := n.(type) {
	case *parse.FieldNode:
		return x.Ident[len(x.Ident)-1] == "T"
	case *parse.VariableNode:
		return len(x.Ident) > 1 && x.Ident[len(x.Ident)-1] == "T"
	case *parse.ChainNode:
		return len(x.Field) > 0 && x.Field[len(x.Field)-1] == "T"
	}
	return false
}

// printForm reads (print "prefix" value ["suffix"]).
func printForm(p *parse.PipeNode) (dynUse, bool) {
	if len(p.Cmds) != 1 || len(p.Decl) > 0 {
		return dynUse{}, false
	}
	args := p.Cmds[0].Args
	if len(args) < 3 || len(args) > 4 {
		return dynUse{}, false
	}
	if id, ok := args[0].(*parse.IdentifierNode); !ok || id.Ident != "print" {
		return dynUse{}, false
	}
	prefix, ok := args[1].(*parse.StringNode)
	if !ok {
		return dynUse{}, false
	}
	if _, ok := args[2].(*parse.StringNode); ok {
		return dynUse{}, false
	}
	d := dynUse{prefix: prefix.Text}
	if len(args) == 4 {
		s, ok := args[3].(*parse.StringNode)
		if !ok {
			return dynUse{}, false
		}
		d.suffix = s.Text
	}
	return d, true
}

// walkTemplate calls f for every command of the tree.
func walkTemplate(n parse.Node, f func(*parse.CommandNode)) {
	switch x := n.(type) {
	case nil:
	case *parse.ListNode:
		if x == nil {
			return
		}
		for _, c := range x.Nodes {
			walkTemplate(c, f)
		}
	case *parse.ActionNode:
		walkTemplate(x.Pipe, f)
	case *parse.IfNode:
		walkBranch(&x.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&x.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&x.BranchNode, f)
	case *parse.TemplateNode:
		walkTemplate(x.Pipe, f)
	case *parse.PipeNode:
		if x == nil {
			return
		}
		for _, c := range x.Cmds {
			walkTemplate(c, f)
		}
	case *parse.CommandNode:
		f(x)
		for _, a := range x.Args {
			walkTemplate(a, f)
		}
	case *parse.ChainNode:
		walkTemplate(x.Node, f)
	}
}

func walkBranch(b *parse.BranchNode, f func(*parse.CommandNode)) {
	walkTemplate(b.Pipe, f)
	walkTemplate(b.List, f)
	walkTemplate(b.ElseList, f)
}

func lineOf(text string, pos int) int {
	if pos > len(text) {
		pos = len(text)
	}
	return 1 + strings.Count(text[:pos], "\n")
}

// --- Go source -------------------------------------------------------

// goSource is the parsed non-test Go code of the module.
type goSource struct {
	fset  *token.FileSet
	files []goFile
	// consts are the string constants by package name and name.
	consts map[string]map[string]string
}

type goFile struct {
	path, pkg string
	f         *ast.File
}

// keyPattern is what a message id looks like: dotted lower-case words.
var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// flashPattern is a flash message id ("case.flash.settle").
var flashPattern = regexp.MustCompile(`^[a-z_]+\.flash\.[a-z_]+$`)

// msgFields are the struct fields that hold a message id.
var msgFields = []string{"Message", "Msg", "Label", "ValueKey"}

func loadGoSource(t *testing.T, root string, dirs ...string) *goSource {
	t.Helper()
	src := &goSource{fset: token.NewFileSet(), consts: map[string]map[string]string{}}
	for _, d := range dirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if e.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(src.fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			src.files = append(src.files, goFile{path: filepath.ToSlash(rel), pkg: f.Name.Name, f: f})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(src.files) == 0 {
		t.Fatal("no Go file found under internal/ and cmd/")
	}
	for _, gf := range src.files {
		for _, decl := range gf.f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						if src.consts[gf.pkg] == nil {
							src.consts[gf.pkg] = map[string]string{}
						}
						src.consts[gf.pkg][name.Name] = s
					}
				}
			}
		}
	}
	return src
}

func (s *goSource) where(p token.Pos) string {
	pos := s.fset.Position(p)
	return fmt.Sprintf("%s:%d", filepath.ToSlash(strings.TrimPrefix(pos.Filename, "../../")), pos.Line)
}

// value is the string a constant expression of package pkg stands for: a
// literal, a constant (pkg.Name or Name), or a conversion of one.
func (s *goSource) value(pkg string, e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			v, err := strconv.Unquote(x.Value)
			return v, err == nil
		}
	case *ast.Ident:
		v, ok := s.consts[pkg][x.Name]
		return v, ok
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			v, ok := s.consts[id.Name][x.Sel.Name]
			return v, ok
		}
	case *ast.ParenExpr:
		return s.value(pkg, x.X)
	case *ast.CallExpr:
		if len(x.Args) == 1 {
			return s.value(pkg, x.Args[0])
		}
	}
	return "", false
}

// funcName is the name a call calls: f, x.f, x.y.f.
func funcName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// typeName is the name of a composite literal's type: T, pkg.T.
func typeName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	}
	return ""
}

// inspect runs f on every node of the files of the named packages (all
// packages when none is named).
func (s *goSource) inspect(pkgs []string, f func(gf goFile, n ast.Node) bool) {
	for _, gf := range s.files {
		if len(pkgs) > 0 && !slices.Contains(pkgs, gf.pkg) {
			continue
		}
		ast.Inspect(gf.f, func(n ast.Node) bool { return f(gf, n) })
	}
}

// staticKeys are the literal ids of the Go code (see the file comment).
func (s *goSource) staticKeys() []use {
	var out []use
	add := func(gf goFile, e ast.Expr) {
		if v, ok := s.value(gf.pkg, e); ok && keyPattern.MatchString(v) {
			out = append(out, use{id: v, where: s.where(e.Pos())})
		}
	}
	s.inspect(nil, func(gf goFile, n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			switch name := funcName(x); {
			case name == "T" && len(x.Args) >= 1:
				// Page.T(id, kv...) or Translator.T(lang, id, params).
				if _, ok := s.value(gf.pkg, x.Args[0]); ok {
					add(gf, x.Args[0])
				} else if len(x.Args) >= 2 {
					add(gf, x.Args[1])
				}
			case name == "flash" && len(x.Args) == 3:
				add(gf, x.Args[2])
			case name == "finishAction" && len(x.Args) >= 2:
				add(gf, x.Args[len(x.Args)-2])
			case name == "Add" && len(x.Args) >= 2:
				add(gf, x.Args[1])
			}
		case *ast.KeyValueExpr:
			if k, ok := x.Key.(*ast.Ident); ok && slices.Contains(msgFields, k.Name) {
				add(gf, x.Value)
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && slices.Contains(msgFields, sel.Sel.Name) && len(x.Rhs) == len(x.Lhs) {
					add(gf, x.Rhs[i])
				}
			}
		case *ast.BasicLit:
			if v, ok := s.value(gf.pkg, x); ok && (strings.HasPrefix(v, "validation.") || flashPattern.MatchString(v)) {
				add(gf, x)
			}
		}
		return true
	})
	return out
}

// prefixLiterals are the string literals ending in "." that begin at
// least one catalog id.
func (s *goSource) prefixLiterals(ids []string) []use {
	var out []use
	s.inspect(nil, func(gf goFile, n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil || !strings.HasSuffix(v, ".") || !keyPattern.MatchString(strings.TrimSuffix(v, ".")) {
			return true
		}
		for _, id := range ids {
			if strings.HasPrefix(id, v) {
				out = append(out, use{id: v, where: s.where(lit.Pos())})
				break
			}
		}
		return true
	})
	return out
}

// callArgs are the constant values of argument i of every call of name in
// the named packages.
func (s *goSource) callArgs(pkgs []string, name string, i int) []string {
	var out []string
	s.inspect(pkgs, func(gf goFile, n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && funcName(c) == name && len(c.Args) > i {
			if v, ok := s.value(gf.pkg, c.Args[i]); ok {
				out = append(out, v)
			}
		}
		return true
	})
	return out
}

// fieldValues are the constant values of field (or, for positional
// literals, element pos; -1 for none) of every composite literal of a
// type named typ in the named packages.
func (s *goSource) fieldValues(pkgs []string, typ, field string, pos int) []string {
	var out []string
	s.inspect(pkgs, func(gf goFile, n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok || typeName(cl.Type) != typ {
			return true
		}
		for i, e := range cl.Elts {
			var v ast.Expr
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == field {
					v = kv.Value
				}
			} else if i == pos {
				v = e
			}
			if v != nil {
				if x, ok := s.value(gf.pkg, v); ok {
					out = append(out, x)
				}
			}
		}
		return true
	})
	return out
}

// constsNamed are the values of the string constants of pkg whose name
// starts with prefix.
func (s *goSource) constsNamed(pkg, prefix string) []string {
	var out []string
	for name, v := range s.consts[pkg] {
		if strings.HasPrefix(name, prefix) {
			out = append(out, v)
		}
	}
	return out
}

// assignedLiterals are the constant values assigned to a variable named
// name in the named packages (v := "x", v = "x").
func (s *goSource) assignedLiterals(pkgs []string, name string) []string {
	var out []string
	s.inspect(pkgs, func(gf goFile, n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok || len(a.Lhs) != len(a.Rhs) {
			return true
		}
		for i, l := range a.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name == name {
				if v, ok := s.value(gf.pkg, a.Rhs[i]); ok {
					out = append(out, v)
				}
			}
		}
		return true
	})
	return out
}

// returnedLiterals are the constant first results of the return
// statements of the functions named fn in the named packages.
func (s *goSource) returnedLiterals(pkgs []string, fn string) []string {
	var out []string
	s.inspect(pkgs, func(gf goFile, n ast.Node) bool {
		fd, ok := n.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn || fd.Body == nil {
			return true
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) > 0 {
				if v, ok := s.value(gf.pkg, r.Results[0]); ok {
					out = append(out, v)
				}
			}
			return true
		})
		return false
	})
	return out
}

// mapKeysWritten are the keys the named packages write into maps held in
// variables named one of vars: m["k"] = …, and the keys of the map
// literals assigned to them (m := map[string]any{"k": …}, m["k"] =
// map[string]any{"k2": …}, m, err := encode(map[string]any{…})), plus the
// first argument of calls of putFn.
func (s *goSource) mapKeysWritten(pkgs []string, vars []string, putFn string) []string {
	var out []string
	litKeys := func(gf goFile, e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false
			}
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if _, ok := cl.Type.(*ast.MapType); !ok {
				return true
			}
			for _, e := range cl.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if v, ok := s.value(gf.pkg, kv.Key); ok {
						out = append(out, v)
					}
				}
			}
			return true
		})
	}
	named := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && slices.Contains(vars, id.Name)
	}
	s.inspect(pkgs, func(gf goFile, n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				var rhs ast.Expr
				switch {
				case len(x.Rhs) == len(x.Lhs):
					rhs = x.Rhs[i]
				case len(x.Rhs) == 1 && i == 0:
					rhs = x.Rhs[0]
				}
				if ix, ok := l.(*ast.IndexExpr); ok && named(ix.X) {
					if v, ok := s.value(gf.pkg, ix.Index); ok {
						out = append(out, v)
					}
					if rhs != nil {
						litKeys(gf, rhs)
					}
				} else if named(l) && rhs != nil {
					litKeys(gf, rhs)
				}
			}
		case *ast.CallExpr:
			if funcName(x) == putFn && len(x.Args) > 0 {
				if v, ok := s.value(gf.pkg, x.Args[0]); ok {
					out = append(out, v)
				}
			}
		}
		return true
	})
	return out
}

// --- ids built at run time ---------------------------------------------

// dynamicForm is an id built at run time: prefix + value (+ suffix) for
// each of values; from says where the values come from.
type dynamicForm struct {
	values []string
	suffix []string // nil: none
	from   string
}

func (f dynamicForm) suffixes() []string {
	if len(f.suffix) == 0 {
		return []string{""}
	}
	return f.suffix
}

// notMessagePrefixes are Go literals ending in "." that begin catalog ids
// but build no message id that must exist: the audit page looks these up
// and says the code's parts in words when one is missing (funcs_audit.go).
var notMessagePrefixes = map[string]string{
	"audit.act.":       "an action's own words, else its area's and step's",
	"audit.key.":       "a detail's name, else field.<name>, else the name",
	"referral.action.": "a referral step's words for the audit page, else audit.step.<step>",
	"audit.step.":      "a step's words for the audit page, else the step",
}

// dynamicForms lists every id built at run time and the values it takes.
func dynamicForms(t *testing.T, src *goSource) map[string]dynamicForm {
	t.Helper()
	f := func(from string, values ...[]string) dynamicForm {
		var all []string
		for _, v := range values {
			for _, x := range v {
				if x != "" && !slices.Contains(all, x) {
					all = append(all, x)
				}
			}
		}
		sort.Strings(all)
		return dynamicForm{values: all, from: from}
	}
	sql := func(table, column string) []string { return sqlCheckValues(t, table, column) }
	caseStatuses := strs(domain.CaseStatuses)
	referralStatuses := strs(referral.Statuses)
	referralKinds := strs(referral.Kinds)
	assistanceStatuses := strs(assistance.Statuses)

	// Case events (case.html: event.<action>): the case actions (their
	// event is the action), the action of every newEvent call, and the
	// ones written elsewhere: referral_<status> (referral.record via
	// AddEventTx) and document_upload (SQL in document.addEvent).
	var referralEvents []string
	for _, st := range referralStatuses {
		referralEvents = append(referralEvents, "referral_"+st)
	}
	caseEvents := f("domain.CaseActions, submit, newEvent(…, action, …) calls, referral_<referral status>, document_upload, register.CaseEvents",
		strs(domain.CaseActions), []string{string(domain.ActionSubmit), "document_upload"},
		src.callArgs([]string{"cases"}, "newEvent", 2), referralEvents, []string{"service_served", "service_other_means"}, register.CaseEvents, party.CaseEvents)

	// Deadline kinds (deadline.kind.<kind>, the English name of a
	// deadline): the Kind of every deadline.Spec literal, the kind
	// argument of referral's open(…) and referral's dl* constants (the
	// ex officio customs ones reach open from a table).
	deadlineKinds := f("Kind of deadline.Spec literals, kind argument of referral open(…), referral dl* constants",
		src.fieldValues(nil, "Spec", "Kind", -1), src.callArgs([]string{"referral"}, "open", 4), src.constsNamed("referral", "dl"))

	// Notification kinds (notify.<kind>.title and .body): the Kind of
	// notify.Message and notification literals, the assistance notices,
	// the kinds notify assigns (plan.go) or returns (reminderContent),
	// and referral's referral_<status>.
	notifyKinds := f("Kind of Message literals, assistance.Notice*, association.Notice*, notify kind variables and reminderContent, referral_<status>",
		src.fieldValues(nil, "Message", "Kind", -1), src.fieldValues(nil, "notification", "Kind", -1),
		src.constsNamed("assistance", "Notice"), src.constsNamed("credit", "Notice"), src.constsNamed("warning", "Notice"), src.constsNamed("service", "Notice"),
		src.constsNamed("register", "Notice"), src.constsNamed("party", "Notice"),
		src.constsNamed("association", "Notice"), src.assignedLiterals([]string{"notify"}, "kind"),
		src.returnedLiterals([]string{"notify"}, "reminderContent"),
		src.callArgs([]string{"referral"}, "tell", 5), src.callArgs([]string{"referral"}, "tellSenderUser", 4), referralEvents)
	notifyKinds.suffix = []string{".title", ".body"}

	// Referral fields and results (referral.html rows: referral.field.<key>
	// for every key of the stored JSON, nested objects included): the
	// keys the referral package writes into them; public() drops the
	// *_enc and *_hash ones before they are shown.
	var fieldKeys []string
	for _, k := range src.mapKeysWritten([]string{"referral"}, []string{"out", "result", "fields", "disp"}, "put") {
		if !strings.HasSuffix(k, "_enc") && !strings.HasSuffix(k, "_hash") {
			fieldKeys = append(fieldKeys, k)
		}
	}
	// Coded values shown through an id (enumKeys, Row.ValueKey): the
	// allowed values of every oneOf(f, "fields.<key>"|"result.<key>", v,
	// allowed...) call whose key enumKeys maps to referral.value., and the
	// booleans and the infringer's party kind.
	var referralValues []string
	src.inspect([]string{"referral"}, func(gf goFile, n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || funcName(c) != "oneOf" || len(c.Args) < 4 {
			return true
		}
		field, ok := src.value(gf.pkg, c.Args[1])
		if !ok {
			t.Errorf("%s: oneOf with a field name the test cannot read", src.where(c.Pos()))
			return true
		}
		key := field[strings.LastIndex(field, ".")+1:]
		p, ok := enumKeys[key]
		if !ok {
			return true
		}
		for _, a := range c.Args[3:] {
			v, ok := src.value(gf.pkg, a)
			if !ok {
				t.Errorf("%s: oneOf with a value the test cannot read", src.where(a.Pos()))
				continue
			}
			if p == "referral.value." {
				referralValues = append(referralValues, v)
			} else if _, ok := enumKeysChecked[p]; !ok {
				t.Errorf("%s: %s values are shown as %s<value>: add the prefix to enumKeysChecked", src.where(a.Pos()), key, p)
			}
		}
		return true
	})

	forms := map[string]dynamicForm{
		"status.":                     f("domain.CaseStatuses", caseStatuses),
		"audit.area.":                 f("auditAreas", auditAreas),
		"dispute.":                    f("domain.DisputeTypes", strs(domain.DisputeTypes)),
		"report.section.":             f("report.SectionFields", report.SectionFields),
		"stats.return.col.":           f("returnColumns and org", append([]string{"org"}, returnColumns...)),
		"stats.return.def.":           f("returnColumns and org", append([]string{"org"}, returnColumns...)),
		"report.status.":              f("report.Statuses", strs(report.Statuses)),
		"report.event.":               f("report.Actions, annual_report_events.action", report.Actions, sql("annual_report_events", "action")),
		"source.":                     f("domain.CaseSources", strs(domain.CaseSources)),
		"procedure.":                  f("domain.CourtProcedures", strs(domain.CourtProcedures)),
		"right.":                      f("domain.RightKinds", strs(domain.RightKinds)),
		"party.":                      f("partyRoles, case_parties.role", callStrs[domain.PartyRole](caseFuncs["partyRoles"]), sql("case_parties", "role")),
		"mode.":                       f("sessionModes, case_sessions.mode", callStrs[domain.SessionMode](caseFuncs["sessionModes"]), sql("case_sessions", "mode")),
		"route.":                      f("failRoutes, cases.suggested_route", callStrs[domain.FailRoute](caseFuncs["failRoutes"]), sql("cases", "suggested_route")),
		"agreement.":                  f("agreementFields", callStrs[string](caseFuncs["agreementFields"])),
		"reject_route.":               f("rejectRoutes", callStrs[domain.FailRoute](caseFuncs["rejectRoutes"])),
		"signoff.void.":               f("cases.VoidAgreementRevised", []string{cases.VoidAgreementRevised}),
		"consent.decision.":           f("consentDecisions", callStrs[party.Decision](caseFuncs["consentDecisions"])),
		"performance_result.":         f("performanceResults, case_performance.result", callStrs[domain.PerformanceResult](caseFuncs["performanceResults"]), sql("case_performance", "result")),
		"document.kind.":              f("document.Kinds, documents.kind", document.Kinds, sql("documents", "kind")),
		"role.":                       f("domain.Roles", strs(domain.Roles)),
		"orgtype.":                    f("domain.OrgTypes, orgs.type", strs(domain.OrgTypes), sql("orgs", "type")),
		"level.":                      f("orgs.level", sql("orgs", "level")),
		"objection.":                  f("case_objections.status", sql("case_objections", "status")),
		"signer.":                     f("agreement_signoffs.signer_kind", sql("agreement_signoffs", "signer_kind")),
		"method.":                     f("agreement_signoffs.method", sql("agreement_signoffs", "method")),
		"event.":                      caseEvents,
		"roster.specialty.":           f("register.Specialties", register.Specialties),
		"roster.qualification.":       f("register.Qualifications", register.Qualifications),
		"deadline.status.":            f("deadline.Statuses", strs(deadline.Statuses)),
		"deadline.kind.":              deadlineKinds,
		"notify.":                     notifyKinds,
		"case.flash.":                 f("domain.CaseActions (handleCaseAction)", strs(domain.CaseActions)),
		"referral.kind.":              f("referral.Kinds", referralKinds),
		"referral.send.":              f("referral.Kinds", referralKinds),
		"referral.send_help.":         f("referral.Kinds", referralKinds),
		"referral.accept_help.":       f("referral.Kinds", referralKinds),
		"referral.status.":            f("referral.Statuses", referralStatuses),
		"referral.event.":             f("referral.Statuses", referralStatuses),
		"referral.flash.":             f("referral.Actions", strs(referral.Actions)),
		"referral.part.":              f("referralNewPage.Parts", (&referralNewPage{}).Parts()),
		"referral.field.":             f("keys written into referral fields and results", fieldKeys),
		"referral.value.":             f("oneOf values of enumKeys fields, booleans, party kinds", referralValues, []string{"true", "false"}, sql("case_parties", "kind")),
		"assistance.status.":          f("assistance.Statuses", assistanceStatuses),
		"assistance.next.":            f("assistance.Statuses", assistanceStatuses),
		"assistance.help.":            f("assistance.Helps", strs(assistance.Helps)),
		"assistance.place.":           f("assistance.PlaceKinds", strs(assistance.PlaceKinds)),
		"assistance.doc.":             f("assistance.DocumentKinds", assistance.DocumentKinds),
		"assistance.rule.":            f("assistance.Rules", assistance.Rules),
		"assistance.event.":           f("addEvent(…, action, …) calls", src.callArgs([]string{"assistance"}, "addEvent", 4)),
		"assistance.request.":         f("assistance_material_requests.status", sql("assistance_material_requests", "status")),
		"assistance.referral_status.": f("referral.Statuses", referralStatuses),
		"assistance.referral_kind.":   f("Kind of the SendInput literals of package assistance", src.fieldValues([]string{"assistance"}, "SendInput", "Kind", -1)),
		"assistance.group.":           f("assistanceGroups: q{id} and assistanceGroup{ID}", src.fieldValues([]string{"web"}, "q", "id", 0), src.fieldValues([]string{"web"}, "assistanceGroup", "ID", -1)),
		"work.":                       {values: strs(domain.Roles), suffix: []string{".text"}, from: "domain.Roles"},
		"credit.status.":              f("credit.Statuses", strs(credit.Statuses)),
		"warning.status.":             f("warning.Statuses", strs(warning.Statuses)),
		"service.doc.":                f("notice.Docs", strs(notice.Docs)),
		"service.pdf.":                f("notice.Docs", strs(notice.Docs)),
		"service.state.":              f("service.States, service_records.method", strs(service.States), sql("service_records", "method")),
		"warning.source.":             f("warning.Source types: case, application", []string{"case", "application"}),
		"warning.flash.":              f("warningStep forms and created", []string{"created", "edit", "publish", "discard"}),
		"credit.next.":                f("credit.Statuses", strs(credit.Statuses)),
		"credit.source.":              f("credit.SourceKinds", strs(credit.SourceKinds)),
		"credit.severity.":            f("credit.Severities", strs(credit.Severities)),
		"credit.method.":              f("credit.NoticeMethods, inbox", credit.NoticeMethods, []string{"inbox"}),
		"credit.subject_kind.":        f("credit_records.subject_kind", sql("credit_records", "subject_kind")),
		"credit.action.":              f("credit.Actions", strs(credit.Actions)),
		"credit.flash.":               f("credit.Actions (handleCreditAction)", strs(credit.Actions)),
		"credit.event.":               f("credit.EventActions", credit.EventActions),
		"credit.help.":                f("creditShowPage.ReasonSteps, DecisionSteps", creditShowPage{}.ReasonSteps(), creditShowPage{}.DecisionSteps()),
		"credit.reason.":              f("creditShowPage.ReasonSteps", creditShowPage{}.ReasonSteps()),
		"recordation.status.":         f("recordation.Statuses", strs(recordation.Statuses)),
		"recordation.action.":         f("recordation.Actions", strs(recordation.Actions)),
		"recordation.flash.":          f("recordation.Actions (handleRecordationChange)", strs(recordation.Actions)),
		"recordation.help.":           f("recordation.ActionRenew, recordationShowPage.Steps", []string{string(recordation.ActionRenew)}, recordationShowPage{}.Steps()),
		"faircomplaint.status.":       f("assistance.FairStatuses", strs(assistance.FairStatuses)),
		"faircomplaint.action.":       f("assistance.FairActions", strs(assistance.FairActions)),
		"faircomplaint.help.":         f("assistance.FairActions", strs(assistance.FairActions)),
		"faircomplaint.flash.":        f("assistance.FairActions (handleFairComplaintStep)", strs(assistance.FairActions)),
		"faircomplaint.event.":        f("assistance.FairActions and receive", strs(assistance.FairActions), []string{"receive"}),
		"faircomplaint.decision.":     f("assistance.Decisions", assistance.Decisions),
		"faircomplaint.measure.":      f("assistance.Measures", assistance.Measures),
		"party.sms.code.":             f("party.Purposes", strs(party.Purposes)),
		"party.gone.":                 {values: partyGoneKinds, suffix: []string{".title", ".text"}, from: "partyGoneKinds"},
	}
	for p := range enumKeysChecked {
		if _, ok := forms[p]; !ok {
			t.Errorf("enumKeysChecked names %q, which dynamicForms does not check", p)
		}
	}
	for k, p := range enumKeys {
		if _, ok := forms[p]; !ok {
			t.Errorf("enumKeys[%q] shows values as %s<value>, which dynamicForms does not check", k, p)
		}
	}
	return forms
}

// enumKeysChecked are the enumKeys prefixes other than referral.value.
// whose values dynamicForms takes from the domain lists.
var enumKeysChecked = map[string]bool{"procedure.": true, "dispute.": true, "route.": true}

func strs[S ~string](v []S) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}

// callStrs calls a template helper that lists values.
func callStrs[S ~string](fn any) []string {
	return strs(fn.(func() []S)())
}

// sqlCheckValues reads the values a CHECK (column IN (…)) constraint of
// table allows in the migrations (” left out).
func sqlCheckValues(t *testing.T, table, column string) []string {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	tableRe := regexp.MustCompile(`(?s)CREATE TABLE ` + regexp.QuoteMeta(table) + ` \((.*?)\n\);`)
	checkRe := regexp.MustCompile(`(?s)\b` + regexp.QuoteMeta(column) + `\s+text\b[^,]*?CHECK \(` + regexp.QuoteMeta(column) + ` IN \((.*?)\)\)`)
	for _, name := range names {
		raw, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		m := tableRe.FindSubmatch(raw)
		if m == nil {
			continue
		}
		c := checkRe.FindSubmatch(m[1])
		if c == nil {
			break
		}
		var out []string
		for _, q := range regexp.MustCompile(`'([^']*)'`).FindAllSubmatch(c[1], -1) {
			if len(q[1]) > 0 {
				out = append(out, string(q[1]))
			}
		}
		return out
	}
	t.Errorf("migrations: no CHECK (%s IN (…)) in CREATE TABLE %s", column, table)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}
