package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/boundary"
	"github.com/ipmediate/ipmediate/internal/config"
	webfs "github.com/ipmediate/ipmediate/web"
)

// The input boundary corpus: every kind of bad value — NUL (raw and as
// \u0000), invalid UTF-8, lone surrogates, control characters, line
// breaks in single-line fields, over-long strings, huge lists, deep
// nesting, duplicate members, wrong JSON types, badly encoded forms — is
// sent to every JSON and form POST (and PATCH) endpoint of the running
// app, and a bad query string to every page and API GET, each as a user
// who may use the endpoint (chosen from the authorization matrix). Each
// must be answered 4xx naming the field (never 500, never success), and
// afterwards no table holds anything new or changed.
//
// The JSON fields come from the request schemas of web/openapi.yaml, so
// a new field is probed as soon as it is documented; the form fields from
// the matrix rows' forms.

func TestInputBoundaryCorpus(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 10000 }))
	r := apptest.Serve(t, a)
	e := mxSetup(t, a, r.URL)
	byRoute := map[string]mxRow{}
	for _, row := range mxRows() {
		byRoute[row.route] = row
	}
	doc, err := openapi3.NewLoader().LoadFromData(mustRead(t, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	// Pick every endpoint's caller and path first: the matrix builds
	// some of its objects lazily, and they must exist before the
	// snapshot.
	type target struct {
		route, method string
		act           mxActor
		req           mxReq
	}
	var targets []target
	for _, rt := range a.Web.Echo.Routes() {
		switch rt.Method {
		case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodGet:
		default:
			continue
		}
		key := rt.Method + " " + rt.Path
		if strings.HasPrefix(rt.Path, "/static/") || slices.Contains([]string{"/healthz", "/readyz", "/metrics"}, rt.Path) {
			continue // no input is read there, and the boundary does not look
		}
		if rt.Path == "/api/v1/*" || strings.HasPrefix(rt.Path, "/admin/queues") {
			// The API's catch-all reads nothing; the queue monitor is a
			// proxied UI that talks to Redis (its query is checked, its
			// JSON is its own).
			continue
		}
		row, ok := byRoute[key]
		if !ok {
			t.Errorf("%s has no authorization matrix row to take a caller from", key)
			continue
		}
		act, ok := corpusCaller(row, key)
		if !ok {
			t.Errorf("%s: no matrix actor may use it", key)
			continue
		}
		targets = append(targets, target{route: key, method: rt.Method, act: act, req: row.req(e, act, true)})
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].route < targets[j].route })

	before := tableDigest(t, a)
	c := &corpus{t: t, e: e, doc: doc}
	start := time.Now()
	for _, tg := range targets {
		isAPI := strings.HasPrefix(tg.req.path, "/api/")
		switch {
		case tg.method == http.MethodGet:
			c.query(tg.route, tg.act, tg.req.path)
		case strings.HasSuffix(tg.route, "/documents"):
			c.multipart(tg.route, tg.act, tg.method, tg.req.path)
		case isAPI:
			c.json(tg.route, tg.act, tg.method, tg.req.path)
		default:
			c.form(tg.route, tg.act, tg.method, tg.req)
		}
	}
	t.Logf("%d requests to %d endpoints in %v", c.n, len(targets), time.Since(start).Round(time.Millisecond))
	if after := tableDigest(t, a); !maps2Equal(before, after) {
		for k, v := range after {
			if before[k] != v {
				t.Errorf("table %s changed although every request was refused", k)
			}
		}
	}
}

// publicRoutes are used without signing in.
var publicRoutes = map[string]bool{
	"POST /login": true, "POST /api/v1/auth/login": true, "POST /register": true, "POST /api/v1/register": true,
	"GET /login": true, "GET /register": true, "GET /": true, "GET /lang": true, "GET /api/openapi.yaml": true,
	// A party's pages: through its personal link, without an account.
	"GET /p/:token": true, "POST /p/:token/code": true, "POST /p/:token/signin": true, "GET /p/case": true,
	"POST /p/signout": true, "POST /p/consent": true,
}

