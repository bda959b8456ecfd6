package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

// The authorization matrix: every registered route × every role (and an
// anonymous visitor) × an object of the actor's own organisation and one
// of another organisation, with the expected status. A route registered
// without a row fails the test, so nobody can add an endpoint and forget
// to decide who may call it.
//
// Mutating requests are chosen so that an allowed call either changes
// nothing (an idempotent grant, enabling an enabled user) or fails
// validation after authorization passed (422), which keeps the rows
// independent of each other.

// mxActor is one column of the matrix.
type mxActor struct {
	role     string // the column name
	username string // "" for anonymous
	org      string // code of the actor's own organisation
}

var mxActors = []mxActor{
	{role: "anon"},
	{role: "sysadmin", username: "admin", org: "gulou"},
	{role: "leader", username: "leader", org: "leadership"},
	{role: "director", username: "director.gulou", org: "gulou"},
	{role: "clerk", username: "clerk.gulou", org: "gulou"},
	{role: "mediator", username: "mediator1.gulou", org: "gulou"},
	{role: "assistance_officer", username: "assistance.fz", org: "fz-assistance"},
	{role: "court_liaison", username: "liaison.gulou-court", org: "gulou-court"},
	{role: "arbitration_clerk", username: "arbitration.fz", org: "fz-arbitration"},
	{role: "customs_officer", username: "customs.fz", org: "fz-customs"},
	{role: "enforcement_officer", username: "enforcement.fz-amr", org: "fz-amr"},
	{role: "association_staff", username: "association.fz-software", org: "fz-software"},
	{role: "applicant", username: "sme1", org: "ent-sme1"},
}

// mxEnv holds the ids and credentials the requests need.
type mxEnv struct {
	t      *testing.T
	a      *app.App
	base   string
	orgs   map[string]int64
	users  map[string]int64
	tokens map[string]string // username -> bearer token
	// The case objects: a gulou case filed by sme1 and a cangshan case,
	// both being mediated, with one document each.
	ownCase, foreignCase, ownDoc, foreignDoc int64
	clients                                  map[string]*http.Client // username -> signed-in browser
}

// ownUser is a user of the actor's own organisation that the actor may
// manage if anyone there may: a colleague in a committee, else themself.
func (e *mxEnv) ownUser(a mxActor) int64 {
	if a.org == "gulou" {
		return e.users["mediator2.gulou"]
	}
	return e.users[a.username]
}

func (e *mxEnv) foreignUser() int64 { return e.users["mediator1.cangshan"] }

func (e *mxEnv) ownOrg(a mxActor) int64 { return e.orgs[a.org] }

// foreignOrg is another enterprise's organisation: private to its members.
func (e *mxEnv) foreignOrg() int64 { return e.orgs["ent-sme2"] }

type mxReq struct {
	method, path string
	json         any        // JSON body (API)
	form         url.Values // form body (pages); the CSRF token is added
	fresh        bool       // use a fresh session or token (logout rows)
}

type mxRow struct {
	route   string // "METHOD /path" as registered
	objects bool   // own and foreign objects differ
	req     func(e *mxEnv, a mxActor, own bool) mxReq
	own     map[string]int // expected status by role; "*" is the default
	foreign map[string]int // for object rows; nil = same as own
}

func ids(n int64) string { return fmt.Sprint(n) }

func mxRows() []mxRow {
	rows := append(identityRows(), caseRows()...)
	for _, more := range moreRows {
		rows = append(rows, more()...)
	}
	return rows
}

// moreRows lets other test files of later capabilities add their routes'
// rows (from an init function), so each capability keeps its rows beside
// its own tests.
var moreRows []func() []mxRow

