package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/register"
)

// TestAssignForm_ShowsSuggestionsInWords: the director's assign form
// ranks the committee's mediators by the register, the one declaring the
// case's specialty first, with the reason in words.
func TestAssignForm_ShowsSuggestionsInWords(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	m2 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator2.gulou'")
	if err := a.DB.Exec(`INSERT INTO mediator_profiles (org_id, user_id, specialties, updated_at) VALUES (?, ?, '{trademark}', now())`,
		gulou, m2).Error; err != nil {
		t.Fatal(err)
	}
	cs, err := a.Cases.Submit(apptest.As(t, a, "sme1"), cases.IntakeInput{OrgID: gulou, Source: domain.SourceDirect,
		DisputeType: domain.DisputeTrademark, Summary: "被申请人在同类商品上使用近似商标。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU", IsSME: true},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "张小三"}},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光", Holder: "福州闽光软件科技有限公司"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cases.Accept(apptest.As(t, a, "director.gulou"), cs.ID, cases.AcceptInput{Version: cs.Version, ConsentAt: a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	dir := webLogin(t, r, "director.gulou", demoPassword)
	_, page := webGet(t, dir, r.URL+"/cases/"+itoa(cs.ID))
	i := strings.Index(page, `id="assign-suggestions"`)
	if i < 0 {
		t.Fatalf("no suggestions on the assign form:\n%s", page)
	}
	list := page[i:]
	list = list[:strings.Index(list, "</ol>")]
	first := strings.Index(list, `data-suggest="`+itoa(m2)+`"`)
	if first < 0 || strings.Count(list[:first], "data-suggest=") != 0 {
		t.Errorf("the mediator declaring trademarks is not ranked first:\n%s", list)
	}
	if !strings.Contains(list, "专长：商标；在办 0 件") {
		t.Errorf("the reason is not in words:\n%s", list)
	}
	if strings.Contains(list, "trademark") {
		t.Error("the suggestions show a code")
	}
	// The clerk does not assign and sees no suggestions.
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	if _, cp := webGet(t, clerk, r.URL+"/cases/"+itoa(cs.ID)); strings.Contains(cp, `id="assign-suggestions"`) {
		t.Error("the clerk sees the assignment suggestions")
	}
}

