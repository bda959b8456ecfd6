package cases_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// staged is a case put into a status directly in the database, with the
// rows that status implies.
type staged struct {
	id        int64
	version   int
	parties   []int64
	objection int64
}

// stageOpts vary the rows stage writes.
type stageOpts struct {
	effective bool // settled: the agreement is in effect
	mediators bool // assign the mediators whatever the status
}

// stage files a case as sme1 with gulou and moves it to status. From
// mediating on (and in every status with opts.mediators), mediator1 is
// assigned and has declared; in mediating, mediator2 is assigned and has
// not, and sme1 has a pending objection to mediator1. In agreement_draft
// the agreement exists, not yet in effect; in settled it is in effect
// (opts.effective is kept for the callers that say so).
func (fx *fixture) stage(status domain.CaseStatus, opts stageOpts) staged {
	fx.t.Helper()
	c := fx.submit("sme1", intake(fx.org("gulou")))
	s := staged{id: c.ID, version: c.Version, parties: fx.partyIDs(c.ID)}
	m1, m2 := fx.userID("mediator1.gulou"), fx.userID("mediator2.gulou")
	now := caseClock.Now().UTC()
	fx.exec("UPDATE cases SET status = ? WHERE id = ?", status, c.ID)
	if status != domain.StatusSubmitted {
		fx.exec("UPDATE cases SET accepted_at = ?, respondent_consent_at = ? WHERE id = ?", now, now, c.ID)
	}
	switch status {
	case domain.StatusMediating, domain.StatusAgreementDraft, domain.StatusSettled, domain.StatusFailed, domain.StatusClosed:
		opts.mediators = true
		fx.exec("UPDATE cases SET mediation_due_at = ? WHERE id = ?", now.AddDate(0, 0, 30), c.ID)
	}
	if opts.mediators {
		fx.exec("INSERT INTO case_mediators (case_id, user_id, assigned_at, declared_at, declaration) VALUES (?, ?, ?, ?, '无利害关系')",
			c.ID, m1, now, now)
		fx.exec("INSERT INTO case_mediators (case_id, user_id, assigned_at) VALUES (?, ?, ?)", c.ID, m2, now)
	}
	switch status {
	case domain.StatusMediating:
		s.objection = fx.count(`INSERT INTO case_objections (case_id, mediator_id, party_id, reason, raised_by)
VALUES (?, ?, ?, '调解员与被申请人系同学', ?) RETURNING id`, c.ID, m1, s.parties[0], fx.userID("sme1"))
	case domain.StatusAgreementDraft, domain.StatusSettled:
		var eff *time.Time
		if status == domain.StatusSettled {
			eff = &now
		}
		// Drawn up on the service's clock, as Settle would (the column's
		// default is the database's wall clock).
		fx.exec(`INSERT INTO case_agreements (case_id, facts, disputed_matters, responsibilities, terms, performance_method, effective_at, created_at)
VALUES (?, '事实', '争议', '责任', '条款', '一次性支付', ?, ?)`, c.ID, eff, now)
		if eff != nil {
			fx.exec("UPDATE cases SET outcome = 'settled', outcome_at = ? WHERE id = ?", now, c.ID)
		}
	case domain.StatusFailed:
		fx.exec("UPDATE cases SET outcome = 'failed', outcome_reason = '分歧较大', suggested_route = 'litigation' WHERE id = ?", c.ID)
	case domain.StatusClosed:
		fx.exec("UPDATE cases SET closed_at = ?, closing_note = '已履行' WHERE id = ?", now, c.ID)
		if opts.effective {
			// Closed after settlement: the agreement is in effect.
			fx.exec(`INSERT INTO case_agreements (case_id, facts, disputed_matters, responsibilities, terms, performance_method, effective_at, created_at)
VALUES (?, '事实', '争议', '责任', '条款', '一次性支付', ?, ?)`, c.ID, now, now)
			fx.exec("UPDATE cases SET outcome = 'settled', outcome_at = ? WHERE id = ?", now, c.ID)
		}
	}
	return s
}

