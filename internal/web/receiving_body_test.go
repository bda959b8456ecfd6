package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/seed"
)

// TestReceivingBody_ListsReferredCasesWithinTheDisclosure: market
// regulation, sent a case for enforcement, finds it in its own case list
// (the 案件 link of its navigation works), and neither the list nor the
// case shows it the committee's mediation countdown, the internal
// timeline, sessions or the mediators' conflict declarations. A case it
// was not sent stays out of its list.
func TestReceivingBody_ListsReferredCasesWithinTheDisclosure(t *testing.T) {
	e := newRefEnv(t)
	c := e.mediating("gulou")
	other := e.mediating("gulou")
	var respondent int64
	if err := e.a.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", c.ID).Scan(&respondent).Error; err != nil {
		t.Fatal(err)
	}
	fields, _ := json.Marshal(map[string]any{"grounds": "repeat_infringement", "facts": "再次销售侵权产品", "party_id": respondent})
	if _, err := e.a.Referrals.Send(e.as("director.gulou"), referral.SendInput{Kind: referral.KindEnforcement,
		ReceiverOrgID: e.orgs["fz-amr"], CaseID: &c.ID, Fields: fields}); err != nil {
		t.Fatal(err)
	}

	var list struct {
		Items []struct {
			ID             int64   `json:"id"`
			MediationDueAt *string `json:"mediation_due_at"`
		} `json:"items"`
	}
	e.call("enforcement.fz-amr", "GET", "/cases", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != c.ID {
		t.Fatalf("market regulation lists %+v, want exactly case %d (not %d)", list.Items, c.ID, other.ID)
	}
	if list.Items[0].MediationDueAt != nil {
		t.Errorf("the receiver's list shows the mediation period: %v", *list.Items[0].MediationDueAt)
	}
	// The committee still sees its own period in the same list.
	e.call("clerk.gulou", "GET", "/cases?"+url.Values{"q": {c.Number}}.Encode(), nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].MediationDueAt == nil {
		t.Fatalf("the committee's list lost the mediation period: %+v", list.Items)
	}

	type caseView struct {
		MediationDueAt *string           `json:"mediation_due_at"`
		Events         []json.RawMessage `json:"events"`
		Sessions       []json.RawMessage `json:"sessions"`
		Mediators      []struct {
			Name        string `json:"name"`
			Declaration string `json:"declaration"`
		} `json:"mediators"`
	}
	var committee, receiver caseView
	e.call("director.gulou", "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 200, &committee)
	if committee.MediationDueAt == nil || len(committee.Events) == 0 || len(committee.Mediators) == 0 || committee.Mediators[0].Declaration == "" {
		t.Fatalf("the committee's view lacks its period, timeline or declaration: %+v", committee)
	}
	e.call("enforcement.fz-amr", "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 200, &receiver)
	if receiver.MediationDueAt != nil || len(receiver.Events) != 0 || len(receiver.Sessions) != 0 {
		t.Errorf("the receiver reads the committee's work: due %v, %d events, %d sessions", receiver.MediationDueAt, len(receiver.Events), len(receiver.Sessions))
	}
	for _, m := range receiver.Mediators {
		if m.Declaration != "" {
			t.Errorf("the receiver reads %s's conflict declaration", m.Name)
		}
	}

	st, html := e.page("enforcement.fz-amr", fmt.Sprintf("/cases/%d", c.ID))
	if st != 200 || !strings.Contains(html, c.Number) || strings.Contains(html, "<dt>调解期限</dt>") || strings.Contains(html, "<h2>办理记录</h2>") ||
		!strings.Contains(html, `id="disclosed-only"`) {
		t.Errorf("the receiver's case page (%d) is missing the case or the note that it was disclosed, or shows a countdown or the timeline", st)
	}
}

var navLink = regexp.MustCompile(`<a href="(/[^"]*)"`)

// oneOfEachRole is a demo account of each of the twelve roles.
var oneOfEachRole = []string{"admin", "leader", "sme1", "director.city", "clerk.gulou", "mediator1.gulou",
	"liaison.gulou-court", "arbitration.fz", "customs.fz", "enforcement.fz-amr", "assistance.fz", "association.fz-software"}

// TestNavigation_EveryLinkWorksForItsRole signs in as a demo account of
// every role and opens every link of its navigation: each answers 200 in
// Chinese.
func TestNavigation_EveryLinkWorksForItsRole(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	for _, u := range oneOfEachRole {
		if !slices.Contains(seed.DemoUsernames(), u) {
			t.Fatalf("%s is no longer a demo account", u)
		}
		t.Run(u, func(t *testing.T) {
			c := webLogin(t, r, u, demoPassword)
			_, home := webGet(t, c, r.URL+"/work")
			start, end := strings.Index(home, "<nav"), strings.Index(home, "</nav>")
			if start < 0 || end < start {
				t.Fatalf("no navigation on /work:\n%s", home)
			}
			links := navLink.FindAllStringSubmatch(home[start:end], -1)
			if len(links) < 2 {
				t.Fatalf("navigation with %d links", len(links))
			}
			for _, l := range links {
				resp, body := webGet(t, c, r.URL+l[1])
				if resp.StatusCode != 200 {
					t.Errorf("%s: %d", l[1], resp.StatusCode)
					continue
				}
				// The job queue monitor is a third-party screen in English,
				// for the system administrator only.
				if l[1] != "/admin/queues" && !strings.Contains(body, `<html lang="zh-CN">`) {
					t.Errorf("%s is not in Chinese", l[1])
				}
			}
		})
	}
}

// TestWork_CommitteeQueue: the director's "my work" counts what waits at
// the committee (a filing to accept, an accepted case without a mediator,
// an objection to decide), and each count opens the list of exactly those
// cases; the queue is the committee's, not the mediator's.
func TestWork_CommitteeQueue(t *testing.T) {
	e := newRefEnv(t)
	in := refDispute()
	in.OrgID, in.Source = e.orgs["gulou"], domain.SourceDirect
	filed, err := e.a.Cases.Submit(e.as("clerk.gulou"), in)
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := e.a.Cases.Submit(e.as("clerk.gulou"), in)
	if err != nil {
		t.Fatal(err)
	}
	if accepted, err = e.a.Cases.Accept(e.as("director.gulou"), accepted.ID, cases.AcceptInput{Version: accepted.Version,
		ConsentAt: e.a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	objected := e.mediating("gulou")
	var party int64
	if err := e.a.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", objected.ID).Scan(&party).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Cases.Object(e.as("clerk.gulou"), objected.ID, cases.ObjectInput{Version: objected.Version,
		MediatorID: e.users["mediator1.gulou"], PartyID: party, Reason: "调解员曾担任申请人的法律顾问"}); err != nil {
		t.Fatal(err)
	}

	st, html := e.page("director.gulou", "/work")
	if st != 200 || !strings.Contains(html, "本委待办") {
		t.Fatalf("no committee queue on the director's work page (%d)", st)
	}
	gulou := e.orgs["gulou"]
	for _, q := range []struct {
		link string
		want int64
	}{
		{fmt.Sprintf("/cases?org_id=%d&amp;status=submitted", gulou), filed.ID},
		{fmt.Sprintf("/cases?org_id=%d&amp;status=accepted", gulou), accepted.ID},
		{fmt.Sprintf("/cases?org_id=%d&amp;objection=pending", gulou), objected.ID},
	} {
		i := strings.Index(html, `<a href="`+q.link+`">`)
		if i < 0 {
			t.Errorf("the queue has no link %s", q.link)
			continue
		}
		if !strings.Contains(html[i:i+300], `<span class="badge warn">1</span>`) {
			t.Errorf("%s does not count 1: %s", q.link, html[i:i+300])
		}
		query, _ := url.ParseQuery(strings.SplitN(strings.ReplaceAll(q.link, "&amp;", "&"), "?", 2)[1])
		items := e.listCases("director.gulou", query)
		if len(items) != 1 || items[0].ID != q.want {
			t.Errorf("%s lists %+v, want case %d alone", q.link, items, q.want)
		}
	}
	if _, html := e.page("mediator1.gulou", "/work"); strings.Contains(html, "本委待办") {
		t.Error("a mediator has the committee's queue")
	}
	e.call("director.gulou", "GET", "/cases?objection=maybe", nil, 422, nil)
}

// TestWork_EnterpriseSeesItsCases: an SME's first page lists the cases it
// filed, next to its applications, each linking to the case.
func TestWork_EnterpriseSeesItsCases(t *testing.T) {
	e := newRefEnv(t)
	_, before := e.page("sme1", "/work")
	if !strings.Contains(before, "我的案件") || !strings.Contains(before, "暂无案件") {
		t.Fatalf("no empty case list on the SME's work page")
	}
	var credit string
	if err := e.a.DB.Raw("SELECT credit_code FROM orgs WHERE code = 'ent-sme1'").Scan(&credit).Error; err != nil || credit == "" {
		t.Fatalf("credit code of ent-sme1: %q %v", credit, err)
	}
	in := refDispute()
	in.OrgID, in.Source = e.orgs["gulou"], domain.SourceDirect
	in.Parties[0] = cases.PartyInput{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司",
		CreditCode: credit, IsSME: true}
	c, err := e.a.Cases.Submit(e.as("sme1"), in)
	if err != nil {
		t.Fatal(err)
	}
	st, html := e.page("sme1", "/work")
	if st != 200 || !strings.Contains(html, fmt.Sprintf(`href="/cases/%d"`, c.ID)) || !strings.Contains(html, c.RegistrationNumber) {
		t.Errorf("the SME's work page (%d) does not list its case %s", st, c.RegistrationNumber)
	}
	if _, other := e.page("sme2", "/work"); strings.Contains(other, fmt.Sprintf(`href="/cases/%d"`, c.ID)) {
		t.Error("another enterprise sees the case on its work page")
	}
}

// TestAuditPage_InWords: the audit log names actions, objects and
// organisations in words and links the objects its reader can open; it filters by username
// and by organisation chosen by name, not by numeric ids.
func TestAuditPage_InWords(t *testing.T) {
	r := startDemo(t)
	webLogin(t, r, "clerk.gulou", demoPassword)
	admin := webLogin(t, r, "admin", demoPassword)
	resp, body := webGet(t, admin, r.URL+"/audit?actor=clerk.gulou")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("audit page: %d", resp.StatusCode)
	}
	rows := section(t, body, "<tbody>")
	if !strings.Contains(rows, "登录") || !strings.Contains(rows, `<a href="/audit?actor=clerk.gulou">clerk.gulou</a>`) {
		t.Errorf("the clerk's sign-in is not listed in words:\n%s", rows)
	}
	for _, code := range []string{"auth.login", ">admin<", `{"`} {
		if strings.Contains(rows, code) {
			t.Errorf("the filtered audit rows show %q:\n%s", code, rows)
		}
	}
	if !strings.Contains(body, `<select id="f-org" name="org_id">`) || !strings.Contains(body, "鼓楼区知识产权纠纷调解委员会") {
		t.Error("the organisation filter does not offer organisations by name")
	}
	actor, err := r.App.Identity.Actor(context.Background(), userID(t, r, "clerk.gulou"))
	if err != nil {
		t.Fatal(err)
	}
	in := refDispute()
	in.OrgID, in.Source = orgID(t, r, "gulou"), domain.SourceDirect
	c, err := r.App.Cases.Submit(domain.WithActor(context.Background(), actor), in)
	if err != nil {
		t.Fatal(err)
	}
	_, all := webGet(t, admin, r.URL+"/audit?action=case.")
	// The system administrator reads no case: the case is named, not
	// linked to a page that would answer 404.
	if !strings.Contains(all, fmt.Sprintf(`案件 %d`, c.ID)) || strings.Contains(all, fmt.Sprintf(`href="/cases/%d"`, c.ID)) || !strings.Contains(all, "提交调解申请") {
		t.Errorf("the case's filing is not named, or linked for a reader who cannot open it:\n%s", section(t, all, "<tbody>"))
	}
}

// TestDeadlines_EnterpriseSeesWhatBindsIt: an SME's "my deadlines" lists
// the periods that bind it on its own case (duty party) and its rights
// (duty information), not the committee's own deadlines of the same case,
// and nothing of another enterprise's case; the leadership office sees
// every organisation's.
func TestDeadlines_EnterpriseSeesWhatBindsIt(t *testing.T) {
	e := newRefEnv(t)
	var credit string
	if err := e.a.DB.Raw("SELECT credit_code FROM orgs WHERE code = 'ent-sme1'").Scan(&credit).Error; err != nil || credit == "" {
		t.Fatalf("credit code of ent-sme1: %q %v", credit, err)
	}
	in := refDispute()
	in.OrgID, in.Source = e.orgs["gulou"], domain.SourceDirect
	in.Parties[0] = cases.PartyInput{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司",
		CreditCode: credit, IsSME: true}
	c, err := e.a.Cases.Submit(e.as("sme1"), in)
	if err != nil {
		t.Fatal(err)
	}
	due := e.a.Clock.Now().Add(72 * time.Hour)
	open := func(kind, title string, duty deadline.Duty) int64 {
		t.Helper()
		d, err := e.a.Deadlines.OpenTx(context.Background(), e.a.DB, deadline.Spec{Subject: deadline.CaseSubject(c.ID), OrgID: e.orgs["gulou"],
			CaseID: &c.ID, Kind: kind, Title: title, Due: due, Duty: duty, Now: e.a.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	binds := open("court_notice", "向法院起诉并通知海关", deadline.DutyParty)
	right := open("confirmation_window", "申请司法确认", deadline.DutyInformation)
	own := open("review", "审查材料", deadline.DutyOrganisation)

	mine := func(u string) []int64 {
		t.Helper()
		var out struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		e.call(u, "GET", "/deadlines", nil, 200, &out)
		var ids []int64
		for _, it := range out.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	got := mine("sme1")
	if !slices.Contains(got, binds) || !slices.Contains(got, right) || slices.Contains(got, own) {
		t.Errorf("sme1's deadlines %v, want %d and %d but not the committee's %d", got, binds, right, own)
	}
	if got := mine("sme2"); slices.Contains(got, binds) || slices.Contains(got, right) {
		t.Errorf("another enterprise sees %v", got)
	}
	if got := mine("leader"); !slices.Contains(got, own) || !slices.Contains(got, binds) {
		t.Errorf("the leadership office's deadlines %v miss %d or %d", got, own, binds)
	}
}
