package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
)

// TestReferralAPI_Documents: the court attaches its notice to a delegation
// before the committee has accepted it; the committee reads it, another
// committee does not; accepting files the case and the notice goes with
// it; the committee attaches its reply, which the court reads. Bad uploads
// name the field.
func TestReferralAPI_Documents(t *testing.T) {
	e := newRefEnv(t)
	upload := func(user string, id int64, kind, name, content string) (int, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("kind", kind)
		fw, _ := w.CreateFormFile("file", name)
		_, _ = io.WriteString(fw, content)
		_ = w.Close()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/referrals/%d/documents", e.oa.base, id), &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+e.token(user))
		return e.oa.send(req)
	}
	download := func(user string, id int64) (int, string) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/documents/%d", e.oa.base, id), nil)
		req.Header.Set("Authorization", "Bearer "+e.token(user))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	type doc struct {
		ID     int64 `json:"id"`
		CaseID int64 `json:"case_id"`
	}
	var list struct {
		Items []doc `json:"items"`
	}

	var r apiRef
	e.call("liaison.gulou-court", "POST", "/referrals/court_delegation", map[string]any{"receiver_org_id": e.orgs["gulou"],
		"case": refDispute(), "fields": map[string]any{"pre_filing_number": "（2026）闽0102民诉前调9号"}}, 201, &r)
	status, body := upload("liaison.gulou-court", r.ID, "court_document", "委派调解函.txt", "鼓楼区人民法院委派调解函")
	if status != 201 {
		t.Fatalf("court upload: %d %s", status, body)
	}
	e.call("director.gulou", "GET", fmt.Sprintf("/referrals/%d/documents", r.ID), nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].CaseID != 0 {
		t.Fatalf("the committee's list before acceptance = %+v", list.Items)
	}
	notice := list.Items[0].ID
	if st, got := download("director.gulou", notice); st != 200 || got != "鼓楼区人民法院委派调解函" {
		t.Fatalf("the committee downloads the court's notice: %d %q", st, got)
	}
	if st, _ := download("director.mawei", notice); st != 404 {
		t.Fatalf("another committee downloads the court's notice: %d, want 404", st)
	}
	e.call("director.mawei", "GET", fmt.Sprintf("/referrals/%d/documents", r.ID), nil, 404, nil)
	if st, _ := upload("director.mawei", r.ID, "other", "x.txt", "x"); st != 404 {
		t.Fatalf("another committee attaches to the referral: %d, want 404", st)
	}
	if st, body := upload("director.gulou", r.ID, "no_such_kind", "x.txt", "x"); st != 422 || !bytes.Contains(body, []byte(`"kind"`)) {
		t.Fatalf("unknown kind: %d %s", st, body)
	}

	r = e.step("director.gulou", r, "receive", nil)
	r = e.step("director.gulou", r, "accept", map[string]any{"note": "同意接收"})
	e.call("director.gulou", "GET", fmt.Sprintf("/referrals/%d/documents", r.ID), nil, 200, &list)
	if len(list.Items) != 1 || r.CaseID == nil || list.Items[0].CaseID != *r.CaseID {
		t.Fatalf("after acceptance the notice belongs to the case %v: %+v", r.CaseID, list.Items)
	}
	if st, _ := download("clerk.gulou", notice); st != 200 {
		t.Fatalf("the committee's clerk reads the notice on the case: %d", st)
	}
	status, body = upload("clerk.gulou", r.ID, "notice", "受理回函.txt", "本委已受理")
	if status != 201 {
		t.Fatalf("committee upload: %d %s", status, body)
	}
	e.call("liaison.gulou-court", "GET", fmt.Sprintf("/referrals/%d/documents", r.ID), nil, 200, &list)
	if len(list.Items) != 2 {
		t.Fatalf("the court's list = %+v, want both documents", list.Items)
	}
	if st, got := download("liaison.gulou-court", list.Items[1].ID); st != 200 || got != "本委已受理" {
		t.Fatalf("the court reads the committee's reply: %d %q", st, got)
	}
}

// TestReferralPages_Documents: the court attaches a file from the
// referral's page (no JavaScript: a multipart form with the CSRF token);
// the page lists it, and a form without a file answers 422 naming it.
func TestReferralPages_Documents(t *testing.T) {
	e := newRefEnv(t)
	var r apiRef
	e.call("liaison.gulou-court", "POST", "/referrals/court_delegation", map[string]any{"receiver_org_id": e.orgs["gulou"],
		"case": refDispute(), "fields": map[string]any{"pre_filing_number": "（2026）闽0102民诉前调10号"}}, 201, &r)
	court := refLogin(t, e.base, "liaison.gulou-court")
	page := fmt.Sprintf("%s/referrals/%d", e.base, r.ID)
	post := func(withFile bool) (int, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("_csrf", refCSRF(t, court, e.base))
		_ = w.WriteField("kind", "court_document")
		if withFile {
			fw, _ := w.CreateFormFile("file", "委派调解函.txt")
			_, _ = io.WriteString(fw, "委派调解函正文")
		}
		_ = w.Close()
		req, _ := http.NewRequest("POST", page+"/documents", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		resp, err := court.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, html := post(false); st != http.StatusUnprocessableEntity || !bytes.Contains([]byte(html), []byte(`class="field-error"`)) {
		t.Fatalf("upload without a file: %d", st)
	}
	if st, _ := post(true); st != http.StatusSeeOther {
		t.Fatalf("upload: %d, want 303", st)
	}
	resp, err := court.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(b, []byte(`id="referral-documents"`)) || !bytes.Contains(b, []byte("委派调解函.txt")) {
		t.Fatalf("the referral page does not list the attached file")
	}
}