// attempt is one action as its rightful actor would take it.
type attempt struct {
	who string
	run func(ctx context.Context, svc *cases.Service, s staged, fx *fixture) (domain.Case, error)
}

func attempts() map[domain.CaseAction]attempt {
	return map[domain.CaseAction]attempt{
		domain.ActionAccept: {"director.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Accept(ctx, s.id, cases.AcceptInput{Version: s.version, ConsentAt: hourAgo(), ConsentNote: "被申请人电话同意调解"})
		}},
		domain.ActionReject: {"director.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Reject(ctx, s.id, cases.ReasonInput{Version: s.version, Reason: "不属于知识产权纠纷", Route: domain.RouteLitigation})
		}},
		domain.ActionAssign: {"director.gulou", func(ctx context.Context, svc *cases.Service, s staged, fx *fixture) (domain.Case, error) {
			return svc.Assign(ctx, s.id, cases.AssignInput{Version: s.version, MediatorIDs: []int64{fx.userID("mediator1.gulou")}})
		}},
		domain.ActionDeclareConflict: {"mediator2.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Declare(ctx, s.id, cases.DeclareInput{Version: s.version, NoConflict: true, Statement: "与各方当事人无利害关系"})
		}},
		domain.ActionObject: {"sme1", func(ctx context.Context, svc *cases.Service, s staged, fx *fixture) (domain.Case, error) {
			return svc.Object(ctx, s.id, cases.ObjectInput{Version: s.version, MediatorID: fx.userID("mediator2.gulou"),
				PartyID: s.parties[0], Reason: "调解员曾为被申请人提供咨询"})
		}},
		domain.ActionDecideObjection: {"director.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.DecideObjection(ctx, s.id, cases.DecideObjectionInput{Version: s.version, ObjectionID: s.objection, Reason: "理由不成立"})
		}},
		domain.ActionLogSession: {"mediator1.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.LogSession(ctx, s.id, cases.SessionInput{Version: s.version, HeldAt: hourAgo(), Mode: domain.ModeInPerson,
				Place: "鼓楼区调委会调解室", Attendees: "双方当事人", Minutes: "双方陈述意见。"})
		}},
		domain.ActionExtend: {"director.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Extend(ctx, s.id, cases.ExtendInput{Version: s.version, NewDueAt: caseClock.Now().AddDate(0, 0, 60),
				Reason: "双方需要补充证据", ApplicantConsent: true, RespondentConsent: true})
		}},
		domain.ActionSettle: {"mediator1.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Settle(ctx, s.id, agreement(s.version))
		}},
		domain.ActionReviseAgreement: {"mediator1.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.ReviseAgreement(ctx, s.id, cases.ReviseAgreementInput{Version: s.version, Facts: "事实", DisputedMatters: "争议",
				Responsibilities: "责任", Terms: "条款（修改）", PerformanceMethod: "一次性支付"})
		}},
		domain.ActionSignoff: {"clerk.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Signoff(ctx, s.id, cases.SignoffInput{Version: s.version, SignerKind: "seal", Method: "seal", SignedAt: hourAgo()})
		}},
		domain.ActionFail: {"mediator1.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Fail(ctx, s.id, cases.FailInput{Version: s.version, Reason: "双方分歧较大", Route: domain.RouteLitigation})
		}},
		domain.ActionWithdraw: {"sme1", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Withdraw(ctx, s.id, cases.ReasonInput{Version: s.version, Reason: "双方已自行和解"})
		}},
		domain.ActionReassign: {"director.city", func(ctx context.Context, svc *cases.Service, s staged, fx *fixture) (domain.Case, error) {
			return svc.Reassign(ctx, s.id, cases.ReassignInput{Version: s.version, OrgID: fx.org("cangshan"), Reason: "均衡各调委会办案量"})
		}},
		domain.ActionClose: {"director.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.Close(ctx, s.id, cases.CloseInput{Version: s.version, Note: "已按协议履行完毕"})
		}},
		domain.ActionPerformance: {"mediator1.gulou", func(ctx context.Context, svc *cases.Service, s staged, _ *fixture) (domain.Case, error) {
			return svc.RecordPerformance(ctx, s.id, cases.PerformanceInput{Version: s.version, Result: domain.PerformancePerformed,
				PerformedOn: caseClock.Now().In(calendar.Beijing).Format("2006-01-02")})
		}},
	}
}

