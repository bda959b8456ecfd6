package association_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/association"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// The demo association 福州市软件行业协会 (fz-software) and its staff user.
const staff = "association.fz-software"

type fixture struct {
	t   *testing.T
	app *app.App
	c   app.Capabilities
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, calendar.Beijing)
	return &fixture{t: t, app: a, c: a.CapabilitiesAt(func() time.Time { return now }), now: now}
}

func (fx *fixture) as(username string) context.Context { return apptest.As(fx.t, fx.app, username) }

func (fx *fixture) scalar(q string, args ...any) int64 {
	return apptest.Scalar[int64](fx.t, fx.app, q, args...)
}

func (fx *fixture) text(q string, args ...any) string {
	return apptest.Scalar[string](fx.t, fx.app, q, args...)
}

func (fx *fixture) org(code string) int64 {
	return fx.scalar("SELECT id FROM orgs WHERE code = ?", code)
}

func (fx *fixture) creditCode(code string) string {
	return fx.text("SELECT credit_code FROM orgs WHERE code = ?", code)
}

// told counts the notices of kind queued for username, leading to link.
func (fx *fixture) told(username, kind, link string) int64 {
	return apptest.Told(fx.t, fx.app, username, kind, link)
}

func code(err error) string { return domain.ErrorCode(err) }

func fields(err error) []string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return nil
	}
	var out []string
	for _, f := range de.Fields {
		out = append(out, f.Field)
	}
	return out
}

// add makes ent a member of fz-software and, with consent, has its
// applicant user grant the consent.
func (fx *fixture) add(ent, user string, consent bool) association.Member {
	fx.t.Helper()
	m, err := fx.c.Associations.Add(fx.as(staff), association.AddInput{CreditCode: fx.creditCode(ent), Since: "2025-06-01"})
	if err != nil {
		fx.t.Fatalf("add %s: %v", ent, err)
	}
	if consent {
		if m, err = fx.c.Associations.SetConsent(fx.as(user), m.ID, true, association.VersionInput{Version: m.Version}); err != nil {
			fx.t.Fatalf("consent of %s: %v", ent, err)
		}
	}
	return m
}

// dispute is a case a member files against a company, at the Gulou
// committee.
func (fx *fixture) dispute() cases.IntakeInput {
	return cases.IntakeInput{OrgID: fx.org("gulou"), DisputeType: domain.DisputeCopyright,
		Summary: "被申请人未经许可复制、销售申请人开发的软件。", Claims: "停止侵权，赔偿经济损失人民币三万元。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "anything", Address: "福州市鼓楼区五四路1号"},
			{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: "福州某网络科技有限公司"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightSoftwareCopyr, Number: "2021SR0123456", Title: "闽光同步软件"}},
	}
}

