package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/pdf/pdftest"
	"github.com/ipmediate/ipmediate/internal/service"
)

type fixture struct {
	t   *testing.T
	app *app.App
	svc *service.Service
}

func newFixture(t *testing.T, opts ...apptest.Option) *fixture {
	t.Helper()
	a := apptest.New(t, append([]apptest.Option{apptest.WithDemo()}, opts...)...)
	return &fixture{t: t, app: a, svc: a.Served}
}

func (fx *fixture) as(username string) context.Context { return apptest.As(fx.t, fx.app, username) }

func (fx *fixture) scalar(q string, args ...any) int64 {
	return apptest.Scalar[int64](fx.t, fx.app, q, args...)
}

// acceptedCase is a gulou case filed by the enterprise sme1 against a
// person, accepted by the director: it prints the acceptance notice.
func (fx *fixture) acceptedCase() cases.CaseView {
	fx.t.Helper()
	in := cases.IntakeInput{OrgID: fx.scalar("SELECT id FROM orgs WHERE code = 'gulou'"), Source: domain.SourceDirect, DisputeType: domain.DisputeTrademark,
		Summary: "被申请人在网店销售假冒注册商标的茶叶。", Claims: "停止侵权。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某", IDNumber: "11010519491231002X", Phone: "13800138000"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}}}
	c, err := fx.app.Cases.Submit(fx.as("sme1"), in)
	if err != nil {
		fx.t.Fatal(err, domain.InvalidFields(err))
	}
	if _, err = fx.app.Cases.Accept(fx.as("director.gulou"), c.ID, cases.AcceptInput{Version: c.Version,
		ConsentAt: fx.app.Clock.Now().Add(-time.Hour)}); err != nil {
		fx.t.Fatal(err)
	}
	v, err := fx.app.Cases.Get(fx.as("clerk.gulou"), c.ID)
	if err != nil {
		fx.t.Fatal(err)
	}
	return v
}

func (fx *fixture) serve(username string, caseID int64, doc notice.Doc) []service.Record {
	fx.t.Helper()
	rs, err := fx.svc.Serve(fx.as(username), caseID, service.ServeInput{Doc: doc})
	if err != nil {
		fx.t.Fatalf("serve %s as %s: %v", doc, username, err)
	}
	return rs
}

func codeOf(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// party is the context of a party signed in through its access link.
func party(v cases.CaseView, i int, access int64) context.Context {
	p := v.Parties[i]
	return domain.WithParty(context.Background(), &domain.PartyActor{AccessID: access, CaseID: v.ID, PartyID: p.ID, Name: p.Name})
}

func sealPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := 0; x < 16; x++ {
		img.Set(x, x, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func hasImage(pdf []byte) bool { return bytes.Contains(pdf, []byte("/Subtype /Image")) }

// TestService_ServeStoresThePDFAndTellsTheParty: serving the acceptance
// notice on every party stores one PDF that names the case, a record per
// party with the file's SHA-256, tells the enterprise's users (delivered
// at once) and not the person without an account, and is audited; bad
// input names its field and writes nothing; only those who work the case
// serve.
func TestService_ServeStoresThePDFAndTellsTheParty(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	v := fx.acceptedCase()

	for _, tc := range []struct {
		desc  string
		in    service.ServeInput
		field string
	}{
		{"unknown notice", service.ServeInput{Doc: "summons"}, "doc"},
		{"party of another case", service.ServeInput{Doc: notice.DocAcceptance, PartyID: v.Parties[0].ID + 1000}, "party_id"},
	} {
		_, err := fx.svc.Serve(fx.as("clerk.gulou"), v.ID, tc.in)
		if got := domain.InvalidFields(err); !slices.Equal(got, []string{tc.field}) {
			t.Errorf("%s: fields %v (%v), want [%s]", tc.desc, got, err, tc.field)
		}
	}
	if _, err := fx.svc.Serve(fx.as("clerk.gulou"), v.ID, service.ServeInput{Doc: notice.DocRejection}); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("the rejection notice of an accepted case: %v, want not found", err)
	}
	if _, err := fx.svc.Serve(fx.as("sme1"), v.ID, service.ServeInput{Doc: notice.DocAcceptance}); codeOf(err) != domain.EFORBIDDEN {
		t.Errorf("the applicant serves: %v, want forbidden", err)
	}
	if _, err := fx.svc.Serve(fx.as("director.cangshan"), v.ID, service.ServeInput{Doc: notice.DocAcceptance}); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("another committee serves: %v, want not found", err)
	}
	if n := fx.scalar("SELECT count(*) FROM service_records"); n != 0 {
		t.Fatalf("%d records after refused services", n)
	}

	rs := fx.serve("clerk.gulou", v.ID, notice.DocAcceptance)
	if len(rs) != 2 {
		t.Fatalf("%d records, want one per party", len(rs))
	}
	if rs[0].DeliveredAt == nil || rs[1].DeliveredAt != nil {
		t.Errorf("delivered: enterprise %v, person %v; want the enterprise's inbox only", rs[0].DeliveredAt, rs[1].DeliveredAt)
	}
	if rs[0].State() != service.StateDelivered || rs[1].State() != service.StateSent {
		t.Errorf("states %s, %s", rs[0].State(), rs[1].State())
	}
	if n := apptest.Told(t, fx.app, "sme1", service.NoticeServed, service.Link(rs[0].ID)); n != 1 {
		t.Errorf("sme1 told %d times, want once", n)
	}
	_, file, err := fx.svc.OpenAsUser(fx.as("sme1"), rs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(file)
	for _, r := range rs {
		if r.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("record %d: SHA-256 %s is not the stored file's", r.ID, r.SHA256)
		}
	}
	text, err := pdftest.Text(file)
	if err != nil {
		t.Fatal(err)
	}
	if j := pdftest.Joined(text); !strings.Contains(j, v.Number) || !strings.Contains(j, "受理通知书") {
		t.Errorf("the PDF does not name the case %s:\n%s", v.Number, text)
	}
	if n := fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'service.serve' AND object_id = ?", itoa(v.ID)); n != 1 {
		t.Errorf("%d service.serve audit rows, want 1", n)
	}
	if n := fx.scalar("SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'service_served'", v.ID); n != 1 {
		t.Errorf("%d timeline events, want 1", n)
	}
	// The clerk sees both records on the case; the enterprise only its own.
	all, err := fx.svc.OfCase(fx.as("clerk.gulou"), v.ID)
	if err != nil || len(all) != 2 {
		t.Errorf("clerk sees %d records (%v), want 2", len(all), err)
	}
	own, err := fx.svc.OfCase(fx.as("sme1"), v.ID)
	if err != nil || len(own) != 1 || own[0].PartyID != v.Parties[0].ID {
		t.Errorf("sme1 sees %+v (%v), want its own record", own, err)
	}
}