func identityRows() []mxRow {
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	userPath := func(suffix string) func(e *mxEnv, a mxActor, own bool) string {
		return func(e *mxEnv, a mxActor, own bool) string {
			id := e.foreignUser()
			if own {
				id = e.ownUser(a)
			}
			return "/users/" + ids(id) + suffix
		}
	}
	anon401 := func(rest int) map[string]int { return map[string]int{"anon": 401, "*": rest} }
	anon303 := func(rest int) map[string]int { return map[string]int{"anon": 303, "*": rest} }
	sysOnly := func(anon, sys, others int) map[string]int {
		return map[string]int{"anon": anon, "sysadmin": sys, "*": others}
	}
	return []mxRow{
		// Machine endpoints and assets: public.
		{route: "GET /healthz", req: get("/healthz"), own: map[string]int{"*": 200}},
		{route: "GET /readyz", req: get("/readyz"), own: map[string]int{"*": 200}},
		{route: "GET /api/openapi.yaml", req: get("/api/openapi.yaml"), own: map[string]int{"*": 200}},
		{route: "GET /static/*", req: get("/static/app.css"), own: map[string]int{"*": 200}},
		{route: "ANY /api/v1/*", req: get("/api/v1/no-such-endpoint"), own: map[string]int{"*": 404}},

		// Public pages.
		{route: "GET /", req: get("/"), own: map[string]int{"anon": 200, "*": 303}},
		{route: "GET /lang", req: get("/lang?to=en&next=/"), own: map[string]int{"*": 303}},
		{route: "GET /login", req: get("/login"), own: map[string]int{"anon": 200, "*": 303}},
		{route: "POST /login", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/login", form: url.Values{"username": {"nobody"}, "password": {"wrong-password"}}}
		}, own: map[string]int{"*": 401}},
		{route: "POST /logout", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/logout", form: url.Values{}, fresh: true}
		}, own: map[string]int{"*": 303}},
		{route: "GET /register", req: get("/register"), own: map[string]int{"*": 200}},
		{route: "POST /register", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/register", form: url.Values{"credit_code": {"bad"}}}
		}, own: map[string]int{"*": 422}},

		// Signed-in pages.
		{route: "GET /work", req: get("/work"), own: anon303(200)},
		{route: "GET /me/password", req: get("/me/password"), own: anon303(200)},
		{route: "GET /stats", req: get("/stats"), own: statsReaders(303)},
		{route: "GET /stats.csv", req: get("/stats.csv?quarter=2026-Q1"), own: statsReaders(303)},
		{route: "GET /stats.xlsx", req: get("/stats.xlsx?from=2026-01-01&to=2026-03-31"), own: statsReaders(303)},
		{route: "GET /stats/return.xlsx", req: get("/stats/return.xlsx?year=2026"), own: map[string]int{"anon": 303, "*": 403, "leader": 200, "director": 200}},
		{route: "GET /api/v1/stats", req: get("/api/v1/stats?month=2026-03"), own: statsReaders(401)},
		{route: "POST /me/password", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/me/password", form: url.Values{"current_password": {"x"}, "new_password": {"short"}, "new_password2": {"short"}}}
		}, own: anon303(422)},
		{route: "GET /users", req: get("/users"), own: map[string]int{"anon": 303, "sysadmin": 200, "director": 200, "*": 403}},
		{route: "POST /users", req: func(e *mxEnv, a mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: "/users", form: url.Values{"org_id": {ids(e.ownOrg(a))}, "role": {"mediator"}, "username": {""}}}
		}, own: map[string]int{"anon": 303, "sysadmin": 422, "director": 422, "*": 403}},
		{route: "GET /users/:id", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			return mxReq{method: "GET", path: userPath("")(e, a, own)}
		}, own: map[string]int{"anon": 303, "clerk": 404, "mediator": 404, "*": 200}, foreign: sysOnly(303, 200, 404)},
		{route: "POST /users/:id/:action", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: userPath("/password")(e, a, own), form: url.Values{"password": {"short"}}}
		}, own: map[string]int{"anon": 303, "sysadmin": 422, "director": 422, "clerk": 404, "mediator": 404, "*": 403}, foreign: sysOnly(303, 422, 404)},
		{route: "GET /orgs", req: get("/orgs"), own: sysOnly(303, 200, 404)},
		{route: "POST /orgs", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/orgs", form: url.Values{"code": {"Bad Code"}}}
		}, own: sysOnly(303, 422, 404)},
		{route: "GET /orgs/:id", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			id := e.foreignOrg()
			if own {
				id = e.ownOrg(a)
			}
			return mxReq{method: "GET", path: "/orgs/" + ids(id)}
		}, own: sysOnly(303, 200, 404)},
		{route: "POST /orgs/:id", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			id := e.foreignOrg()
			if own {
				id = e.ownOrg(a)
			}
			return mxReq{method: "POST", path: "/orgs/" + ids(id), form: url.Values{"name_zh": {""}}}
		}, own: sysOnly(303, 422, 404)},
		{route: "GET /audit", req: get("/audit"), own: sysOnly(303, 200, 404)},

		// API: authentication.
		{route: "POST /api/v1/auth/login", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/auth/login", json: map[string]string{"username": "nobody", "password": ""}}
		}, own: map[string]int{"*": 422}},
		{route: "POST /api/v1/register", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/register", json: map[string]string{}}
		}, own: map[string]int{"*": 422}},
		{route: "POST /api/v1/auth/logout", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/auth/logout", fresh: true}
		}, own: anon401(204)},
		{route: "GET /api/v1/me", req: get("/api/v1/me"), own: anon401(200)},
		{route: "POST /api/v1/me/password", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/me/password", json: map[string]string{"current_password": "x", "new_password": "short"}}
		}, own: anon401(422)},

		// API: organisations.
		{route: "GET /api/v1/orgs", req: get("/api/v1/orgs"), own: anon401(200)},
		{route: "GET /api/v1/orgs/:id", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			id := e.foreignOrg()
			if own {
				id = e.ownOrg(a)
			}
			return mxReq{method: "GET", path: "/api/v1/orgs/" + ids(id)}
		}, own: anon401(200), foreign: sysOnly(401, 200, 404)},
		{route: "POST /api/v1/orgs", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/orgs", json: map[string]string{"code": "Bad Code"}}
		}, own: sysOnly(401, 422, 403)},
		{route: "PATCH /api/v1/orgs/:id", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			id := e.foreignOrg()
			if own {
				id = e.ownOrg(a)
			}
			return mxReq{method: "PATCH", path: "/api/v1/orgs/" + ids(id), json: map[string]string{"name_zh": ""}}
		}, own: sysOnly(401, 422, 403), foreign: sysOnly(401, 422, 404)},

		// API: users and roles.
		{route: "GET /api/v1/users", req: get("/api/v1/users"), own: map[string]int{"anon": 401, "sysadmin": 200, "director": 200, "*": 403}},
		{route: "POST /api/v1/users", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			org := e.orgs["cangshan"]
			if own {
				org = e.ownOrg(a)
			}
			return mxReq{method: "POST", path: "/api/v1/users", json: map[string]any{"org_id": org, "role": "mediator", "username": ""}}
		}, own: map[string]int{"anon": 401, "sysadmin": 422, "director": 422, "*": 403}, foreign: sysOnly(401, 422, 404)},
		{route: "GET /api/v1/users/:id", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			return mxReq{method: "GET", path: "/api/v1" + userPath("")(e, a, own)}
		}, own: map[string]int{"anon": 401, "clerk": 404, "mediator": 404, "*": 200}, foreign: sysOnly(401, 200, 404)},
		{route: "POST /api/v1/users/:id/enable", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1" + userPath("/enable")(e, a, own)}
		}, own: map[string]int{"anon": 401, "sysadmin": 204, "director": 204, "clerk": 404, "mediator": 404, "*": 403}, foreign: sysOnly(401, 204, 404)},
		{route: "POST /api/v1/users/:id/disable", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			// Own: the actor themself (refused or a validation error);
			// foreign: a user who is already disabled (a no-op).
			id := e.users["ghost.cangshan"]
			if own {
				id = e.users[a.username]
			}
			return mxReq{method: "POST", path: "/api/v1/users/" + ids(id) + "/disable"}
		}, own: map[string]int{"anon": 401, "sysadmin": 422, "*": 403}, foreign: sysOnly(401, 204, 404)},
		{route: "POST /api/v1/users/:id/password", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1" + userPath("/password")(e, a, own), json: map[string]string{"password": "short"}}
		}, own: map[string]int{"anon": 401, "sysadmin": 422, "director": 422, "clerk": 404, "mediator": 404, "*": 403}, foreign: sysOnly(401, 422, 404)},
		{route: "POST /api/v1/users/:id/roles", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			org, target := e.orgs["cangshan"], e.foreignUser()
			if own {
				org, target = e.ownOrg(a), e.ownUser(a)
			}
			return mxReq{method: "POST", path: "/api/v1/users/" + ids(target) + "/roles", json: map[string]any{"org_id": org, "role": "mediator"}}
		}, own: map[string]int{"anon": 401, "sysadmin": 204, "director": 204, "*": 403}, foreign: sysOnly(401, 204, 404)},
		{route: "POST /api/v1/users/:id/roles/revoke", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			org, target := e.orgs["cangshan"], e.foreignUser()
			if own {
				org, target = e.ownOrg(a), e.ownUser(a)
			}
			return mxReq{method: "POST", path: "/api/v1/users/" + ids(target) + "/roles/revoke", json: map[string]any{"org_id": org, "role": "association_staff"}}
		}, own: map[string]int{"anon": 401, "sysadmin": 422, "*": 403}, foreign: sysOnly(401, 422, 404)},
		{route: "GET /api/v1/audit", req: get("/api/v1/audit"), own: sysOnly(401, 200, 404)},
	}
}

