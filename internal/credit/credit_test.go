package credit_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

var beijing = calendar.Beijing

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type fixture struct {
	t     *testing.T
	app   *app.App
	svc   *credit.Service
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, beijing)}
	return &fixture{t: t, app: a, svc: a.CapabilitiesAt(c.Now).Credit, clock: c}
}

func (fx *fixture) as(username string) context.Context { return apptest.As(fx.t, fx.app, username) }

func (fx *fixture) scalar(q string, args ...any) int64 {
	return apptest.Scalar[int64](fx.t, fx.app, q, args...)
}

func (fx *fixture) text(q string, args ...any) string {
	return apptest.Scalar[string](fx.t, fx.app, q, args...)
}

// told counts the notices of kind queued for username, leading to link.
func (fx *fixture) told(username, kind, link string) int64 {
	return apptest.Told(fx.t, fx.app, username, kind, link)
}

// input is a valid record against the demo enterprise ent-sme1 (a
// registered subject).
func (fx *fixture) input() credit.Input {
	return credit.Input{SubjectKind: "organisation", Name: "福州某科技有限公司",
		CreditCode: fx.text("SELECT credit_code FROM orgs WHERE code = 'ent-sme1'"), Finding: "故意侵犯注册商标专用权",
		SourceKind: credit.SourceEnforcement, DocumentNumber: "榕市监处罚〔2026〕88号", DecidedOn: calendar.NewDate(2026, time.February, 20),
		Final: true, Severity: credit.SeveritySerious, DisplayMonths: 24}
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

// shown counts the records displayed today by the rule intake uses.
func (fx *fixture) shown(id int64) int64 {
	return fx.scalar("SELECT count(*) FROM credit_records WHERE id = ? AND "+credit.ShownSQL, id,
		calendar.DateOf(fx.clock.Now()).String())
}

// TestCredit_DueProcess: a record from a final decision tells its
// registered subject, who objects; the body dismisses the objection with
// reasons and the record takes effect for the months set; repair is
// refused before the shortest display, then applied for and granted, and
// the record leaves the flag. Each step has its event, its deadline, its
// notice and its audit row; nobody but the body decides, nobody but the
// subject, the enforcement bodies and the office reads it.
func TestCredit_DueProcess(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	amr, sme1 := fx.as("enforcement.fz-amr"), fx.as("sme1")

	r, err := fx.svc.Create(amr, fx.input())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != credit.StatusObjection || r.NoticeMethod != "inbox" || r.ObjectionDue == nil || r.SubjectOrgID == nil {
		t.Fatalf("recorded: %+v", r)
	}
	// Ten working days from Monday 2 March 2026: Monday 16 March, 24:00.
	if got := r.ObjectionDue.In(beijing).Format("2006-01-02 15:04"); got != "2026-03-17 00:00" {
		t.Errorf("objection due %s", got)
	}
	id := strconv.FormatInt(r.ID, 10)
	if fx.told("sme1", "credit_recorded", credit.Link(r.ID)) != 1 {
		t.Error("the subject is not told in its inbox")
	}
	if fx.scalar(`SELECT count(*) FROM deadlines WHERE subject_type = 'credit_record' AND subject_id = ? AND kind = 'credit_objection'
AND status = 'open' AND duty = 'information'`, r.ID) != 1 {
		t.Error("no objection period deadline")
	}
	if fx.scalar(`SELECT count(*) FROM audit_log WHERE action = 'credit_record.create' AND object_id = ? AND actor_name = 'enforcement.fz-amr'`, id) != 1 {
		t.Error("the record is not audited")
	}
	if fx.shown(r.ID) != 0 {
		t.Error("a record in its objection period is displayed")
	}

	// Who reads it.
	for _, who := range []string{"sme1", "enforcement.fz-amr", "leader"} {
		if _, err := fx.svc.Get(fx.as(who), r.ID); err != nil {
			t.Errorf("%s reads the record: %v", who, err)
		}
	}
	for _, who := range []string{"sme2", "director.gulou", "mediator1.gulou", "clerk.gulou"} {
		if _, err := fx.svc.Get(fx.as(who), r.ID); code(err) != domain.ENOTFOUND {
			t.Errorf("%s reads the record: %v", who, err)
		}
	}
	if _, _, err := fx.svc.List(fx.as("director.gulou"), credit.ListFilter{}); code(err) != domain.EFORBIDDEN {
		t.Errorf("a director lists credit records: %v", err)
	}
	if items, _, err := fx.svc.List(sme1, credit.ListFilter{}); err != nil || len(items) != 1 || items[0].ID != r.ID {
		t.Errorf("the subject lists %v, %v", items, err)
	}

	// The subject objects; only the body decides.
	if _, err := fx.svc.Step(sme1, r.ID, credit.ActionObject, credit.StepInput{Version: r.Version}); !slices.Contains(fields(err), "reason") {
		t.Errorf("an objection without grounds: %v", err)
	}
	fx.clock.set(time.Date(2026, 3, 10, 9, 0, 0, 0, beijing))
	r, err = fx.svc.Step(sme1, r.ID, credit.ActionObject, credit.StepInput{Version: r.Version, Reason: "涉案商品系合法来源"})
	if err != nil || r.Status != credit.StatusObjected {
		t.Fatalf("object: %+v %v", r, err)
	}
	if fx.scalar(`SELECT count(*) FROM deadlines d JOIN users u ON u.id = d.responsible_user_id WHERE d.subject_id = ?
AND d.kind = 'credit_objection_decision' AND d.status = 'open' AND u.username = 'enforcement.fz-amr'`, r.ID) != 1 {
		t.Error("no decision deadline for the officer who recorded it")
	}
	if fx.told("enforcement.fz-amr", "credit_objected", credit.Link(r.ID)) != 1 {
		t.Error("the body is not told of the objection")
	}
	if _, err := fx.svc.Step(sme1, r.ID, credit.ActionDecideObjection, credit.StepInput{Version: r.Version, Reason: "x"}); code(err) != domain.EFORBIDDEN {
		t.Errorf("the subject decides its objection: %v", err)
	}
	if _, err := fx.svc.Step(amr, r.ID, credit.ActionDecideObjection, credit.StepInput{Version: r.Version - 1, Reason: "x"}); code(err) != domain.ECONFLICT {
		t.Errorf("a stale version: %v", err)
	}
	r, err = fx.svc.Step(amr, r.ID, credit.ActionDecideObjection, credit.StepInput{Version: r.Version, Reason: "当事人不能提供合法来源证明"})
	if err != nil || r.Status != credit.StatusInEffect || r.EffectiveOn == nil || *r.EffectiveOn != "2026-03-10" ||
		r.DisplayUntil == nil || *r.DisplayUntil != "2028-03-10" {
		t.Fatalf("dismissed: %+v %v", r, err)
	}
	if fx.scalar(`SELECT count(*) FROM deadlines WHERE subject_id = ? AND kind = 'credit_objection_decision' AND status = 'met'`, r.ID) != 1 {
		t.Error("the decision deadline is not met")
	}
	if fx.shown(r.ID) != 1 {
		t.Error("a record in effect is not displayed")
	}

	// Repair: not before the shortest display of its tier (12 months);
	// the page offers no repair form before then.
	if v, err := fx.svc.Get(sme1, r.ID); err != nil || len(v.Allowed) != 0 || v.RepairFrom == nil || *v.RepairFrom != "2027-03-10" {
		t.Errorf("in effect, the subject may %v (repair from %v, %v)", v.Allowed, v.RepairFrom, err)
	}
	// Refused when asked all the same.
	_, err = fx.svc.Step(sme1, r.ID, credit.ActionApplyRepair, credit.StepInput{Version: r.Version, Reason: "已停止销售并作出信用承诺"})
	if !slices.Contains(fields(err), "reason") {
		t.Errorf("repair before the shortest display: %v", err)
	}
	fx.clock.set(time.Date(2027, 3, 11, 9, 0, 0, 0, beijing))
	r, err = fx.svc.Step(sme1, r.ID, credit.ActionApplyRepair, credit.StepInput{Version: r.Version, Reason: "已停止销售并作出信用承诺"})
	if err != nil || r.Status != credit.StatusRepairing || fx.shown(r.ID) != 1 {
		t.Fatalf("apply for repair: %+v %v (displayed while pending: %d)", r, err, fx.shown(r.ID))
	}
	r, err = fx.svc.Step(amr, r.ID, credit.ActionDecideRepair, credit.StepInput{Version: r.Version, Granted: true, Reason: "已纠正并履行"})
	if err != nil || r.Status != credit.StatusRepaired || fx.shown(r.ID) != 0 {
		t.Fatalf("repaired: %+v %v", r, err)
	}
	v, err := fx.svc.Get(sme1, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range v.Events {
		actions = append(actions, e.Action)
	}
	if want := []string{"recorded", "notified", "object", "decide_objection", "apply_repair", "decide_repair"}; !slices.Equal(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
	if len(v.Allowed) != 0 {
		t.Errorf("steps allowed on a repaired record: %v", v.Allowed)
	}
	if n := fx.scalar(`SELECT count(*) FROM audit_log WHERE object_type = 'credit_record' AND object_id = ?`, id); n != 5 {
		t.Errorf("%d audit rows, want 5 (create and four steps)", n)
	}
}

// TestCredit_ObjectionPeriodAndDisplayEnd: a subject not registered here
// is told by the means the body records; with no objection the sweep
// puts the record in effect when the period ends (not before, and once,
// with three sweepers at once), and expires it when its display ends.
func TestCredit_ObjectionPeriodAndDisplayEnd(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	amr := fx.as("enforcement.fz-amr")
	in := fx.input()
	in.CreditCode, in.Name, in.Severity, in.DisplayMonths = "", "陈某", credit.SeverityGeneral, 6
	in.SubjectKind, in.IDNumber = "person", "350102198503070014"
	if _, err := fx.svc.Create(amr, in); !slices.Contains(fields(err), "notice_method") {
		t.Fatalf("an unregistered subject told by no means: %v", err)
	}
	in.NoticeMethod = "post"
	r, err := fx.svc.Create(amr, in)
	if err != nil || r.SubjectOrgID != nil || r.NoticeMethod != "post" || !r.ByIDNumber || r.CreditCode != "" {
		t.Fatalf("recorded: %+v %v %v", r, err, fields(err))
	}
	if n, err := fx.svc.Settle(context.Background()); n != 0 || err != nil {
		t.Fatalf("settled %d before the period ended (%v)", n, err)
	}
	fx.clock.set(time.Date(2026, 3, 17, 0, 0, 1, 0, beijing))
	var wg sync.WaitGroup
	counts := make([]int, 3)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := fx.svc.Settle(context.Background())
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if counts[0]+counts[1]+counts[2] != 1 || fx.scalar(`SELECT count(*) FROM credit_record_events WHERE record_id = ? AND action = 'took_effect'`, r.ID) != 1 {
		t.Fatalf("three sweepers moved %v", counts)
	}
	v, err := fx.svc.Get(amr, r.ID)
	if err != nil || v.Status != credit.StatusInEffect || *v.DisplayUntil != "2026-09-17" || fx.shown(r.ID) != 1 {
		t.Fatalf("in effect: %+v %v", v.Record, err)
	}
	if _, err := fx.svc.Step(fx.as("enforcement.fz-amr"), r.ID, credit.ActionObject, credit.StepInput{Version: v.Version, Reason: "x"}); code(err) != domain.ECONFLICT {
		t.Errorf("an objection after the period: %v", err)
	}
	fx.clock.set(time.Date(2026, 9, 18, 8, 0, 0, 0, beijing))
	if n, err := fx.svc.Settle(context.Background()); n != 1 || err != nil {
		t.Fatalf("expired %d (%v)", n, err)
	}
	if v, _ := fx.svc.Get(amr, r.ID); v.Status != credit.StatusExpired || fx.shown(r.ID) != 0 {
		t.Errorf("after its display: %s", v.Status)
	}
}

// TestCredit_BadInput: each bad field is named and nothing is written; a
// decision not yet in force, a second record of the same decision and
// subject, and a display outside the tier's bounds are refused; only an
// enforcement body records.
func TestCredit_BadInput(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	amr := fx.as("enforcement.fz-amr")
	before := fx.scalar("SELECT count(*) FROM credit_records")
	_, err := fx.svc.Create(amr, credit.Input{Final: true, DecidedOn: calendar.NewDate(2030, time.January, 1)})
	for _, f := range []string{"subject_kind", "name", "credit_code", "finding", "source_kind", "document_number", "decided_on"} {
		if !slices.Contains(fields(err), f) {
			t.Errorf("field %s not named: %v", f, fields(err))
		}
	}
	for _, c := range []struct {
		name  string
		edit  func(*credit.Input)
		field string
	}{
		{"not final", func(in *credit.Input) { in.Final = false }, "final"},
		{"bad code", func(in *credit.Input) { in.CreditCode = "91350100X" }, "credit_code"},
		{"display too long", func(in *credit.Input) { in.DisplayMonths = 40 }, "display_months"},
		{"display too short for its tier", func(in *credit.Input) { in.Severity, in.DisplayMonths = credit.SeverityGeneral, 1 }, "display_months"},
		{"unknown tier", func(in *credit.Input) { in.Severity = "grave" }, "severity"},
	} {
		in := fx.input()
		c.edit(&in)
		if _, err := fx.svc.Create(amr, in); !slices.Contains(fields(err), c.field) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if fx.scalar("SELECT count(*) FROM credit_records") != before {
		t.Fatal("a refused record was written")
	}
	if _, err := fx.svc.Create(fx.as("director.gulou"), fx.input()); code(err) != domain.EFORBIDDEN {
		t.Errorf("a director records: %v", err)
	}
	if _, err := fx.svc.Create(amr, fx.input()); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Create(amr, fx.input()); !slices.Contains(fields(err), "document_number") {
		t.Errorf("the same decision twice: %v", err)
	}
}

// TestCredit_ExchangeRoundTrip: the export lists the records displayed
// today in the documented layout; an import of the same layout is
// idempotent by decision and subject, and a bad record names its field
// and writes nothing.
func TestCredit_ExchangeRoundTrip(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	amr, leader := fx.as("enforcement.fz-amr"), fx.as("leader")
	out, err := fx.svc.Export(leader)
	if err != nil {
		t.Fatal(err)
	}
	shownBefore := len(out)
	recs := []credit.Exchanged{{DocumentNumber: "闽知执〔2025〕7号", SourceKind: credit.SourceEnforcement, SubjectKind: "organisation",
		Name: "厦门某贸易有限公司", CreditCode: "91350200MA2XN5QX2U", Finding: "重复侵犯专利权", DecidedOn: calendar.NewDate(2025, time.June, 1),
		EffectiveOn: calendar.NewDate(2025, time.July, 1), DisplayUntil: calendar.NewDate(2027, time.July, 1), Severity: credit.SeveritySerious,
		RecordingBody: "福建省知识产权局"}}
	if !slices.Contains(credit.ExchangeColumns, "document_number") || len(recs[0].CSVRow()) != len(credit.ExchangeColumns) {
		t.Fatal("the CSV row does not follow the header")
	}
	bad := slices.Clone(recs)
	bad[0].CreditCode = "123"
	if _, err := fx.svc.Import(amr, 0, bad); !slices.Contains(fields(err), "records[0].credit_code") {
		t.Fatalf("a bad import: %v", err)
	}
	if _, err := fx.svc.Import(fx.as("sme1"), 0, recs); code(err) != domain.EFORBIDDEN {
		t.Errorf("an enterprise imports: %v", err)
	}
	for i, want := range []credit.ImportResult{{Created: 1}, {Existing: 1}} {
		got, err := fx.svc.Import(amr, 0, recs)
		if err != nil || got != want {
			t.Fatalf("import %d: %+v %v, want %+v", i+1, got, err, want)
		}
	}
	out, err = fx.svc.Export(leader)
	if err != nil || len(out) != shownBefore+1 {
		t.Fatalf("export: %d records (%v), want %d", len(out), err, shownBefore+1)
	}
	last := out[len(out)-1]
	if last.DocumentNumber != "闽知执〔2025〕7号" || last.RecordingBody != "福建省知识产权局" || last.DisplayUntil != recs[0].DisplayUntil {
		t.Errorf("exported %+v", last)
	}
	if _, err := fx.svc.Export(fx.as("sme1")); code(err) != domain.EFORBIDDEN {
		t.Errorf("an enterprise exports: %v", err)
	}
}