// TestService_OpenedOnceByTheRightParty: a party opens its record through
// its access link: the PDF, opened_at set the first time only, audited
// with the access id; the other party, or a link to another case, finds
// nothing; a user of the party enterprise opens its own record too.
func TestService_OpenedOnceByTheRightParty(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	v := fx.acceptedCase()
	rs := fx.serve("clerk.gulou", v.ID, notice.DocAcceptance)
	person := rs[1]
	if person.PartyID != v.Parties[1].ID {
		t.Fatalf("records out of order: %+v", rs)
	}

	listed, err := fx.svc.ServedTo(party(v, 1, 77))
	if err != nil || len(listed) != 1 || listed[0].ID != person.ID {
		t.Fatalf("served to the person: %+v (%v)", listed, err)
	}
	if _, _, err := fx.svc.Open(party(v, 0, 76), person.ID); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("the other party opens it: %v, want not found", err)
	}
	other := party(v, 1, 77)
	p, _ := domain.PartyFrom(other)
	p.CaseID = v.ID + 1000
	if _, _, err := fx.svc.Open(other, person.ID); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("a link to another case opens it: %v, want not found", err)
	}
	if _, _, err := fx.svc.Open(fx.as("clerk.gulou"), person.ID); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("without an access link: %v, want not found", err)
	}

	r, b, err := fx.svc.Open(party(v, 1, 77), person.ID)
	if err != nil || len(b) == 0 || r.OpenedAt == nil {
		t.Fatalf("open: %+v, %d bytes, %v", r, len(b), err)
	}
	first := *r.OpenedAt
	if _, err := fx.app.Clock.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	if r, _, err = fx.svc.Open(party(v, 1, 77), person.ID); err != nil || !r.OpenedAt.Equal(first) || r.State() != service.StateOpened {
		t.Errorf("opened again: %v (%v), want opened_at %v kept", r.OpenedAt, err, first)
	}
	if n := fx.scalar(`SELECT count(*) FROM audit_log WHERE action = 'service.opened' AND object_id = ? AND actor_id IS NULL
		AND actor_name = ? AND (detail->>'access_id')::bigint = 77 AND (detail->>'case_id')::bigint = ?`,
		itoa(person.ID), "party:"+itoa(person.PartyID), v.ID); n != 1 {
		t.Errorf("%d service.opened audit rows for the party, want 1", n)
	}

	ent := rs[0]
	for _, u := range []string{"sme2", "clerk.gulou", "director.gulou"} {
		if _, _, err := fx.svc.OpenAsUser(fx.as(u), ent.ID); codeOf(err) != domain.ENOTFOUND {
			t.Errorf("%s opens the enterprise's record: %v, want not found", u, err)
		}
	}
	if _, _, err := fx.svc.OpenAsUser(fx.as("sme1"), person.ID); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("sme1 opens the other party's record: %v, want not found", err)
	}
	if r, _, err := fx.svc.OpenAsUser(fx.as("sme1"), ent.ID); err != nil || r.OpenedAt == nil {
		t.Errorf("sme1 opens its record: %+v (%v)", r, err)
	}
}