// Case rows. The own case is a gulou case filed by sme1 and being mediated
// by mediator1.gulou; the foreign case is a cangshan case in the same
// state. Expectations follow from two small tables: who can see each case
// (everyone else gets 404) and who holds each action's permission; an
// action the state does not allow is 409 for those who see the case, and
// a permitted one reaches input validation (422: the version is missing).
var (
	caseVisibleOwn     = set("leader", "director", "clerk", "mediator", "applicant")
	caseVisibleForeign = set("leader")
	casePermitted      = map[string]map[string]bool{
		"accept": set("director"), "reject": set("director"), "assign": set("director"), "extend": set("director"),
		"decide_objection": set("director"), "close": set("director"),
		"declare": set("mediator"), "sessions": set("mediator"), "settle": set("mediator"), "fail": set("mediator"),
		"signoff": set("mediator", "clerk", "director"), "performance": set("mediator", "clerk", "director"),
		"object": set("clerk", "applicant"), "withdraw": set("clerk", "applicant"),
	}
)

// Documents: those who see the case and whose role holds document:read;
// the leadership office sees the cases, not their files
// (configs/policy.csv), so its downloads are 404.
var (
	docVisibleOwn     = set("director", "clerk", "mediator", "applicant")
	docVisibleForeign = set()
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// visibleWant builds the expectations of a read: ok for those who see the
// case, 404 for the rest, anon for anonymous visitors.
func visibleWant(vis map[string]bool, anon, ok int) map[string]int {
	m := map[string]int{"anon": anon, "*": 404}
	for r := range vis {
		m[r] = ok
	}
	return m
}

// actionWant builds the expectations of one case action.
func actionWant(action string, vis map[string]bool, anon int) map[string]int {
	m := map[string]int{"anon": anon, "*": 404}
	allowed := false
	for _, a := range domain.AllowedActions(domain.StatusMediating) {
		allowed = allowed || string(a) == action
	}
	for r := range vis {
		switch {
		case !allowed:
			m[r] = 409
		case casePermitted[action][r]:
			m[r] = 422
		default:
			m[r] = 403
		}
	}
	return m
}

// caseListWant: a role with no case scope at all (the system
// administrator) has no case list; a receiver of referrals lists the
// cases referred to it, an association its consenting members' cases
// (none yet is an empty list, not a refusal).
func caseListWant(anon int) map[string]int {
	return map[string]int{"anon": anon, "sysadmin": 403, "*": 200}
}

func caseRows() []mxRow {
	caseID := func(e *mxEnv, own bool) string {
		if own {
			return ids(e.ownCase)
		}
		return ids(e.foreignCase)
	}
	creators := map[string]int{"anon": 401, "clerk": 422, "applicant": 422, "court_liaison": 422, "assistance_officer": 422, "*": 403}
	rows := []mxRow{
		{route: "GET /cases", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/cases"} }, own: caseListWant(303)},
		{route: "GET /cases/new", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/cases/new"} },
			own: map[string]int{"anon": 303, "clerk": 200, "applicant": 200, "court_liaison": 200, "assistance_officer": 200, "*": 404}},
		{route: "POST /cases", req: func(e *mxEnv, a mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: "/cases", form: url.Values{"org_id": {ids(e.orgs["gulou"])}, "summary": {""}}}
		}, own: map[string]int{"anon": 303, "clerk": 422, "applicant": 422, "court_liaison": 422, "assistance_officer": 422, "*": 403}},
		{route: "GET /cases/:id", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "GET", path: "/cases/" + caseID(e, own)}
		}, own: visibleWant(caseVisibleOwn, 303, 200), foreign: visibleWant(caseVisibleForeign, 303, 200)},
		{route: "POST /cases/:id/:action", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/cases/" + caseID(e, own) + "/withdraw", form: url.Values{"reason": {"x"}}}
		}, own: actionWant("withdraw", caseVisibleOwn, 303), foreign: actionWant("withdraw", caseVisibleForeign, 303)},
		{route: "GET /cases/:id/print/:doc", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "GET", path: "/cases/" + caseID(e, own) + "/print/acceptance"}
		}, own: visibleWant(caseVisibleOwn, 303, 200), foreign: visibleWant(caseVisibleForeign, 303, 200)},
		{route: "POST /cases/:id/documents", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/cases/" + caseID(e, own) + "/documents", form: url.Values{"kind": {"evidence"}}}
		}, own: map[string]int{"anon": 303, "leader": 403, "director": 422, "clerk": 422, "mediator": 422, "applicant": 422, "*": 404},
			foreign: map[string]int{"anon": 303, "leader": 403, "*": 404}},
		{route: "GET /documents/:id", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			if own {
				return mxReq{method: "GET", path: "/documents/" + ids(e.ownDoc)}
			}
			return mxReq{method: "GET", path: "/documents/" + ids(e.foreignDoc)}
		}, own: visibleWant(docVisibleOwn, 303, 200), foreign: visibleWant(docVisibleForeign, 303, 200)},

		{route: "GET /api/v1/cases", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/api/v1/cases"} }, own: caseListWant(401)},
		{route: "POST /api/v1/cases", req: func(e *mxEnv, a mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/cases", json: map[string]any{"org_id": e.orgs["gulou"], "summary": ""}}
		}, own: creators},
		{route: "GET /api/v1/cases/:id", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "GET", path: "/api/v1/cases/" + caseID(e, own)}
		}, own: visibleWant(caseVisibleOwn, 401, 200), foreign: visibleWant(caseVisibleForeign, 401, 200)},
		{route: "POST /api/v1/cases/:id/documents", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/cases/" + caseID(e, own) + "/documents", json: map[string]any{}}
		}, own: map[string]int{"anon": 401, "leader": 403, "director": 422, "clerk": 422, "mediator": 422, "applicant": 422, "*": 404},
			foreign: map[string]int{"anon": 401, "leader": 403, "*": 404}},
		{route: "GET /api/v1/documents/:id", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			if own {
				return mxReq{method: "GET", path: "/api/v1/documents/" + ids(e.ownDoc)}
			}
			return mxReq{method: "GET", path: "/api/v1/documents/" + ids(e.foreignDoc)}
		}, own: visibleWant(docVisibleOwn, 401, 200), foreign: visibleWant(docVisibleForeign, 401, 200)},
		{route: "GET /api/v1/orgs/:id/mediators", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			org := e.orgs["cangshan"]
			if own {
				org = e.orgs["gulou"]
			}
			return mxReq{method: "GET", path: "/api/v1/orgs/" + ids(org) + "/mediators"}
		}, own: map[string]int{"anon": 401, "director": 200, "clerk": 200, "*": 404}, foreign: map[string]int{"anon": 401, "*": 404}},
	}
	for _, act := range domain.CaseActions {
		act := string(act)
		rows = append(rows, mxRow{route: "POST /api/v1/cases/:id/" + act, objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/cases/" + caseID(e, own) + "/" + act, json: map[string]any{}}
		}, own: actionWant(act, caseVisibleOwn, 401), foreign: actionWant(act, caseVisibleForeign, 401)})
	}
	return rows
}