// TestProfilePage_DirectorEditsAndRecordsTraining: the director edits a
// mediator's profile and records a training from its page; bad input is
// refused naming the field and changes nothing; the clerk reads the page
// without the forms.
func TestProfilePage_DirectorEditsAndRecordsTraining(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	link := fmt.Sprintf("/mediators/profiles/%d/%d", gulou, m1)
	audits := func() int64 {
		return apptest.Scalar[int64](t, a, "SELECT count(*) FROM audit_log WHERE action LIKE 'register.%'")
	}
	dir := webLogin(t, r, "director.gulou", demoPassword)
	_, reg := webGet(t, dir, r.URL+"/mediators")
	if !strings.Contains(reg, `href="`+link+`"`) {
		t.Fatalf("the register does not link to the profile")
	}
	_, page := webGet(t, dir, r.URL+link)
	if !strings.Contains(page, `id="profile-form"`) || !strings.Contains(page, `id="training-form"`) {
		t.Fatalf("the director's profile page lacks its forms:\n%s", page)
	}
	before := audits()
	// Court invitation without a court: refused naming the field.
	resp, page := submitPage(t, dir, r.URL, link, link, url.Values{"version": {"0"}, "specialties": {"patent", "trade_secret"},
		"court_invited": {"1"}, "invited_from": {"2026-01-01"}})
	if resp.StatusCode != 422 || !strings.Contains(page, `id="p-court"`) {
		t.Fatalf("court invitation without a court: %d", resp.StatusCode)
	}
	if i := strings.Index(page, `id="p-court"`); !strings.Contains(page[i:i+400], `class="field-error"`) {
		t.Error("no error beside the court field")
	}
	if n := apptest.Scalar[int64](t, a, fmt.Sprintf("SELECT count(*) FROM mediator_profiles WHERE user_id = %d AND 'patent' = ANY(specialties)", m1)); n != 0 || audits() != before {
		t.Fatal("a refused profile was written")
	}
	resp, page = submitPage(t, dir, r.URL, link, link, url.Values{"version": {"0"}, "specialties": {"patent", "trade_secret"},
		"technical_field": {"集成电路"}, "qualifications": {"patent_attorney"}, "court_invited": {"1"}, "court_name": {"福州市中级人民法院"},
		"invited_from": {"2026-01-01"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "专利、商业秘密") || !strings.Contains(page, "福州市中级人民法院") || !strings.Contains(page, "专利代理师") {
		t.Fatalf("save: %d\n%s", resp.StatusCode, page)
	}
	if audits() != before+1 {
		t.Error("the saved profile is not audited")
	}
	// Training: zero hours refused naming the field.
	resp, page = submitPage(t, dir, r.URL, link, link+"/trainings", url.Values{"title": {"专利侵权判定实务"}, "hours": {"0"}, "trained_on": {"2026-03-02"}})
	if resp.StatusCode != 422 || !strings.Contains(page, `id="t-hours"`) {
		t.Fatalf("zero hours: %d", resp.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, fmt.Sprintf("SELECT count(*) FROM mediator_trainings WHERE user_id = %d", m1)); n != 0 {
		t.Fatal("a refused training was recorded")
	}
	resp, page = submitPage(t, dir, r.URL, link, link+"/trainings", url.Values{"title": {"专利侵权判定实务"}, "hours": {"8"}, "trained_on": {"2026-03-02"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "专利侵权判定实务") || !strings.Contains(page, "2026-03-02") {
		t.Fatalf("training: %d", resp.StatusCode)
	}
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	resp, cp := webGet(t, clerk, r.URL+link)
	if resp.StatusCode != 200 || !strings.Contains(cp, "专利侵权判定实务") || strings.Contains(cp, `id="profile-form"`) {
		t.Errorf("clerk's profile page: %d", resp.StatusCode)
	}
	if strings.Contains(cp, "trade_secret") || strings.Contains(cp, "patent_attorney") {
		t.Error("the profile page shows a code")
	}
}

// TestExpertsPage_PhoneMaskedButForDirector: the director adds an expert
// (a bad phone is refused naming the field) and sees its phone; the
// mediator reads the list with the phone masked and without the form.
func TestExpertsPage_PhoneMaskedButForDirector(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	link := fmt.Sprintf("/mediators/experts/%d", gulou)
	dir := webLogin(t, r, "director.gulou", demoPassword)
	resp, page := submitPage(t, dir, r.URL, link, link, url.Values{"name": {"林工"}, "field": {"集成电路设计"}, "phone": {"12345"}})
	if resp.StatusCode != 422 || !strings.Contains(page, `id="e-phone"`) {
		t.Fatalf("bad phone: %d", resp.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM technical_experts"); n != 0 {
		t.Fatal("a refused expert was added")
	}
	resp, page = submitPage(t, dir, r.URL, link, link, url.Values{"name": {"林工"}, "field": {"集成电路设计"}, "employer": {"福州大学"}, "phone": {"13912345678"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "林工") || !strings.Contains(page, "13912345678") {
		t.Fatalf("add: %d\n%s", resp.StatusCode, page)
	}
	if enc := apptest.Scalar[string](t, a, "SELECT phone_enc FROM technical_experts WHERE name = '林工'"); strings.Contains(enc, "13912345678") {
		t.Error("the phone is stored in clear")
	}
	med := webLogin(t, r, "mediator1.gulou", demoPassword)
	resp, mp := webGet(t, med, r.URL+link)
	if resp.StatusCode != 200 || !strings.Contains(mp, "林工") || strings.Contains(mp, "13912345678") || strings.Contains(mp, `id="expert-form"`) {
		t.Errorf("mediator's experts page: %d", resp.StatusCode)
	}
	other := webLogin(t, r, "director.cangshan", demoPassword)
	if resp, _ := webGet(t, other, r.URL+link); resp.StatusCode != 404 {
		t.Errorf("another committee's director: %d", resp.StatusCode)
	}
}

func init() { moreRows = append(moreRows, registerUIRows) }

// ruRow is a row of a profile or expert route: the own object is gulou's
// (mediator1.gulou's profile, gulou's experts), the foreign cangshan's.
// The posts are refused by validation once authorized (422).
func ruRow(route, method, suffix string, experts bool, form url.Values, own, foreign map[string]int) mxRow {
	return mxRow{route: route, objects: true, req: func(e *mxEnv, _ mxActor, isOwn bool) mxReq {
		org, user := "cangshan", "mediator1.cangshan"
		if isOwn {
			org, user = "gulou", "mediator1.gulou"
		}
		path := fmt.Sprintf("/mediators/profiles/%d/%d%s", e.orgs[org], e.users[user], suffix)
		if experts {
			path = fmt.Sprintf("/mediators/experts/%d", e.orgs[org])
		}
		return mxReq{method: method, path: path, form: form}
	}, own: own, foreign: foreign}
}

// registerUIRows: the committee's staff and the leadership office read a
// profile and the experts; only the committee's director changes them
// (the leadership office reads every register but keeps none: 403).
func registerUIRows() []mxRow {
	read := map[string]int{"anon": 303, "leader": 200, "director": 200, "clerk": 200, "mediator": 200, "*": 404}
	readForeign := map[string]int{"anon": 303, "leader": 200, "*": 404}
	write := map[string]int{"anon": 303, "leader": 403, "director": 422, "clerk": 403, "mediator": 403, "*": 404}
	writeForeign := map[string]int{"anon": 303, "leader": 403, "*": 404}
	return []mxRow{
		ruRow("GET /mediators/profiles/:org/:user", "GET", "", false, nil, read, readForeign),
		ruRow("POST /mediators/profiles/:org/:user", "POST", "", false,
			url.Values{"version": {"0"}, "court_invited": {"1"}}, write, writeForeign),
		ruRow("POST /mediators/profiles/:org/:user/trainings", "POST", "/trainings", false, url.Values{"title": {""}}, write, writeForeign),
		ruRow("GET /mediators/experts/:org", "GET", "", true, nil, read, readForeign),
		ruRow("POST /mediators/experts/:org", "POST", "", true, url.Values{"name": {""}}, write, writeForeign),
		ceRow("POST /cases/:id/experts", "", url.Values{"expert_id": {"999999"}, "consent": {"1"}}),
		ceRow("POST /cases/:id/experts/:expert/remove", "/999999/remove", url.Values{}),
	}
}

// ceRow is a row of a case's expert route: who works the case (its
// committee's director and clerk, the assigned mediator) passes to
// validation (an unknown expert: 422); who only sees the case is refused
// (403); anyone else finds nothing.
func ceRow(route, suffix string, form url.Values) mxRow {
	return mxRow{route: route, objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
		id := e.foreignCase
		if own {
			id = e.ownCase
		}
		return mxReq{method: "POST", path: fmt.Sprintf("/cases/%d/experts%s", id, suffix), form: form}
	}, own: map[string]int{"anon": 303, "leader": 403, "director": 422, "clerk": 422, "mediator": 422, "applicant": 403, "*": 404},
		foreign: map[string]int{"anon": 303, "leader": 403, "*": 404}}
}

// TestCaseExperts_InviteNeedsConsent: who works the case invites an
// expert of the register from the case page; without the parties'
// consent it is refused naming the field and nothing is written; the
// invitation and its end go on the timeline.
func TestCaseExperts_InviteNeedsConsent(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	ex, err := a.Register.AddExpert(apptest.As(t, a, "director.gulou"), gulou, register.ExpertInput{Name: "林工", Field: "集成电路设计"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := a.Cases.Submit(apptest.As(t, a, "sme1"), cases.IntakeInput{OrgID: gulou, Source: domain.SourceDirect,
		DisputeType: domain.DisputeTrademark, Summary: "被申请人在同类商品上使用近似商标。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU", IsSME: true},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "张小三"}},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光", Holder: "福州闽光软件科技有限公司"}}})
	if err != nil {
		t.Fatal(err)
	}
	link := "/cases/" + itoa(cs.ID)
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	_, page := webGet(t, clerk, r.URL+link)
	if !strings.Contains(page, `id="expert-invite"`) || !strings.Contains(page, "林工") {
		t.Fatalf("the clerk's case page has no invite form")
	}
	rows := func() int64 {
		return apptest.Scalar[int64](t, a, fmt.Sprintf("SELECT count(*) FROM case_experts WHERE case_id = %d AND removed_at IS NULL", cs.ID))
	}
	resp, page := submitPage(t, clerk, r.URL, link, link+"/experts", url.Values{"expert_id": {itoa(ex.ID)}})
	if resp.StatusCode != 422 || !strings.Contains(page, "邀请专家参与调解须经当事人同意") {
		t.Fatalf("invite without consent: %d", resp.StatusCode)
	}
	if rows() != 0 {
		t.Fatal("an invitation without consent was recorded")
	}
	resp, page = submitPage(t, clerk, r.URL, link, link+"/experts", url.Values{"expert_id": {itoa(ex.ID)}, "consent": {"1"}})
	if resp.StatusCode != 200 || !strings.Contains(page, `data-case-expert="`+itoa(ex.ID)+`"`) || !strings.Contains(page, "邀请专家参与调解") {
		t.Fatalf("invite: %d", resp.StatusCode)
	}
	if rows() != 1 || apptest.Scalar[int64](t, a, fmt.Sprintf("SELECT count(*) FROM audit_log WHERE action = 'case.expert_invited' AND object_id = '%d'", cs.ID)) != 1 {
		t.Fatal("the invitation is not recorded and audited")
	}
	resp, page = submitPage(t, clerk, r.URL, link, fmt.Sprintf("%s/experts/%d/remove", link, ex.ID), url.Values{})
	if resp.StatusCode != 200 || strings.Contains(page, `data-case-expert="`) || !strings.Contains(page, "专家不再参与调解") {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if rows() != 0 {
		t.Error("the invitation was not ended")
	}
}