// TestMembership_AddRemoveAndBadInput: the staff add a registered
// enterprise by its credit code; bad input names its field and changes
// nothing; a second add is a conflict; removing ends the membership and
// the enterprise sees it no more. Nobody else manages members.
func TestMembership_AddRemoveAndBadInput(t *testing.T) {
	fx := newFixture(t)
	svc := fx.c.Associations
	for _, c := range []struct {
		in   association.AddInput
		want string
	}{
		{association.AddInput{}, "credit_code"},
		{association.AddInput{CreditCode: "91350100MA34A1B2C0"}, "credit_code"},
		{association.AddInput{CreditCode: "91350200MA2XN5QX2U"}, "credit_code"}, // valid, not registered
		{association.AddInput{CreditCode: fx.creditCode("ent-sme1"), Since: "2026-13-01"}, "since"},
		{association.AddInput{CreditCode: fx.creditCode("ent-sme1"), Since: "2026-03-03"}, "since"},
	} {
		if _, err := svc.Add(fx.as(staff), c.in); code(err) != domain.EINVALID || !slices.Contains(fields(err), c.want) {
			t.Errorf("add %+v: %v, want a field error on %s", c.in, err, c.want)
		}
	}
	if n := fx.scalar("SELECT count(*) FROM association_members"); n != 0 {
		t.Fatalf("bad input wrote %d memberships", n)
	}
	if _, err := svc.Add(fx.as("sme1"), association.AddInput{CreditCode: fx.creditCode("ent-sme1")}); code(err) != domain.EFORBIDDEN {
		t.Errorf("an enterprise adds itself: %v", err)
	}
	if _, err := svc.Add(fx.as(staff), association.AddInput{AssociationOrgID: fx.org("gulou"), CreditCode: fx.creditCode("ent-sme1")}); code(err) != domain.ENOTFOUND {
		t.Errorf("adding to another organisation: %v", err)
	}

	m := fx.add("ent-sme1", "sme1", false)
	if m.Status != association.StatusActive || m.Since != "2025-06-01" || m.Consent || m.MemberOrgID != fx.org("ent-sme1") {
		t.Fatalf("added %+v", m)
	}
	if fx.told("sme1", association.NoticeMemberAdded, "/memberships") != 1 {
		t.Error("the member is not told it was added")
	}
	if fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'association.member_add'") != 1 {
		t.Error("no audit row for the addition")
	}
	if _, err := svc.Add(fx.as(staff), association.AddInput{CreditCode: fx.creditCode("ent-sme1")}); code(err) != domain.ECONFLICT {
		t.Errorf("adding a member twice: %v", err)
	}
	list, err := svc.Members(fx.as(staff), 0)
	if err != nil || len(list) != 1 || list[0].OpenCases != nil {
		t.Fatalf("members %+v %v: one member, no counts without consent", list, err)
	}
	mine, err := svc.Memberships(fx.as("sme1"))
	if err != nil || len(mine) != 1 || mine[0].AssociationName != "福州市软件行业协会" {
		t.Fatalf("the enterprise's memberships %+v %v", mine, err)
	}
	if other, err := svc.Memberships(fx.as("sme2")); err != nil || len(other) != 0 {
		t.Errorf("another enterprise sees %+v %v", other, err)
	}
	if _, err := svc.Members(fx.as("sme1"), 0); code(err) != domain.EFORBIDDEN {
		t.Errorf("an enterprise lists the association's members: %v", err)
	}

	if _, err := svc.Remove(fx.as(staff), m.ID, association.VersionInput{Version: m.Version + 5}); code(err) != domain.ECONFLICT {
		t.Errorf("removing on a stale version: %v", err)
	}
	if _, err := svc.Remove(fx.as(staff), m.ID, association.VersionInput{}); code(err) != domain.EINVALID || !slices.Contains(fields(err), "version") {
		t.Errorf("removing without a version: %v", err)
	}
	if _, err := svc.Remove(fx.as("sme1"), m.ID, association.VersionInput{Version: m.Version}); code(err) != domain.EFORBIDDEN {
		t.Errorf("the enterprise removes itself: %v", err)
	}
	ended, err := svc.Remove(fx.as(staff), m.ID, association.VersionInput{Version: m.Version})
	if err != nil || ended.Status != association.StatusEnded {
		t.Fatalf("remove: %+v %v", ended, err)
	}
	if mine, _ := svc.Memberships(fx.as("sme1")); len(mine) != 0 {
		t.Error("an ended membership is still listed for the enterprise")
	}
	// Added again, it starts without the consent it had.
	again := fx.add("ent-sme1", "sme1", false)
	if again.ID != m.ID || again.Consent || again.Status != association.StatusActive {
		t.Errorf("re-added %+v", again)
	}
}

