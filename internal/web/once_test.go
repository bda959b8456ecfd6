package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/domain"
)

var onceFieldRe = regexp.MustCompile(`<input type="hidden" name="_once" value="([^"]+)">`)

// TestForms_NoDoubleFiling: the intake form sent twice with its page's
// one-time token (a double click on a slow line, one after the other and
// both at once) files one case, and both answers lead to it; a form
// refused for bad input can be corrected and sent again with the same
// token.
func TestForms_NoDoubleFiling(t *testing.T) {
	r := startDemo(t)
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	gulou := orgID(t, r, "gulou")
	page := func() (csrf, once string) {
		t.Helper()
		resp, body := webGet(t, clerk, r.URL+"/cases/new")
		m := onceFieldRe.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("the intake form (%d) has no one-time token", resp.StatusCode)
		}
		return csrfFrom(t, body), m[1]
	}
	form := func(csrf, once, summary string) url.Values {
		return url.Values{"_csrf": {csrf}, "_once": {once}, "org_id": {strconv.FormatInt(gulou, 10)}, "source": {"direct"},
			"dispute_type": {"trademark_infringement"}, "summary": {summary}, "claims": {"停止侵权。"},
			"parties[0].role": {"applicant"}, "parties[0].kind": {"organisation"}, "parties[0].name": {"福州榕城茶业有限公司"},
			"parties[1].role": {"respondent"}, "parties[1].kind": {"person"}, "parties[1].name": {"林某"}}
	}
	filed := func(summary string) int64 {
		var n int64
		r.App.DB.Raw("SELECT count(*) FROM cases WHERE summary = ?", summary).Scan(&n)
		return n
	}

	csrf, once := page()
	const one = "被申请人在门店销售假冒注册商标的茶叶（一次点击两次）。"
	first, body := webPost(t, clerk, r.URL+"/cases", form(csrf, once, one))
	if first.StatusCode != http.StatusSeeOther {
		t.Fatalf("first submission: %d\n%s", first.StatusCode, body)
	}
	again, _ := webPost(t, clerk, r.URL+"/cases", form(csrf, once, one))
	if again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != first.Header.Get("Location") {
		t.Errorf("the repeat answered %d %q, want the first answer %q", again.StatusCode, again.Header.Get("Location"), first.Header.Get("Location"))
	}
	if n := filed(one); n != 1 {
		t.Fatalf("a double submission filed %d cases", n)
	}

	csrf, once = page()
	const both = "被申请人在网店销售假冒注册商标的茶叶（同时提交两次）。"
	var wg sync.WaitGroup
	locations := make([]string, 2)
	for i := range locations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := clerk.PostForm(r.URL+"/cases", form(csrf, once, both))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("a concurrent submission answered %d", resp.StatusCode)
			}
			locations[i] = resp.Header.Get("Location")
		}()
	}
	wg.Wait()
	if n := filed(both); n != 1 || locations[0] != locations[1] {
		t.Fatalf("two concurrent submissions filed %d cases, answered %v", n, locations)
	}

	csrf, once = page()
	const fixed = "被申请人在展会销售假冒注册商标的茶叶（改正后再提交）。"
	bad := form(csrf, once, fixed)
	bad.Del("dispute_type")
	if resp, _ := webPost(t, clerk, r.URL+"/cases", bad); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an incomplete form: %d, want 422", resp.StatusCode)
	}
	if resp, _ := webPost(t, clerk, r.URL+"/cases", form(csrf, once, fixed)); resp.StatusCode != http.StatusSeeOther || filed(fixed) != 1 {
		t.Fatalf("the corrected form with the same token: %d, %d cases", resp.StatusCode, filed(fixed))
	}
	bad = form(csrf, "short", fixed)
	if resp, _ := webPost(t, clerk, r.URL+"/cases", bad); resp.StatusCode != http.StatusUnprocessableEntity || filed(fixed) != 1 {
		t.Fatalf("a malformed token: %d", resp.StatusCode)
	}
}

// TestAPI_IdempotencyKey: POST /api/v1/cases sent twice with one
// Idempotency-Key files one case and answers the first answer again,
// marked replayed; a key too short is refused naming the header.
func TestAPI_IdempotencyKey(t *testing.T) {
	e := newRefEnv(t)
	in := refDispute()
	in.OrgID, in.Source = e.orgs["gulou"], domain.SourceDirect
	in.Summary = "被申请人在网店销售假冒注册商标的茶叶（接口重试）。"
	body, _ := json.Marshal(in)
	post := func(key string) (int, []byte, http.Header) {
		t.Helper()
		req, err := http.NewRequest("POST", e.base+"/api/v1/cases", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.token("clerk.gulou"))
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header
	}
	const key = "5f0c2d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f"
	st1, b1, _ := post(key)
	st2, b2, h2 := post(key)
	if st1 != http.StatusCreated || st2 != st1 || !bytes.Equal(b1, b2) || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("first %d, repeat %d (replayed %q); bodies equal: %v\n%s", st1, st2, h2.Get("Idempotent-Replayed"), bytes.Equal(b1, b2), b2)
	}
	if n := e.count("SELECT count(*) FROM cases WHERE summary = ?", in.Summary); n != 1 {
		t.Fatalf("a retried request filed %d cases", n)
	}
	if st, b, _ := post("short"); st != http.StatusUnprocessableEntity || !bytes.Contains(b, []byte(`"Idempotency-Key"`)) {
		t.Errorf("a short key: %d %s", st, b)
	}
}

