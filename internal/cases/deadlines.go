package cases

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// The case's legal deadlines (docs/design.md §6), kept by internal/deadline inside
// each action's transaction:
//
//   - accept opens the mediation period, by source: a court-delegated
//     case mediation.court_delegated (30 days), a court-entrusted one
//     mediation.court_entrusted_ordinary (15) or _simplified (7) by its
//     court procedure, each counted from the day the committee received
//     the court's materials (签收 of the referral; the acceptance when the
//     case was registered by hand); every other source mediation.direct
//     (one month: the committee mediates a dispute it accepted itself),
//     counted from the acceptance (受理). The committee is responsible
//     until assign hands the period to the first mediator;
//     cases.mediation_due_at keeps its due time (docs/law.md §2);
//   - extend moves it (the original due time is kept as extended_from);
//   - settle and fail close it: met, or missed when it had already run
//     out; withdraw cancels every open deadline of the case; close cancels
//     a mediation period still open (only cases staged outside the
//     actions have one);
//   - the agreement taking effect (the last sign-off) opens the 30 days to
//     apply for judicial confirmation (judicial_confirmation.apply) and,
//     when the agreement fixes one, the performance date (24:00 that day).
//     Both stay open when the case is closed: the window runs whatever the
//     committee's file says, and the committee supervises performance
//     (People's Mediation Law art. 31). The performance date is the
//     mediator's follow-up (duty soft): a performance record that the
//     agreement was performed or refused closes it (performance.go).
//
// One row per deadline: the first active mediator is responsible for it
// (and follows when mediators withdraw or are replaced); the committee's
// director and clerks see it through its org_id, the other mediators of
// the case through their assignment (deadline.Service.Mine).

// mediationRule picks the rule of the mediation period for a case.
func mediationRule(source domain.CaseSource, procedure domain.CourtProcedure) string {
	switch source {
	case domain.SourceCourtDelegated:
		return deadline.RuleMediationCourtDelegated
	case domain.SourceCourtEntrusted:
		if procedure == domain.ProcedureSimplified {
			return deadline.RuleMediationCourtEntrustedSimple
		}
		// A case filed before the procedure was recorded counts as
		// ordinary, the longer period.
		return deadline.RuleMediationCourtEntrustedOrd
	}
	return deadline.RuleMediationDirect
}

// subject is the case as a deadline subject.
func (st *caseState) subject() deadline.Subject { return deadline.CaseSubject(st.row.ID) }

// responsible is the first active mediator, responsible for the case's
// deadlines; nil when the case has none (the committee is).
func (st *caseState) responsible() *int64 {
	if ms := st.activeMediators(); len(ms) > 0 {
		id := ms[0].UserID
		return &id
	}
	return nil
}

// syncResponsible hands the case's open deadlines to its first active
// mediator after the mediators changed.
func (s *Service) syncResponsible(ctx context.Context, tx *gorm.DB, st *caseState) error {
	d := s.deadlines
	return d.SetResponsibleTx(ctx, tx, st.subject(), st.responsible(), st.now)
}

// judicialConfirmationOffered reports whether the parties of a case of
// source src may apply to a court to confirm their agreement (People's
// Mediation Law art. 33): not those of a court-entrusted case, which the
// entrusting court concludes itself (a civil mediation statement, or the
// plaintiff's withdrawal).
func judicialConfirmationOffered(src domain.CaseSource) bool {
	return src != domain.SourceCourtEntrusted
}

// mediationStart is the event the mediation period of the case counts
// from: for a court's delegation or entrustment the receipt of its
// materials, otherwise (and for a court case registered by hand, whose
// receipt the system did not record) the acceptance; now for a case
// being accepted.
func mediationStart(st *caseState) time.Time {
	src := domain.CaseSource(st.row.Source)
	if r := st.row.MaterialsReceivedAt; r != nil && (src == domain.SourceCourtDelegated || src == domain.SourceCourtEntrusted) {
		return *r
	}
	if a := st.row.AcceptedAt; a != nil && st.status() != domain.StatusSubmitted {
		return *a
	}
	return st.now
}

