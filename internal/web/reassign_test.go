package web_test

import (
	"strconv"
	"testing"
)

// TestCasesAPI_Reassign: the city committee's director moves a 鼓楼 case
// to 仓山 through the API (response checked against the OpenAPI document);
// 鼓楼 then answers 404 for it, 仓山 sees it with its number unchanged, and
// a move to a court names the field.
func TestCasesAPI_Reassign(t *testing.T) {
	f := newCaseFlow(t)
	c := f.do("clerk.gulou", "POST", "/cases", f.intake(nil), 201)
	path := "/cases/" + strconv.FormatInt(c.ID, 10)

	p := f.problem("director.city", "POST", path+"/reassign",
		map[string]any{"version": c.Version, "org_id": f.orgs["gulou-court"], "reason": "移交法院"}, 422)
	if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "org_id" {
		t.Fatalf("a court as target: errors %v, want one naming org_id", p["errors"])
	}
	f.problem("director.gulou", "POST", path+"/reassign",
		map[string]any{"version": c.Version, "org_id": f.orgs["cangshan"], "reason": "x"}, 403)

	moved := f.do("director.city", "POST", path+"/reassign",
		map[string]any{"version": c.Version, "org_id": f.orgs["cangshan"], "reason": "均衡办案量"}, 200)
	if moved.OrgID != f.orgs["cangshan"] || moved.Number != c.Number {
		t.Fatalf("after the move: org %d number %s; want org %d number %s", moved.OrgID, moved.Number, f.orgs["cangshan"], c.Number)
	}
	f.problem("director.gulou", "GET", path, nil, 404)
	seen := f.do("director.cangshan", "GET", path, nil, 200)
	if seen.Events[len(seen.Events)-1].Action != "reassign" {
		t.Fatalf("timeline %v does not end with the move", seen.Events)
	}
}
