package party_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// signedIn issues a link to the respondent, signs in with the code from
// the SMS and returns the context carrying the session's party actor.
func (e *env) signedIn(caseID, partyID int64, phone string) context.Context {
	e.t.Helper()
	ctx := e.t.Context()
	_, token := e.issue(caseID, partyID, false, phone)
	if err := e.a.Party.SendSigninCode(ctx, token); err != nil {
		e.t.Fatal(err)
	}
	sess, err := e.a.Party.SignIn(ctx, token, e.code(phone))
	if err != nil {
		e.t.Fatalf("sign in: %v", err)
	}
	p, err := e.a.Party.Session(ctx, sess)
	if err != nil {
		e.t.Fatalf("session: %v", err)
	}
	return domain.WithParty(ctx, p)
}

// TestParty_ConsentHistoryAndNotice: the respondent refuses, then
// consents; both are kept (latest first), each is on the timeline, in
// the audit log per the party contract and in the director's inbox; the
// staff read the decisions and the accept form's default is the consent
// time. A bad decision or an over-long note writes nothing.
func TestParty_ConsentHistoryAndNotice(t *testing.T) {
	e := newEnv(t)
	caseID, _, resp := e.fileCase("gulou")
	ctx := e.signedIn(caseID, resp, respondentPhone)

	for _, tc := range []struct {
		desc  string
		in    party.ConsentInput
		field string
	}{
		{"no decision", party.ConsentInput{Note: "x"}, "decision"},
		{"unknown decision", party.ConsentInput{Decision: "maybe"}, "decision"},
		{"note too long", party.ConsentInput{Decision: party.DecisionConsent, Note: strings.Repeat("长", 501)}, "note"},
	} {
		if _, err := e.a.Party.RecordConsent(ctx, tc.in); code(err) != domain.EINVALID || !slices(domain.InvalidFields(err), tc.field) {
			t.Errorf("%s: %v", tc.desc, err)
		}
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_consents"); n != 0 {
		t.Fatalf("a refused input wrote %d rows", n)
	}

	refused, err := e.a.Party.RecordConsent(ctx, party.ConsentInput{Decision: party.DecisionRefuse, Note: "希望直接诉讼"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Clock.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	consented, err := e.a.Party.RecordConsent(ctx, party.ConsentInput{Decision: party.DecisionConsent})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := e.a.Party.MyConsents(ctx)
	if err != nil || len(mine) != 2 || mine[0].ID != consented.ID || mine[1].ID != refused.ID || mine[1].Note != "希望直接诉讼" {
		t.Fatalf("history: %+v %v", mine, err)
	}
	for _, ev := range []string{"party_refusal", "party_consent"} {
		if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM case_events WHERE case_id = ? AND action = ?", caseID, ev); n != 1 {
			t.Errorf("timeline %s: %d", ev, n)
		}
	}
	if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM audit_log WHERE action = 'party.consent' AND actor_id IS NULL
		AND actor_name = ? AND (detail->>'case_id')::bigint = ? AND detail ? 'access_id'`, "party:"+itoa(resp), caseID); n != 2 {
		t.Errorf("audit rows: %d", n)
	}
	link := "/cases/" + itoa(caseID)
	if apptest.Told(t, e.a, "director.gulou", party.NoticeRefusal, link) != 1 || apptest.Told(t, e.a, "director.gulou", party.NoticeConsent, link) != 1 {
		t.Error("the director was not told of each decision")
	}
	if apptest.Told(t, e.a, "clerk.gulou", party.NoticeConsent, link) != 0 {
		t.Error("the clerk was told too")
	}

	all, err := e.a.Party.Decisions(apptest.As(t, e.a, "director.gulou"), caseID)
	if err != nil || len(all) != 2 {
		t.Fatalf("decisions: %+v %v", all, err)
	}
	if latest := party.Latest(all); len(latest) != 1 || latest[0].Decision != party.DecisionConsent || latest[0].PartyRole != "respondent" {
		t.Errorf("latest: %+v", latest)
	}
	if at := party.RespondentConsentAt(all); at == nil || !at.Equal(consented.At) {
		t.Errorf("consent time %v, want %v", at, consented.At)
	}
	if _, err := e.a.Party.Decisions(apptest.As(t, e.a, "director.cangshan"), caseID); err == nil {
		t.Error("another committee's director reads the decisions")
	}
}
