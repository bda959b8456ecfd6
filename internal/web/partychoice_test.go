package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/party"
)

func init() {
	moreRows = append(moreRows, partyChoiceRows)
	publicRoutes["POST /p/mediator-choice"] = true
	publicRoutes["POST /p/attendance"] = true
}

// partyChoiceRows: a staff session stands for no party.
func partyChoiceRows() []mxRow {
	all := func(st int) map[string]int { return map[string]int{"*": st} }
	return []mxRow{
		{route: "POST /p/mediator-choice", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/mediator-choice", form: url.Values{"mediator_id": {"0"}}}
		}, own: all(401)},
		{route: "POST /p/attendance", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/attendance", form: url.Values{"attends": {"yes"}}}
		}, own: all(401)},
	}
}

// TestPartyView_MediatorChoice: the accepted case's party sees the
// committee's mediators with their fields in words (never a phone),
// chooses one (a bad one is 422 naming the field, nothing written), the
// staff's case page shows it beside the assign form with the mediator
// marked in the suggestions; the director assigning another without a
// reason is refused, with one it goes through; the party then sees the
// choice closed and a choice is 409 in words.
func TestPartyView_MediatorChoice(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	m2 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator2.gulou'")
	if err := a.DB.Exec(`INSERT INTO mediator_profiles (org_id, user_id, specialties, qualifications, updated_at)
SELECT m.org_id, m.user_id, '{trademark}', '{lawyer}', now() FROM memberships m WHERE m.user_id = ? AND m.role = 'mediator'
AND m.org_id = (SELECT id FROM orgs WHERE code = 'gulou')
ON CONFLICT (org_id, user_id) DO UPDATE SET specialties = '{trademark}', qualifications = '{lawyer}'`, m1).Error; err != nil {
		t.Fatal(err)
	}
	_, body := webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, `action="/p/mediator-choice"`) || !strings.Contains(body, "选择调解员") || !strings.Contains(body, `value="`+ids(m1)+`"`) ||
		!strings.Contains(body, "由调解委员会指定") || !strings.Contains(body, "商标") || !strings.Contains(body, "律师") {
		t.Fatal("no choice of mediator, in words, on the accepted case")
	}
	if strings.Contains(body, "mediator1.gulou") || strings.Contains(body, "trademark") || strings.Contains(body, "lawyer") {
		t.Error("the choice shows usernames or codes")
	}
	res, body := submitPage(t, f.p, f.r.URL, "/p/case", "/p/mediator-choice", url.Values{"mediator_id": {ids(apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'clerk.gulou'"))}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请从本调解委员会的调解员中选择") {
		t.Fatalf("a clerk chosen: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM party_mediator_choices"); n != 0 {
		t.Fatal("a refused choice was recorded")
	}
	res, _ = submitPage(t, f.p, f.r.URL, "/p/case", "/p/mediator-choice", url.Values{"mediator_id": {ids(m1)}, "note": {"熟悉商标纠纷"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("choose: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM party_mediator_choices WHERE party_id = ? AND mediator_id = ? AND access_id IS NOT NULL", f.resp, m1); n != 1 {
		t.Fatal("the choice is not recorded as the party's")
	}
	if _, body = webGet(t, f.p, f.r.URL+"/p/case"); !strings.Contains(body, "您目前的选择") {
		t.Error("the view does not show the current choice")
	}

	// The staff's case page.
	dir := webLogin(t, f.r, "director.gulou", "demo-pass-2026")
	_, page := webGet(t, dir, f.r.URL+"/cases/"+ids(f.caseID))
	if !strings.Contains(page, "当事人选择的调解员") || !strings.Contains(page, `data-chosen="true"`) || !strings.Contains(page, "当事人选择") ||
		!strings.Contains(page, `name="reason"`) || !strings.Contains(page, "熟悉商标纠纷") {
		t.Fatal("the case page does not show the party's choice by the assign form")
	}
	version := apptest.Scalar[int64](t, a, "SELECT version FROM cases WHERE id = ?", f.caseID)
	res, page = submitPage(t, dir, f.r.URL, "/cases/"+ids(f.caseID), "/cases/"+ids(f.caseID)+"/assign", url.Values{"version": {ids(version)}, "mediator_ids": {ids(m2)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "当事人选择的调解员未被指派，请说明理由") {
		t.Fatalf("assign without a reason: %d", res.StatusCode)
	}
	res, _ = submitPage(t, dir, f.r.URL, "/cases/"+ids(f.caseID), "/cases/"+ids(f.caseID)+"/assign", url.Values{"version": {ids(version)}, "mediator_ids": {ids(m2)}, "reason": {"调解员一回避"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("assign with a reason: %d", res.StatusCode)
	}
	if _, page = webGet(t, dir, f.r.URL+"/cases/"+ids(f.caseID)); !strings.Contains(page, "调解员一回避") {
		t.Error("the timeline does not show the reason")
	}

	if _, body = webGet(t, f.p, f.r.URL+"/p/case"); strings.Contains(body, `action="/p/mediator-choice"`) || !strings.Contains(body, "本案已分配调解员，不能再提交选择") {
		t.Error("the choice is still offered after the assignment")
	}
	res, body = submitPage(t, f.p, f.r.URL, "/p/case", "/p/mediator-choice", url.Values{"mediator_id": {"0"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "不能再选择调解员") {
		t.Errorf("a choice after the assignment: %d", res.StatusCode)
	}
}

// TestPartyView_Attendance: with a session scheduled the party confirms
// it cannot attend (without a reason: 422 naming it, nothing written),
// the staff's case page shows the answer, and the mediator on the case
// is told.
func TestPartyView_Attendance(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	if _, body := webGet(t, f.p, f.r.URL+"/p/case"); strings.Contains(body, `action="/p/attendance"`) {
		t.Error("attendance asked with no session scheduled")
	}
	res, body := submitPage(t, f.p, f.r.URL, "/p/case", "/p/attendance", url.Values{"attends": {"yes"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "没有已安排的调解") {
		t.Errorf("no session: %d", res.StatusCode)
	}
	dirCtx := apptest.As(t, a, "director.gulou")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	cv, err := a.Cases.Get(dirCtx, f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cases.Assign(dirCtx, f.caseID, cases.AssignInput{Version: cv.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	now := a.Clock.Now()
	// A session logged without a next one: the staff page still draws,
	// and the party is asked nothing.
	if err := a.DB.Exec(`INSERT INTO case_sessions (case_id, held_at, mode, minutes) VALUES (?, ?, 'phone', '电话沟通')`, f.caseID, now.Add(-2*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	dir0 := webLogin(t, f.r, "director.gulou", "demo-pass-2026")
	if res, _ := webGet(t, dir0, f.r.URL+"/cases/"+ids(f.caseID)); res.StatusCode != http.StatusOK {
		t.Fatalf("case page with a session without a next one: %d", res.StatusCode)
	}
	if _, body = webGet(t, f.p, f.r.URL+"/p/case"); strings.Contains(body, `action="/p/attendance"`) {
		t.Error("attendance asked with no next session")
	}
	if err := a.DB.Exec(`INSERT INTO case_sessions (case_id, held_at, mode, minutes, next_session_at) VALUES (?, ?, 'in_person', '第一次调解', ?)`,
		f.caseID, now.Add(-time.Hour), now.Add(48*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	if _, body = webGet(t, f.p, f.r.URL+"/p/case"); !strings.Contains(body, `action="/p/attendance"`) || !strings.Contains(body, "确认出席调解") {
		t.Fatal("no attendance form with a session scheduled")
	}
	res, body = submitPage(t, f.p, f.r.URL, "/p/case", "/p/attendance", url.Values{"attends": {"no"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "无法出席时请说明原因") {
		t.Fatalf("cannot, without a reason: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM party_attendance"); n != 0 {
		t.Fatal("a refused answer was recorded")
	}
	res, _ = submitPage(t, f.p, f.r.URL, "/p/case", "/p/attendance", url.Values{"attends": {"no"}, "note": {"当天在外地出差"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("answer: %d", res.StatusCode)
	}
	if _, body = webGet(t, f.p, f.r.URL+"/p/case"); !strings.Contains(body, "您目前的答复：<strong>无法出席") {
		t.Error("the view does not show the answer")
	}
	if apptest.Told(t, a, "mediator1.gulou", party.NoticeAbsent, "/cases/"+ids(f.caseID)) != 1 {
		t.Error("the mediator was not told")
	}
	dir := webLogin(t, f.r, "director.gulou", "demo-pass-2026")
	if _, page := webGet(t, dir, f.r.URL+"/cases/"+ids(f.caseID)); !strings.Contains(page, "当事人出席确认") || !strings.Contains(page, "当天在外地出差") || !strings.Contains(page, "无法出席") {
		t.Error("the case page does not show the answer")
	}
}
