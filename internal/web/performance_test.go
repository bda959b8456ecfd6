package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestCasePage_PerformanceForm: the assigned mediator records a follow-up
// of a settled case on its page; a partial performance without a note
// comes back with the error next to the note and nothing recorded, then
// the record shows as a result word, not a code.
func TestCasePage_PerformanceForm(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	as := func(username string) context.Context {
		t.Helper()
		var id int64
		a.DB.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id)
		actor, err := a.Identity.Actor(context.Background(), id)
		if err != nil {
			t.Fatalf("actor %s: %v", username, err)
		}
		return domain.WithActor(context.Background(), actor)
	}
	var gulou, m1 int64
	a.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou)
	a.DB.Raw("SELECT id FROM users WHERE username = 'mediator1.gulou'").Scan(&m1)
	now := a.Clock.Now()
	cs, err := a.Cases.Submit(as("clerk.gulou"), cases.IntakeInput{OrgID: gulou, Source: domain.SourceDirect, DisputeType: domain.DisputeTrademark,
		Summary: "被申请人销售假冒注册商标的茶叶。", Claims: "停止侵权，赔偿损失。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州榕城茶业有限公司"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "林某"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "第12345678号", Title: "榕城"}}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() (domain.Case, error){
		func() (domain.Case, error) {
			return a.Cases.Accept(as("director.gulou"), cs.ID, cases.AcceptInput{Version: cs.Version, ConsentAt: now.Add(-time.Hour)})
		},
		func() (domain.Case, error) {
			return a.Cases.Assign(as("director.gulou"), cs.ID, cases.AssignInput{Version: cs.Version, MediatorIDs: []int64{m1}})
		},
		func() (domain.Case, error) {
			return a.Cases.Declare(as("mediator1.gulou"), cs.ID, cases.DeclareInput{Version: cs.Version, NoConflict: true})
		},
		func() (domain.Case, error) {
			return a.Cases.Settle(as("mediator1.gulou"), cs.ID, cases.AgreementInput{Version: cs.Version, Facts: "事实", DisputedMatters: "争议",
				Responsibilities: "责任", Terms: "赔偿两万元", PerformanceMethod: "银行转账", Oral: true,
				PerformanceDue: now.In(calendar.Beijing).AddDate(0, 0, 10).Format("2006-01-02")})
		},
	}
	for _, step := range steps {
		if cs, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	page := r.URL + "/cases/" + strconv.FormatInt(cs.ID, 10)
	mediator := webLogin(t, r, "mediator1.gulou", "demo-pass-2026")
	resp, body := webGet(t, mediator, page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/cases/`+strconv.FormatInt(cs.ID, 10)+`/performance"`) ||
		!strings.Contains(body, "尚未登记履行情况") {
		t.Fatalf("the settled case's page offers no performance form: %d", resp.StatusCode)
	}
	tok := csrfFrom(t, body)
	today := now.In(calendar.Beijing).Format("2006-01-02")
	form := url.Values{"_csrf": {tok}, "version": {strconv.Itoa(cs.Version)}, "result": {"partly"}, "performed_on": {today}}
	resp, body = webPost(t, mediator, page+"/performance", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "field-error") ||
		!strings.Contains(body, `<details class="action" open><summary>登记履行情况（回访）`) {
		t.Fatalf("a partial performance without a note: %d, want 422 with the form open and its error", resp.StatusCode)
	}
	var n int
	a.DB.Raw("SELECT count(*) FROM case_performance WHERE case_id = ?", cs.ID).Scan(&n)
	if n != 0 {
		t.Fatalf("%d performance rows written by a refused form", n)
	}
	form.Set("note", "已支付一万元，余款下月付清。")
	if resp, _ = webPost(t, mediator, page+"/performance", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("recording the follow-up: %d, want 303", resp.StatusCode)
	}
	if _, body = webGet(t, mediator, page); !strings.Contains(body, "部分履行") || strings.Contains(body, "performance_result.") ||
		!strings.Contains(body, "余款下月付清") {
		t.Errorf("the page does not show the recorded result in words")
	}
}