// TestService_OverdueAtTheConfiguredTime: with service.open_within 48h a
// record not opened is listed for the clerk from 48 hours after it was
// sent (on the injected clock), not before, and not once opened; a
// mediator has no such list.
func TestService_OverdueAtTheConfiguredTime(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, apptest.WithConfig(func(c *config.Config) { c.Service.OpenWithin = 48 * time.Hour }))
	v := fx.acceptedCase()
	rs := fx.serve("clerk.gulou", v.ID, notice.DocAcceptance)
	if _, _, err := fx.svc.OpenAsUser(fx.as("sme1"), rs[0].ID); err != nil {
		t.Fatal(err)
	}
	overdue := func(u string) []int64 {
		t.Helper()
		list, err := fx.svc.Overdue(fx.as(u))
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range list {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if _, err := fx.app.Clock.Advance(47 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := overdue("clerk.gulou"); len(got) != 0 {
		t.Errorf("after 47 hours: %v, want none", got)
	}
	if _, err := fx.app.Clock.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user string
		want []int64
	}{
		{"clerk.gulou", []int64{rs[1].ID}},
		{"director.gulou", []int64{rs[1].ID}},
		{"clerk.cangshan", nil},
		{"mediator1.gulou", nil},
	} {
		if got := overdue(tc.user); !slices.Equal(got, tc.want) {
			t.Errorf("after 48 hours, %s: %v, want %v", tc.user, got, tc.want)
		}
	}
	if n, err := fx.svc.CountOverdue(fx.as("clerk.gulou")); err != nil || n != 1 {
		t.Errorf("count %d (%v), want 1", n, err)
	}
}

// TestService_OtherMeansValidatedAndAudited: recording service by post
// or in person names each bad field and changes nothing; a good one sets
// the method and the day, is audited and takes the record off the list.
func TestService_OtherMeansValidatedAndAudited(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	v := fx.acceptedCase()
	rs := fx.serve("clerk.gulou", v.ID, notice.DocAcceptance)
	today := fx.app.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	tomorrow := fx.app.Clock.Now().Add(48 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	clerk := fx.as("clerk.gulou")
	for _, tc := range []struct {
		desc   string
		in     service.OtherMeansInput
		fields []string
	}{
		{"no method, no day", service.OtherMeansInput{}, []string{"method", "served_on"}},
		{"post without a tracking number", service.OtherMeansInput{Method: service.MethodPost, ServedOn: today}, []string{"tracking_number"}},
		{"in person without a receiver", service.OtherMeansInput{Method: service.MethodInPerson, ServedOn: today}, []string{"receiver"}},
		{"a day in the future", service.OtherMeansInput{Method: service.MethodPost, ServedOn: tomorrow, TrackingNumber: "EMS1"}, []string{"served_on"}},
		{"before it was sent", service.OtherMeansInput{Method: service.MethodPost, ServedOn: "2000-01-01", TrackingNumber: "EMS1"}, []string{"served_on"}},
		{"not a date", service.OtherMeansInput{Method: service.MethodPost, ServedOn: "yesterday", TrackingNumber: "EMS1"}, []string{"served_on"}},
		{"electronic is not another means", service.OtherMeansInput{Method: service.MethodElectronic, ServedOn: today}, []string{"method"}},
	} {
		_, err := fx.svc.RecordOtherMeans(clerk, rs[1].ID, tc.in)
		got := domain.InvalidFields(err)
		slices.Sort(got)
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s: fields %v (%v), want %v", tc.desc, got, err, tc.fields)
		}
	}
	if n := fx.scalar("SELECT count(*) FROM service_records WHERE method <> 'electronic'"); n != 0 {
		t.Fatalf("%d records changed by refused input", n)
	}
	if _, err := fx.svc.RecordOtherMeans(fx.as("mediator1.gulou"), rs[1].ID, service.OtherMeansInput{Method: service.MethodPost,
		ServedOn: today, TrackingNumber: "EMS1"}); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("a mediator records: %v, want not found", err)
	}
	r, err := fx.svc.RecordOtherMeans(clerk, rs[1].ID, service.OtherMeansInput{Method: service.MethodPost, ServedOn: today,
		TrackingNumber: " EMS1234567890CN ", Note: "挂号信"})
	if err != nil {
		t.Fatal(err)
	}
	if r.State() != service.StatePost || r.TrackingNumber != "EMS1234567890CN" || r.ServedOn == nil {
		t.Errorf("recorded %+v", r)
	}
	if n := fx.scalar(`SELECT count(*) FROM audit_log WHERE action = 'service.other_means' AND object_id = ?
		AND detail->>'tracking_number' = 'EMS1234567890CN'`, itoa(r.ID)); n != 1 {
		t.Errorf("%d service.other_means audit rows, want 1", n)
	}
	if _, err := fx.svc.RecordOtherMeans(clerk, rs[1].ID, service.OtherMeansInput{Method: service.MethodInPerson, ServedOn: today,
		Receiver: "陈某"}); codeOf(err) != domain.ECONFLICT {
		t.Errorf("recorded twice: %v, want conflict", err)
	}
}

