package authz_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/authz"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// askers are the functions through which the code asks for a permission;
// their last two arguments are the resource and the action.
var askers = map[string]bool{"Can": true, "CanSystem": true, "Allowed": true, "CanAny": true, "requireSystem": true}

// templateAsk is a permission asked in a template: .CanAny "case" "read".
var templateAsk = regexp.MustCompile(`\.(?:CanAny|CanSystem|Can) "([a-z_]+)" "([a-z_]+)"`)

// TestEveryPermissionAskedIsDeclared reads the Go sources (tests aside)
// and the templates for every permission asked with literal names, and
// takes the case and referral actions' permissions: each must be one that
// perms.go declares (and so one the policy grants, or the sysadmin's).
func TestEveryPermissionAskedIsDeclared(t *testing.T) {
	root := filepath.Join("..", "..")
	asked := map[string][]string{} // permission -> where
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			case *ast.Ident:
				name = fn.Name
			}
			if !askers[name] {
				return true
			}
			res, ok1 := call.Args[len(call.Args)-2].(*ast.BasicLit)
			act, ok2 := call.Args[len(call.Args)-1].(*ast.BasicLit)
			if !ok1 || !ok2 || res.Kind != token.STRING || act.Kind != token.STRING {
				return true // built from a typed action; checked below
			}
			r, _ := strconv.Unquote(res.Value)
			a, _ := strconv.Unquote(act.Value)
			asked[r+":"+a] = append(asked[r+":"+a], fset.Position(call.Pos()).String())
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(filepath.Join(root, "web", "templates"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range templateAsk.FindAllStringSubmatch(string(b), -1) {
			asked[m[1]+":"+m[2]] = append(asked[m[1]+":"+m[2]], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) < 10 {
		t.Fatalf("found only %d permissions asked for; is the scan looking in the right place?", len(asked))
	}
	for _, a := range domain.CaseActions {
		asked["case:"+a.Permission()] = append(asked["case:"+a.Permission()], "domain.CaseActions "+string(a))
	}
	for _, a := range referral.Actions {
		asked["referral:"+string(a)] = append(asked["referral:"+string(a)], "referral.Actions "+string(a))
	}
	for p, where := range asked {
		res, act, _ := strings.Cut(p, ":")
		if !authz.Known(res, act) {
			t.Errorf("%s is asked for but not declared in perms.go (at %v)", p, where)
		}
	}
}
