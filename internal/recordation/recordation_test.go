package recordation_test

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
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
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
	svc   *recordation.Service
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, beijing)}
	return &fixture{t: t, app: a, svc: a.CapabilitiesAt(c.Now).Recordations, clock: c}
}

func (fx *fixture) as(username string) context.Context { return apptest.As(fx.t, fx.app, username) }

func (fx *fixture) scalar(q string, args ...any) int64 {
	return apptest.Scalar[int64](fx.t, fx.app, q, args...)
}

func (fx *fixture) org(code string) int64 {
	return fx.scalar("SELECT id FROM orgs WHERE code = ?", code)
}

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

// deadline is the open validity deadline of recordation id.
type deadlineRow struct {
	ID     int64
	OrgID  int64
	DueAt  time.Time
	RuleID string
	Duty   string
}

func (fx *fixture) openDeadline(id int64) deadlineRow {
	fx.t.Helper()
	var d deadlineRow
	if err := fx.app.DB.Raw(`SELECT id, org_id, due_at, rule_id, duty FROM deadlines
WHERE subject_type = 'customs_recordation' AND subject_id = ? AND status = 'open'`, id).Scan(&d).Error; err != nil {
		fx.t.Fatal(err)
	}
	return d
}

func trademark() recordation.Input {
	return recordation.Input{Number: "T2016-31055", RightKind: domain.RightTrademark, RightNumber: "第7654321号",
		RightName: "“闽光”注册商标", ValidFrom: "2016-06-20"}
}

// TestRecordation_CreateRenew: an enterprise's user records its
// recordation; the ten years run to the corresponding day and the
// validity is a party's deadline of the enterprise, reminded to its users;
// a renewal within the last six months moves the end ten years on and
// replaces the deadline; one outside the window, or on a stale version,
// changes nothing.
func TestRecordation_CreateRenew(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	sme1 := fx.as("sme1")
	r, err := fx.svc.Create(sme1, trademark())
	if err != nil {
		t.Fatal(err)
	}
	if r.HolderOrgID != fx.org("ent-sme1") || r.Status != recordation.StatusValid || r.ValidUntil.String() != "2026-06-20" ||
		!r.RenewalOpen || r.RenewalFrom.String() != "2025-12-20" || r.Version != 1 {
		t.Fatalf("recorded %+v", r)
	}
	d := fx.openDeadline(r.ID)
	if want := time.Date(2026, 6, 21, 0, 0, 0, 0, beijing); !d.DueAt.Equal(want) || d.RuleID != recordation.RuleValidity ||
		d.Duty != "party" || d.OrgID != fx.org("ent-sme1") {
		t.Fatalf("validity deadline %+v, want due %v", d, want)
	}
	sme1User := fx.scalar("SELECT id FROM users WHERE username = 'sme1'")
	if n := fx.scalar("SELECT count(*) FROM reminders WHERE deadline_id = ? AND recipient_user_id = ? AND status = 'pending'", d.ID, sme1User); n == 0 {
		t.Error("the holder's user is not reminded before the recordation lapses")
	}
	if n := fx.scalar(`SELECT count(*) FROM outbox WHERE topic = 'notify:send' AND payload->>'kind' = 'deadline_party_set'
AND payload->>'link' = ? AND (payload->>'user_id')::bigint = ?`, recordation.Link(r.ID), sme1User); n != 1 {
		t.Errorf("the holder's user was told of the validity %d times, want 1", n)
	}
	if n := fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'customs_recordation.create' AND object_id = ? AND org_id = ?",
		strconv.FormatInt(r.ID, 10), fx.org("ent-sme1")); n != 1 {
		t.Errorf("create audit rows %d", n)
	}

	// Outside the renewal window: refused naming the field, nothing changes.
	_, err = fx.svc.Change(sme1, r.ID, recordation.ChangeInput{Action: recordation.ActionRenew, Version: 1, RenewedOn: "2025-11-30"})
	if !slices.Equal(fields(err), []string{"renewed_on"}) {
		t.Fatalf("renewal before the window: %v", err)
	}
	// A stale version.
	_, err = fx.svc.Change(sme1, r.ID, recordation.ChangeInput{Action: recordation.ActionRenew, Version: 7, RenewedOn: "2026-02-10"})
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("stale renewal: %v", err)
	}
	if fx.scalar("SELECT version FROM customs_recordations WHERE id = ?", r.ID) != 1 || fx.openDeadline(r.ID).ID != d.ID {
		t.Fatal("a refused renewal changed the recordation")
	}

	r2, err := fx.svc.Change(sme1, r.ID, recordation.ChangeInput{Action: recordation.ActionRenew, Version: 1, RenewedOn: "2026-02-10"})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Status != recordation.StatusRenewed || r2.ValidUntil.String() != "2036-06-20" || r2.RenewedOn == nil || r2.Version != 2 {
		t.Fatalf("renewed %+v", r2)
	}
	if st := fx.scalar("SELECT count(*) FROM deadlines WHERE id = ? AND status = 'met'", d.ID); st != 1 {
		t.Error("the renewed period's deadline is not met")
	}
	if d2 := fx.openDeadline(r.ID); !d2.DueAt.Equal(time.Date(2036, 6, 21, 0, 0, 0, 0, beijing)) || d2.ID == d.ID {
		t.Errorf("the next period's deadline %+v", d2)
	}
	if n := fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'customs_recordation.renew' AND object_id = ?", strconv.FormatInt(r.ID, 10)); n != 1 {
		t.Errorf("renew audit rows %d", n)
	}
}