// TestService_SealOnTheNotices: without a seal no image; the director's
// seal (PNG only, the director only, audited) appears on the acceptance
// notice, and on the agreement only once its seal sign-off is recorded.
func TestService_SealOnTheNotices(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	v := fx.acceptedCase()
	texts := func(key string) string { return key }
	pdfOf := func(v cases.CaseView, doc notice.Doc) []byte {
		t.Helper()
		n, err := notice.Build(v, doc, texts)
		if err != nil {
			t.Fatal(err)
		}
		seal, err := fx.svc.SealOf(context.Background(), v.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := notice.PDF(n, seal, fx.app.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		text, err := pdftest.Text(b)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(pdftest.Joined(text), v.Number) {
			t.Errorf("%s does not name the case %s", doc, v.Number)
		}
		return b
	}
	if hasImage(pdfOf(v, notice.DocAcceptance)) {
		t.Error("an image on the notice before any seal was uploaded")
	}
	if err := fx.svc.SetSeal(fx.as("clerk.gulou"), v.OrgID, bytes.NewReader(sealPNG(t))); codeOf(err) != domain.EFORBIDDEN {
		t.Errorf("the clerk uploads the seal: %v, want forbidden", err)
	}
	if err := fx.svc.SetSeal(fx.as("director.gulou"), v.OrgID, strings.NewReader("GIF89a not a png")); !slices.Equal(domain.InvalidFields(err), []string{"seal"}) {
		t.Errorf("a seal that is not a PNG: %v", err)
	}
	if err := fx.svc.SetSeal(fx.as("director.gulou"), v.OrgID, bytes.NewReader(sealPNG(t))); err != nil {
		t.Fatal(err)
	}
	if n := fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'service.seal' AND object_id = ?", itoa(v.OrgID)); n != 1 {
		t.Errorf("%d service.seal audit rows, want 1", n)
	}
	if !hasImage(pdfOf(v, notice.DocAcceptance)) {
		t.Error("no seal on the acceptance notice")
	}

	// The agreement: a draft without the seal, then the seal sign-off.
	dir, med := fx.as("director.gulou"), fx.as("mediator1.gulou")
	c, err := fx.app.Cases.Assign(dir, v.ID, cases.AssignInput{Version: v.Version,
		MediatorIDs: []int64{fx.scalar("SELECT id FROM users WHERE username = 'mediator1.gulou'")}})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = fx.app.Cases.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无"}); err != nil {
		t.Fatal(err)
	}
	if c, err = fx.app.Cases.Settle(med, c.ID, cases.AgreementInput{Version: c.Version, Facts: "销售假冒茶叶。", DisputedMatters: "赔偿数额。",
		Responsibilities: "被申请人承担责任。", Terms: "停止销售并赔偿。", PerformanceMethod: "银行转账"}); err != nil {
		t.Fatal(err)
	}
	get := func() cases.CaseView {
		v, err := fx.app.Cases.Get(fx.as("clerk.gulou"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if hasImage(pdfOf(get(), notice.DocAgreement)) {
		t.Error("the seal on a draft agreement before its seal sign-off")
	}
	if _, err = fx.app.Cases.Signoff(fx.as("clerk.gulou"), c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "seal", Method: "seal",
		SignedAt: fx.app.Clock.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if !hasImage(pdfOf(get(), notice.DocAgreement)) {
		t.Error("no seal on the agreement after its seal sign-off")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