// corpusCaller is the first matrix actor who may use the route (the
// matrix expects neither 401, 403 nor 404 for them).
func corpusCaller(row mxRow, key string) (mxActor, bool) {
	if publicRoutes[key] {
		return mxActors[0], true
	}
	for _, act := range mxActors[1:] {
		switch row.want(act.role, true) {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
			continue
		}
		return act, true
	}
	return mxActor{}, false
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := webfs.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func maps2Equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// tableDigest is a digest of every table's rows (but the web sessions,
// which every page request touches, and the tokens' last use).
func tableDigest(t *testing.T, a *app.App) map[string]string {
	t.Helper()
	var tables []string
	if err := a.DB.Raw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'sessions'`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range tables {
		row := "t"
		if tb == "api_tokens" {
			row = "row(t.id, t.user_id, t.revoked_at)"
		}
		var d string
		q := fmt.Sprintf(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5((%s)::text), '' ORDER BY md5((%s)::text))), '') FROM %q t`, row, row, tb)
		if err := a.DB.Raw(q).Scan(&d).Error; err != nil {
			t.Fatal(err)
		}
		out[tb] = d
	}
	return out
}

// corpus sends the bad requests and checks the answers.
type corpus struct {
	t   *testing.T
	e   *mxEnv
	doc *openapi3.T
	n   int
}

// send performs one request as act and returns the status and body.
func (c *corpus) send(act mxActor, method, path, ctype string, body []byte) (int, string) {
	c.t.Helper()
	c.n++
	hr, err := http.NewRequest(method, c.e.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	client := http.DefaultClient
	if strings.HasPrefix(path, "/api/") {
		if act.username != "" {
			hr.Header.Set("Authorization", "Bearer "+c.e.tokens[act.username])
		}
	} else {
		if act.username == "" {
			client = c.e.browser()
		} else {
			client = c.e.clients[act.username]
		}
		hr.Header.Set("X-CSRF-Token", c.e.csrf(client))
	}
	resp, err := client.Do(hr)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// expect checks that the answer refuses the input and names field ("" =
// any field).
func (c *corpus) expect(what, field string, status int, body string) {
	c.t.Helper()
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
	default:
		c.t.Errorf("%s: status %d, want 422\n%s", what, status, truncate(body))
		return
	}
	if status != http.StatusUnprocessableEntity {
		return
	}
	if strings.HasPrefix(strings.TrimSpace(body), "{") {
		var p struct {
			Errors []struct{ Field, Message string }
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil || len(p.Errors) == 0 {
			c.t.Errorf("%s: a 422 without field errors\n%s", what, truncate(body))
			return
		}
		if field == "" {
			return
		}
		for _, fe := range p.Errors {
			if fe.Field == field {
				return
			}
		}
		c.t.Errorf("%s: field %q not named\n%s", what, field, truncate(body))
		return
	}
	// The page names the field in words where the catalog has them and
	// keeps the field's name in data-field for programs.
	if field != "" && !strings.Contains(body, `data-field="`+html.EscapeString(field)+`"`) {
		c.t.Errorf("%s: the page does not name field %q\n%s", what, field, truncate(pageMain(body)))
	}
}

func pageMain(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		return s[i:]
	}
	return s
}

// badString is one bad value for a string field: raw JSON text, and the
// form-encoded text of the same value ("" = not for forms).
type badString struct {
	name, json, form string
	singleLine       bool // bad only in a single-line field
}

var overLong = strings.Repeat("长", boundary.MaxMinutes+1)

var badStrings = []badString{
	{name: "escaped NUL", json: `"a\u0000b"`},
	{name: "raw NUL", json: "\"a\x00b\"", form: "a%00b"},
	{name: "invalid UTF-8", json: "\"\xff\xfe\"", form: "%FF%FE"},
	{name: "truncated UTF-8", json: "\"\xe5\x95\"", form: "%E5%95"},
	{name: "lone surrogate", json: `"\ud800"`},
	{name: "bell", json: `"\u0007"`, form: "%07"},
	{name: "terminal escape", json: `"\u001b[2J"`, form: "%1B%5B2J"},
	{name: "DEL", json: `"\u007f"`, form: "%7F"},
	{name: "C1 control", json: `"\u0085"`, form: "%C2%85"},
	{name: "over-long", json: `"` + overLong + `"`, form: url.QueryEscape(overLong)},
	{name: "line break", json: `"a\nb"`, form: "a%0Ab", singleLine: true},
}

// wrongTypes are values of the wrong JSON type for a schema type.
var wrongTypes = map[string][]string{
	"string":  {`123`, `{}`, `[]`, `true`},
	"integer": {`"1"`, `1.5`, `1e400`, `99999999999999999999`, `{}`, `[]`, `true`, strings.Repeat("9", boundary.MaxNumber+1)},
	"number":  {`"1"`, `{}`, `[]`, `true`},
	"boolean": {`"true"`, `1`, `{}`, `[]`},
	"array":   {`"x"`, `{}`, `1`, `true`},
	"object":  {`"x"`, `[]`, `1`, `true`},
}

// leaf is one field of a request schema.
type leaf struct {
	path   []any // member names (string) and list indexes (int)
	typ    string
	format string
	item   string // an array's item type
}

func (l leaf) name() string {
	var b strings.Builder
	for _, p := range l.path {
		switch v := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		case int:
			b.WriteString("[" + strconv.Itoa(v) + "]")
		}
	}
	return b.String()
}