// TestConsent_ReadsWhileItStands: with its member's consent the
// association reads the member's case and application (read-only,
// personal data masked); once the member withdraws, the very next read
// is ENOTFOUND and the lists are empty. A member without consent, the
// other party and an unrelated enterprise see nothing through it.
func TestConsent_ReadsWhileItStands(t *testing.T) {
	fx := newFixture(t)
	svc := fx.c.Associations
	sme := fx.as("sme1")
	in := fx.dispute()
	in.Source = domain.SourceDirect
	in.Parties[0] = cases.PartyInput{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司",
		CreditCode: fx.creditCode("ent-sme1"), Phone: "13812345678", IsSME: true}
	c, err := fx.c.Cases.Submit(sme, in)
	if err != nil {
		t.Fatal(err)
	}
	app, err := fx.c.Assistance.Apply(sme, assistance.ApplyInput{
		Rights:    []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}},
		Narrative: "发现他人在电商平台销售仿冒我司注册商标的商品。", PlaceKind: assistance.PlaceDomestic, Place: "某电商平台",
		HelpWanted: []assistance.Help{assistance.HelpMediation}, ContactName: "林晓峰", ContactPhone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}

	assoc := fx.as(staff)
	if _, err := fx.c.Cases.Get(assoc, c.ID); code(err) != domain.ENOTFOUND {
		t.Fatalf("a non-member's case is read: %v", err)
	}
	m := fx.add("ent-sme1", "sme1", false)
	if _, err := fx.c.Cases.Get(assoc, c.ID); code(err) != domain.ENOTFOUND {
		t.Fatalf("a member's case is read without its consent: %v", err)
	}
	if _, err := fx.c.Assistance.Get(assoc, app.ID); code(err) != domain.ENOTFOUND {
		t.Fatalf("a member's application is read without its consent: %v", err)
	}
	if _, err := svc.SetConsent(fx.as("sme2"), m.ID, true, association.VersionInput{Version: m.Version}); code(err) != domain.ENOTFOUND {
		t.Errorf("another enterprise grants the consent: %v", err)
	}
	if _, err := svc.SetConsent(assoc, m.ID, true, association.VersionInput{Version: m.Version}); code(err) != domain.EFORBIDDEN {
		t.Errorf("the association grants itself the consent: %v", err)
	}
	m, err = svc.SetConsent(sme, m.ID, true, association.VersionInput{Version: m.Version})
	if err != nil || !m.Consent {
		t.Fatalf("grant: %+v %v", m, err)
	}
	if fx.scalar("SELECT count(*) FROM association_consent_events WHERE member_id = ? AND granted AND user_id = (SELECT id FROM users WHERE username = 'sme1')", m.ID) != 1 ||
		fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'association.consent_grant'") != 1 {
		t.Error("the consent is not recorded with who gave it, or not audited")
	}
	if fx.told(staff, association.NoticeConsentGranted, "/association/members") != 1 {
		t.Error("the association is not told of the consent")
	}

	v, err := fx.c.Cases.Get(assoc, c.ID)
	if err != nil {
		t.Fatalf("with consent the association reads the case: %v", err)
	}
	if len(v.Allowed) != 0 || v.Access.Handling || v.Access.Party || v.Access.ReadsDocuments || v.Access.SeesPersonalData {
		t.Errorf("the association may act or sees too much: allowed %v access %+v", v.Allowed, v.Access)
	}
	for _, p := range v.Parties {
		if p.Phone == "13812345678" {
			t.Error("the association reads a party's phone in clear")
		}
	}
	if items, _, err := fx.c.Cases.List(assoc, cases.ListFilter{}); err != nil || len(items) != 1 || items[0].ID != c.ID {
		t.Errorf("the association's case list %v %v", items, err)
	}
	av, err := fx.c.Assistance.Get(assoc, app.ID)
	if err != nil || av.Applicant || av.Officer || len(av.Allowed) != 0 || av.ContactPhone == "13800138000" {
		t.Errorf("the association's view of the application %+v %v", av, err)
	}
	if _, err := fx.c.Cases.Withdraw(assoc, c.ID, cases.ReasonInput{Version: c.Version, Reason: "协会代撤"}); err == nil {
		t.Error("the association withdrew its member's case")
	}
	list, _ := svc.Members(assoc, 0)
	if len(list) != 1 || list[0].OpenCases == nil || *list[0].OpenCases != 1 || *list[0].OpenApplications != 1 {
		t.Errorf("open matters with consent %+v", list)
	}

	m, err = svc.SetConsent(sme, m.ID, false, association.VersionInput{Version: m.Version})
	if err != nil || m.Consent {
		t.Fatalf("withdraw: %+v %v", m, err)
	}
	if _, err := fx.c.Cases.Get(assoc, c.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("after withdrawal the case is read: %v", err)
	}
	if _, err := fx.c.Assistance.Get(assoc, app.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("after withdrawal the application is read: %v", err)
	}
	if items, _, err := fx.c.Cases.List(assoc, cases.ListFilter{}); err != nil || len(items) != 0 {
		t.Errorf("after withdrawal the case list %v %v", items, err)
	}
	if items, _, err := fx.c.Assistance.List(assoc, assistance.ListFilter{}); err != nil || len(items) != 0 {
		t.Errorf("after withdrawal the application list %v %v", items, err)
	}
	if list, _ := svc.Members(assoc, 0); len(list) != 1 || list[0].OpenCases != nil {
		t.Errorf("after withdrawal the open matters are still counted %+v", list)
	}
	if _, err := svc.SetConsent(sme, m.ID, false, association.VersionInput{Version: m.Version}); code(err) != domain.ECONFLICT {
		t.Errorf("withdrawing twice: %v", err)
	}
	if fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'association.consent_withdraw'") != 1 {
		t.Error("the withdrawal is not audited")
	}
}

