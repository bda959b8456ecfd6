package party_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/service"
)

// acceptedCase files a case at 鼓楼 and accepts it, so that its
// acceptance notice can be served.
func (e *env) acceptedCase() (caseID, respondent int64) {
	e.t.Helper()
	caseID, _, respondent = e.fileCase("gulou")
	v, err := e.a.Cases.Get(apptest.As(e.t, e.a, "director.gulou"), caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.a.Cases.Accept(apptest.As(e.t, e.a, "director.gulou"), caseID, cases.AcceptInput{Version: v.Version,
		ConsentAt: e.a.Clock.Now().Add(-time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	return caseID, respondent
}

func (e *env) serveAcceptance(caseID, partyID int64) service.Record {
	e.t.Helper()
	rs, err := e.a.Served.Serve(apptest.As(e.t, e.a, "clerk.gulou"), caseID, service.ServeInput{Doc: notice.DocAcceptance, PartyID: partyID})
	if err != nil || len(rs) != 1 {
		e.t.Fatalf("serve: %v", err)
	}
	return rs[0]
}

// TestTeller_SMSToTheHoldersOfLiveLinks: a notice served on a party with
// live links is told by SMS to the party and its agent, naming the case
// and the notice, with the view's address and no token; the record is
// delivered. A revoked link is told nothing.
func TestTeller_SMSToTheHoldersOfLiveLinks(t *testing.T) {
	e := newEnv(t)
	caseID, resp := e.acceptedCase()
	e.issue(caseID, resp, false, respondentPhone)
	agent, _ := e.issue(caseID, resp, true, "13700001111")
	r := e.serveAcceptance(caseID, resp)
	for _, phone := range []string{respondentPhone, "13700001111"} {
		sms := e.sms.last(t, phone)
		if !strings.Contains(sms, r.CaseNumber) || !strings.Contains(sms, "受理通知书") || !strings.HasSuffix(sms, "/p/case") || linkPattern.MatchString(sms) {
			t.Errorf("SMS to %s: %q", phone, sms)
		}
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM service_records WHERE id = ? AND delivered_at IS NOT NULL", r.ID); n != 1 {
		t.Error("not recorded delivered although the gateway accepted the SMS")
	}
	if err := e.a.Party.Revoke(apptest.As(t, e.a, "clerk.gulou"), caseID, agent.Access.ID); err != nil {
		t.Fatal(err)
	}
	before := e.sms.count("13700001111")
	e.serveAcceptance(caseID, resp)
	if e.sms.count("13700001111") != before {
		t.Error("a revoked link's holder was told")
	}
	if !strings.Contains(e.sms.last(t, respondentPhone), "受理通知书") {
		t.Error("the party of a live link was not told again")
	}
}

// TestTeller_NoGatewayStaysSent: without an SMS gateway a party without
// an account is not told, and its record stays sent (已发送).
func TestTeller_NoGatewayStaysSent(t *testing.T) {
	e := newEnv(t, apptest.WithConfig(func(c *config.Config) { c.SMS.GatewayURL = "" }))
	caseID, resp := e.acceptedCase()
	if _, err := e.a.Party.Issue(apptest.As(t, e.a, "clerk.gulou"), caseID, party.IssueInput{PartyID: resp}); err != nil {
		t.Fatal(err)
	}
	r := e.serveAcceptance(caseID, resp)
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM service_records WHERE id = ? AND delivered_at IS NULL", r.ID); n != 1 {
		t.Error("delivered without any means of telling the party")
	}
}

// count is the number of messages sent to phone.
func (c *smsCatcher) count(phone string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.msgs {
		if m.To == phone {
			n++
		}
	}
	return n
}
