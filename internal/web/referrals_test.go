package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

func init() { moreRows = append(moreRows, referralRows) }

// ---------------------------------------------------------------------------
// Authorization matrix rows.
// ---------------------------------------------------------------------------

// mxRefs are the referrals of the matrix, all left as sent: one per
// actor's organisation ("own"), and one between two organisations no
// actor belongs to ("foreign").
type mxRefs struct {
	delegation  int64 // gulou-court -> gulou (court_delegation)
	arbitration int64 // gulou -> fz-arbitration
	customs     int64 // fz-assistance -> fz-customs (an application)
	criminal    int64 // fz-amr -> fz-psb
	foreign     int64 // mawei-court -> mawei
}

var (
	mxRefsMu    sync.Mutex
	mxRefsByEnv = map[*mxEnv]*mxRefs{}
)

func mxReferrals(e *mxEnv) *mxRefs {
	mxRefsMu.Lock()
	defer mxRefsMu.Unlock()
	if m, ok := mxRefsByEnv[e]; ok {
		return m
	}
	as := func(u string) context.Context {
		act, err := e.a.Identity.Actor(context.Background(), e.users[u])
		if err != nil {
			e.t.Fatal(err)
		}
		return domain.WithActor(context.Background(), act)
	}
	send := func(u string, in referral.SendInput) int64 {
		r, err := e.a.Referrals.Send(as(u), in)
		if err != nil {
			e.t.Fatalf("matrix referral %s: %v", in.Kind, err)
		}
		return r.ID
	}
	m := &mxRefs{}
	d := refDispute()
	m.delegation = send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: e.orgs["gulou"], Case: &d,
		Fields: jsonRaw(map[string]any{"pre_filing_number": "（2026）闽0102民诉前调1号"})})
	caseID, _ := mxCase(e.t, e.a, e, "clerk.gulou", "gulou", "mediator2.gulou")
	v, err := e.a.Cases.Get(as("mediator2.gulou"), caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.a.Cases.Fail(as("mediator2.gulou"), caseID, cases.FailInput{Version: v.Version, Reason: "分歧", Route: domain.RouteArbitration}); err != nil {
		e.t.Fatal(err)
	}
	m.arbitration = send("clerk.gulou", referral.SendInput{Kind: referral.KindArbitration, ReceiverOrgID: e.orgs["fz-arbitration"], CaseID: &caseID,
		Fields: jsonRaw(map[string]any{"arbitration_clause": "提交福州仲裁委员会仲裁"})})
	app, _ := mxApplication(e, "sme2")
	m.customs = send("assistance.fz", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: e.orgs["fz-customs"], ApplicationID: &app,
		Fields: jsonRaw(map[string]any{"mode": "on_application", "goods": "茶叶", "port": "马尾港"})})
	m.criminal = send("enforcement.fz-amr", referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: e.orgs["fz-psb"],
		Fields: jsonRaw(map[string]any{"offence": "假冒注册商标罪", "items": "茶叶", "decided_at": e.a.Clock.Now().Add(-time.Hour)})})
	d = refDispute()
	m.foreign = send("liaison.mawei-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: e.orgs["mawei"], Case: &d,
		Fields: jsonRaw(map[string]any{"pre_filing_number": "（2026）闽0105民诉前调1号"})})
	mxRefsByEnv[e] = m
	return m
}

// mxRefSide is the matrix actor's relation to its own referral: the
// referral, and whether it receives it (and so may act on it).
func mxRefOwn(e *mxEnv, role string) int64 {
	m := mxReferrals(e)
	switch role {
	case "arbitration_clerk":
		return m.arbitration
	case "customs_officer", "assistance_officer":
		return m.customs
	case "enforcement_officer":
		return m.criminal
	}
	return m.delegation
}

// Who reads referrals at all, who sees their own one, and who receives it
// with the permission to act.
var (
	refReaders   = set("leader", "director", "clerk", "court_liaison", "assistance_officer", "enforcement_officer", "arbitration_clerk", "customs_officer")
	refReceivers = set("director", "arbitration_clerk", "customs_officer")
)

// refSenders are the roles that may send each kind (from their demo
// organisation).
var refSenders = map[referral.Kind]map[string]bool{
	referral.KindCourtDelegation:  set("court_liaison"),
	referral.KindCourtEntrustment: set("court_liaison"),
	referral.KindJudicialConfirm:  set("director", "clerk"),
	referral.KindLitigation:       set("director", "clerk"),
	referral.KindArbitration:      set("director", "clerk"),
	referral.KindAdministrative:   set("director", "clerk", "assistance_officer"),
	referral.KindEnforcement:      set("director", "clerk", "assistance_officer"),
	referral.KindCustoms:          set("director", "clerk", "assistance_officer"),
	referral.KindCriminal:         set("enforcement_officer"),
	referral.KindRightsAssistance: set("director", "clerk", "court_liaison", "enforcement_officer"),
}

