package party_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// smsCatcher is a real HTTP server configured as the SMS gateway: it
// keeps every message it is sent.
type smsCatcher struct {
	mu   sync.Mutex
	msgs []struct{ To, Text string }
}

func (c *smsCatcher) start(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Text string }
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.msgs = append(c.msgs, m)
		c.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var (
	codePattern = regexp.MustCompile(`\d{6}`)
	linkPattern = regexp.MustCompile(`/p/([0-9a-f]{64})`)
)

// last returns the last message sent to phone.
func (c *smsCatcher) last(t *testing.T, phone string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if c.msgs[i].To == phone {
			return c.msgs[i].Text
		}
	}
	t.Fatalf("no SMS to %s", phone)
	return ""
}

type env struct {
	t    *testing.T
	a    *app.App
	sms  *smsCatcher
	logs *bytes.Buffer
}

func newEnv(t *testing.T, opts ...apptest.Option) *env {
	e := &env{t: t, sms: &smsCatcher{}, logs: &bytes.Buffer{}}
	url := e.sms.start(t)
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return e.logs.Write(p) })
	opts = append([]apptest.Option{apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.SMS.GatewayURL = url }),
		func(_ *config.Config, o *app.Options) {
			o.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}}, opts...)
	e.a = apptest.New(t, opts...)
	return e
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

const respondentPhone = "13912345678"

// fileCase files a case at 鼓楼 with an organisation applicant (no
// phone) and a natural person respondent (with a phone and an agent).
func (e *env) fileCase(org string) (caseID, applicant, respondent int64) {
	e.t.Helper()
	ctx := apptest.As(e.t, e.a, "clerk."+org)
	c, err := e.a.Cases.Submit(ctx, cases.IntakeInput{OrgID: apptest.Scalar[int64](e.t, e.a, "SELECT id FROM orgs WHERE code = ?", org),
		Source: domain.SourceDirect, DisputeType: "patent_infringement", Summary: "被申请人未经许可制造、销售落入申请人发明专利保护范围的茶叶烘焙设备。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某某", IDNumber: "11010519491231002X", Phone: respondentPhone,
				AgentName: "林律师", AgentPhone: "13700001111", AgentLicense: "13501201010000001"},
		},
		Rights: []cases.RightInput{{Kind: "invention_patent", Number: "201710601862.3", Title: "一种茶叶烘焙装置"}}})
	if err != nil {
		e.t.Fatalf("file case: %v", err)
	}
	var ps []int64
	e.a.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? ORDER BY position, id", c.ID).Scan(&ps)
	return c.ID, ps[0], ps[1]
}

// issue issues a link as the 鼓楼 clerk and returns its token (from the SMS).
func (e *env) issue(caseID, partyID int64, agent bool, phone string) (party.Issued, string) {
	e.t.Helper()
	out, err := e.a.Party.Issue(apptest.As(e.t, e.a, "clerk.gulou"), caseID, party.IssueInput{PartyID: partyID, Agent: agent})
	if err != nil {
		e.t.Fatalf("issue: %v", err)
	}
	if !out.Sent {
		e.t.Fatal("the link SMS was not sent")
	}
	m := linkPattern.FindStringSubmatch(e.sms.last(e.t, phone))
	if m == nil {
		e.t.Fatalf("no link in the SMS: %q", e.sms.last(e.t, phone))
	}
	return out, m[1]
}

func (e *env) code(phone string) string {
	e.t.Helper()
	return codePattern.FindString(e.sms.last(e.t, phone))
}

func code(err error) string { return domain.ErrorCode(err) }

