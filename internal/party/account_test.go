package party_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

const agentPhone = "13700001111"

// accountSignIn gets a code for phone and signs the account in.
func (e *env) accountSignIn(phone string) *party.Account {
	e.t.Helper()
	ctx := e.t.Context()
	if err := e.a.Party.SendAccountCode(ctx, phone); err != nil {
		e.t.Fatalf("account code: %v", err)
	}
	tok, err := e.a.Party.AccountSignIn(ctx, phone, e.code(domain.NormalizeMobile(phone)))
	if err != nil {
		e.t.Fatalf("account sign-in: %v", err)
	}
	acc, err := e.a.Party.AccountSession(ctx, tok)
	if err != nil {
		e.t.Fatalf("account session: %v", err)
	}
	return acc
}

func caseIDs(cs []party.AccountCase, agent bool) []int64 {
	var out []int64
	for _, c := range cs {
		if c.Agent == agent {
			out = append(out, c.CaseID)
		}
	}
	return out
}

// TestParty_AccountByPhone: a natural person signs in with the phone
// recorded in its cases and a code (the first sign-in registers the
// account); it lists the cases where it is a party of kind person, and
// an agent those where it is the agent, never a case where the number is
// an organisation's; it opens one as the party session of that case only,
// on one link of the account that the staff see and can revoke.
func TestParty_AccountByPhone(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	caseA, applicantA, respondentA := e.fileCase("gulou")
	caseB, _, respondentB := e.fileCase("gulou")
	// The same number as an organisation's contact: not the person's case.
	org := apptest.Scalar[int64](t, e.a, "SELECT id FROM orgs WHERE code = 'gulou'")
	orgCase, err := e.a.Cases.Submit(apptest.As(t, e.a, "clerk.gulou"), cases.IntakeInput{OrgID: org, Source: domain.SourceDirect,
		DisputeType: "trademark_infringement", Summary: "被申请人在其店铺招牌上使用与申请人注册商标近似的标识。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: "福州某某茶叶有限公司", CreditCode: "91350100MA2Y3K7Q88", Phone: respondentPhone},
		}})
	if err != nil {
		t.Fatal(err)
	}

	// Bad input names the field and sends nothing.
	for _, bad := range []string{"", "12345", "23912345678"} {
		err := e.a.Party.SendAccountCode(ctx, bad)
		var de *domain.Error
		if !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != "phone" {
			t.Errorf("phone %q: %v", bad, err)
		}
	}
	// A number on no case: the same answer, no SMS; any code fails.
	if err := e.a.Party.SendAccountCode(ctx, "13600000000"); err != nil {
		t.Fatalf("unknown phone: %v", err)
	}
	if e.sms.count("13600000000") != 0 {
		t.Error("a code was sent to a number on no case")
	}
	if _, err := e.a.Party.AccountSignIn(ctx, "13600000000", "000000"); code(err) != domain.EINVALID {
		t.Errorf("unknown phone signs in: %v", err)
	}

	// The person: typed with the country code and spaces.
	if err := e.a.Party.SendAccountCode(ctx, "+86 139 1234 5678"); err != nil {
		t.Fatal(err)
	}
	right := e.code(respondentPhone)
	if _, err := e.a.Party.AccountSignIn(ctx, respondentPhone, "000000"); code(err) != domain.EINVALID {
		t.Fatalf("a wrong code: %v", err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_accounts"); n != 0 {
		t.Fatal("a wrong code registered an account")
	}
	tok, err := e.a.Party.AccountSignIn(ctx, respondentPhone, right)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if _, err := e.a.Party.AccountSignIn(ctx, respondentPhone, right); code(err) != domain.EINVALID {
		t.Errorf("a used code signs in again: %v", err)
	}
	acc, err := e.a.Party.AccountSession(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if acc.MaskedPhone != domain.MaskMobile(respondentPhone) {
		t.Errorf("masked phone %q", acc.MaskedPhone)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_accounts WHERE phone_enc NOT LIKE '%' || ? || '%'", respondentPhone); n != 1 {
		t.Errorf("accounts with the phone encrypted: %d", n)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM audit_log WHERE action IN ('party_account.register', 'party_account.signin', 'party_account.signin_failed')"); n < 4 {
		t.Errorf("account steps audited: %d", n)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM audit_log WHERE detail::text LIKE '%' || ? || '%'", right); n != 0 {
		t.Error("a code is in the audit log")
	}
	// A second sign-in finds the same account.
	again := e.accountSignIn(respondentPhone)
	if again.ID != acc.ID {
		t.Errorf("second sign-in: account %d, first %d", again.ID, acc.ID)
	}

	list, err := e.a.Party.AccountCases(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	if got := caseIDs(list, false); len(got) != 2 || got[0] != caseB || got[1] != caseA {
		t.Errorf("the person's cases: %v, want [%d %d] (not %d)", got, caseB, caseA, orgCase.ID)
	}
	if got := caseIDs(list, true); len(got) != 0 {
		t.Errorf("the person is listed as an agent: %v", got)
	}
	agent := e.accountSignIn(agentPhone)
	alist, err := e.a.Party.AccountCases(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	if got := caseIDs(alist, true); len(got) != 2 || len(caseIDs(alist, false)) != 0 {
		t.Errorf("the agent's cases: %+v", alist)
	}

	// Opening a case: the party session of that case, one link.
	open := func(a *party.Account, partyID int64, asAgent bool) (*domain.PartyActor, error) {
		t.Helper()
		tok, err := e.a.Party.OpenFromAccount(ctx, a, partyID, asAgent)
		if err != nil {
			return nil, err
		}
		return e.a.Party.Session(ctx, tok)
	}
	p, err := open(acc, respondentA, false)
	if err != nil || p.CaseID != caseA || p.PartyID != respondentA || p.Agent {
		t.Fatalf("open case A: %+v %v", p, err)
	}
	v, err := e.a.Party.View(domain.WithParty(ctx, p))
	if err != nil || v.CaseID != caseA {
		t.Fatalf("view: %+v %v", v.CaseID, err)
	}
	if _, err := open(acc, respondentA, false); err != nil {
		t.Fatal(err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_access WHERE account_id = ? AND party_id = ?", acc.ID, respondentA); n != 1 {
		t.Errorf("links of the account for the party: %d, want 1 reused", n)
	}
	if p, err := open(agent, respondentB, true); err != nil || p.CaseID != caseB || !p.Agent {
		t.Errorf("the agent opens case B: %+v %v", p, err)
	}
	for _, c := range []struct {
		who     *party.Account
		partyID int64
		agent   bool
	}{{acc, applicantA, false}, {acc, respondentA, true}, {agent, respondentA, false}} {
		if _, err := open(c.who, c.partyID, c.agent); code(err) != domain.ENOTFOUND {
			t.Errorf("account %d opens party %d (agent %v): %v", c.who.ID, c.partyID, c.agent, err)
		}
	}

	// The staff see the account's link and revoke it; the account does
	// not undo that.
	links, err := e.a.Party.List(apptest.As(t, e.a, "clerk.gulou"), caseA)
	if err != nil {
		t.Fatal(err)
	}
	var mine *party.Access
	for i := range links {
		if links[i].ByAccount && links[i].PartyID == respondentA {
			mine = &links[i]
		}
	}
	if mine == nil {
		t.Fatalf("the staff do not see the account's link: %+v", links)
	}
	if err := e.a.Party.Revoke(apptest.As(t, e.a, "clerk.gulou"), caseA, mine.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := open(acc, respondentA, false); !errors.Is(err, party.ErrLinkGone) {
		t.Errorf("after revocation: %v", err)
	}

	// Signing out ends the account session.
	if err := e.a.Party.AccountSignOut(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Party.AccountSession(ctx, tok); code(err) != domain.ENOTFOUND {
		t.Errorf("session after sign-out: %v", err)
	}
}

// TestParty_AccountCodeLimits: at most CodesPerHour codes an hour per
// phone, whether or not the phone is on record; a code ends after
// CodeAttempts wrong entries.
func TestParty_AccountCodeLimits(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.fileCase("gulou")
	limit := e.a.Party.Settings().CodesPerHour
	for _, phone := range []string{respondentPhone, "13600000000"} {
		for i := 0; i < limit; i++ {
			if err := e.a.Party.SendAccountCode(ctx, phone); err != nil {
				t.Fatalf("%s code %d: %v", phone, i+1, err)
			}
		}
		if err := e.a.Party.SendAccountCode(ctx, phone); code(err) != domain.ETOOMANY {
			t.Errorf("%s: code %d: %v", phone, limit+1, err)
		}
	}
	right := e.code(respondentPhone)
	for i := 0; i < e.a.Party.Settings().CodeAttempts; i++ {
		if _, err := e.a.Party.AccountSignIn(ctx, respondentPhone, "999999"); code(err) != domain.EINVALID {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	if _, err := e.a.Party.AccountSignIn(ctx, respondentPhone, right); code(err) != domain.EINVALID {
		t.Errorf("the right code after the attempts ran out: %v", err)
	}
}

// TestParty_PhoneHashBackfill: parties written before the phones' blind
// index get it at the application's start, equal to what intake writes.
func TestParty_PhoneHashBackfill(t *testing.T) {
	e := newEnv(t)
	caseID, _, respondent := e.fileCase("gulou")
	var before struct{ PhoneHash, AgentPhoneHash string }
	e.a.DB.Raw("SELECT phone_hash, agent_phone_hash FROM case_parties WHERE id = ?", respondent).Scan(&before)
	if before.PhoneHash == "" || before.AgentPhoneHash == "" || before.PhoneHash == before.AgentPhoneHash {
		t.Fatalf("intake wrote %+v", before)
	}
	if err := e.a.DB.Exec("UPDATE case_parties SET phone_hash = '', agent_phone_hash = '', phones_hashed = false WHERE case_id = ?", caseID).Error; err != nil {
		t.Fatal(err)
	}
	var seen []int
	n, err := party.BackfillPhoneHashes(t.Context(), e.a.DB, e.a.PII, 1, func(done int) { seen = append(seen, done) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(seen) != 2 || seen[1] != 2 {
		t.Errorf("backfilled %d rows, progress %v", n, seen)
	}
	var after struct{ PhoneHash, AgentPhoneHash string }
	e.a.DB.Raw("SELECT phone_hash, agent_phone_hash FROM case_parties WHERE id = ?", respondent).Scan(&after)
	if after != before {
		t.Errorf("backfilled %+v, intake wrote %+v", after, before)
	}
	if n, err := party.BackfillPhoneHashes(t.Context(), e.a.DB, e.a.PII, 1, nil, nil); n != 0 || err != nil {
		t.Errorf("a second run: %d %v", n, err)
	}
	// A phone no key opens: reported, marked done, not indexed; the
	// others are hashed all the same.
	if err := e.a.DB.Exec(`UPDATE case_parties SET phone_hash = '', agent_phone_hash = '', phones_hashed = false,
  phone_enc = CASE WHEN role = 'respondent' THEN 'v1:gone:AAAA' ELSE phone_enc END WHERE case_id = ?`, caseID).Error; err != nil {
		t.Fatal(err)
	}
	var bad []int64
	n, err = party.BackfillPhoneHashes(t.Context(), e.a.DB, e.a.PII, 10, nil, func(id int64, _ error) { bad = append(bad, id) })
	if err != nil || n != 2 || len(bad) != 1 || bad[0] != respondent {
		t.Errorf("with an undecryptable phone: %d %v reported %v", n, err, bad)
	}
	var row struct {
		PhoneHash, AgentPhoneHash string
		PhonesHashed              bool
	}
	e.a.DB.Raw("SELECT phone_hash, agent_phone_hash, phones_hashed FROM case_parties WHERE id = ?", respondent).Scan(&row)
	if row.PhoneHash != "" || row.AgentPhoneHash != before.AgentPhoneHash || !row.PhonesHashed {
		t.Errorf("the undecryptable row: %+v", row)
	}
	if !strings.HasPrefix(domain.MobileIndexKey("+86 139 1234 5678"), "mobile|13912345678") || domain.MobileIndexKey("") != "" {
		t.Error("MobileIndexKey")
	}
}
