package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// latinWord is an English word: three letters or more.
var latinWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// visibleText is the text of an HTML fragment without tags and codes.
func visibleText(html string) string {
	html = regexp.MustCompile(`(?s)<code>.*?</code>`).ReplaceAllString(html, "")
	return regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(html, " ")
}

func section(t *testing.T, body, marker string) string {
	t.Helper()
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no %q in the page:\n%s", marker, body)
	}
	i += strings.Index(body[i:], ">") + 1
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		j = len(body) - i
	}
	return body[i : i+j]
}

// TestErrorPages_InTheReadersLanguage: a refused page and an unknown page
// say in Chinese what happened and what to do, with no English words,
// and offer the way back to where the reader came from; the same in
// English for a reader of English.
func TestErrorPages_InTheReadersLanguage(t *testing.T) {
	r := startDemo(t)
	mediator := webLogin(t, r, "mediator1.gulou", "demo-pass-2026")
	req, _ := http.NewRequest(http.MethodGet, r.URL+"/assistance", nil)
	req.Header.Set("Referer", r.URL+"/work")
	resp, err := mediator.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := new(strings.Builder)
	if _, err := io.Copy(buf, resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a mediator opens the assistance list: %d, want 403", resp.StatusCode)
	}
	page := section(t, buf.String(), `class="card error-page"`)
	if !strings.Contains(page, "您没有权限") || !strings.Contains(page, "联系") {
		t.Errorf("the 403 page does not say what happened and what to do:\n%s", page)
	}
	if w := latinWord.FindString(visibleText(page)); w != "" {
		t.Errorf("the Chinese 403 page shows the English word %q:\n%s", w, page)
	}
	if !strings.Contains(page, `href="/work"`) {
		t.Errorf("the 403 page offers no way back to /work:\n%s", page)
	}
	resp404, body := webGet(t, mediator, r.URL+"/no-such-page")
	if resp404.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown page: %d", resp404.StatusCode)
	}
	page = section(t, body, `class="card error-page"`)
	if w := latinWord.FindString(visibleText(page)); w != "" || !strings.Contains(page, "页面不存在") {
		t.Errorf("the Chinese 404 page (English word %q):\n%s", w, page)
	}
	// A reader of English gets English.
	u, _ := url.Parse(r.URL + "/")
	mediator.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	_, body = webGet(t, mediator, r.URL+"/assistance")
	if page = section(t, body, `class="card error-page"`); !strings.Contains(page, "You may not do this") {
		t.Errorf("the English 403 page:\n%s", page)
	}
}

// TestCaseAction_StaleVersionKeepsThePlace: an action sent from a page
// that someone else changed meanwhile answers 409 with the case page
// itself, its current state and the reason in Chinese, not a bare error.
func TestCaseAction_StaleVersionKeepsThePlace(t *testing.T) {
	r := startDemo(t)
	as := func(user string) context.Context {
		a, err := r.App.Identity.Actor(context.Background(), userID(t, r, user))
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(context.Background(), a)
	}
	c, err := r.App.Cases.Submit(as("clerk.gulou"), cases.IntakeInput{OrgID: orgID(t, r, "gulou"), Source: domain.SourceDirect,
		DisputeType: domain.DisputeCopyright, Summary: "被申请人在网店销售盗版图书。", Claims: "停止销售。",
		Parties: []cases.PartyInput{{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "海峡书局有限公司"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "王某"}}})
	if err != nil {
		t.Fatal(err)
	}
	director := webLogin(t, r, "director.gulou", "demo-pass-2026")
	path := r.URL + "/cases/" + strconv.FormatInt(c.ID, 10)
	tok := pageCSRF(t, director, path)
	// Someone else rejects the case first.
	if _, err := r.App.Cases.Reject(as("director.gulou"), c.ID, cases.ReasonInput{Version: c.Version, Reason: "不属于知识产权纠纷。", Route: domain.RouteLitigation}); err != nil {
		t.Fatal(err)
	}
	resp, body := webPost(t, director, path+"/reject", url.Values{"_csrf": {tok}, "version": {strconv.Itoa(c.Version)}, "reason": {"重复登记。"}, "route": {string(domain.RouteLitigation)}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("a stale reject: %d, want 409", resp.StatusCode)
	}
	alert := section(t, body, `class="flash bad" role="alert"`)
	if !strings.Contains(alert, "他人已修改") && !strings.Contains(alert, "不能办理") {
		t.Errorf("the conflict does not say what happened in Chinese:\n%s", alert)
	}
	msg := alert[:strings.Index(alert, "</div>")]
	if w := latinWord.FindString(visibleText(msg)); w != "" {
		t.Errorf("the conflict message shows the English word %q:\n%s", w, alert)
	}
	if !strings.Contains(body, c.Ref()) {
		t.Errorf("the 409 answer is not the case page of %s", c.Ref())
	}
}

// TestCaseAction_IrreversibleNeedsConfirmation: refusing a case (不予受理)
// from the form without ticking the confirmation changes nothing and
// says why next to the box; ticked, it is done. A user who may not take
// the step learns nothing more from the missing box than from the step.
func TestCaseAction_IrreversibleNeedsConfirmation(t *testing.T) {
	r := startDemo(t)
	as := func(username string) context.Context {
		a, err := r.App.Identity.Actor(context.Background(), userID(t, r, username))
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(context.Background(), a)
	}
	c, err := r.App.Cases.Submit(as("clerk.gulou"), cases.IntakeInput{OrgID: orgID(t, r, "gulou"), Source: domain.SourceDirect,
		DisputeType: domain.DisputeCopyright, Summary: "被申请人在网店销售盗版图书。", Claims: "停止销售。",
		Parties: []cases.PartyInput{{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "海峡书局有限公司"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "王某"}}})
	if err != nil {
		t.Fatal(err)
	}
	path := r.URL + "/cases/" + strconv.FormatInt(c.ID, 10)
	form := func(tok string) url.Values {
		return url.Values{"_csrf": {tok}, "version": {strconv.Itoa(c.Version)}, "reason": {"不属于知识产权纠纷。"}, "route": {string(domain.RouteLitigation)}}
	}
	status := func() string {
		var s string
		r.App.DB.Raw("SELECT status FROM cases WHERE id = ?", c.ID).Scan(&s)
		return s
	}

	mediator := webLogin(t, r, "mediator1.gulou", "demo-pass-2026")
	if resp, _ := webPost(t, mediator, path+"/reject", form(pageCSRF(t, mediator, r.URL+"/work"))); resp.StatusCode == http.StatusUnprocessableEntity {
		t.Errorf("a mediator, who may not refuse, is asked to confirm (422)")
	}

	director := webLogin(t, r, "director.gulou", "demo-pass-2026")
	tok := pageCSRF(t, director, path)
	if _, body := webGet(t, director, path); !strings.Contains(body, `name="confirmed" required`) {
		t.Error("the refusal form has no confirmation box")
	}
	resp, body := webPost(t, director, path+"/reject", form(tok))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请勾选确认") || status() != "submitted" {
		t.Fatalf("an unconfirmed refusal: %d, status %s", resp.StatusCode, status())
	}
	f := form(tok)
	f.Set("confirmed", "on")
	if resp, _ := webPost(t, director, path+"/reject", f); resp.StatusCode != http.StatusSeeOther || status() != "rejected" {
		t.Fatalf("a confirmed refusal: %d, status %s", resp.StatusCode, status())
	}
}
