package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// oaChecker holds the served OpenAPI document and checks real responses
// against it.
type oaChecker struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
	base   string
}

func newOAChecker(t *testing.T, base string) *oaChecker {
	t.Helper()
	resp, err := http.Get(base + "/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/openapi.yaml: %d", resp.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load openapi: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi document is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base + "/api/v1"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &oaChecker{t: t, doc: doc, router: router, base: base}
}

// call sends a request and validates the response against the document;
// it returns the status and body.
func (c *oaChecker) call(method, path, token string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+"/api/v1"+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.send(req)
}

// send performs any request (multipart uploads too) and validates the
// response against the document.
func (c *oaChecker) send(req *http.Request) (int, []byte) {
	c.t.Helper()
	method, path := req.Method, req.URL.Path
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Errorf("%s %s is not in the OpenAPI document: %v", method, path, err)
		return resp.StatusCode, out
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(out)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if err != nil {
		c.t.Errorf("%s %s: response %d does not match the OpenAPI document: %v\n%s", method, path, resp.StatusCode, err, truncate(string(out)))
	}
	return resp.StatusCode, out
}

// TestOpenAPI_CoversEveryAPIRoute fails when an /api/v1 route is missing
// from the document (or the document lists a route that does not exist).
func TestOpenAPI_CoversEveryAPIRoute(t *testing.T) {
	a := apptest.New(t)
	r := apptest.Serve(t, a)
	c := newOAChecker(t, r.URL)
	documented := map[string]bool{}
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+toEcho(path)] = true
		}
	}
	for _, rt := range apiRoutes(a) {
		if !documented[rt] {
			t.Errorf("API route %s is not described in web/openapi.yaml", rt)
		}
		delete(documented, rt)
	}
	for rt := range documented {
		t.Errorf("web/openapi.yaml describes %s, which is not a route", rt)
	}
}

func apiRoutes(a *app.App) []string {
	var out []string
	for _, rt := range a.Web.Echo.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Path == "/api/v1/*" {
			continue
		}
		out = append(out, rt.Method+" "+strings.TrimPrefix(rt.Path, "/api/v1"))
	}
	return out
}

// toEcho turns /users/{id} into /users/:id.
func toEcho(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			parts[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(parts, "/")
}

// TestOpenAPI_IdentityResponsesMatch holds real identity responses, good
// and bad, against the document.
func TestOpenAPI_IdentityResponsesMatch(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	c := newOAChecker(t, r.URL)
	login := func(u string) string {
		status, body := c.call("POST", "/auth/login", "", map[string]string{"username": u, "password": "demo-pass-2026"})
		if status != 200 {
			t.Fatalf("login %s: %d", u, status)
		}
		var tok struct{ Token string }
		_ = json.Unmarshal(body, &tok)
		return tok.Token
	}
	admin, director := login("admin"), login("director.gulou")
	c.call("POST", "/auth/login", "", map[string]string{"username": "x", "password": "wrong-password"})
	c.call("POST", "/auth/login", "", map[string]any{"username": 1})
	c.call("GET", "/me", director, nil)
	c.call("GET", "/me", "", nil)
	c.call("GET", "/orgs", director, nil)
	_, body := c.call("GET", "/users?limit=2", admin, nil)
	var list struct {
		Items      []struct{ ID int64 }
		NextCursor string `json:"next_cursor"`
	}
	_ = json.Unmarshal(body, &list)
	if len(list.Items) != 2 || list.NextCursor == "" {
		t.Fatalf("users page: %s", body)
	}
	c.call("GET", "/users?cursor="+list.NextCursor, admin, nil)
	c.call("GET", "/users/1", admin, nil)
	c.call("GET", "/users/999999", admin, nil)
	c.call("POST", "/users", director, map[string]any{"username": "m9.gulou", "display_name": "新调解员", "password": "a-long-password-1", "org_id": 3, "role": "mediator"})
	c.call("POST", "/users", director, map[string]any{"username": "", "org_id": 3, "role": "mediator"})
	c.call("GET", "/audit?limit=3", admin, nil)
	c.call("GET", "/audit?from=notadate", admin, nil)
	c.call("POST", "/register", "", map[string]string{"enterprise_name": "福州测试科技有限公司", "credit_code": "914403001922038216",
		"contact_name": "王五", "phone": "13800138000", "username": "sme-test", "password": "a-long-password-1"})
	c.call("POST", "/register", "", map[string]string{"credit_code": "914403001922038217"})
	c.call("POST", "/auth/logout", director, nil)
}