// TestIntakeForm_AddsRowsWithoutJavaScript: "add a party" sends the form
// back one row longer with what was typed, "remove" one row shorter, and
// neither files anything; the case filed from the longer form has the
// sixth party.
func TestIntakeForm_AddsRowsWithoutJavaScript(t *testing.T) {
	r := startDemo(t)
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	_, body := webGet(t, clerk, r.URL+"/cases/new")
	csrf := csrfFrom(t, body)
	const summary = "被申请人等六方共同侵害申请人注册商标专用权（逐行添加当事人）。"
	form := url.Values{"_csrf": {csrf}, "org_id": {strconv.FormatInt(orgID(t, r, "gulou"), 10)}, "source": {"direct"},
		"dispute_type": {"trademark_infringement"}, "summary": {summary}, "claims": {"停止侵权。"}, "party_rows": {"5"}, "right_rows": {"3"},
		"parties[0].role": {"applicant"}, "parties[0].kind": {"organisation"}, "parties[0].name": {"福州榕城茶业有限公司"}}
	for i, name := range []string{"林一", "林二", "林三", "林四", "林五"} {
		k := "parties[" + strconv.Itoa(i+1) + "]."
		form.Set(k+"role", "respondent")
		form.Set(k+"kind", "person")
		form.Set(k+"name", name)
	}
	add := url.Values{}
	for k, v := range form {
		add[k] = v
	}
	add.Set("add", "party")
	resp, page := webPost(t, clerk, r.URL+"/cases", add)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="parties[5].name"`) || strings.Contains(page, `name="parties[6].name"`) ||
		!strings.Contains(page, `value="林五"`) || !strings.Contains(page, `name="party_rows" value="6"`) {
		t.Fatalf("adding a party row answered %d without a sixth row or without what was typed", resp.StatusCode)
	}
	// Removing the third row (林二) moves the later ones up, files nothing.
	rm := url.Values{}
	for k, v := range add {
		rm[k] = v
	}
	rm.Del("add")
	rm.Set("party_rows", "6")
	rm.Set("remove", "party:2")
	resp, page = webPost(t, clerk, r.URL+"/cases", rm)
	if resp.StatusCode != http.StatusOK || strings.Contains(page, `value="林二"`) || !strings.Contains(page, `name="party_rows" value="5"`) ||
		!strings.Contains(page, `id="parties[2].name" name="parties[2].name" value="林三"`) ||
		!strings.Contains(page, `id="parties[4].name" name="parties[4].name" value="林五"`) {
		t.Fatalf("removing a party row answered %d with the wrong rows", resp.StatusCode)
	}
	// Each row shows its kind's fields (CSS keyed by these marks).
	if !strings.Contains(page, `class="party-kind"`) || !strings.Contains(page, `data-for="person"><label for="parties[1].gender"`) ||
		!strings.Contains(page, `data-for="organisation"><label for="parties[0].representative_name"`) {
		t.Error("the party fields are not marked with the kind they belong to")
	}
	var n int64
	r.App.DB.Raw("SELECT count(*) FROM cases WHERE summary = ?", summary).Scan(&n)
	if n != 0 {
		t.Fatal("adding or removing a row filed the case")
	}
	form.Set("party_rows", "6")
	form.Set("parties[5].role", "respondent")
	form.Set("parties[5].kind", "person")
	form.Set("parties[5].name", "林六")
	if resp, body := webPost(t, clerk, r.URL+"/cases", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("filing with six parties: %d\n%s", resp.StatusCode, body)
	}
	r.App.DB.Raw("SELECT count(*) FROM case_parties cp JOIN cases c ON c.id = cp.case_id WHERE c.summary = ? AND cp.name = '林六'", summary).Scan(&n)
	if n != 1 {
		t.Fatal("the sixth party was not filed")
	}
}

// TestRegister_EveryErrorAtOnce: a registration with a wrong credit code
// and passwords that differ names both fields in one answer, and
// registers nothing.
func TestRegister_EveryErrorAtOnce(t *testing.T) {
	r := startDemo(t)
	c := apptest.Client()
	_, body := webGet(t, c, r.URL+"/register")
	form := url.Values{"_csrf": {csrfFrom(t, body)}, "enterprise_name": {"福州一次报错科技有限公司"}, "credit_code": {"91350100MA00000000"},
		"contact_name": {"陈一"}, "phone": {"13800138000"}, "username": {"once.errors"}, "password": {"a-long-pass-2026"},
		"password2": {"another-pass-2026"}}
	resp, page := webPost(t, c, r.URL+"/register", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	if !strings.Contains(page, "两次输入的密码不一致") {
		t.Error("the password mismatch is not reported")
	}
	if strings.Count(page, `class="field-error"`) < 2 {
		t.Errorf("want both errors at once, the page has %d", strings.Count(page, `class="field-error"`))
	}
	var n int64
	r.App.DB.Raw("SELECT count(*) FROM users WHERE username = 'once.errors'").Scan(&n)
	if n != 0 {
		t.Fatal("a refused registration created the user")
	}
}