// openMediation opens the mediation period of a case, counted from event.
func (s *Service) openMediation(ctx context.Context, tx *gorm.DB, st *caseState, event time.Time) (deadline.Deadline, error) {
	d := s.deadlines
	id := st.row.ID
	var proc domain.CourtProcedure
	if st.row.CourtProcedure != nil {
		proc = domain.CourtProcedure(*st.row.CourtProcedure)
	}
	return d.OpenTx(ctx, tx, deadline.Spec{Subject: st.subject(), OrgID: st.row.OrgID, CaseID: &id,
		Kind: deadline.KindMediation, RuleID: mediationRule(domain.CaseSource(st.row.Source), proc), Event: event,
		Responsible: st.responsible(), Now: st.now})
}

// extendMediation moves the mediation period to due. A case without an
// open mediation deadline (put into mediation outside the actions) gets
// one at due, recording its former due date as the original.
func (s *Service) extendMediation(ctx context.Context, tx *gorm.DB, st *caseState, due time.Time, reason string) error {
	d := s.deadlines
	note := fmt.Sprintf("经双方当事人同意延长调解期限，延长至 %s（北京时间）。理由：%s", due.In(calendar.Beijing).Format("2006-01-02 15:04"), reason)
	if st.row.MediationDueAt != nil {
		note = fmt.Sprintf("经双方当事人同意延长调解期限：原期限 %s 届满，延长至 %s（北京时间）。理由：%s",
			st.row.MediationDueAt.In(calendar.Beijing).Format("2006-01-02 15:04"), due.In(calendar.Beijing).Format("2006-01-02 15:04"), reason)
	}
	_, _, err := d.MoveTx(ctx, tx, st.subject(), deadline.KindMediation, due, note, st.now)
	if !errors.Is(err, deadline.ErrNotOpen) {
		return err
	}
	id := st.row.ID
	var proc domain.CourtProcedure
	if st.row.CourtProcedure != nil {
		proc = domain.CourtProcedure(*st.row.CourtProcedure)
	}
	_, err = d.OpenTx(ctx, tx, deadline.Spec{Subject: st.subject(), OrgID: st.row.OrgID, CaseID: &id,
		Kind: deadline.KindMediation, RuleID: mediationRule(domain.CaseSource(st.row.Source), proc), Due: due,
		Explanation: note, ExtendedFrom: st.row.MediationDueAt, Responsible: st.responsible(), Now: st.now})
	return err
}

// closeDeadlines ends the case's open deadlines of kind ("" every one).
func (s *Service) closeDeadlines(ctx context.Context, tx *gorm.DB, st *caseState, kind string, status deadline.Status) ([]deadline.Deadline, error) {
	d := s.deadlines
	return d.CloseTx(ctx, tx, st.subject(), kind, status, st.now)
}

// performanceBasis is the basis of the performance-date deadline: a date
// the parties fixed, which the committee supervises.
const performanceBasis = "调解协议约定的履行期限；《中华人民共和国人民调解法》第三十一条（当事人应当按照约定履行；人民调解委员会应当对调解协议的履行情况进行监督）"