// body puts the raw JSON value at the leaf's path.
func (l leaf) body(value string) []byte {
	out := value
	for i := len(l.path) - 1; i >= 0; i-- {
		switch v := l.path[i].(type) {
		case string:
			k, _ := json.Marshal(v)
			out = "{" + string(k) + ":" + out + "}"
		case int:
			out = "[" + out + "]"
		}
	}
	return []byte(out)
}

func schemaType(s *openapi3.Schema) string {
	if s.Type != nil && len(*s.Type) > 0 {
		return (*s.Type)[0]
	}
	if len(s.Properties) > 0 {
		return "object"
	}
	return ""
}

// leaves lists the fields of a request schema, descending into objects
// and the first item of lists.
func leaves(s *openapi3.Schema, path []any, out *[]leaf) {
	if s == nil {
		return
	}
	for _, sub := range append(append(slices.Clone(s.AllOf), s.OneOf...), s.AnyOf...) {
		leaves(sub.Value, path, out)
	}
	typ := schemaType(s)
	if len(path) > 0 && typ != "" {
		l := leaf{path: slices.Clone(path), typ: typ, format: s.Format}
		if typ == "array" && s.Items != nil {
			l.item = schemaType(s.Items.Value)
		}
		*out = append(*out, l)
	}
	switch typ {
	case "object":
		keys := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			leaves(s.Properties[k].Value, append(slices.Clone(path), k), out)
		}
	case "array":
		if s.Items != nil {
			leaves(s.Items.Value, append(slices.Clone(path), 0), out)
		}
	}
}

// requestLeaves are the fields of the JSON request body of method path
// (an echo route path under /api/v1) in the OpenAPI document.
func (c *corpus) requestLeaves(method, path string) ([]leaf, bool) {
	p := strings.TrimPrefix(path, "/api/v1")
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	item := c.doc.Paths.Find(strings.Join(parts, "/"))
	if item == nil {
		return nil, false
	}
	op := item.GetOperation(method)
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, false
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil, false
	}
	var out []leaf
	leaves(mt.Schema.Value, nil, &out)
	return out, true
}