func (r mxRow) want(role string, own bool) int {
	m := r.own
	if !own && r.foreign != nil {
		m = r.foreign
	}
	if v, ok := m[role]; ok {
		return v
	}
	return m["*"]
}

func TestAuthorizationMatrix(t *testing.T) {
	// Many logins from one address: lift the throttle for this test.
	a := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute, c.Security.RegisterRatePerHour = 10000, 10000
	}))
	r := apptest.Serve(t, a)
	e := mxSetup(t, a, r.URL)
	rows := mxRows()

	// Every registered route has exactly one row.
	have := map[string]bool{}
	for _, row := range rows {
		if have[row.route] {
			t.Errorf("route %s has two rows", row.route)
		}
		have[row.route] = true
	}
	registered := map[string]bool{}
	for _, rt := range a.Web.Echo.Routes() {
		if strings.HasPrefix(rt.Method, "echo_route_not_found") || strings.HasPrefix(rt.Name, "echo_route_not_found") {
			continue
		}
		key := rt.Method + " " + rt.Path
		if rt.Path == "/api/v1/*" {
			key = "ANY /api/v1/*"
		}
		registered[key] = true
		if !have[key] {
			t.Errorf("route %s has no row in the authorization matrix: decide who may call it", key)
		}
	}
	for k := range have {
		if !registered[k] {
			t.Errorf("matrix row %s matches no registered route", k)
		}
	}

	for _, row := range rows {
		for _, act := range mxActors {
			sides := []bool{true}
			if row.objects {
				sides = []bool{true, false}
			}
			for _, own := range sides {
				side := "own"
				if !own {
					side = "foreign"
				}
				name := fmt.Sprintf("%s/%s/%s", row.route, act.role, side)
				req := row.req(e, act, own)
				got, body := e.do(act, req)
				if want := row.want(act.role, own); got != want {
					t.Errorf("%s: %s %s = %d, want %d\n%s", name, req.method, req.path, got, want, truncate(body))
				}
			}
		}
	}
}