// openAgreementDeadlines opens, when the agreement takes effect at at, the
// window to apply for judicial confirmation (not for a court-entrusted
// case, which goes back to the court that entrusted it:
// judicialConfirmationOffered) and the performance date.
func (s *Service) openAgreementDeadlines(ctx context.Context, tx *gorm.DB, st *caseState, at time.Time) (map[string]any, error) {
	d := s.deadlines
	id := st.row.ID
	note := map[string]any{}
	if judicialConfirmationOffered(domain.CaseSource(st.row.Source)) {
		jc, err := d.OpenTx(ctx, tx, deadline.Spec{Subject: st.subject(), OrgID: st.row.OrgID, CaseID: &id,
			Kind: deadline.KindJudicialConfirmation, RuleID: deadline.RuleJudicialConfirmationApply, Event: at,
			Responsible: st.responsible(), Now: st.now})
		if err != nil {
			return nil, err
		}
		note["judicial_confirmation_due_at"] = stamp(jc.DueAt)
	}
	if pd := st.agreement.PerformanceDue; pd != nil {
		day := calendar.NewDate(pd.Year(), pd.Month(), pd.Day()) // a date column: midnight UTC
		perf, err := d.OpenTx(ctx, tx, deadline.Spec{Subject: st.subject(), OrgID: st.row.OrgID, CaseID: &id,
			Kind: deadline.KindPerformance, Title: "调解协议履行期限（回访/跟进履行情况）", Due: day.End(), Event: at, Basis: performanceBasis,
			Explanation: fmt.Sprintf("调解协议约定于 %s 前履行完毕，届满 %s 24:00（北京时间）。约定的履行日期按约定，不因休息日顺延。"+
				"届时由调解员回访，跟进履行情况并登记履行结果（已履行、部分履行、拒不履行）；这不是调解期限，不因此视为调解超期。", day, day),
			// The mediator's follow-up, not the committee's overdue duty:
			// reminded at the stages, never escalated, never red.
			Duty:        deadline.DutySoft,
			Responsible: st.responsible(), Now: st.now})
		if err != nil {
			return nil, err
		}
		note["performance_due_at"] = stamp(perf.DueAt)
	}
	return note, nil
}

// recomputedDeadline keeps cases.mediation_due_at in step when
// deadline.Service.RecomputeProvisional moves a case's mediation period
// (the official holiday arrangement of its year arrived): the case row
// gets the new due time and a new version, the timeline a
// deadline_recomputed event by the system, and the audit log a row. A
// case whose due date no longer is the deadline's old one is left alone.
func (s *Service) recomputedDeadline(ctx context.Context, tx *gorm.DB, before, after deadline.Deadline) error {
	if after.Subject.Type != deadline.SubjectCase || after.Kind != deadline.KindMediation {
		return nil
	}
	var row caseRow
	err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("id = ?", after.Subject.ID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load case %d: %w", after.Subject.ID, err)
	}
	if row.MediationDueAt == nil || !row.MediationDueAt.Equal(before.DueAt) {
		return nil
	}
	now := s.clock()
	due := after.DueAt.UTC()
	if err := tx.WithContext(ctx).Model(&caseRow{}).Where("id = ?", row.ID).Updates(map[string]any{
		"mediation_due_at": due, "version": gorm.Expr("version + 1"), "updated_at": now,
	}).Error; err != nil {
		return fmt.Errorf("update case %d due date: %w", row.ID, err)
	}
	status := domain.CaseStatus(row.Status)
	ev, err := newEvent(row.ID, nil, "deadline_recomputed", status, status, map[string]any{
		"before":      map[string]any{"mediation_due_at": stamp(before.DueAt)},
		"after":       map[string]any{"mediation_due_at": stamp(due)},
		"rule":        after.RuleID,
		"provisional": after.Provisional,
	}, now)
	if err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return fmt.Errorf("record case event: %w", err)
	}
	org := row.OrgID
	return s.audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "case.deadline_recomputed", ObjectType: "case",
		ObjectID: strconv.FormatInt(row.ID, 10), Detail: map[string]any{
			"number": row.Number, "version": row.Version + 1, "event_id": ev.ID,
			"before": stamp(before.DueAt), "after": stamp(due),
		}})
}

// deadlineNote records on the timeline which deadlines an action closed
// and how (met, missed, cancelled).
func deadlineNote(closed []deadline.Deadline) map[string]any {
	note := map[string]any{}
	if len(closed) == 0 {
		return note
	}
	out := make([]map[string]any, len(closed))
	for i, d := range closed {
		out[i] = map[string]any{"deadline_id": d.ID, "kind": d.Kind, "status": string(d.Status), "due_at": stamp(d.DueAt)}
	}
	note["deadlines"] = out
	return note
}