func referralRows() []mxRow {
	refPath := func(prefix, suffix string) func(*mxEnv, mxActor, bool) mxReq {
		return func(e *mxEnv, a mxActor, own bool) mxReq {
			id := mxReferrals(e).foreign
			if own {
				id = mxRefOwn(e, a.role)
			}
			return mxReq{method: "GET", path: prefix + ids(id) + suffix}
		}
	}
	// read: the readers see their own referral, nobody the foreign one
	// but the leadership office, which reads every referral.
	read := func(anon int) (map[string]int, map[string]int) {
		return visibleWant(refReaders, anon, 200), map[string]int{"anon": anon, "leader": 200, "*": 404}
	}
	// files: the documents are the two ends' alone.
	files := func(anon, ok int) (map[string]int, map[string]int) {
		own := visibleWant(refReaders, anon, ok)
		own["leader"] = 404
		return own, map[string]int{"anon": anon, "*": 404}
	}
	// step: a step on a referral in status sent. Receivers with the
	// permission reach validation (422: no version), the other side is
	// 403, the state refuses complete (409 for either end); the office
	// that reads every referral may take no step (403).
	step := func(action string, anon int) (map[string]int, map[string]int) {
		own := map[string]int{"anon": anon, "*": 404}
		for r := range refReaders {
			switch {
			case r == "leader":
				own[r] = 403
			case action == "complete":
				own[r] = 409
			case refReceivers[r]:
				own[r] = 422
			default:
				own[r] = 403
			}
		}
		return own, map[string]int{"anon": anon, "leader": 403, "*": 404}
	}
	var rows []mxRow
	add := func(route string, req func(*mxEnv, mxActor, bool) mxReq, want func() (map[string]int, map[string]int)) {
		own, foreign := want()
		rows = append(rows, mxRow{route: route, objects: true, req: req, own: own, foreign: foreign})
	}
	add("GET /referrals/:id", refPath("/referrals/", ""), func() (map[string]int, map[string]int) { return read(303) })
	add("GET /api/v1/referrals/:id", refPath("/api/v1/referrals/", ""), func() (map[string]int, map[string]int) { return read(401) })
	add("POST /referrals/:id/:action", func(e *mxEnv, a mxActor, own bool) mxReq {
		r := refPath("/referrals/", "/receive")(e, a, own)
		return mxReq{method: "POST", path: r.path, form: url.Values{}}
	}, func() (map[string]int, map[string]int) { return step("receive", 303) })
	// Documents: both ends read and attach them; an upload without a file
	// reaches validation.
	add("GET /api/v1/referrals/:id/documents", refPath("/api/v1/referrals/", "/documents"), func() (map[string]int, map[string]int) { return files(401, 200) })
	upload := func(anon int) (map[string]int, map[string]int) { return files(anon, 422) }
	add("POST /api/v1/referrals/:id/documents", func(e *mxEnv, a mxActor, own bool) mxReq {
		r := refPath("/api/v1/referrals/", "/documents")(e, a, own)
		return mxReq{method: "POST", path: r.path, json: map[string]any{}}
	}, func() (map[string]int, map[string]int) { return upload(401) })
	add("POST /referrals/:id/documents", func(e *mxEnv, a mxActor, own bool) mxReq {
		r := refPath("/referrals/", "/documents")(e, a, own)
		return mxReq{method: "POST", path: r.path, form: url.Values{"kind": {"court_document"}}}
	}, func() (map[string]int, map[string]int) { return upload(303) })
	for _, act := range []string{"receive", "accept", "decline", "complete"} {
		add("POST /api/v1/referrals/:id/"+act, func(e *mxEnv, a mxActor, own bool) mxReq {
			r := refPath("/api/v1/referrals/", "/"+act)(e, a, own)
			return mxReq{method: "POST", path: r.path, json: map[string]any{}}
		}, func() (map[string]int, map[string]int) { return step(act, 401) })
	}
	lists := func(anon int) map[string]int {
		m := map[string]int{"anon": anon, "*": 403}
		for r := range refReaders {
			m[r] = 200
		}
		return m
	}
	rows = append(rows,
		mxRow{route: "GET /referrals", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/referrals"} }, own: lists(303)},
		mxRow{route: "GET /api/v1/referrals", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/api/v1/referrals"} }, own: lists(401)},
	)
	// The send form of enforcement: committees' staff and the assistance
	// centre; everyone else has no such page.
	enf := refSenders[referral.KindEnforcement]
	rows = append(rows,
		mxRow{route: "GET /referrals/new", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "GET", path: "/referrals/new?kind=enforcement"}
		}, own: visibleWant(enf, 303, 200)},
		mxRow{route: "POST /referrals", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/referrals", form: url.Values{"kind": {"enforcement"}}}
		}, own: visibleWant(enf, 303, 422)},
	)
	for _, k := range referral.Kinds {
		want := map[string]int{"anon": 401, "*": 403}
		for r := range refSenders[k] {
			want[r] = 422
		}
		rows = append(rows, mxRow{route: "POST /api/v1/referrals/" + string(k), req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/referrals/" + string(k), json: map[string]any{}}
		}, own: want})
	}
	return rows
}

// ---------------------------------------------------------------------------
// Helpers of the API and page tests.
// ---------------------------------------------------------------------------

func jsonRaw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// refDispute is a valid dispute as a court sends it.
func refDispute() cases.IntakeInput {
	return cases.IntakeInput{DisputeType: domain.DisputeTrademark, Summary: "被告在网店销售假冒“闽光”注册商标的茶叶。",
		Claims: "停止侵权，赔偿损失三万元。", ClaimAmountFen: 3_000_000,
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU", IsSME: true},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某", IDNumber: "11010519491231002X", Phone: "13800138000"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}}}
}

// refEnv is a started app with the demo users signed in through the API,
// every response held against the OpenAPI document.
type refEnv struct {
	t      *testing.T
	r      *apptest.Running
	a      *app.App
	base   string
	oa     *oaChecker
	orgs   map[string]int64
	users  map[string]int64
	tokens map[string]string
}

func newRefEnv(t *testing.T) *refEnv {
	t.Helper()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	e := &refEnv{t: t, r: r, a: r.App, base: r.URL, oa: newOAChecker(t, r.URL), orgs: map[string]int64{}, users: map[string]int64{},
		tokens: map[string]string{}}
	var rows []struct {
		ID   int64
		Code string
	}
	r.App.DB.Raw("SELECT id, code FROM orgs").Scan(&rows)
	for _, o := range rows {
		e.orgs[o.Code] = o.ID
	}
	var us []struct {
		ID       int64
		Username string
	}
	r.App.DB.Raw("SELECT id, username FROM users").Scan(&us)
	for _, u := range us {
		e.users[u.Username] = u.ID
	}
	return e
}

func (e *refEnv) token(u string) string {
	e.t.Helper()
	if tok, ok := e.tokens[u]; ok {
		return tok
	}
	status, body := e.oa.call("POST", "/auth/login", "", map[string]string{"username": u, "password": "demo-pass-2026"})
	if status != 200 {
		e.t.Fatalf("login %s: %d", u, status)
	}
	var out struct{ Token string }
	_ = json.Unmarshal(body, &out)
	e.tokens[u] = out.Token
	return out.Token
}