// TestRecordation_BadInput: every bad particular is refused naming its
// field, and nothing is written.
func TestRecordation_BadInput(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	sme1 := fx.as("sme1")
	for _, tc := range []struct {
		name  string
		edit  func(*recordation.Input)
		field string
	}{
		{"number shape", func(in *recordation.Input) { in.Number = "海关备案12345" }, "number"},
		{"number letter for the kind", func(in *recordation.Input) { in.Number = "P2016-31055" }, "number"},
		{"number year", func(in *recordation.Input) { in.Number = "T1980-31055" }, "number"},
		{"missing number", func(in *recordation.Input) { in.Number = " " }, "number"},
		{"right kind customs does not protect", func(in *recordation.Input) { in.RightKind = domain.RightTradeSecret }, "right_kind"},
		{"missing right name", func(in *recordation.Input) { in.RightName = "" }, "right_name"},
		{"malformed start", func(in *recordation.Input) { in.ValidFrom = "2016/06/20" }, "valid_from"},
		{"future start", func(in *recordation.Input) { in.ValidFrom = "2026-04-01" }, "valid_from"},
		{"end before start", func(in *recordation.Input) { in.ValidUntil = "2015-01-01" }, "valid_until"},
		{"holder not an enterprise", func(in *recordation.Input) { in.HolderOrgID = fx.org("gulou") }, "holder_org_id"},
	} {
		in := trademark()
		tc.edit(&in)
		_, err := fx.svc.Create(sme1, in)
		if got := fields(err); !slices.Contains(got, tc.field) {
			t.Errorf("%s: fields %v (%v), want %s", tc.name, got, err, tc.field)
		}
	}
	if n := fx.scalar("SELECT count(*) FROM customs_recordations") + fx.scalar("SELECT count(*) FROM deadlines WHERE subject_type = 'customs_recordation'") +
		fx.scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'customs_recordation.%'"); n != 0 {
		t.Fatalf("refused input wrote %d rows", n)
	}
	if _, err := fx.svc.Create(sme1, trademark()); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Create(fx.as("assistance.fz"), recordation.Input{HolderOrgID: fx.org("ent-sme2"), Number: "t2016-31055",
		RightKind: domain.RightTrademark, RightName: "另一商标", ValidFrom: "2016-07-01"}); !slices.Equal(fields(err), []string{"number"}) {
		t.Fatalf("a number taken: %v", err)
	}
	if n := fx.scalar("SELECT count(*) FROM customs_recordations"); n != 1 {
		t.Fatalf("%d recordations, want 1", n)
	}
}

