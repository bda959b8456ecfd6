package party_test

import (
	"io"
	"mime/quotedprintable"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/testsmtp"
)

// decoded is a message's text with its quoted-printable undone.
func decoded(t *testing.T, m testsmtp.Message) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestParty_LinksAndNoticesByEmail: a party's and its agent's e-mail
// addresses are taken at intake (a bad one is refused naming the field,
// nothing filed), kept encrypted and masked for those who do not handle
// the case; a link issued to a holder with an address is e-mailed as
// well as texted, and a notice served is told to both addresses.
func TestParty_LinksAndNoticesByEmail(t *testing.T) {
	mail := testsmtp.Start(t, 0)
	host, port, _ := net.SplitHostPort(mail.Addr)
	portN, _ := strconv.Atoi(port)
	e := newEnv(t, apptest.WithConfig(func(c *config.Config) {
		c.SMTP.Host, c.SMTP.Port, c.SMTP.From, c.SMTP.TLS, c.SMTP.Timeout = host, portN, "ipmediate <noreply@ipmediate.test>", "none", 5*time.Second
	}))
	ctx := apptest.As(t, e.a, "clerk.gulou")
	org := apptest.Scalar[int64](t, e.a, "SELECT id FROM orgs WHERE code = 'gulou'")
	in := cases.IntakeInput{OrgID: org, Source: domain.SourceDirect, DisputeType: "patent_infringement",
		Summary: "被申请人未经许可制造、销售落入申请人发明专利保护范围的茶叶烘焙设备。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某某", Phone: respondentPhone, Email: "chen.mou@Example.CN",
				AgentName: "林律师", AgentPhone: "13700001111", AgentEmail: "not-an-address"},
		}}
	before := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM cases")
	_, err := e.a.Cases.Submit(ctx, in)
	if fe := domain.InvalidFields(err); len(fe) != 1 || fe[0] != "parties[1].agent_email" {
		t.Fatalf("a bad address: %v", err)
	}
	if apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM cases") != before {
		t.Fatal("a refused intake filed a case")
	}
	in.Parties[1].AgentEmail = "lin.lawyer@law.example.cn"
	c, err := e.a.Cases.Submit(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM case_parties WHERE case_id = ? AND email_enc <> '' AND email_enc NOT LIKE '%example%'", c.ID); n != 1 {
		t.Error("the address is not stored encrypted")
	}
	v, err := e.a.Cases.Get(ctx, c.ID)
	if err != nil || v.Parties[1].Email != "chen.mou@example.cn" || v.Parties[1].AgentEmail != "lin.lawyer@law.example.cn" {
		t.Fatalf("the clerk reads %q %q (%v)", v.Parties[1].Email, v.Parties[1].AgentEmail, err)
	}
	if lv, err := e.a.Cases.Get(apptest.As(t, e.a, "leader"), c.ID); err != nil || lv.Parties[1].Email != "c***@example.cn" {
		t.Errorf("the leader reads %q (%v)", lv.Parties[1].Email, err)
	}

	resp := v.Parties[1].ID
	out, err := e.a.Party.Issue(ctx, c.ID, party.IssueInput{PartyID: resp})
	if err != nil || !out.Sent || !out.Mailed {
		t.Fatalf("issue: sent %v mailed %v %v", out.Sent, out.Mailed, err)
	}
	msgs := mail.Messages()
	if len(msgs) != 1 || msgs[0].To != "chen.mou@example.cn" || !strings.Contains(decoded(t, msgs[0]), out.Link) {
		t.Fatalf("the link by e-mail: %+v", msgs)
	}
	if _, err := e.a.Party.Issue(ctx, c.ID, party.IssueInput{PartyID: resp, Agent: true}); err != nil {
		t.Fatal(err)
	}
	v, _ = e.a.Cases.Get(apptest.As(t, e.a, "director.gulou"), c.ID)
	if _, err := e.a.Cases.Accept(apptest.As(t, e.a, "director.gulou"), c.ID, cases.AcceptInput{Version: v.Version,
		ConsentAt: e.a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	n := len(mail.Messages())
	rec := e.serveAcceptance(c.ID, resp)
	got := map[string]string{}
	for _, m := range mail.Messages()[n:] {
		got[m.To] = decoded(t, m)
	}
	for _, to := range []string{"chen.mou@example.cn", "lin.lawyer@law.example.cn"} {
		if body, ok := got[to]; !ok || !strings.Contains(body, "/p/case") || strings.Contains(body, out.Link) {
			t.Errorf("the notice of service to %s: %v %q", to, ok, body)
		}
	}
	if len(got) != 2 {
		t.Errorf("the notice of service went to %d addresses", len(got))
	}
	if st := apptest.Scalar[string](t, e.a, "SELECT CASE WHEN delivered_at IS NULL THEN 'sent' ELSE 'delivered' END FROM service_records WHERE id = ?", rec.ID); st != "delivered" {
		t.Errorf("record %s", st)
	}
}