func agreement(version int) cases.AgreementInput {
	return cases.AgreementInput{Version: version, Facts: "被申请人销售了落入专利保护范围的产品。",
		DisputedMatters: "是否侵权及赔偿数额。", Responsibilities: "被申请人承担侵权责任。",
		Terms: "被申请人停止销售并赔偿三万元。", PerformanceMethod: "银行转账", PerformanceDue: "2030-01-31"}
}

// TestCaseService_ActionMatrix takes every action in every status: where
// the state machine allows it, the action succeeds and leads to its
// target status; elsewhere it is ECONFLICT listing exactly the actions
// the state machine allows, and changes nothing.
func TestCaseService_ActionMatrix(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	all := attempts()
	for _, action := range domain.CaseActions {
		at, ok := all[action]
		if !ok {
			t.Fatalf("no attempt for %s", action)
		}
		for _, status := range domain.CaseStatuses {
			t.Run(fmt.Sprintf("%s/%s", action, status), func(t *testing.T) {
				fx := fx.with(t)
				s := fx.stage(status, stageOpts{effective: action == domain.ActionClose || action == domain.ActionPerformance,
					mediators: strings.HasPrefix(at.who, "mediator")})
				c, err := at.run(fx.as(at.who), fx.svc, s, fx)
				allowed := domain.AllowedActions(status)
				if slices.Contains(allowed, action) {
					if err != nil {
						t.Fatalf("%s in %s: %v", action, status, err)
					}
					want := action.Target()
					if want == "" {
						want = status
					}
					if c.Status != want || c.Version != s.version+1 {
						t.Errorf("status %s version %d, want %s version %d", c.Status, c.Version, want, s.version+1)
					}
					if got := fx.eventActions(s.id); got[len(got)-1] != string(action) && got[len(got)-2] != string(action) {
						t.Errorf("events = %v", got)
					}
					if got := fx.auditActions(s.id); got[len(got)-1] != "case."+string(action) {
						t.Errorf("audit = %v", got)
					}
					return
				}
				de := wantCode(t, err, domain.ECONFLICT)
				var names []string
				for _, a := range allowed {
					names = append(names, string(a))
				}
				if !slices.Equal(de.Allowed, names) {
					t.Errorf("allowed = %v, want %v", de.Allowed, names)
				}
				if v := fx.version(s.id); v != s.version {
					t.Errorf("version changed to %d", v)
				}
				if got := fx.eventActions(s.id); !slices.Equal(got, []string{"submit"}) {
					t.Errorf("events = %v", got)
				}
			})
		}
	}
}