// TestRecordation_Scope: an enterprise reads and changes only its own;
// the assistance centre records for any enterprise; customs and the
// leadership office read all and change nothing; a committee reads none.
func TestRecordation_Scope(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	own, err := fx.svc.Create(fx.as("sme1"), trademark())
	if err != nil {
		t.Fatal(err)
	}
	centre := fx.as("assistance.fz")
	other, err := fx.svc.Create(centre, recordation.Input{HolderOrgID: fx.org("ent-sme2"), Number: "C2020-00077",
		RightKind: domain.RightCopyright, RightName: "茶文化插画集", ValidFrom: "2020-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	sme2 := fx.as("sme2")
	if _, err := fx.svc.Get(sme2, own.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("another enterprise reads it: %v", err)
	}
	if _, err := fx.svc.Change(sme2, own.ID, recordation.ChangeInput{Action: recordation.ActionWithdraw, Version: 1, Reason: "x"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("another enterprise changes it: %v", err)
	}
	if _, err := fx.svc.Create(sme2, recordation.Input{HolderOrgID: fx.org("ent-sme1"), Number: "T2018-00001",
		RightKind: domain.RightTrademark, RightName: "冒名", ValidFrom: "2018-01-01"}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("another enterprise records for it: %v", err)
	}
	list, err := fx.svc.List(sme2, recordation.ListFilter{})
	if err != nil || len(list) != 1 || list[0].ID != other.ID || !list[0].Manage {
		t.Errorf("sme2 lists %+v (%v)", list, err)
	}
	for _, u := range []string{"customs.fz", "leader", "assistance.fz"} {
		list, err := fx.svc.List(fx.as(u), recordation.ListFilter{})
		if err != nil || len(list) != 2 {
			t.Errorf("%s lists %d (%v), want 2", u, len(list), err)
		}
	}
	customs := fx.as("customs.fz")
	if _, err := fx.svc.Change(customs, own.ID, recordation.ChangeInput{Action: recordation.ActionWithdraw, Version: 1, Reason: "x"}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("customs changes it: %v", err)
	}
	actor := func(ctx context.Context) *domain.Actor { return domain.ActorFrom(ctx) }
	if fx.svc.CanManage(actor(customs)) || fx.svc.CanManage(actor(fx.as("leader"))) || fx.svc.CanRead(actor(fx.as("clerk.gulou"))) {
		t.Error("customs or the office manages, or a committee reads")
	}
	if _, err := fx.svc.List(fx.as("clerk.gulou"), recordation.ListFilter{}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a committee lists: %v", err)
	}
	if fx.scalar("SELECT count(*) FROM customs_recordations WHERE status <> 'valid'") != 0 {
		t.Error("a refused change changed a recordation")
	}
}

// TestRecordation_Lapse: past its end a recordation reads lapsed and is no
// longer offered to customs; withdrawing closes its deadline.
func TestRecordation_Lapse(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	sme1 := fx.as("sme1")
	r, err := fx.svc.Create(sme1, trademark())
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.DateOf(fx.clock.Now())
	if p, err := recordation.CheckTx(context.Background(), fx.app.DB, "t2016-31055", []int64{fx.org("ent-sme1")}, today); err != nil || p != "" {
		t.Fatalf("in force: %q %v", p, err)
	}
	if p, _ := recordation.CheckTx(context.Background(), fx.app.DB, "T2016-31055", []int64{fx.org("ent-sme2")}, today); p != "validation.recordation_holder_mismatch" {
		t.Errorf("another holder's: %q", p)
	}
	if p, _ := recordation.CheckTx(context.Background(), fx.app.DB, "T2016-99999", nil, today); p != "validation.recordation_unknown" {
		t.Errorf("unknown: %q", p)
	}
	fx.clock.set(time.Date(2026, 6, 21, 9, 0, 0, 0, beijing))
	got, err := fx.svc.Get(sme1, r.ID)
	if err != nil || got.Status != recordation.StatusLapsed || got.RenewalOpen {
		t.Fatalf("after its end: %+v %v", got, err)
	}
	if list, _ := fx.svc.List(sme1, recordation.ListFilter{Status: recordation.StatusLapsed}); len(list) != 1 {
		t.Errorf("lapsed filter lists %d", len(list))
	}
	if p, _ := recordation.CheckTx(context.Background(), fx.app.DB, "T2016-31055", nil, calendar.DateOf(fx.clock.Now())); p != "validation.recordation_lapsed" {
		t.Errorf("lapsed: %q", p)
	}
	if opts, _ := recordation.InForceTx(context.Background(), fx.app.DB, nil, calendar.DateOf(fx.clock.Now())); len(opts) != 0 {
		t.Errorf("a lapsed recordation is offered: %+v", opts)
	}

	fx.clock.set(time.Date(2026, 3, 3, 9, 0, 0, 0, beijing))
	if _, err := fx.svc.Change(sme1, r.ID, recordation.ChangeInput{Action: recordation.ActionWithdraw, Version: 1}); !slices.Equal(fields(err), []string{"reason"}) {
		t.Fatalf("withdraw without a reason: %v", err)
	}
	w, err := fx.svc.Change(sme1, r.ID, recordation.ChangeInput{Action: recordation.ActionWithdraw, Version: 1, Reason: "商标已转让"})
	if err != nil || w.Status != recordation.StatusWithdrawn {
		t.Fatalf("withdraw: %+v %v", w, err)
	}
	if n := fx.scalar("SELECT count(*) FROM deadlines WHERE subject_type = 'customs_recordation' AND subject_id = ? AND status = 'cancelled'", r.ID); n != 1 {
		t.Errorf("withdrawn: %d cancelled deadlines", n)
	}
	if _, err := fx.svc.Change(sme1, r.ID, recordation.ChangeInput{Action: recordation.ActionRenew, Version: 2, RenewedOn: "2026-03-01"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("renewing a withdrawn recordation: %v", err)
	}
}

// TestRecordation_LateRenewal: a renewal granted within the window may be
// recorded after the end; the recordation is in force again.
func TestRecordation_LateRenewal(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	sme1 := fx.as("sme1")
	r, err := fx.svc.Create(sme1, trademark())
	if err != nil {
		t.Fatal(err)
	}
	fx.clock.set(time.Date(2026, 7, 1, 9, 0, 0, 0, beijing))
	if got, _ := fx.svc.Get(sme1, r.ID); got.Status != recordation.StatusLapsed || !got.Open {
		t.Fatalf("past the end: %+v", got)
	}
	got, err := fx.svc.Change(sme1, r.ID, recordation.ChangeInput{Action: recordation.ActionRenew, Version: 1, RenewedOn: "2026-06-10"})
	if err != nil || got.Status != recordation.StatusRenewed || got.ValidUntil.String() != "2036-06-20" {
		t.Fatalf("late renewal: %+v %v", got, err)
	}
	if d := fx.openDeadline(r.ID); !d.DueAt.Equal(time.Date(2036, 6, 21, 0, 0, 0, 0, beijing)) {
		t.Errorf("the next period's deadline %+v", d)
	}
}
