package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/pdf/pdftest"
)

func init() { moreRows = append(moreRows, dossierRows) }

// mxArchived is, per matrix environment, a withdrawn gulou case archived
// for the download row.
var (
	mxArchivedMu sync.Mutex
	mxArchived   = map[*mxEnv]int64{}
)

func archivedCase(e *mxEnv) int64 {
	mxArchivedMu.Lock()
	defer mxArchivedMu.Unlock()
	if id, ok := mxArchived[e]; ok {
		return id
	}
	t, a := e.t, e.a
	c, err := a.Cases.Submit(apptest.As(t, a, "clerk.gulou"), cases.IntakeInput{OrgID: e.orgs["gulou"], Source: domain.SourceDirect,
		DisputeType: domain.DisputeCopyright, Summary: "被申请人未经许可在网站上传播申请人的摄影作品。", Claims: "删除作品并赔偿。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州光影文化传播有限公司"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某"},
		}})
	if err != nil {
		t.Fatalf("archived case: %v", err)
	}
	now := a.Clock.Now().UTC()
	if err := a.DB.Exec(`UPDATE cases SET status = 'withdrawn', outcome = 'withdrawn', outcome_reason = '双方和解', outcome_at = ?
		WHERE id = ?`, now, c.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := a.Dossiers.Archive(apptest.As(t, a, "clerk.gulou"), c.ID, dossier.Input{}); err != nil {
		t.Fatalf("archive: %v", err)
	}
	mxArchived[e] = c.ID
	return c.ID
}

// dossierRows: the matrix's own case is being mediated, so the archive
// form is refused (409) to those who may archive (the committee's
// director and clerk) and forbidden to the others who see the case. The
// download row reads an archived gulou case: its director and clerk
// download it, the leadership office sees the case but may not; the
// foreign case has no dossier (404 for whoever may read dossiers).
func dossierRows() []mxRow {
	caseID := func(e *mxEnv, own bool) string {
		if own {
			return ids(e.ownCase)
		}
		return ids(e.foreignCase)
	}
	mayArchive := set("director", "clerk")
	want := func(vis map[string]bool, ok int) map[string]int {
		m := map[string]int{"anon": 303, "*": 404}
		for r := range vis {
			m[r] = 403
			if mayArchive[r] {
				m[r] = ok
			}
		}
		return m
	}
	return []mxRow{
		{route: "POST /cases/:id/archive", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/cases/" + caseID(e, own) + "/archive", form: url.Values{}}
		}, own: want(caseVisibleOwn, 409), foreign: want(caseVisibleForeign, 409)},
		{route: "GET /cases/:id/dossier/:file", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			if own {
				return mxReq{method: "GET", path: "/cases/" + ids(archivedCase(e)) + "/dossier/pdf"}
			}
			return mxReq{method: "GET", path: "/cases/" + caseID(e, own) + "/dossier/pdf"}
		}, own: want(set("leader", "director", "clerk"), 200), foreign: want(caseVisibleForeign, 404)},
	}
}

// TestDossier_ArchiveFromThePageThenReadOnly works a case to its close,
// archives it through the case page's form, downloads its dossier, and
// tries to change it through the API and a page form.
func TestDossier_ArchiveFromThePageThenReadOnly(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	as := func(username string) context.Context { return apptest.As(t, a, username) }
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
				Responsibilities: "责任", Terms: "赔偿两万元", PerformanceMethod: "银行转账", Oral: true})
		},
		func() (domain.Case, error) {
			return a.Cases.Close(as("director.gulou"), cs.ID, cases.CloseInput{Version: cs.Version, Note: "已按协议履行"})
		},
	}
	for _, step := range steps {
		if cs, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	id := strconv.FormatInt(cs.ID, 10)
	page := r.URL + "/cases/" + id
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	_, body := webGet(t, clerk, page)
	if !strings.Contains(body, `action="/cases/`+id+`/archive"`) {
		t.Fatalf("the closed case's page offers the clerk no archive form")
	}
	resp, body := webPost(t, clerk, page+"/archive", url.Values{"_csrf": {csrfFrom(t, body)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d\n%s", resp.StatusCode, body)
	}
	_, body = webGet(t, clerk, page)
	for _, want := range []string{"本案已归档", `href="/cases/` + id + `/dossier/pdf"`, `href="/cases/` + id + `/dossier/zip"`, "档字第0001号"} {
		if !strings.Contains(body, want) {
			t.Errorf("the archived case's page lacks %q", want)
		}
	}
	if strings.Contains(body, `action="/cases/`+id+`/archive"`) || strings.Contains(body, `action="/cases/`+id+`/documents"`) {
		t.Errorf("the archived case's page still offers the archive or upload form")
	}
	resp, body = webGet(t, clerk, page+"/dossier/pdf")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	text, err := pdftest.Text([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	// The printed notices, as their print pages print them.
	for _, want := range []string{"受理通知书", "决定予以受理", "赔偿两万元", "案件流程记录"} {
		if !strings.Contains(pdftest.Joined(text), want) {
			t.Errorf("the dossier lacks %q", want)
		}
	}

	const refusal = "案件已归档，不能修改"
	mediator := mustLogin(t, r, "mediator1.gulou")
	today := now.In(calendar.Beijing).Format("2006-01-02")
	for _, c := range []struct{ path, token string }{
		{"/api/v1/cases/" + id + "/performance", mediator},
		{"/api/v1/cases/" + id + "/documents", mustLogin(t, r, "clerk.gulou")},
	} {
		res := call(t, r, http.MethodPost, c.path, c.token, map[string]any{"version": cs.Version + 1, "result": "performed", "performed_on": today})
		if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), refusal) {
			t.Errorf("POST %s: %d, want 409 saying %s\n%s", c.path, res.Status, refusal, res.Body)
		}
	}
	web := webLogin(t, r, "mediator1.gulou", demoPassword)
	_, body = webGet(t, web, page)
	resp, body = webPost(t, web, page+"/performance", url.Values{"_csrf": {csrfFrom(t, body)}, "version": {strconv.Itoa(cs.Version + 1)},
		"result": {"performed"}, "performed_on": {today}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, refusal) {
		t.Errorf("the performance form on an archived case: %d, want 409 saying %s", resp.StatusCode, refusal)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM case_performance WHERE case_id = ?", cs.ID); n != 0 {
		t.Errorf("%d performance records on the archived case", n)
	}
}