func truncate(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// mxSetup logs every actor in (API token and browser session) and creates
// the disabled user that the disable row targets.
func mxSetup(t *testing.T, a *app.App, base string) *mxEnv {
	t.Helper()
	e := &mxEnv{t: t, a: a, base: base, orgs: map[string]int64{}, users: map[string]int64{},
		tokens: map[string]string{}, clients: map[string]*http.Client{}}
	var orgRows []struct {
		ID   int64
		Code string
	}
	if err := a.DB.Raw("SELECT id, code FROM orgs").Scan(&orgRows).Error; err != nil {
		t.Fatal(err)
	}
	for _, o := range orgRows {
		e.orgs[o.Code] = o.ID
	}
	ctx := context.Background()
	if _, err := a.Identity.EnsureUser(ctx, identity.SeedUser{Username: "ghost.cangshan", DisplayName: "幽灵", Password: "ghost-password-2026",
		Grants: []identity.SeedGrant{{OrgID: e.orgs["cangshan"], Role: domain.RoleMediator}}}); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Exec("UPDATE users SET active = false WHERE username = 'ghost.cangshan'").Error; err != nil {
		t.Fatal(err)
	}
	var userRows []struct {
		ID       int64
		Username string
	}
	if err := a.DB.Raw("SELECT id, username FROM users").Scan(&userRows).Error; err != nil {
		t.Fatal(err)
	}
	for _, u := range userRows {
		e.users[u.Username] = u.ID
	}
	e.ownCase, e.ownDoc = mxCase(t, a, e, "sme1", "gulou", "mediator1.gulou")
	e.foreignCase, e.foreignDoc = mxCase(t, a, e, "clerk.cangshan", "cangshan", "mediator1.cangshan")
	for _, act := range mxActors {
		if act.username == "" {
			continue
		}
		e.tokens[act.username] = e.apiLogin(act.username)
		e.clients[act.username] = e.webLogin(act.username)
	}
	return e
}

func (e *mxEnv) apiLogin(username string) string {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"username": username, "password": "demo-pass-2026"})
	resp, err := http.Post(e.base+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		e.t.Fatalf("api login %s: %d %v", username, resp.StatusCode, err)
	}
	return out.Token
}