// TestAssociationFilesForMember: the association files at a committee for
// a consenting member: source association, the member the applicant
// party linked to it, the member told in its inbox with a notice naming
// the case; the member and the association read it, the respondent's
// side and other enterprises do not. A non-member, and a member that has
// not consented, cannot be filed for, and nothing is written.
func TestAssociationFilesForMember(t *testing.T) {
	fx := newFixture(t)
	svc := fx.c.Associations
	assoc := fx.as(staff)
	before := fx.scalar("SELECT count(*) FROM cases")

	if _, err := svc.FileCase(assoc, association.FileInput{MemberOrgID: fx.org("ent-sme1"), Case: fx.dispute()}); code(err) != domain.EINVALID ||
		!slices.Contains(fields(err), "member_org_id") {
		t.Fatalf("filing for a non-member: %v", err)
	}
	m := fx.add("ent-sme1", "sme1", false)
	if _, err := svc.FileCase(assoc, association.FileInput{MemberOrgID: fx.org("ent-sme1"), Case: fx.dispute()}); code(err) != domain.EINVALID ||
		!slices.Contains(fields(err), "member_org_id") {
		t.Fatalf("filing for a member without consent: %v", err)
	}
	if _, err := fx.c.Associations.SetConsent(fx.as("sme1"), m.ID, true, association.VersionInput{Version: m.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FileCase(fx.as("sme1"), association.FileInput{MemberOrgID: fx.org("ent-sme1"), Case: fx.dispute()}); code(err) != domain.EFORBIDDEN {
		t.Errorf("an enterprise files as an association: %v", err)
	}
	bad := fx.dispute()
	bad.Summary = ""
	if _, err := svc.FileCase(assoc, association.FileInput{MemberOrgID: fx.org("ent-sme1"), Case: bad}); code(err) != domain.EINVALID ||
		!slices.Contains(fields(err), "case.summary") {
		t.Errorf("a case without a summary: %v", err)
	}
	if n := fx.scalar("SELECT count(*) FROM cases"); n != before {
		t.Fatalf("refused filings wrote %d cases", n-before)
	}

	c, err := svc.FileCase(assoc, association.FileInput{MemberOrgID: fx.org("ent-sme1"), Case: fx.dispute()})
	if err != nil {
		t.Fatalf("file for a member: %v", err)
	}
	if c.Source != domain.SourceAssociation || c.OrgID != fx.org("gulou") {
		t.Errorf("filed %+v", c)
	}
	if fx.scalar("SELECT applicant_org_id FROM cases WHERE id = ?", c.ID) != fx.org("ent-sme1") ||
		fx.scalar("SELECT count(*) FROM case_parties WHERE case_id = ? AND role = 'applicant' AND org_id = ? AND name = '福州闽光软件科技有限公司'", c.ID, fx.org("ent-sme1")) != 1 {
		t.Error("the member is not the applicant linked as the case's party")
	}
	if fx.scalar("SELECT submitted_by FROM cases WHERE id = ?", c.ID) != fx.scalar("SELECT id FROM users WHERE username = ?", staff) {
		t.Error("the association's staff user is not the submitter")
	}
	link := "/cases/" + itoa(c.ID)
	if fx.told("sme1", association.NoticeFiledForMember, link) != 1 {
		t.Fatal("the member is not told in its inbox")
	}
	ref := fx.text(`SELECT payload->'params'->>'CaseRef' FROM outbox WHERE payload->>'kind' = ? AND payload->>'link' = ?`,
		association.NoticeFiledForMember, link)
	if ref == "" || ref != c.Ref() {
		t.Errorf("the notice names %q, want the case %q", ref, c.Ref())
	}
	if fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'association.file_case'") != 1 ||
		fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'case.submit' AND object_id = ?", itoa(c.ID)) != 1 {
		t.Error("the filing is not audited")
	}
	if v, err := fx.c.Cases.Get(fx.as("sme1"), c.ID); err != nil || !v.Access.Party {
		t.Errorf("the member does not follow its case as a party: %v", err)
	}
	if _, err := fx.c.Cases.Get(assoc, c.ID); err != nil {
		t.Errorf("the association does not read what it filed: %v", err)
	}
	if _, err := fx.c.Cases.Get(fx.as("sme2"), c.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("another enterprise reads the case: %v", err)
	}
	if _, err := fx.c.Cases.Get(fx.as("clerk.cangshan"), c.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("another committee reads the case: %v", err)
	}
	// The committee's desk has it in its docket as any application.
	if _, err := fx.c.Cases.Get(fx.as("clerk.gulou"), c.ID); err != nil {
		t.Errorf("the committee does not see the case: %v", err)
	}
}

// TestAssociationAppliesForMember: the association applies for rights
// assistance for a consenting member (the member the applicant, told);
// not for a non-member.
func TestAssociationAppliesForMember(t *testing.T) {
	fx := newFixture(t)
	assoc := fx.as(staff)
	in := assistance.ApplyInput{ApplicantOrgID: fx.org("ent-sme2"),
		Rights:    []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678", Title: "榕城"}},
		Narrative: "会员企业发现他人在电商平台销售仿冒其注册商标的茶叶。", PlaceKind: assistance.PlaceDomestic, Place: "某电商平台",
		HelpWanted: []assistance.Help{assistance.HelpMediation}, ContactName: "黄美玲", ContactPhone: "13800138001"}
	if _, err := fx.c.Assistance.Apply(assoc, in); code(err) != domain.ENOTFOUND {
		t.Fatalf("applying for a non-member: %v", err)
	}
	fx.add("ent-sme2", "sme2", true)
	noMember := in
	noMember.ApplicantOrgID = 0
	if _, err := fx.c.Assistance.Apply(assoc, noMember); code(err) != domain.EINVALID || !slices.Contains(fields(err), "applicant_org_id") {
		t.Errorf("applying without naming the member: %v", err)
	}
	got, err := fx.c.Assistance.Apply(assoc, in)
	if err != nil {
		t.Fatalf("apply for a member: %v", err)
	}
	if fx.scalar("SELECT applicant_org_id FROM assistance_applications WHERE id = ?", got.ID) != fx.org("ent-sme2") {
		t.Error("the member is not the applicant")
	}
	if fx.scalar(`SELECT count(*) FROM outbox WHERE payload->>'kind' = 'assistance_submitted'
AND (payload->>'user_id')::bigint = (SELECT id FROM users WHERE username = 'sme2')`) != 1 {
		t.Error("the member is not told")
	}
	if _, err := fx.c.Assistance.Get(fx.as("sme1"), got.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("another enterprise reads the application: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
