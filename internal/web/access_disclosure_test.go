package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Access and disclosure (docs/security.md "Access and disclosure"): what
// a black-box probe found reachable past the policy or the disclosure,
// each checked through the HTTP interfaces.

// uploadAs posts a multipart upload to the API path as user u.
func (e *refEnv) uploadAs(u, path, kind, name string, body []byte) (int, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(body)
	_ = w.Close()
	req, _ := http.NewRequest("POST", e.base+"/api/v1"+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.token(u))
	return e.oa.send(req)
}

// download fetches a document through the API as u (the file's type is
// the sniffed one, which the OpenAPI document does not enumerate).
func (e *refEnv) download(u string, id int64) int {
	e.t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/documents/%d", e.base, id), nil)
	req.Header.Set("Authorization", "Bearer "+e.token(u))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// page fetches a web page as u, signed in through the login form.
func (e *refEnv) page(u, path string) (int, string) {
	e.t.Helper()
	resp, err := refLogin(e.t, e.base, u).Get(e.base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pngBytes is a real one-pixel PNG.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAccess_LeaderReadsNoDocuments: the leadership office sees a case
// (masked) but neither lists nor downloads its documents, through the
// API or the pages, and the timeline does not name the file; the
// committee still reads them.
func TestAccess_LeaderReadsNoDocuments(t *testing.T) {
	e := newRefEnv(t)
	c := e.mediating("gulou")
	d, err := e.a.Docs.Upload(e.as("clerk.gulou"), document.UploadInput{CaseID: c.ID, Kind: document.KindEvidence,
		FileName: "侵权证据清单.txt", Body: strings.NewReader("公证书编号（2026）闽榕证字第1号")})
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Documents []struct{ ID int64 } `json:"documents"`
		Events    []struct {
			Action string         `json:"action"`
			Detail map[string]any `json:"detail"`
		} `json:"events"`
	}
	e.call("leader", "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 200, &v)
	if len(v.Documents) != 0 {
		t.Errorf("the leader's case view lists documents %v", v.Documents)
	}
	uploads := 0
	for _, ev := range v.Events {
		if ev.Action == "document_upload" {
			uploads++
			if _, ok := ev.Detail["file_name"]; ok {
				t.Errorf("the leader's timeline names the file: %v", ev.Detail)
			}
			if _, ok := ev.Detail["sha256"]; ok {
				t.Errorf("the leader's timeline gives the hash: %v", ev.Detail)
			}
		}
	}
	if uploads != 1 {
		t.Errorf("the leader's timeline has %d uploads, want the fact of it", uploads)
	}
	if st := e.download("leader", d.ID); st != 404 {
		t.Errorf("the leader downloads a case document through the API: %d, want 404", st)
	}
	if st, _ := e.page("leader", fmt.Sprintf("/documents/%d", d.ID)); st != 404 {
		t.Errorf("the leader downloads a case document from the page route: %d, want 404", st)
	}
	if st, html := e.page("leader", fmt.Sprintf("/cases/%d", c.ID)); st != 200 || strings.Contains(html, "侵权证据清单.txt") ||
		strings.Contains(html, fmt.Sprintf("/documents/%d", d.ID)) {
		t.Errorf("the leader's case page (%d) shows the document", st)
	}
	if st := e.download("director.gulou", d.ID); st != 200 {
		t.Errorf("the committee's director downloads: %d", st)
	}
	if st, html := e.page("director.gulou", fmt.Sprintf("/cases/%d", c.ID)); st != 200 || !strings.Contains(html, "侵权证据清单.txt") {
		t.Errorf("the committee's case page (%d) lost the document", st)
	}
}

// TestAccess_SupervisorDoesNotUpload: the city committee's director reads
// a county committee's case and its documents but adds nothing to it;
// the county committee's own director does.
func TestAccess_SupervisorDoesNotUpload(t *testing.T) {
	e := newRefEnv(t)
	c := e.mediating("gulou")
	path := fmt.Sprintf("/cases/%d/documents", c.ID)
	if st, body := e.uploadAs("director.city", path, "evidence", "督办意见.txt", []byte("督办")); st != 403 {
		t.Errorf("the city director uploads to a supervised case: %d %s, want 403", st, truncate(string(body)))
	}
	if n := e.count("SELECT count(*) FROM documents WHERE case_id = ?", c.ID); n != 0 {
		t.Errorf("%d documents stored", n)
	}
	if st, html := e.page("director.city", fmt.Sprintf("/cases/%d", c.ID)); st != 200 || strings.Contains(html, `action="/cases/`+fmt.Sprint(c.ID)+`/documents"`) {
		t.Errorf("the city director's case page (%d) offers the upload form", st)
	}
	st, body := e.uploadAs("director.gulou", path, "evidence", "受理材料.txt", []byte("受理"))
	if st != 201 {
		t.Fatalf("the committee's director uploads: %d %s", st, truncate(string(body)))
	}
	var d struct{ ID int64 }
	_ = json.Unmarshal(body, &d)
	if st := e.download("director.city", d.ID); st != 200 {
		t.Errorf("the city director reads the supervised case's document: %d", st)
	}
}

// TestAccess_ClosedReferralTakesNoFiles: either end attaches while a
// referral is open; once the receiver declines it, or completes it,
// neither end can (409, before the body is read), and its page offers no
// form.
func TestAccess_ClosedReferralTakesNoFiles(t *testing.T) {
	e := newRefEnv(t)
	c := e.mediating("gulou")
	body := map[string]any{"receiver_org_id": e.orgs["fz-assistance"], "case_id": c.ID, "fields": map[string]any{"help": "代理诉讼"}}
	var r apiRef
	e.call("clerk.gulou", "POST", "/referrals/rights_assistance", body, 201, &r)
	path := fmt.Sprintf("/referrals/%d/documents", r.ID)
	if st, b := e.uploadAs("assistance.fz", path, "other", "签收说明.txt", []byte("已签收")); st != 201 {
		t.Fatalf("the receiver attaches to an open referral: %d %s", st, truncate(string(b)))
	}
	r = e.step("assistance.fz", r, "decline", map[string]any{"reason": "不属于援助范围"})
	before := e.count("SELECT count(*) FROM documents WHERE referral_id = ?", r.ID)
	for _, u := range []string{"assistance.fz", "clerk.gulou"} {
		if st, b := e.uploadAs(u, path, "other", "补充.txt", []byte("补充")); st != 409 {
			t.Errorf("%s attaches to a declined referral: %d %s, want 409", u, st, truncate(string(b)))
		}
	}
	// Refused before the body is read: a request without a file is 409
	// too, not 422.
	if st, _ := e.oa.call("POST", path, e.token("assistance.fz"), map[string]any{}); st != 409 {
		t.Errorf("an empty upload to a declined referral: %d, want 409", st)
	}
	if n := e.count("SELECT count(*) FROM documents WHERE referral_id = ?", r.ID); n != before {
		t.Errorf("documents of the declined referral: %d, want %d", n, before)
	}
	if st, html := e.page("assistance.fz", fmt.Sprintf("/referrals/%d", r.ID)); st != 200 || strings.Contains(html, path+`"`) {
		t.Errorf("the declined referral's page (%d) offers the upload form", st)
	}

	// Completed: closed as well.
	e.call("clerk.gulou", "POST", "/referrals/rights_assistance", body, 201, &r)
	r = e.step("assistance.fz", r, "accept", nil)
	path = fmt.Sprintf("/referrals/%d/documents", r.ID)
	if st, b := e.uploadAs("clerk.gulou", path, "other", "材料.txt", []byte("材料")); st != 201 {
		t.Fatalf("the sender attaches to an accepted referral: %d %s", st, truncate(string(b)))
	}
	r = e.step("assistance.fz", r, "complete", map[string]any{"result": map[string]any{"outcome": "assisted", "note": "已指派律师"}})
	for _, u := range []string{"assistance.fz", "clerk.gulou"} {
		if st, _ := e.uploadAs(u, path, "other", "补充.txt", []byte("补充")); st != 409 {
			t.Errorf("%s attaches to a completed referral: %d, want 409", u, st)
		}
	}
}

// TestAccess_ContentMustMatchExtension: a PNG named .pdf is refused with
// 422 naming the field file, for case documents, referral documents and
// assistance applications alike; the same PNG named .png is stored.
func TestAccess_ContentMustMatchExtension(t *testing.T) {
	e := newRefEnv(t)
	c := e.mediating("gulou")
	img := pngBytes(t)
	path := fmt.Sprintf("/cases/%d/documents", c.ID)
	for _, name := range []string{"证据.pdf", ".pdf"} {
		st, b := e.uploadAs("clerk.gulou", path, "evidence", name, img)
		var p problemJSON
		_ = json.Unmarshal(b, &p)
		if st != 422 || strings.Join(p.fields(), ",") != "file" || !strings.Contains(string(b), "validation.file_type_mismatch") {
			t.Errorf("a PNG named %q: %d %s, want 422 naming file", name, st, truncate(string(b)))
		}
	}
	if n := e.count("SELECT count(*) FROM documents WHERE case_id = ?", c.ID); n != 0 {
		t.Errorf("%d documents stored", n)
	}
	if st, b := e.uploadAs("clerk.gulou", path, "evidence", "证据.png", img); st != 201 || !strings.Contains(string(b), `"image/png"`) {
		t.Errorf("the PNG named .png: %d %s", st, truncate(string(b)))
	}

	var r apiRef
	e.call("clerk.gulou", "POST", "/referrals/rights_assistance", map[string]any{"receiver_org_id": e.orgs["fz-assistance"],
		"case_id": c.ID, "fields": map[string]any{"help": "代理诉讼"}}, 201, &r)
	if st, _ := e.uploadAs("assistance.fz", fmt.Sprintf("/referrals/%d/documents", r.ID), "other", "回函.pdf", img); st != 422 {
		t.Errorf("a PNG named .pdf on a referral: %d, want 422", st)
	}

	sme := e.as("sme1")
	app, err := e.a.Assistance.Apply(sme, apiApplication())
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.a.Assistance.Upload(sme, assistance.UploadInput{ApplicationID: app.ID, Kind: "evidence", FileName: "展位照片.pdf",
		Body: bytes.NewReader(img)})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID || len(de.Fields) != 1 || de.Fields[0].Field != "file" ||
		de.Fields[0].Message != "validation.file_type_mismatch" {
		t.Errorf("a PNG named .pdf on an assistance application: %v", err)
	}
}

// count runs a counting query for a test's check.
func (e *refEnv) count(sql string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.a.DB.Raw(sql, args...).Scan(&n).Error; err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// listCases lists the cases as u through the API, with query q.
func (e *refEnv) listCases(u string, q url.Values) []struct {
	ID         int64  `json:"id"`
	Number     string `json:"number"`
	Applicant  string `json:"applicant"`
	Respondent string `json:"respondent"`
} {
	e.t.Helper()
	var out struct {
		Items []struct {
			ID         int64  `json:"id"`
			Number     string `json:"number"`
			Applicant  string `json:"applicant"`
			Respondent string `json:"respondent"`
		} `json:"items"`
	}
	p := "/cases"
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	e.call(u, "GET", p, nil, 200, &out)
	return out.Items
}

// disclosureCase files a gulou case between an enterprise and a natural
// person with a unique name, about a trademark.
func (e *refEnv) disclosureCase(person string) domain.Case {
	e.t.Helper()
	in := refDispute()
	in.OrgID, in.Source = e.orgs["gulou"], domain.SourceDirect
	in.Parties[0].Name = "福州闽光披露测试有限公司"
	in.Parties[1] = cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: person,
		IDNumber: "11010519491231002X", Phone: "13800138000"}
	in.Rights = []cases.RightInput{{Kind: domain.RightTrademark, Number: "87654321", Title: "闽光"}}
	c, err := e.a.Cases.Submit(e.as("clerk.gulou"), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// TestDisclosure_ReceiverListAndSearch: a receiving body's case list is
// its referrals' cases and nothing more, each shown as its case page
// shows it: with a referral that discloses nothing, the list names no
// party and a search by a party's name or the right's number finds
// nothing, while the case number (always disclosed) finds the case; a
// declined referral takes the case off the list; a referral that
// discloses the parties and the rights lets the names show and the
// search match. The API list and the page list are the same list (there
// is no case count or export to check besides).
func TestDisclosure_ReceiverListAndSearch(t *testing.T) {
	e := newRefEnv(t)
	const person = "欧阳披露"
	c := e.disclosureCase(person)
	other := e.disclosureCase(person) // never referred
	nothing := map[string]any{"summary": false, "parties": false, "rights": false, "agreement": false, "documents": []int64{}}
	var r apiRef
	e.call("clerk.gulou", "POST", "/referrals/rights_assistance", map[string]any{"receiver_org_id": e.orgs["fz-assistance"],
		"case_id": c.ID, "fields": map[string]any{"help": "代理诉讼"}, "disclosure": nothing}, 201, &r)

	const rcv = "assistance.fz"
	q := func(s string) url.Values { return url.Values{"q": {s}} }
	all := e.listCases(rcv, nil)
	if len(all) != 1 || all[0].ID != c.ID {
		t.Fatalf("the receiver's list = %+v, want only the referred case %d", all, c.ID)
	}
	if all[0].Applicant != "" || all[0].Respondent != "" {
		t.Errorf("the list names parties the referral does not disclose: %+v", all[0])
	}
	var detail struct {
		Parties []any `json:"parties"`
		Rights  []any `json:"rights"`
	}
	e.call(rcv, "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 200, &detail)
	if len(detail.Parties) != 0 || len(detail.Rights) != 0 {
		t.Fatalf("the detail discloses %+v", detail)
	}
	for _, s := range []string{person, "闽光披露测试", "87654321", "第87654321号"} {
		if got := e.listCases(rcv, q(s)); len(got) != 0 {
			t.Errorf("search %q matches what the referral does not disclose: %+v", s, got)
		}
	}
	if got := e.listCases(rcv, q(c.Ref())); len(got) != 1 || got[0].ID != c.ID || got[0].Respondent != "" {
		t.Errorf("search by the case number = %+v", got)
	}
	if st, html := e.page(rcv, "/cases?q="+url.QueryEscape(person)); st != 200 || strings.Contains(html, c.Ref()) {
		t.Errorf("the case list page (%d) finds the case by an undisclosed name", st)
	}
	if st, html := e.page(rcv, "/cases"); st != 200 || !strings.Contains(html, c.Ref()) || strings.Contains(html, person) ||
		strings.Contains(html, other.Ref()) {
		t.Errorf("the case list page (%d) is not the referral's case, cut to the disclosure", st)
	}
	// The committee itself finds both by the name.
	if got := e.listCases("director.gulou", q(person)); len(got) != 2 || got[0].Respondent != person {
		t.Errorf("the committee's search = %+v", got)
	}

	// Declined: nothing is left.
	e.step(rcv, r, "decline", map[string]any{"reason": "不属于援助范围"})
	if got := e.listCases(rcv, q(c.Ref())); len(got) != 0 {
		t.Errorf("after the decline the receiver still lists %+v", got)
	}

	// A referral that discloses the parties and the rights.
	parts := map[string]any{"summary": false, "parties": true, "rights": true, "agreement": false, "documents": []int64{}}
	e.call("clerk.gulou", "POST", "/referrals/rights_assistance", map[string]any{"receiver_org_id": e.orgs["fz-assistance"],
		"case_id": c.ID, "fields": map[string]any{"help": "代理诉讼"}, "disclosure": parts}, 201, &r)
	for _, s := range []string{person, "87654321"} {
		if got := e.listCases(rcv, q(s)); len(got) != 1 || got[0].ID != c.ID || got[0].Respondent != person ||
			got[0].Applicant != "福州闽光披露测试有限公司" {
			t.Errorf("search %q with the parties and rights disclosed = %+v", s, got)
		}
	}
}

// TestDisclosure_LeaderSearchesOnlyWhatItReads: the leadership office
// reads natural persons' names masked, so a search by such a name finds
// nothing (the list would otherwise confirm a name it cannot read);
// organisations' names, case numbers and IP right numbers, which it reads
// in clear, still find the case.
func TestDisclosure_LeaderSearchesOnlyWhatItReads(t *testing.T) {
	e := newRefEnv(t)
	const person = "司马监督"
	c := e.disclosureCase(person)
	q := func(s string) url.Values { return url.Values{"q": {s}} }
	for _, s := range []string{person, "司马"} {
		if got := e.listCases("leader", q(s)); len(got) != 0 {
			t.Errorf("the leader's search %q confirms a masked name: %+v", s, got)
		}
	}
	for _, s := range []string{"闽光披露测试", c.Ref(), "87654321"} {
		got := e.listCases("leader", q(s))
		if len(got) != 1 || got[0].ID != c.ID {
			t.Errorf("the leader's search %q = %+v, want the case", s, got)
			continue
		}
		if got[0].Respondent == person || !strings.Contains(got[0].Respondent, "*") {
			t.Errorf("the leader's list shows the respondent as %q, want it masked", got[0].Respondent)
		}
	}
	if got := e.listCases("director.gulou", q(person)); len(got) != 1 || got[0].Respondent != person {
		t.Errorf("the committee's search = %+v", got)
	}
}