func (c *corpus) json(route string, act mxActor, method, path string) {
	try := func(what, field string, body []byte) {
		c.t.Helper()
		status, out := c.send(act, method, path, "application/json", body)
		c.expect(route+": "+what, field, status, out)
	}
	// What the boundary refuses in any body, whatever the endpoint reads.
	try("NUL in an unknown member", "zz", []byte(`{"zz":"\u0000"}`))
	try("duplicate member", "zz", []byte(`{"zz":1,"zz":2}`))
	try("deep nesting", "", []byte(strings.Repeat(`{"a":`, boundary.MaxDepth+4)+"1"+strings.Repeat("}", boundary.MaxDepth+4)))
	try("huge list", "body", []byte("["+strings.Repeat("0,", 100000)+"0]"))
	try("not JSON", "body", []byte(`{"a":1,}`))
	try("not JSON inside", "a", []byte(`{"a":`))

	fields, ok := c.requestLeaves(method, strings.TrimPrefix(route, method+" "))
	if !ok {
		return
	}
	try("empty body", "body", nil)
	try("an array for the object", "body", []byte(`[]`))
	try("unknown member", "no_such_field", []byte(`{"no_such_field":1}`))
	for _, l := range fields {
		name := l.name()
		if l.typ == "string" {
			rule := boundary.Lookup(name)
			for _, bad := range badStrings {
				if bad.singleLine && rule.MultiLine {
					continue
				}
				if bad.name == "over-long" && rule.Max >= len([]rune(overLong)) {
					continue
				}
				try(name+": "+bad.name, name, l.body(bad.json))
			}
			if l.format == "date-time" {
				try(name+": not a time", name, l.body(`"yesterday"`))
			}
		}
		for _, v := range wrongTypes[l.typ] {
			try(name+": wrong type "+truncate(v), name, l.body(v))
		}
		if l.typ == "object" {
			// An object without documented members (a kind's fields,
			// a result, a court's case): the boundary still reads it.
			try(name+": NUL inside", name+".zz", l.body(`{"zz":"\u0000"}`))
		}
		if l.typ == "array" {
			elem := `1`
			switch l.item {
			case "string":
				elem = `"x"`
			case "object":
				elem = `{}`
			}
			huge := "[" + strings.Repeat(elem+",", 100000) + elem + "]"
			try(name+": 100001 entries", name, l.body(huge))
		}
	}
}

func (c *corpus) form(route string, act mxActor, method string, req mxReq) {
	try := func(what, field, body string) {
		c.t.Helper()
		status, out := c.send(act, method, req.path, "application/x-www-form-urlencoded", []byte(body))
		c.expect(route+": "+what, field, status, out)
	}
	keys := []string{"note"}
	for k := range req.form {
		if k != "_csrf" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		rule := boundary.Lookup(k)
		ek := url.QueryEscape(k)
		for _, bad := range badStrings {
			if bad.form == "" || (bad.singleLine && rule.MultiLine) {
				continue
			}
			try(k+": "+bad.name, k, ek+"="+bad.form)
		}
		try(k+": badly encoded", k, ek+"=%zz")
		try(k+": repeated", k, strings.Repeat(ek+"=1&", boundary.MaxList+1))
	}
	try("NUL in a field name", `"\x00"`, "%00=1")
	try("badly encoded name", "body", "%zz=1")
}

func (c *corpus) multipart(route string, act mxActor, method, path string) {
	try := func(what, field, kind, filename string) {
		c.t.Helper()
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("kind", kind)
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + filename + `"`}
		h["Content-Type"] = []string{"text/plain"}
		part, _ := w.CreatePart(h)
		_, _ = part.Write([]byte("证据说明"))
		_ = w.Close()
		status, out := c.send(act, method, path, w.FormDataContentType(), buf.Bytes())
		c.expect(route+": "+what, field, status, out)
	}
	for _, bad := range []struct{ name, value string }{
		{"NUL", "evi\x00dence"}, {"invalid UTF-8", "\xff"}, {"control", "\x1b"}, {"line break", "a\nb"},
		{"over-long", strings.Repeat("k", boundary.MaxLine+1)},
	} {
		try("kind: "+bad.name, "kind", bad.value, "证据.txt")
	}
	try("file name: invalid UTF-8", "file", "evidence", "\xff\xfe.txt")
	// A control character in a part's header breaks the multipart
	// envelope itself.
	try("file name: control", "body", "evidence", "a\x07.txt")
}

func (c *corpus) query(route string, act mxActor, path string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for _, bad := range []struct{ name, q, field string }{
		{"NUL", "q=%00", "q"}, {"invalid UTF-8", "q=%FF", "q"}, {"line break", "q=a%0Ab", "q"},
		{"control", "status=%1B", "status"}, {"badly encoded", "q=%zz", "q"},
		{"over-long", "q=" + strings.Repeat("a", boundary.MaxQuery+1), "q"},
	} {
		status, out := c.send(act, http.MethodGet, path+sep+bad.q, "", nil)
		c.expect(route+": query "+bad.name, bad.field, status, out)
	}
}
