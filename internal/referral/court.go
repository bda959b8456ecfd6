package referral

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Court docking (诉调对接): a court delegates (委派, before filing) or
// entrusts (委托, after filing) a dispute to a committee. Accepting files
// the case with the committee as the court sent it; the case's outcome
// comes back to the referral by itself.

// fileCourtCase files the case of an accepted delegation or entrustment
// with the receiving committee (source court_delegated or
// court_entrusted, the court's number as external reference, the
// procedure of an entrusted case) and moves the referral's files to it.
func (s *Service) fileCourtCase(ctx context.Context, tx *gorm.DB, st *state) (int64, string, error) {
	fields := st.row.fields()
	enc, _ := fields["case_enc"].(string)
	plain, err := s.pii.Decrypt(enc)
	if err != nil {
		return 0, "", fmt.Errorf("decrypt delegated case: %w", err)
	}
	var in cases.IntakeInput
	if err := json.Unmarshal([]byte(plain), &in); err != nil {
		return 0, "", fmt.Errorf("decode delegated case: %w", err)
	}
	in.OrgID = st.row.ReceiverOrgID
	// The mediation period runs from the committee's receipt (签收) of
	// the court's materials (docs/law.md §2); accepting what was not
	// acknowledged acknowledges it first.
	in.MaterialsReceivedAt = st.row.ReceivedAt
	if fl := Describe(Kind(st.row.Kind)).filing; fl != nil {
		in.Source, in.CourtProcedure = fl.source, ""
		if fl.procedure {
			p, _ := fields["procedure"].(string)
			in.CourtProcedure = domain.CourtProcedure(p)
		}
		in.ExternalRef, _ = fields[fl.refKey].(string)
	}
	c, err := s.cases.SubmitInternal(ctx, tx, in)
	if err != nil {
		return 0, "", err
	}
	if _, err := s.documents.MoveReferralFilesTx(ctx, tx, st.row.ID, c.ID); err != nil {
		return 0, "", err
	}
	return c.ID, c.Ref(), nil
}

// caseOutcome is the case service's outcome hook: when a case filed from a
// court's delegation or entrustment reaches its outcome (the agreement
// took effect, mediation failed, the case was rejected or withdrawn), the
// referral is completed with that result, inside the case action's
// transaction, for the court to see.
func (s *Service) caseOutcome(ctx context.Context, tx *gorm.DB, o cases.Outcome) error {
	if o.Result == domain.StatusClosed {
		// Closing ends the case after its outcome, which completed the
		// referral already.
		return nil
	}
	var rows []row
	if err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("case_id = ? AND kind IN ? AND status = ?", o.CaseID, kindNames(FilingKinds()), StatusAccepted).
		Order("id").Find(&rows).Error; err != nil {
		return fmt.Errorf("referrals of case %d: %w", o.CaseID, err)
	}
	for _, r := range rows {
		result := map[string]any{"outcome": string(o.Result), "case_id": o.CaseID, "case_number": o.Number}
		if o.EffectiveAt != nil {
			result["agreement_effective_at"] = o.EffectiveAt.UTC().Format(time.RFC3339)
		}
		if o.Reason != "" {
			result["reason"] = o.Reason
		}
		if o.Route != "" {
			result["suggested_route"] = string(o.Route)
		}
		st := &state{row: r, now: o.At.UTC().Truncate(time.Microsecond), actor: o.Actor}
		if st.now.IsZero() {
			st.now = s.clock()
		}
		ch, err := s.completeWith(ctx, tx, st, result)
		if err != nil {
			return err
		}
		ch.detail["automatic"] = true
		if err := s.commitAuto(ctx, tx, st, ch); err != nil {
			return err
		}
	}
	return nil
}

// commitAuto is commit for a completion the case reported: the same
// writes, in the committee's name.
func (s *Service) commitAuto(ctx context.Context, tx *gorm.DB, st *state, ch stepChange) error {
	set := ch.set
	set["status"], set["version"], set["updated_at"] = string(StatusCompleted), gorm.Expr("version + 1"), st.now
	if err := tx.WithContext(ctx).Model(&row{}).Where("id = ?", st.row.ID).Updates(set).Error; err != nil {
		return fmt.Errorf("complete referral %d: %w", st.row.ID, err)
	}
	from := Status(st.row.Status)
	st.row.Status, st.row.Version = string(StatusCompleted), st.row.Version+1
	recv := st.row.ReceiverOrgID
	ch.detail["sender_org_id"], ch.detail["receiver_org_id"] = st.row.SenderOrgID, recv
	if err := s.record(ctx, tx, st.actor, &recv, st.row, "completed", from, StatusCompleted, ch.detail, st.now); err != nil {
		return err
	}
	if st.row.SenderOrgID != nil {
		if err := s.tell(ctx, tx, st.actor, st.row, ActionReceive, "referral_completed", *st.row.SenderOrgID, ch.extra); err != nil {
			return err
		}
	}
	return s.audit.Append(ctx, tx, audit.Entry{OrgID: &recv, Action: "referral.complete", ObjectType: "referral",
		ObjectID: strconv.FormatInt(st.row.ID, 10), Detail: map[string]any{"kind": st.row.Kind, "from_status": string(from),
			"to_status": string(StatusCompleted), "version": st.row.Version, "case_id": st.row.CaseID, "automatic": true}})
}