// TestParty_IssueSignInAndView: the clerk issues a link to the
// respondent (sent by SMS, kept only as a hash); the respondent opens it,
// gets a code and signs in; its view names the case and masks nothing of
// its own but the others' personal data; every step is audited.
func TestParty_IssueSignInAndView(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	caseID, _, resp := e.fileCase("gulou")
	out, token := e.issue(caseID, resp, false, respondentPhone)
	if out.Access.MaskedPhone != "139****5678" {
		t.Errorf("masked phone %q", out.Access.MaskedPhone)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_access WHERE token_hash = encode(sha256(?::bytea), 'hex')", token); n != 1 {
		t.Errorf("the token's SHA-256 is not what is stored (%d rows)", n)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_access WHERE token_hash = ?", token); n != 0 {
		t.Error("the token itself is stored")
	}
	info, err := e.a.Party.Open(ctx, token)
	if err != nil || info.MaskedPhone != "139****5678" || info.CaseNumber == "" {
		t.Fatalf("open: %+v %v", info, err)
	}
	if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
		t.Fatal(err)
	}
	c := e.code(respondentPhone)
	if _, err := e.a.Party.SignIn(ctx, token, "000000"); code(err) != domain.EINVALID || !slices(domain.InvalidFields(err), "code") {
		if c != "000000" {
			t.Errorf("wrong code: %v", err)
		}
	}
	sess, err := e.a.Party.SignIn(ctx, token, c)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	p, err := e.a.Party.Session(ctx, sess)
	if err != nil || p.CaseID != caseID || p.PartyID != resp || p.Name != "陈某某" {
		t.Fatalf("session: %+v %v", p, err)
	}
	v, err := e.a.Party.View(domain.WithParty(ctx, p))
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != "submitted" || len(v.Parties) != 2 || !v.Parties[1].You || v.Parties[0].Name != "福州闽光软件科技有限公司" || len(v.Rights) != 1 {
		t.Errorf("view: %+v", v)
	}
	for _, act := range []string{"party_access.issue", "party.link_open", "party.code_sent", "party.signin_failed", "party.signin", "party.view"} {
		if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM audit_log WHERE action = ? AND actor_name LIKE ?`, act, "%"); n == 0 {
			t.Errorf("no audit row %s", act)
		}
	}
	if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM audit_log WHERE action = 'party.signin' AND actor_id IS NULL
		AND actor_name = ? AND (detail->>'access_id')::bigint = ? AND (detail->>'case_id')::bigint = ?`, "party:"+itoa(resp), out.Access.ID, caseID); n != 1 {
		t.Errorf("the sign-in's audit row does not follow the contract (%d)", n)
	}
}

// TestParty_CodesAreStoredNowhere: the code is in no table row (audit
// log, outbox, notifications, the codes table itself) and in no log line.
func TestParty_CodesAreStoredNowhere(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	caseID, _, resp := e.fileCase("gulou")
	_, token := e.issue(caseID, resp, false, respondentPhone)
	if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
		t.Fatal(err)
	}
	c := e.code(respondentPhone)
	if _, err := e.a.Party.SignIn(ctx, token, c); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"audit_log", "outbox", "notifications", "party_codes", "party_access", "party_sessions"} {
		if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM "+table+" x WHERE x::text LIKE ?", "%"+c+"%"); n != 0 {
			t.Errorf("the code is in %s", table)
		}
		if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM "+table+" x WHERE x::text LIKE ?", "%"+token+"%"); n != 0 {
			t.Errorf("the link's token is in %s", table)
		}
	}
	if strings.Contains(e.logs.String(), c) || strings.Contains(e.logs.String(), token) {
		t.Error("the code or the token is in the log")
	}
	if e.logs.Len() == 0 {
		t.Error("nothing was logged: the log is not captured")
	}
}

// TestParty_CodeLimits: a code ends after the allowed wrong attempts
// (even the right one is refused then), expires, and at most
// CodesPerHour codes are sent per link in an hour; a sign code never
// signs in.
func TestParty_CodeLimits(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	st := e.a.Party.Settings()
	caseID, _, resp := e.fileCase("gulou")
	_, token := e.issue(caseID, resp, false, respondentPhone)

	t.Run("attempts", func(t *testing.T) {
		if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
			t.Fatal(err)
		}
		c := e.code(respondentPhone)
		wrong := "999999"
		if c == wrong {
			wrong = "888888"
		}
		for range st.CodeAttempts {
			if _, err := e.a.Party.SignIn(ctx, token, wrong); code(err) != domain.EINVALID {
				t.Fatalf("wrong code: %v", err)
			}
		}
		if _, err := e.a.Party.SignIn(ctx, token, c); code(err) != domain.EINVALID {
			t.Errorf("the right code after %d wrong ones: %v", st.CodeAttempts, err)
		}
	})
	t.Run("expiry", func(t *testing.T) {
		if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
			t.Fatal(err)
		}
		c := e.code(respondentPhone)
		if _, err := e.a.Clock.Advance(st.CodeTTL + time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.Party.SignIn(ctx, token, c); code(err) != domain.EINVALID {
			t.Errorf("an expired code: %v", err)
		}
	})
	t.Run("rate", func(t *testing.T) {
		if _, err := e.a.Clock.Advance(time.Hour); err != nil {
			t.Fatal(err)
		}
		for i := range st.CodesPerHour {
			if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
				t.Fatalf("code %d: %v", i+1, err)
			}
		}
		if err := e.a.Party.SendSigninCode(ctx, token); code(err) != domain.ETOOMANY {
			t.Errorf("code %d in an hour: %v", st.CodesPerHour+1, err)
		}
		if _, err := e.a.Clock.Advance(time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
			t.Errorf("an hour later: %v", err)
		}
	})
}

