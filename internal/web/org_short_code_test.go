package web_test

import (
	"strings"
	"testing"
)

// TestOrgs_ShortCodeUnique: case numbers are unique across committees, so
// the abbreviation they are built from is too: creating or renaming a
// committee to a taken one is a 422 naming short_code, and changes
// nothing.
func TestOrgs_ShortCodeUnique(t *testing.T) {
	r := startDemo(t)
	admin := mustLogin(t, r, "admin")
	before := scalar[int64](t, r, "SELECT count(*) FROM orgs")
	res := call(t, r, "POST", "/api/v1/orgs", admin, map[string]any{"code": "gulou2", "type": "mediation_committee",
		"level": "county", "name_zh": "鼓楼区第二知识产权纠纷调解委员会", "short_code": "鼓知调", "region_code": "350102"})
	if p := mustProblem(t, res, 422, "invalid"); p.fieldMessage("short_code") != "validation.short_code_taken" {
		t.Fatalf("a taken short code on create: %s", res)
	}
	if after := scalar[int64](t, r, "SELECT count(*) FROM orgs"); after != before {
		t.Fatalf("a refused create changed the orgs: %d -> %d", before, after)
	}
	cangshan := orgID(t, r, "cangshan")
	res = call(t, r, "PATCH", "/api/v1/orgs/"+itoa(cangshan), admin, map[string]any{"short_code": "鼓知调"})
	if p := mustProblem(t, res, 422, "invalid"); p.fieldMessage("short_code") != "validation.short_code_taken" {
		t.Fatalf("a taken short code on update: %s", res)
	}
	if sc := scalar[string](t, r, "SELECT short_code FROM orgs WHERE id = ?", cangshan); !strings.HasPrefix(sc, "仓") {
		t.Fatalf("the refused update changed the short code to %q", sc)
	}
}