// TestCaseService_ActionPermissions takes each action on a case in a
// status that allows it, as actors who may see the case but not take the
// action: EFORBIDDEN, nothing changed.
func TestCaseService_ActionPermissions(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	all := attempts()
	statusFor := map[domain.CaseAction]domain.CaseStatus{
		domain.ActionAccept: domain.StatusSubmitted, domain.ActionReject: domain.StatusSubmitted,
		domain.ActionAssign: domain.StatusAccepted, domain.ActionSignoff: domain.StatusAgreementDraft,
		domain.ActionReviseAgreement: domain.StatusAgreementDraft,
		domain.ActionClose:           domain.StatusFailed, domain.ActionWithdraw: domain.StatusSubmitted,
		domain.ActionReassign: domain.StatusAccepted, domain.ActionPerformance: domain.StatusSettled,
	}
	tests := []struct {
		action domain.CaseAction
		who    []string
	}{
		{domain.ActionAccept, []string{"clerk.gulou", "sme1", "director.city"}},
		{domain.ActionReject, []string{"clerk.gulou", "sme1", "director.city"}},
		{domain.ActionAssign, []string{"clerk.gulou", "sme1", "director.city"}},
		{domain.ActionDeclareConflict, []string{"director.gulou", "clerk.gulou", "sme1"}},
		{domain.ActionObject, []string{"director.gulou", "mediator1.gulou", "director.city"}},
		{domain.ActionDecideObjection, []string{"clerk.gulou", "mediator1.gulou", "sme1"}},
		{domain.ActionLogSession, []string{"director.gulou", "clerk.gulou", "mediator2.gulou", "sme1"}},
		{domain.ActionExtend, []string{"clerk.gulou", "mediator1.gulou", "sme1"}},
		{domain.ActionSettle, []string{"director.gulou", "mediator2.gulou", "sme1"}},
		{domain.ActionReviseAgreement, []string{"director.gulou", "clerk.gulou", "mediator2.gulou", "sme1"}},
		{domain.ActionSignoff, []string{"mediator1.gulou", "sme1", "director.city"}}, // a seal: clerk or director only
		{domain.ActionFail, []string{"director.gulou", "mediator2.gulou", "sme1"}},
		{domain.ActionWithdraw, []string{"director.gulou", "director.city"}},
		{domain.ActionClose, []string{"clerk.gulou", "sme1", "director.city"}},
		{domain.ActionReassign, []string{"director.gulou", "clerk.gulou", "sme1"}},
		{domain.ActionPerformance, []string{"sme1", "director.city"}},
	}
	for _, tt := range tests {
		status, ok := statusFor[tt.action]
		if !ok {
			status = domain.StatusMediating
		}
		for _, who := range tt.who {
			t.Run(fmt.Sprintf("%s/%s", tt.action, who), func(t *testing.T) {
				fx := fx.with(t)
				s := fx.stage(status, stageOpts{})
				_, err := all[tt.action].run(fx.as(who), fx.svc, s, fx)
				wantCode(t, err, domain.EFORBIDDEN)
				if v := fx.version(s.id); v != s.version {
					t.Errorf("version changed to %d", v)
				}
			})
		}
	}
}

func TestCaseService_StaleVersion(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	s := fx.stage(domain.StatusSubmitted, stageOpts{})
	snapshot := func() string {
		var row string
		if err := fx.db.Raw("SELECT c::text FROM cases c WHERE id = ?", s.id).Scan(&row).Error; err != nil {
			t.Fatal(err)
		}
		return row
	}
	ctx := fx.as("director.gulou")
	if _, err := fx.svc.Accept(ctx, s.id, cases.AcceptInput{Version: s.version, ConsentAt: hourAgo()}); err != nil {
		t.Fatal(err)
	}
	before := snapshot()
	events := fx.eventActions(s.id)
	_, err := fx.svc.Assign(ctx, s.id, cases.AssignInput{Version: s.version, MediatorIDs: []int64{fx.userID("mediator1.gulou")}})
	de := wantCode(t, err, domain.ECONFLICT)
	if len(de.Allowed) != 0 {
		t.Errorf("a stale update is no illegal transition: allowed %v", de.Allowed)
	}
	if after := snapshot(); after != before {
		t.Errorf("row changed:\nbefore %s\nafter  %s", before, after)
	}
	if got := fx.eventActions(s.id); !slices.Equal(got, events) {
		t.Errorf("events = %v, want %v", got, events)
	}
	if n := fx.count("SELECT count(*) FROM case_mediators WHERE case_id = ?", s.id); n != 0 {
		t.Errorf("mediators written: %d", n)
	}

	t.Run("a missing version is invalid", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Reject(ctx, s.id, cases.ReasonInput{})
		wantCode(t, err, domain.ECONFLICT) // accepted: reject is not allowed, whatever the input
		_, err = fx.svc.Assign(ctx, s.id, cases.AssignInput{})
		wantCode(t, err, domain.EINVALID)
		if got := fieldNames(err); !slices.Equal(got, []string{"mediator_ids", "version"}) {
			t.Errorf("fields = %v", got)
		}
	})
}