// browser returns a client with a cookie jar and the CSRF cookie set.
func (e *mxEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(e.base + "/login")
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return c
}

func (e *mxEnv) csrf(c *http.Client) string {
	u, _ := url.Parse(e.base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "ipm_csrf" {
			return ck.Value
		}
	}
	e.t.Fatal("no CSRF cookie")
	return ""
}

func (e *mxEnv) webLogin(username string) *http.Client {
	e.t.Helper()
	c := e.browser()
	resp, err := c.PostForm(e.base+"/login", url.Values{"username": {username}, "password": {"demo-pass-2026"}, "_csrf": {e.csrf(c)}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("web login %s: %d", username, resp.StatusCode)
	}
	return c
}

// do sends req as the actor: API paths with the bearer token, pages with
// the signed-in browser (and its CSRF token on forms).
func (e *mxEnv) do(act mxActor, req mxReq) (int, string) {
	e.t.Helper()
	var body io.Reader
	var ctype string
	isAPI := strings.HasPrefix(req.path, "/api/")
	var client *http.Client
	switch {
	case isAPI:
		client = http.DefaultClient
	case act.username == "":
		client = e.browser()
	case req.fresh:
		client = e.webLogin(act.username)
	default:
		client = e.clients[act.username]
	}
	if req.json != nil {
		b, _ := json.Marshal(req.json)
		body, ctype = bytes.NewReader(b), "application/json"
	}
	if req.form != nil {
		f := url.Values{}
		for k, v := range req.form {
			f[k] = v
		}
		f.Set("_csrf", e.csrf(client))
		body, ctype = strings.NewReader(f.Encode()), "application/x-www-form-urlencoded"
	}
	hr, err := http.NewRequest(req.method, e.base+req.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if isAPI && act.username != "" {
		tok := e.tokens[act.username]
		if req.fresh {
			tok = e.apiLogin(act.username)
		}
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mxCase files a case as filer into committee, has it accepted, assigned
// to mediator and declared, and attaches a document (uploaded by the
// committee's clerk); it returns the case and document ids.
func mxCase(t *testing.T, a *app.App, e *mxEnv, filer, committee, mediator string) (int64, int64) {
	t.Helper()
	as := func(username string) context.Context {
		act, err := a.Identity.Actor(context.Background(), e.users[username])
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(context.Background(), act)
	}
	cs, err := a.Cases.Submit(as(filer), cases.IntakeInput{
		OrgID: e.orgs[committee], Source: domain.SourceDirect, DisputeType: domain.DisputeTrademark,
		Summary: "被申请人在其网店销售带有申请人注册商标的茶叶。", Claims: "停止销售，赔偿损失。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某", IDNumber: "11010519491231002X", Phone: "13800138000"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}},
	})
	if err != nil {
		t.Fatalf("submit %s case: %v", committee, err)
	}
	director := "director." + committee
	if cs, err = a.Cases.Accept(as(director), cs.ID, cases.AcceptInput{Version: cs.Version, ConsentAt: a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if cs, err = a.Cases.Assign(as(director), cs.ID, cases.AssignInput{Version: cs.Version, MediatorIDs: []int64{e.users[mediator]}}); err != nil {
		t.Fatal(err)
	}
	if _, err = a.Cases.Declare(as(mediator), cs.ID, cases.DeclareInput{Version: cs.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		t.Fatal(err)
	}
	d, err := a.Docs.Upload(as("clerk."+committee), document.UploadInput{CaseID: cs.ID, Kind: "evidence", FileName: "证据.txt",
		Body: strings.NewReader("网店截图说明")})
	if err != nil {
		t.Fatal(err)
	}
	return cs.ID, d.ID
}

// statsReaders is who opens the statistics: the leadership office and a
// director (the cases' figures), and every role that reads referrals
// (their referral figures); anon gets anonStatus.
func statsReaders(anonStatus int) map[string]int {
	m := map[string]int{"anon": anonStatus, "*": 403}
	for _, r := range []string{"leader", "director", "clerk", "assistance_officer", "court_liaison", "arbitration_clerk", "customs_officer", "enforcement_officer"} {
		m[r] = 200
	}
	return m
}

// mxObjects are a capability's objects of the matrix, made once per
// environment however many rows ask for them at once.
type mxObjects[T any] struct {
	mu sync.Mutex
	by map[*mxEnv]T
}

func (o *mxObjects[T]) get(e *mxEnv, make func() T) T {
	o.mu.Lock()
	defer o.mu.Unlock()
	if v, ok := o.by[e]; ok {
		return v
	}
	if o.by == nil {
		o.by = map[*mxEnv]T{}
	}
	v := make()
	o.by[e] = v
	return v
}
