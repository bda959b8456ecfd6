package assistance

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Subject is the deadline subject of application id.
func Subject(id int64) deadline.Subject {
	return deadline.Subject{Type: deadline.SubjectApplication, ID: id}
}

// act runs one step on application id in a transaction: f gets the locked
// row (already checked by step) and the viewer; the application as it is
// after the step is returned.
func (s *Service) act(ctx context.Context, id int64, act Action, version int, f func(tx *gorm.DB, r *appRow, v viewer, now time.Time) error) (Application, error) {
	var out Application
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, v, err := s.step(ctx, tx, id, act, version)
		if err != nil {
			return err
		}
		if err := f(tx, &r, v, s.clock()); err != nil {
			return err
		}
		after, _, err := loadApp(ctx, tx, id, false)
		if err != nil {
			return err
		}
		out, err = s.toApplication(after, true)
		return err
	})
	if err != nil {
		return Application{}, fmt.Errorf("%s application %d: %w", act, id, err)
	}
	return out, nil
}

func (s *Service) auditStep(ctx context.Context, tx *gorm.DB, r appRow, action string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["number"] = r.Number
	center := r.CenterOrgID
	return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &center, Action: action, ObjectType: "assistance_application",
		ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail})
}

// RequestMaterials asks the applicant for missing materials (补正): the
// application waits for them until the supplement deadline (rule
// assistance.supplement, counted from now), when it lapses. The SME is
// notified with the message and the due time. EINVALID names message.
func (s *Service) RequestMaterials(ctx context.Context, id int64, in RequestMaterialsInput) (Application, error) {
	a := domain.ActorFrom(ctx)
	return s.act(ctx, id, ActionRequestMaterials, in.Version, func(tx *gorm.DB, r *appRow, _ viewer, now time.Time) error {
		var f domain.Fields
		msg := text(&f, "message", in.Message, true, maxText)
		if err := f.Err(); err != nil {
			return err
		}
		sp := deadline.Spec{Subject: Subject(r.ID), OrgID: r.CenterOrgID, Kind: KindSupplement, RuleID: RuleSupplement,
			Event: now, Now: now, Title: "补正材料：" + r.Number}
		if r.SubmittedBy > 0 {
			u := r.SubmittedBy
			sp.Responsible = &u
		}
		d, err := s.d.Deadlines.OpenTx(ctx, tx, sp)
		if err != nil {
			return err
		}
		var reqID int64
		if err := tx.Raw(`INSERT INTO assistance_material_requests (application_id, message, requested_by, requested_at, due_at, deadline_id)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, r.ID, msg, a.UserIDRef(), now, d.DueAt, d.ID).Scan(&reqID).Error; err != nil {
			return fmt.Errorf("insert material request: %w", err)
		}
		before := r.status()
		if err := setStatus(ctx, tx, r, StatusMaterialsRequested, now, nil); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, r.ID, a, "request_materials", before, StatusMaterialsRequested, map[string]any{
			"message": msg, "due_at": stamp(d.DueAt), "request_id": reqID, "provisional": d.Provisional}, now); err != nil {
			return err
		}
		if err := s.tellApplicant(ctx, tx, *r, NoticeMaterialsRequested, map[string]any{"Due": notify.FormatDue(d.DueAt), "Message": msg}); err != nil {
			return err
		}
		return s.auditStep(ctx, tx, *r, "assistance.request_materials", map[string]any{"request_id": reqID, "due_at": stamp(d.DueAt),
			"deadline_id": d.ID})
	})
}

// Answer records the applicant's answer to the open request for
// materials, closes the supplement deadline (met) and puts the
// application back under review. After the due time the answer is
// refused (ECONFLICT): the application lapses. EINVALID names answer.
func (s *Service) Answer(ctx context.Context, id int64, in AnswerInput) (Application, error) {
	a := domain.ActorFrom(ctx)
	return s.act(ctx, id, ActionAnswer, in.Version, func(tx *gorm.DB, r *appRow, _ viewer, now time.Time) error {
		if r.SupplementDueAt != nil && !now.Before(*r.SupplementDueAt) {
			return &domain.Error{Code: domain.ECONFLICT, Allowed: []string{},
				Message: "the time to supply the materials has run out; the application lapses"}
		}
		var f domain.Fields
		answer := text(&f, "answer", in.Answer, true, maxText)
		if err := f.Err(); err != nil {
			return err
		}
		res := tx.Exec(`UPDATE assistance_material_requests SET status = 'answered', answer = ?, answered_by = ?, answered_at = ?
WHERE application_id = ? AND status = 'open'`, answer, a.UserIDRef(), now, r.ID)
		if res.Error != nil {
			return fmt.Errorf("record answer: %w", res.Error)
		}
		if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(r.ID), KindSupplement, deadline.Met, now); err != nil {
			return err
		}
		before := r.status()
		if err := setStatus(ctx, tx, r, StatusUnderReview, now, nil); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, r.ID, a, "answer", before, StatusUnderReview, map[string]any{"answer": answer}, now); err != nil {
			return err
		}
		if err := s.tellApplicant(ctx, tx, *r, NoticeAnswered, nil); err != nil {
			return err
		}
		if err := s.tellOfficers(ctx, tx, *r, NoticeAnswered, nil); err != nil {
			return err
		}
		return s.auditStep(ctx, tx, *r, "assistance.answer", map[string]any{"requests_answered": res.RowsAffected})
	})
}

// Approve approves the application with a plan: the kinds of help given
// and the assistance officer responsible (the approver unless named).
// EINVALID names plan_help, plan_note or responsible_user_id.
func (s *Service) Approve(ctx context.Context, id int64, in ApproveInput) (Application, error) {
	a := domain.ActorFrom(ctx)
	return s.act(ctx, id, ActionApprove, in.Version, func(tx *gorm.DB, r *appRow, _ viewer, now time.Time) error {
		var f domain.Fields
		help := validateHelp(&f, "plan_help", in.Help)
		note := text(&f, "plan_note", in.Note, false, maxText)
		responsible := in.ResponsibleUserID
		if responsible == 0 {
			responsible = a.UserID
		}
		officers, err := notify.MembersTx(ctx, tx, r.CenterOrgID, officerRoles)
		if err != nil {
			return err
		}
		if !slices.Contains(officers, responsible) {
			f.Add("responsible_user_id", "validation.assistance_officer")
		}
		if err := f.Err(); err != nil {
			return err
		}
		before := r.status()
		if err := setStatus(ctx, tx, r, StatusApproved, now, map[string]any{
			"plan_help": gorm.Expr("?::text[]", pgArray(help)), "plan_note": note, "responsible_user_id": responsible,
			"decided_by": a.UserID, "decided_at": now}); err != nil {
			return err
		}
		r.ResponsibleUserID = &responsible
		if err := addEvent(ctx, tx, r.ID, a, "approve", before, StatusApproved, map[string]any{
			"plan_help": help, "plan_note": note, "responsible_user_id": responsible}, now); err != nil {
			return err
		}
		if err := s.tellApplicant(ctx, tx, *r, NoticeApproved, map[string]any{"Note": note}); err != nil {
			return err
		}
		return s.auditStep(ctx, tx, *r, "assistance.approve", map[string]any{"plan_help": help, "responsible_user_id": responsible})
	})
}

// Reject rejects the application with a reason; an open request for
// materials is cancelled with its deadline. EINVALID names reason.
func (s *Service) Reject(ctx context.Context, id int64, in RejectInput) (Application, error) {
	a := domain.ActorFrom(ctx)
	return s.act(ctx, id, ActionReject, in.Version, func(tx *gorm.DB, r *appRow, _ viewer, now time.Time) error {
		var f domain.Fields
		reason := text(&f, "reason", in.Reason, true, maxText)
		if err := f.Err(); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE assistance_material_requests SET status = 'cancelled' WHERE application_id = ? AND status = 'open'`,
			r.ID).Error; err != nil {
			return fmt.Errorf("cancel material request: %w", err)
		}
		if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(r.ID), "", deadline.Cancelled, now); err != nil {
			return err
		}
		before := r.status()
		if err := setStatus(ctx, tx, r, StatusRejected, now, map[string]any{"reject_reason": reason,
			"decided_by": a.UserID, "decided_at": now}); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, r.ID, a, "reject", before, StatusRejected, map[string]any{"reason": reason}, now); err != nil {
			return err
		}
		if err := s.tellApplicant(ctx, tx, *r, NoticeRejected, map[string]any{"Reason": reason}); err != nil {
			return err
		}
		return s.auditStep(ctx, tx, *r, "assistance.reject", map[string]any{"reason": reason})
	})
}