// call sends an API request as u and decodes the answer into out (when
// not nil), failing unless the status is want.
func (e *refEnv) call(u, method, path string, body any, want int, out any) {
	e.t.Helper()
	status, b := e.oa.call(method, path, e.token(u), body)
	if status != want {
		e.t.Fatalf("%s %s as %s = %d, want %d: %s", method, path, u, status, want, truncate(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("decode %s: %v", path, err)
		}
	}
}

// problemFields calls and returns the field names of a 422.
func (e *refEnv) problemFields(u, method, path string, body any) []string {
	e.t.Helper()
	var p struct {
		Errors []struct{ Field string }
	}
	e.call(u, method, path, body, 422, &p)
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

func (e *refEnv) as(u string) context.Context {
	e.t.Helper()
	act, err := e.a.Identity.Actor(context.Background(), e.users[u])
	if err != nil {
		e.t.Fatal(err)
	}
	return domain.WithActor(context.Background(), act)
}

// apiRef is the part of a referral the tests read.
type apiRef struct {
	ID             int64          `json:"id"`
	Kind           string         `json:"kind"`
	Status         string         `json:"status"`
	Version        int            `json:"version"`
	CaseID         *int64         `json:"case_id"`
	Result         map[string]any `json:"result"`
	Fields         map[string]any `json:"fields"`
	DeclineReason  string         `json:"decline_reason"`
	AllowedActions []string       `json:"allowed_actions"`
	Deadlines      []struct {
		Kind   string `json:"kind"`
		RuleID string `json:"rule_id"`
		Status string `json:"status"`
	} `json:"deadlines"`
}

func (r apiRef) deadline(kind string) string {
	for _, d := range r.Deadlines {
		if d.Kind == kind {
			return d.RuleID + ":" + d.Status
		}
	}
	return ""
}

// step runs POST /referrals/{id}/<action> as u.
func (e *refEnv) step(u string, r apiRef, action string, body map[string]any) apiRef {
	e.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["version"] = r.Version
	var out apiRef
	e.call(u, "POST", fmt.Sprintf("/referrals/%d/%s", r.ID, action), body, 200, &out)
	return out
}

func (e *refEnv) view(u string, id int64) apiRef {
	e.t.Helper()
	var out apiRef
	e.call(u, "GET", fmt.Sprintf("/referrals/%d", id), nil, 200, &out)
	return out
}

// mediating files a case with committee, accepts, assigns and declares it.
func (e *refEnv) mediating(committee string) domain.Case {
	e.t.Helper()
	in := refDispute()
	in.OrgID, in.Source = e.orgs[committee], domain.SourceDirect
	in.Parties[1] = cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: "福州榕城茶业有限公司", CreditCode: "91350102MA2YK7Q8DR"}
	c, err := e.a.Cases.Submit(e.as("clerk."+committee), in)
	if err != nil {
		e.t.Fatal(err)
	}
	dir, med := e.as("director."+committee), e.as("mediator1."+committee)
	if c, err = e.a.Cases.Accept(dir, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: e.a.Clock.Now().Add(-time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	if c, err = e.a.Cases.Assign(dir, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{e.users["mediator1."+committee]}}); err != nil {
		e.t.Fatal(err)
	}
	if c, err = e.a.Cases.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无"}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// ---------------------------------------------------------------------------
// Each kind's flow through the API.
// ---------------------------------------------------------------------------

// TestReferralAPI_CourtRoundTrip: the court delegates, the committee
// accepts (the case is filed), mediates and settles through the API; the
// court reads the result and records the judicial confirmation.
func TestReferralAPI_CourtRoundTrip(t *testing.T) {
	e := newRefEnv(t)
	var r apiRef
	e.call("liaison.gulou-court", "POST", "/referrals/court_delegation", map[string]any{"receiver_org_id": e.orgs["gulou"],
		"case": refDispute(), "fields": map[string]any{"pre_filing_number": "（2026）闽0102民诉前调5号"}}, 201, &r)
	if r.Status != "sent" || r.Kind != "court_delegation" {
		t.Fatalf("sent = %+v", r)
	}
	// Kind in the body must agree with the endpoint.
	e.call("liaison.gulou-court", "POST", "/referrals/court_delegation", map[string]any{"kind": "customs", "receiver_org_id": e.orgs["gulou"]}, 422, nil)
	var list struct {
		Items      []apiRef `json:"items"`
		NextCursor string   `json:"next_cursor"`
	}
	e.call("director.gulou", "GET", "/referrals?box=inbox&status=sent", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != r.ID {
		t.Fatalf("inbox = %+v", list)
	}
	if v := e.view("director.gulou", r.ID); strings.Join(v.AllowedActions, ",") != "receive,accept,decline" {
		t.Errorf("allowed = %v", v.AllowedActions)
	}
	r = e.step("director.gulou", r, "receive", nil)
	e.call("director.gulou", "POST", fmt.Sprintf("/referrals/%d/receive", r.ID), map[string]any{"version": r.Version}, 409, nil)
	r = e.step("director.gulou", r, "accept", map[string]any{"note": "同意接收"})
	if r.Status != "accepted" || r.CaseID == nil {
		t.Fatalf("accepted = %+v", r)
	}
	caseID := *r.CaseID
	var cs struct {
		Version int    `json:"version"`
		Source  string `json:"source"`
		Number  string `json:"number"`
		Parties []struct {
			ID int64 `json:"id"`
		} `json:"parties"`
	}
	e.call("director.gulou", "GET", fmt.Sprintf("/cases/%d", caseID), nil, 200, &cs)
	if cs.Source != "court_delegated" {
		t.Fatalf("source = %s", cs.Source)
	}
	// The committee works the case through the API.
	e.call("director.gulou", "POST", fmt.Sprintf("/cases/%d/accept", caseID), map[string]any{"version": cs.Version,
		"consent_at": e.a.Clock.Now().Add(-time.Hour)}, 200, &cs)
	e.call("director.gulou", "POST", fmt.Sprintf("/cases/%d/assign", caseID), map[string]any{"version": cs.Version,
		"mediator_ids": []int64{e.users["mediator1.gulou"]}}, 200, &cs)
	e.call("mediator1.gulou", "POST", fmt.Sprintf("/cases/%d/declare", caseID), map[string]any{"version": cs.Version, "no_conflict": true}, 200, &cs)
	e.call("mediator1.gulou", "POST", fmt.Sprintf("/cases/%d/settle", caseID), map[string]any{"version": cs.Version, "facts": "事实",
		"disputed_matters": "争议", "responsibilities": "责任", "terms": "赔偿两万元", "performance_method": "转账"}, 200, &cs)
	at := e.a.Clock.Now().Add(-time.Minute)
	e.call("mediator1.gulou", "GET", fmt.Sprintf("/cases/%d", caseID), nil, 200, &cs)
	for _, p := range cs.Parties {
		e.call("mediator1.gulou", "POST", fmt.Sprintf("/cases/%d/signoff", caseID), map[string]any{"version": cs.Version, "signer_kind": "party",
			"party_id": p.ID, "method": "handwritten", "signed_at": at}, 200, &cs)
	}
	e.call("mediator1.gulou", "POST", fmt.Sprintf("/cases/%d/signoff", caseID), map[string]any{"version": cs.Version, "signer_kind": "mediator",
		"user_id": e.users["mediator1.gulou"], "method": "handwritten", "signed_at": at}, 200, &cs)
	e.call("clerk.gulou", "POST", fmt.Sprintf("/cases/%d/signoff", caseID), map[string]any{"version": cs.Version, "signer_kind": "seal",
		"method": "seal", "signed_at": at}, 200, &cs)

	v := e.view("liaison.gulou-court", r.ID)
	if v.Status != "completed" || v.Result["outcome"] != "settled" || v.Result["case_number"] != cs.Number {
		t.Fatalf("court sees %+v", v)
	}
	// The court reads the case (within the disclosure) and its agreement.
	var courtView struct {
		Agreement *struct {
			Terms string `json:"terms"`
		} `json:"agreement"`
		Sessions []any `json:"sessions"`
	}
	e.call("liaison.gulou-court", "GET", fmt.Sprintf("/cases/%d", caseID), nil, 200, &courtView)
	if courtView.Agreement == nil || courtView.Agreement.Terms != "赔偿两万元" {
		t.Errorf("court's case view = %+v", courtView)
	}

	var jc apiRef
	if f := e.problemFields("clerk.gulou", "POST", "/referrals/judicial_confirmation", map[string]any{"receiver_org_id": e.orgs["gulou-court"],
		"case_id": caseID, "fields": map[string]any{}}); strings.Join(f, ",") != "fields.joint_application" {
		t.Errorf("fields = %v", f)
	}
	e.call("clerk.gulou", "POST", "/referrals/judicial_confirmation", map[string]any{"receiver_org_id": e.orgs["gulou-court"],
		"case_id": caseID, "fields": map[string]any{"joint_application": true}}, 201, &jc)
	jc = e.view("liaison.gulou-court", jc.ID)
	if jc.deadline("confirmation_accept") != "judicial_confirmation.accept:open" {
		t.Errorf("deadlines = %+v", jc.Deadlines)
	}
	jc = e.step("liaison.gulou-court", jc, "accept", nil)
	jc = e.step("liaison.gulou-court", jc, "complete", map[string]any{"result": map[string]any{"decision": "confirmed",
		"ruling_number": "（2026）闽0102民特3号"}})
	jc = e.view("clerk.gulou", jc.ID)
	if jc.Status != "completed" || jc.Result["ruling_number"] != "（2026）闽0102民特3号" ||
		jc.deadline("confirmation_accept") != "judicial_confirmation.accept:met" || jc.deadline("confirmation_decide") != "judicial_confirmation.decide:met" {
		t.Errorf("confirmation = %+v", jc)
	}
}

// TestReferralAPI_Kinds walks every other kind through the API: a decline
// for each, then the full flow with the deadlines it starts.
func TestReferralAPI_Kinds(t *testing.T) {
	e := newRefEnv(t)
	c := e.mediating("gulou")
	decline := func(u string, r apiRef) {
		t.Helper()
		if f := e.problemFields(u, "POST", fmt.Sprintf("/referrals/%d/decline", r.ID), map[string]any{"version": r.Version}); strings.Join(f, ",") != "reason" {
			t.Errorf("decline without reason: %v", f)
		}
		d := e.step(u, r, "decline", map[string]any{"reason": "不属于本单位管辖"})
		if d.Status != "declined" || d.DeclineReason != "不属于本单位管辖" {
			t.Errorf("declined = %+v", d)
		}
	}
	send := func(u, kind string, body map[string]any) apiRef {
		t.Helper()
		var r apiRef
		e.call(u, "POST", "/referrals/"+kind, body, 201, &r)
		return r
	}

	t.Run("enforcement", func(t *testing.T) {
		body := map[string]any{"receiver_org_id": e.orgs["fz-amr"], "case_id": c.ID, "fields": map[string]any{"grounds": "repeat_infringement",
			"facts": "再次销售", "infringer": map[string]any{"kind": "organisation", "name": "福州榕城茶业有限公司", "credit_code": "91350102MA2YK7Q8DR"}}}
		decline("enforcement.fz-amr", send("director.gulou", "enforcement", body))
		r := send("director.gulou", "enforcement", body)
		r = e.step("enforcement.fz-amr", r, "accept", nil)
		r = e.step("enforcement.fz-amr", r, "complete", map[string]any{"result": map[string]any{"decision_number": "榕市监处罚〔2026〕1号",
			"findings": "重复侵权", "repeated": true}})
		if r.Result["credit_record_id"] == nil {
			t.Errorf("no credit record: %v", r.Result)
		}
	})
	t.Run("customs", func(t *testing.T) {
		app, err := e.a.Assistance.Apply(e.as("sme1"), apiApplication())
		if err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"receiver_org_id": e.orgs["fz-customs"], "application_id": app.ID, "fields": map[string]any{"mode": "ex_officio",
			"goods": "假冒茶叶", "port": "福州港"}}
		decline("customs.fz", send("assistance.fz", "customs", body))
		r := send("assistance.fz", "customs", body)
		if f := e.problemFields("customs.fz", "POST", fmt.Sprintf("/referrals/%d/accept", r.ID), map[string]any{"version": r.Version,
			"fields": map[string]any{"detained_at": e.a.Clock.Now().Add(-time.Hour)}}); strings.Join(f, ",") != "fields.notified_at" {
			t.Errorf("accept fields = %v", f)
		}
		// Ex officio, customs notifies the right holder first and detains
		// on its application: the notice precedes the detention.
		r = e.step("customs.fz", r, "accept", map[string]any{"fields": map[string]any{"detained_at": e.a.Clock.Now().Add(-time.Hour),
			"notified_at": e.a.Clock.Now().Add(-2 * time.Hour)}})
		v := e.view("customs.fz", r.ID)
		for kind, rule := range map[string]string{"customs_answer": "customs.ex_officio.answer", "customs_investigate": "customs.ex_officio.investigate",
			"customs_release": "customs.ex_officio.release"} {
			if v.deadline(kind) != rule+":open" {
				t.Errorf("%s = %q", kind, v.deadline(kind))
			}
		}
		r = e.step("customs.fz", r, "complete", map[string]any{"result": map[string]any{"outcome": "infringing", "findings": "认定侵权"}})
		if v := e.view("assistance.fz", r.ID); v.deadline("customs_release") != "customs.ex_officio.release:met" {
			t.Errorf("after completion %+v", v.Deadlines)
		}
	})
	t.Run("criminal", func(t *testing.T) {
		body := map[string]any{"receiver_org_id": e.orgs["fz-psb"], "fields": map[string]any{"offence": "假冒注册商标罪", "items": "茶叶 300 箱",
			"decided_at": e.a.Clock.Now().Add(-time.Hour)}}
		decline("enforcement.fz-psb", send("enforcement.fz-amr", "criminal", body))
		r := send("enforcement.fz-amr", "criminal", body)
		r = e.step("enforcement.fz-psb", r, "receive", nil)
		if v := e.view("enforcement.fz-amr", r.ID); v.deadline("police_decision") != "criminal.police_decision:open" ||
			v.deadline("criminal_transfer") != "criminal.transfer:met" {
			t.Errorf("deadlines = %+v", v.Deadlines)
		}
		r = e.step("enforcement.fz-psb", r, "accept", nil)
		r = e.step("enforcement.fz-psb", r, "complete", map[string]any{"result": map[string]any{"decision": "filed", "decision_number": "榕公立字〔2026〕1号"}})
		if r.Status != "completed" {
			t.Errorf("status = %s", r.Status)
		}
	})
	t.Run("administrative_adjudication", func(t *testing.T) {
		pc := e.mediating("cangshan")
		e.a.DB.Exec("UPDATE cases SET dispute_type = 'patent_infringement' WHERE id = ?", pc.ID)
		body := map[string]any{"receiver_org_id": e.orgs["fz-amr"], "case_id": pc.ID, "fields": map[string]any{"request": "责令停止侵权"}}
		decline("enforcement.fz-amr", send("clerk.cangshan", "administrative_adjudication", body))
		r := send("clerk.cangshan", "administrative_adjudication", body)
		if v := e.view("clerk.cangshan", r.ID); v.deadline("adjudication_accept") != "patent_adjudication.accept:open" {
			t.Errorf("deadlines = %+v", v.Deadlines)
		}
		r = e.step("enforcement.fz-amr", r, "accept", nil)
		if v := e.view("clerk.cangshan", r.ID); v.deadline("adjudication_decide") != "patent_adjudication.decide:open" {
			t.Errorf("deadlines = %+v", v.Deadlines)
		}
		e.step("enforcement.fz-amr", r, "complete", map[string]any{"result": map[string]any{"decision_number": "榕知裁〔2026〕1号",
			"infringement": "not_established", "findings": "不落入保护范围"}})
	})
	t.Run("arbitration_and_litigation", func(t *testing.T) {
		fc := e.mediating("jinan")
		v, _ := e.a.Cases.Get(e.as("mediator1.jinan"), fc.ID)
		if _, err := e.a.Cases.Fail(e.as("mediator1.jinan"), fc.ID, cases.FailInput{Version: v.Version, Reason: "分歧", Route: domain.RouteArbitration}); err != nil {
			t.Fatal(err)
		}
		if f := e.problemFields("clerk.jinan", "POST", "/referrals/arbitration", map[string]any{"receiver_org_id": e.orgs["fz-arbitration"],
			"case_id": fc.ID}); strings.Join(f, ",") != "fields.arbitration_clause" {
			t.Errorf("without an agreement: %v", f)
		}
		if _, err := e.a.Docs.Upload(e.as("clerk.jinan"), document.UploadInput{CaseID: fc.ID, Kind: document.KindArbitrationAgreement,
			FileName: "仲裁协议.txt", Body: strings.NewReader("仲裁协议")}); err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"receiver_org_id": e.orgs["fz-arbitration"], "case_id": fc.ID}
		decline("arbitration.fz", send("clerk.jinan", "arbitration", body))
		r := send("clerk.jinan", "arbitration", body)
		r = e.step("arbitration.fz", r, "accept", nil)
		e.step("arbitration.fz", r, "complete", map[string]any{"result": map[string]any{"outcome": "withdrawn"}})

		lit := map[string]any{"receiver_org_id": e.orgs["fz-court"], "case_id": fc.ID}
		decline("liaison.fz-court", send("clerk.jinan", "litigation", lit))
		r = send("clerk.jinan", "litigation", lit)
		r = e.step("liaison.fz-court", r, "accept", nil)
		r = e.step("liaison.fz-court", r, "complete", map[string]any{"result": map[string]any{"filing_number": "（2026）闽01民初5号"}})
		if r.Result["filing_number"] != "（2026）闽01民初5号" {
			t.Errorf("result = %v", r.Result)
		}
	})
	t.Run("rights_assistance", func(t *testing.T) {
		body := map[string]any{"receiver_org_id": e.orgs["fz-assistance"], "case_id": c.ID, "fields": map[string]any{"help": "代理诉讼"}}
		decline("assistance.fz", send("clerk.gulou", "rights_assistance", body))
		r := send("clerk.gulou", "rights_assistance", body)
		r = e.step("assistance.fz", r, "accept", nil)
		e.step("assistance.fz", r, "complete", map[string]any{"result": map[string]any{"outcome": "assisted", "note": "已指派律师"}})
	})
	t.Run("court_entrustment_declined", func(t *testing.T) {
		r := send("liaison.gulou-court", "court_entrustment", map[string]any{"receiver_org_id": e.orgs["gulou"], "case": refDispute(),
			"fields": map[string]any{"court_case_number": "（2026）闽0102民初1号", "procedure": "ordinary"}})
		decline("director.gulou", r)
	})

	// The statistics of each side count every decline and every result
	// of the flows above, each figure opening a list as long.
	year := e.a.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006")
	inYear := func(col string) string {
		return col + " >= make_timestamptz(" + year + ", 1, 1, 0, 0, 0, 'Asia/Shanghai') AND " + col + " < make_timestamptz(" + year + " + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')"
	}
	for _, u := range []string{"director.gulou", "enforcement.fz-amr", "customs.fz", "arbitration.fz", "assistance.fz"} {
		c := webLogin(t, e.r, u, demoPassword)
		resp, page := webGet(t, c, e.base+"/stats?year="+year)
		if resp.StatusCode != 200 || !strings.Contains(page, `id="stats-referral-results"`) {
			t.Fatalf("%s /stats (%d) has no results of referrals", u, resp.StatusCode)
		}
		checkFigures(t, e.r, c, u+" /stats", page)
		var out struct {
			Referrals []struct {
				Kind     string
				Declined int
				Results  map[string]int
			}
		}
		e.call(u, "GET", "/stats?year="+year, nil, 200, &out)
		var orgs []int64
		e.a.DB.Raw("SELECT org_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = ?", u).Scan(&orgs)
		for _, k := range out.Referrals {
			var declined int
			e.a.DB.Raw("SELECT count(*) FROM referrals WHERE kind = ? AND status = 'declined' AND (sender_org_id IN ? OR receiver_org_id IN ?) AND "+inYear("decided_at"),
				k.Kind, orgs, orgs).Scan(&declined)
			if k.Declined != declined {
				t.Errorf("%s: %s declined %d, the table says %d", u, k.Kind, k.Declined, declined)
			}
			for v, n := range k.Results {
				var want int
				e.a.DB.Raw("SELECT count(*) FROM referrals WHERE kind = ? AND "+referral.ResultSQL+" = ? AND (sender_org_id IN ? OR receiver_org_id IN ?) AND "+inYear("completed_at"),
					k.Kind, v, orgs, orgs).Scan(&want)
				if n != want {
					t.Errorf("%s: %s with result %s: %d, the table says %d", u, k.Kind, v, n, want)
				}
			}
		}
	}
	var dir struct {
		Referrals []struct {
			Kind     string
			Declined int
			Results  map[string]int
		}
	}
	e.call("director.gulou", "GET", "/stats?year="+year, nil, 200, &dir)
	got := map[string]int{}
	for _, k := range dir.Referrals {
		got[k.Kind+".declined"] = k.Declined
		for v, n := range k.Results {
			got[k.Kind+"."+v] = n
		}
	}
	// director.gulou sent the enforcement and assistance referrals (one
	// declined, one completed each) and declined the court's entrustment.
	if got["rights_assistance.assisted"] != 1 || got["rights_assistance.declined"] != 1 || got["court_entrustment.declined"] != 1 ||
		got["rights_assistance.not_assisted"] != 0 {
		t.Errorf("director.gulou's referral figures: %v", got)
	}
	// A result filter that the kind does not report names the field.
	if f := e.problemFields("director.gulou", "GET", "/referrals?kind=customs&result=confirmed", nil); strings.Join(f, ",") != "result" {
		t.Errorf("a foreign result: %v", f)
	}
}

// ---------------------------------------------------------------------------
// Disclosure: what each receiver can and cannot read.
// ---------------------------------------------------------------------------

// TestReferralDisclosure: the enforcement body reads the parts and the
// documents the committee chose (a confidential one included because it
// was named), never the minutes; customs, with the default scope, reads
// the summary and the rights only; a declined referral discloses nothing.
// Checked in the API, the case page and the downloads.
func TestReferralDisclosure(t *testing.T) {
	e := newRefEnv(t)
	c := e.mediating("gulou")
	clerk := e.as("clerk.gulou")
	upload := func(name, kind string, confidential bool) int64 {
		d, err := e.a.Docs.Upload(clerk, document.UploadInput{CaseID: c.ID, Kind: kind, FileName: name, Confidential: confidential,
			Body: strings.NewReader("内容 " + name)})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	shared := upload("公开证据.txt", "evidence", false)
	withheld := upload("未提供的证据.txt", "evidence", false)
	secret := upload("保密的鉴定意见.txt", "evidence", true)
	minutes := upload("调解笔录.txt", "minutes", false)
	cv, _ := e.a.Cases.Get(e.as("mediator1.gulou"), c.ID)
	if _, err := e.a.Cases.LogSession(e.as("mediator1.gulou"), c.ID, cases.SessionInput{Version: cv.Version, HeldAt: e.a.Clock.Now().Add(-time.Hour),
		Mode: domain.ModeInPerson, Minutes: "被申请人私下承认曾销售假货（保密笔录）"}); err != nil {
		t.Fatal(err)
	}

	// Before any referral, neither body sees the case.
	e.call("enforcement.fz-amr", "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 404, nil)

	var enf apiRef
	e.call("director.gulou", "POST", "/referrals/enforcement", map[string]any{"receiver_org_id": e.orgs["fz-amr"], "case_id": c.ID,
		"disclosure": map[string]any{"summary": true, "parties": true, "rights": false, "agreement": false, "documents": []int64{shared, secret}},
		"fields": map[string]any{"grounds": "malicious_infringement", "facts": "恶意侵权",
			"infringer": map[string]any{"kind": "organisation", "name": "福州榕城茶业有限公司", "credit_code": "91350102MA2YK7Q8DR"}}}, 201, &enf)
	// A document of another case cannot be disclosed.
	other := e.mediating("cangshan")
	od, err := e.a.Docs.Upload(e.as("clerk.cangshan"), document.UploadInput{CaseID: other.ID, Kind: "evidence", FileName: "x.txt", Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	if f := e.problemFields("director.gulou", "POST", "/referrals/customs", map[string]any{"receiver_org_id": e.orgs["fz-customs"], "case_id": c.ID,
		"disclosure": map[string]any{"summary": true, "parties": false, "rights": true, "agreement": false, "documents": []int64{od.ID}},
		"fields":     map[string]any{"mode": "on_application", "goods": "茶叶", "port": "马尾港"}}); strings.Join(f, ",") != "disclosure.documents[0]" {
		t.Errorf("foreign document: %v", f)
	}
	var cus apiRef
	e.call("director.gulou", "POST", "/referrals/customs", map[string]any{"receiver_org_id": e.orgs["fz-customs"], "case_id": c.ID,
		"fields": map[string]any{"mode": "on_application", "goods": "茶叶", "port": "马尾港"}}, 201, &cus)

	type caseJSON struct {
		Summary   string           `json:"summary"`
		Parties   []map[string]any `json:"parties"`
		Rights    []any            `json:"rights"`
		Sessions  []any            `json:"sessions"`
		Documents []struct {
			ID int64 `json:"id"`
		} `json:"documents"`
		AllowedActions []string `json:"allowed_actions"`
	}
	docIDs := func(v caseJSON) string {
		var out []string
		for _, d := range v.Documents {
			out = append(out, fmt.Sprint(d.ID))
		}
		return strings.Join(out, ",")
	}
	var ev caseJSON
	e.call("enforcement.fz-amr", "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 200, &ev)
	if ev.Summary == "" || len(ev.Parties) != 2 || len(ev.Rights) != 0 || len(ev.Sessions) != 0 || len(ev.AllowedActions) != 0 {
		t.Errorf("enforcement's view = %+v", ev)
	}
	if got, want := docIDs(ev), fmt.Sprintf("%d,%d", shared, secret); got != want {
		t.Errorf("enforcement's documents = %s, want %s", got, want)
	}
	for _, p := range ev.Parties {
		if p["phone"] != "" && !strings.Contains(fmt.Sprint(p["phone"]), "*") {
			t.Errorf("unmasked phone %v", p["phone"])
		}
	}
	var cu caseJSON
	e.call("customs.fz", "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 200, &cu)
	if cu.Summary == "" || len(cu.Parties) != 0 || len(cu.Rights) != 1 || len(cu.Documents) != 0 || len(cu.Sessions) != 0 {
		t.Errorf("customs' view = %+v", cu)
	}

	// Downloads (API and page route).
	dl := func(u string, id int64) int {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/documents/%d", e.base, id), nil)
		req.Header.Set("Authorization", "Bearer "+e.token(u))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		user string
		doc  int64
		want int
	}{
		{"enforcement.fz-amr", shared, 200}, {"enforcement.fz-amr", secret, 200}, {"enforcement.fz-amr", withheld, 404},
		{"enforcement.fz-amr", minutes, 404}, {"customs.fz", shared, 404}, {"customs.fz", minutes, 404}, {"customs.fz", secret, 404},
		{"enforcement.fz-culture", shared, 404}, {"director.gulou", minutes, 200},
	} {
		if got := dl(tc.user, tc.doc); got != tc.want {
			t.Errorf("%s downloads document %d: %d, want %d", tc.user, tc.doc, got, tc.want)
		}
	}

	// The case page.
	page := func(u string) (int, string) {
		cl := refLogin(t, e.base, u)
		resp, err := cl.Get(fmt.Sprintf("%s/cases/%d", e.base, c.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, html := page("customs.fz")
	if status != 200 || strings.Contains(html, "私下承认") || strings.Contains(html, "调解笔录.txt") || strings.Contains(html, "公开证据.txt") ||
		strings.Contains(html, "福州榕城茶业有限公司") || !strings.Contains(html, "假冒") {
		t.Errorf("customs' case page (%d) shows what it should not", status)
	}
	status, html = page("enforcement.fz-amr")
	if status != 200 || strings.Contains(html, "私下承认") || strings.Contains(html, "调解笔录.txt") || strings.Contains(html, "未提供的证据.txt") ||
		!strings.Contains(html, "公开证据.txt") || !strings.Contains(html, "保密的鉴定意见.txt") {
		t.Errorf("enforcement's case page (%d) is not cut to the disclosure", status)
	}
	if status, html = page("director.gulou"); status != 200 || !strings.Contains(html, "私下承认") {
		t.Errorf("the committee lost its own minutes (%d)", status)
	}

	// Declined: customs loses the case.
	e.step("customs.fz", cus, "decline", map[string]any{"reason": "未备案"})
	e.call("customs.fz", "GET", fmt.Sprintf("/cases/%d", c.ID), nil, 404, nil)
	if got := dl("customs.fz", shared); got != 404 {
		t.Errorf("after decline: %d", got)
	}
	if status, _ := page("customs.fz"); status != 404 {
		t.Errorf("customs' case page after the decline: %d", status)
	}
	_ = enf
}

// pageLogin signs u in through the login form and returns the browser.
func refLogin(t *testing.T, base, u string) *http.Client {
	t.Helper()
	cl := apptest.Client()
	resp, err := cl.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = cl.PostForm(base+"/login", url.Values{"username": {u}, "password": {"demo-pass-2026"}, "_csrf": {refCSRF(t, cl, base)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", u, resp.StatusCode)
	}
	return cl
}

func refCSRF(t *testing.T, cl *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range cl.Jar.Cookies(u) {
		if ck.Name == "ipm_csrf" {
			return ck.Value
		}
	}
	t.Fatal("no CSRF cookie")
	return ""
}

// ---------------------------------------------------------------------------
// Pages: the inbox, the send form and the step forms.
// ---------------------------------------------------------------------------

// TestReferralPages: a court sends a delegation with the form, the
// committee's director finds it in the inbox and accepts it with the form;
// each receiver's inbox renders in both languages.
func TestReferralPages(t *testing.T) {
	e := newRefEnv(t)
	court := refLogin(t, e.base, "liaison.gulou-court")
	get := func(cl *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := cl.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(cl *http.Client, path string, form url.Values) (int, string, string) {
		t.Helper()
		form.Set("_csrf", refCSRF(t, cl, e.base))
		resp, err := cl.PostForm(e.base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	if st, html := get(court, "/referrals/new?kind=court_delegation"); st != 200 || !strings.Contains(html, `name="case.parties[1].id_number"`) {
		t.Fatalf("form: %d", st)
	}
	form := url.Values{"kind": {"court_delegation"}, "receiver_org_id": {fmt.Sprint(e.orgs["gulou"])}, "fields.pre_filing_number": {""},
		"case.dispute_type": {"trademark_infringement"}, "case.summary": {"网店销售假冒商标茶叶"}, "case.claim_amount": {"30,000.00"},
		"case.parties[0].role": {"applicant"}, "case.parties[0].kind": {"organisation"}, "case.parties[0].name": {"福州闽光软件科技有限公司"},
		"case.parties[0].credit_code": {"91350100MA34A1B2CU"},
		"case.parties[1].role":        {"respondent"}, "case.parties[1].kind": {"person"}, "case.parties[1].name": {"陈某"},
		"case.parties[1].id_number": {"110105194912310021"},
		"case.rights[0].kind":       {"trademark"}, "case.rights[0].number": {"12345678"}}
	st, _, html := post(court, "/referrals", form)
	if st != 422 || !strings.Contains(html, "诉前调解号") || !strings.Contains(html, `value="陈某"`) {
		t.Fatalf("invalid form: %d", st)
	}
	if n := strings.Count(html, `class="field-error"`); n < 2 {
		t.Errorf("%d field errors shown, want the pre-filing number's and the identity number's", n)
	}
	form.Set("fields.pre_filing_number", "（2026）闽0102民诉前调77号")
	form.Set("case.parties[1].id_number", "11010519491231002X")
	st, loc, _ := post(court, "/referrals", form)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/referrals/") {
		t.Fatalf("send: %d %s", st, loc)
	}
	dir := refLogin(t, e.base, "director.gulou")
	if st, html := get(dir, "/referrals"); st != 200 || !strings.Contains(html, "（2026）闽0102民诉前调77号") {
		t.Fatalf("director's inbox: %d", st)
	}
	if st, html := get(dir, "/work"); st != 200 || !strings.Contains(html, "（2026）闽0102民诉前调77号") {
		t.Errorf("director's work page: %d", st)
	}
	st, html = get(dir, loc)
	if st != 200 || !strings.Contains(html, `action="`+loc+`/accept"`) {
		t.Fatalf("detail: %d", st)
	}
	// The parties and rights the court sent read in words: their roles
	// and kinds are not shown as codes.
	if !strings.Contains(html, "申请人 福州闽光软件科技有限公司") || !strings.Contains(html, "商标 12345678") ||
		strings.Contains(html, ">applicant ") || strings.Contains(html, "trademark 12345678") {
		t.Errorf("the referral's parties and rights are not in words")
	}
	st, _, _ = post(dir, loc+"/decline", url.Values{"version": {"1"}, "reason": {""}})
	if st != 422 {
		t.Errorf("decline without reason: %d", st)
	}
	st, back, _ := post(dir, loc+"/accept", url.Values{"version": {"1"}})
	if st != http.StatusSeeOther || back != loc {
		t.Fatalf("accept: %d %s", st, back)
	}
	if st, html = get(dir, loc); st != 200 || !strings.Contains(html, `id="referral-case"`) {
		t.Errorf("no case link after acceptance (%d)", st)
	}
	st, _, _ = post(dir, loc+"/accept", url.Values{"version": {"2"}})
	if st != http.StatusConflict {
		t.Errorf("accept twice: %d", st)
	}
	if st, html := get(court, "/work"); st != 200 || !strings.Contains(html, `id="work-referrals-sent"`) || !strings.Contains(html, "办理中") {
		t.Errorf("court's work page: %d", st)
	}
	for _, u := range []string{"customs.fz", "arbitration.fz", "enforcement.fz-amr", "liaison.gulou-court", "assistance.fz"} {
		cl := refLogin(t, e.base, u)
		for _, lang := range []string{"zh-CN", "en"} {
			get(cl, "/lang?to="+lang+"&next=/")
			if st, html := get(cl, "/referrals"); st != 200 || strings.Contains(html, "referral.") {
				t.Errorf("%s inbox (%s): %d, untranslated: %v", u, lang, st, strings.Contains(html, "referral."))
			}
		}
	}
	// The case page offers the kinds the case's state allows.
	c := e.mediating("gulou")
	if st, html := get(dir, fmt.Sprintf("/cases/%d", c.ID)); st != 200 || !strings.Contains(html, "kind=customs&amp;case_id=") ||
		strings.Contains(html, "kind=judicial_confirmation") {
		t.Errorf("case page referral section: %d", st)
	}
	if st, _ := get(dir, fmt.Sprintf("/referrals/new?kind=customs&case_id=%d", c.ID)); st != 200 {
		t.Errorf("customs form from the case: %d", st)
	}
	st, loc, _ = post(dir, "/referrals", url.Values{"kind": {"customs"}, "case_id": {fmt.Sprint(c.ID)}, "receiver_org_id": {fmt.Sprint(e.orgs["fz-customs"])},
		"fields.mode": {"on_application"}, "fields.goods": {"茶叶"}, "fields.port": {"马尾港"}, "fields.guarantee_amount": {"1000"},
		"disclosure.summary": {"on"}})
	if st != http.StatusSeeOther {
		t.Fatalf("customs from the case page: %d", st)
	}
	cust := refLogin(t, e.base, "customs.fz")
	st, back, _ = post(cust, loc+"/accept", url.Values{"version": {"1"}, "fields.detained_at": {e.a.Clock.Now().Add(-time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")}})
	if st != http.StatusSeeOther {
		t.Fatalf("customs accepts: %d", st)
	}
	if _, html := get(cust, back); !strings.Contains(html, "customs.application.court_notice") && !strings.Contains(html, "人民法院协助执行通知") {
		t.Errorf("no court notice deadline on the page")
	}
}