// TestParty_RevokedAndExpiredLinks: a revoked link and an expired one
// open nothing and end their sessions; an unknown token is told apart.
func TestParty_RevokedAndExpiredLinks(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	caseID, _, resp := e.fileCase("gulou")
	out, token := e.issue(caseID, resp, false, respondentPhone)
	if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
		t.Fatal(err)
	}
	sess, err := e.a.Party.SignIn(ctx, token, e.code(respondentPhone))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Party.Open(ctx, strings.Repeat("ab", 32)); err != party.ErrLinkUnknown {
		t.Errorf("unknown token: %v", err)
	}
	if err := e.a.Party.Revoke(apptest.As(t, e.a, "mediator1.cangshan"), caseID, out.Access.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("another committee revokes: %v", err)
	}
	if err := e.a.Party.Revoke(apptest.As(t, e.a, "director.gulou"), caseID, out.Access.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Party.Open(ctx, token); err != party.ErrLinkGone {
		t.Errorf("revoked link: %v", err)
	}
	if _, err := e.a.Party.Session(ctx, sess); code(err) != domain.ENOTFOUND {
		t.Errorf("a session of a revoked link: %v", err)
	}
	if err := e.a.Party.Revoke(apptest.As(t, e.a, "director.gulou"), caseID, out.Access.ID); code(err) != domain.ECONFLICT {
		t.Errorf("revoked twice: %v", err)
	}

	_, token2 := e.issue(caseID, resp, true, "13700001111")
	if _, err := e.a.Party.Open(ctx, token2); err != nil {
		t.Fatalf("the agent's link: %v", err)
	}
	if _, err := e.a.Clock.Advance(e.a.Party.Settings().LinkTTL + time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Party.Open(ctx, token2); err != party.ErrLinkGone {
		t.Errorf("expired link: %v", err)
	}
	if err := e.a.Party.SendSigninCode(ctx, token2); err != party.ErrLinkGone {
		t.Errorf("a code for an expired link: %v", err)
	}
}

// TestParty_Isolation: a party's session reaches its own case only, as
// itself; a party actor naming another party or case gets nothing; only
// the staff who work the case issue links, and a party without a phone
// gets none.
func TestParty_Isolation(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	caseA, applicantA, respA := e.fileCase("gulou")
	caseB, _, respB := e.fileCase("gulou")
	_, token := e.issue(caseA, respA, false, respondentPhone)
	if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
		t.Fatal(err)
	}
	sess, err := e.a.Party.SignIn(ctx, token, e.code(respondentPhone))
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.a.Party.Session(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	forged := []domain.PartyActor{
		{AccessID: p.AccessID, CaseID: caseB, PartyID: respB},
		{AccessID: p.AccessID, CaseID: caseA, PartyID: applicantA},
		{AccessID: p.AccessID + 1000, CaseID: caseA, PartyID: respA},
	}
	for _, f := range forged {
		if _, err := e.a.Party.View(domain.WithParty(ctx, &f)); code(err) != domain.ENOTFOUND {
			t.Errorf("forged actor %+v: %v", f, err)
		}
	}
	v, err := e.a.Party.View(domain.WithParty(ctx, p))
	if err != nil || v.CaseID != caseA {
		t.Fatalf("own view: %+v %v", v, err)
	}
	if _, err := e.a.Party.Issue(apptest.As(t, e.a, "director.cangshan"), caseA, party.IssueInput{PartyID: respA}); code(err) != domain.ENOTFOUND {
		t.Errorf("another committee issues: %v", err)
	}
	if _, err := e.a.Party.Issue(apptest.As(t, e.a, "leader"), caseA, party.IssueInput{PartyID: respA}); code(err) != domain.EFORBIDDEN {
		t.Errorf("the leadership office issues: %v", err)
	}
	if _, err := e.a.Party.Issue(apptest.As(t, e.a, "clerk.gulou"), caseA, party.IssueInput{PartyID: respB}); !slices(domain.InvalidFields(err), "party_id") {
		t.Errorf("a party of another case: %v", err)
	}
	if _, err := e.a.Party.Issue(apptest.As(t, e.a, "clerk.gulou"), caseA, party.IssueInput{PartyID: applicantA}); !slices(domain.InvalidFields(err), "party_id") {
		t.Errorf("a party without a phone: %v", err)
	}
	if err := e.a.Party.SendSignCode(ctx); code(err) != domain.EUNAUTHORIZED {
		t.Errorf("a sign code without a party: %v", err)
	}
}

func slices(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strings.TrimSpace(strings.ReplaceAll(jsonOf(n), `"`, "")) }

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }
