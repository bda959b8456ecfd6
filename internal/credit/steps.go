package credit

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// StepInput is a step on a record.
type StepInput struct {
	// Version is the record's version the actor saw.
	Version int `json:"version"`
	// Reason: the objection, the repair application (what was corrected,
	// the commitment made), or the body's reasons for a decision.
	Reason string `json:"reason"`
	// Upheld (decide_objection) and Granted (decide_repair) are the
	// body's decisions.
	Upheld  bool `json:"upheld"`
	Granted bool `json:"granted"`
	// NoticeMethod (finalize): how a subject not registered here was told.
	NoticeMethod string `json:"notice_method"`
}

// Step takes act on record id. ENOTFOUND outside the actor's scope,
// ECONFLICT when the status does not allow it now or the version is
// stale, EFORBIDDEN when the actor may not take it, EINVALID naming the
// field.
func (s *Service) Step(ctx context.Context, id int64, act Action, in StepInput) (Record, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Record{}, err
	}
	if !slices.Contains(Actions, act) {
		return Record{}, domain.NotFound("action")
	}
	v := s.viewerOf(a)
	var out Record
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, ok, err := load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !ok || !v.sees(r) {
			return notFound()
		}
		if !v.may(r, act) {
			return domain.Errorf(domain.EFORBIDDEN, "you may not %s this record", act)
		}
		if !slices.Contains(from[act], r.status()) {
			return conflict(act, r.status())
		}
		var f domain.Fields
		if in.Version <= 0 {
			f.Add("version", "validation.required")
		}
		in.Reason = strings.TrimSpace(in.Reason)
		needsReason := act != ActionFinalize
		switch {
		case needsReason && in.Reason == "":
			f.Add("reason", "validation.required")
		case utf8.RuneCountInString(in.Reason) > maxReason:
			f.Add("reason", "validation.too_long", "Max", maxReason)
		}
		now := s.clock()
		if act == ActionFinalize && r.SubjectOrgID == nil && !slices.Contains(NoticeMethods, in.NoticeMethod) {
			f.Add("notice_method", "validation.one_of", "Values", strings.Join(NoticeMethods, ", "))
		}
		if !timeAllows(r, act, now) {
			switch act {
			case ActionObject:
				f.Add("reason", "validation.credit_objection_late")
			case ActionApplyRepair:
				day := ""
				if rf := repairFrom(r); rf != nil {
					day = rf.String()
				}
				f.Add("reason", "validation.credit_repair_early", "From", day)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if in.Version != r.Version {
			return stale(r.Version)
		}
		if err := s.apply(ctx, tx, a, &r, act, in, now); err != nil {
			return err
		}
		name, err := orgName(ctx, tx, r.OrgID)
		out = r.toRecord(name)
		return err
	})
	return out, err
}

// apply writes a step that Step checked.
func (s *Service) apply(ctx context.Context, tx *gorm.DB, a *domain.Actor, r *row, act Action, in StepInput, now time.Time) error {
	fromSt := r.status()
	detail := map[string]any{}
	if in.Reason != "" {
		detail["reason"] = in.Reason
	}
	var to Status
	var notice string
	switch act {
	case ActionFinalize:
		if err := s.auditStep(ctx, tx, *r, "credit_record.finalize", map[string]any{}); err != nil {
			return err
		}
		return s.tellSubject(ctx, tx, a, r, in.NoticeMethod, now)
	case ActionObject:
		to, notice = StatusObjected, NoticeObjected
		detail["by_body"] = !s.viewerOf(a).isSubject(*r)
		if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(r.ID), KindObjection, deadline.Met, now); err != nil {
			return err
		}
		if _, err := s.d.Deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: Subject(r.ID), OrgID: *r.OrgID, Kind: KindObjectionDecision,
			RuleID: RuleObjectionDecision, Event: now, Responsible: r.RecordedBy, Now: now}); err != nil {
			return err
		}
	case ActionDecideObjection:
		detail["upheld"] = in.Upheld
		to, notice = StatusInEffect, NoticeObjectionDismissed
		if in.Upheld {
			to, notice = StatusRevoked, NoticeObjectionUpheld
		}
		if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(r.ID), KindObjectionDecision, deadline.Met, now); err != nil {
			return err
		}
	case ActionApplyRepair:
		to, notice = StatusRepairing, NoticeRepairApplied
		detail["by_body"] = !s.viewerOf(a).isSubject(*r)
		if _, err := s.d.Deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: Subject(r.ID), OrgID: *r.OrgID, Kind: KindRepairDecision,
			RuleID: RuleRepairDecision, Event: now, Responsible: r.RecordedBy, Now: now}); err != nil {
			return err
		}
	case ActionDecideRepair:
		detail["granted"] = in.Granted
		to, notice = StatusInEffect, NoticeRepairRefused
		if in.Granted {
			to, notice = StatusRepaired, NoticeRepairGranted
		}
		if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(r.ID), KindRepairDecision, deadline.Met, now); err != nil {
			return err
		}
	}
	if err := s.setStatus(ctx, tx, r, to, now); err != nil {
		return err
	}
	if err := s.event(ctx, tx, a, r.ID, string(act), fromSt, to, detail, now); err != nil {
		return err
	}
	audited := map[string]any{"from": fromSt, "to": to}
	for k, v := range detail {
		audited[k] = v
	}
	if err := s.auditStep(ctx, tx, *r, "credit_record."+string(act), audited); err != nil {
		return err
	}
	params := map[string]any{}
	if in.Reason != "" {
		params["Reason"] = in.Reason
	}
	if act == ActionObject || act == ActionApplyRepair {
		return s.tellBody(ctx, tx, *r, notice, params)
	}
	return s.tellSubjectUsers(ctx, tx, *r, notice, params)
}

// setStatus moves r to st; taking effect sets the day it did and the last
// day of its display. r is updated in place.
func (s *Service) setStatus(ctx context.Context, tx *gorm.DB, r *row, st Status, now time.Time) error {
	upd := map[string]any{"status": string(st), "version": gorm.Expr("version + 1"), "updated_at": now}
	if st == StatusInEffect && r.EffectiveOn == nil {
		day := calendar.DateOf(now)
		until := displayUntil(day, r.DisplayMonths)
		// DATE columns hold the day itself, read back as midnight UTC.
		effD := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, time.UTC)
		endD := time.Date(until.Year, until.Month, until.Day, 0, 0, 0, 0, time.UTC)
		upd["effective_on"], upd["display_until"] = day.String(), until.String()
		r.EffectiveOn, r.DisplayUntil = &effD, &endD
	}
	if err := tx.WithContext(ctx).Table("credit_records").Where("id = ?", r.ID).Updates(upd).Error; err != nil {
		return fmtErr("status", err)
	}
	r.Status = string(st)
	r.Version++
	r.UpdatedAt = now
	return nil
}

// settleBatch is how many records one Settle transaction moves.
const settleBatch = 100

// Settle puts in effect every record whose objection period ended with no
// objection, and expires every record whose display period ended, by the
// service's clock; each with an event and an audit row, and its subject
// told. Rows another sweeper holds are skipped (SKIP LOCKED), so several
// workers may run it at once and each record moves once. It returns how
// many moved. The scheduler leader runs it (internal/worker).
func (s *Service) Settle(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.settleSome(ctx)
		total += n
		if err != nil || n < settleBatch {
			return total, err
		}
	}
}

func (s *Service) settleSome(ctx context.Context) (int, error) {
	n := 0
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		today := calendar.DateOf(now).String()
		var rows []row
		if err := tx.Raw(`SELECT * FROM credit_records WHERE (status = 'objection' AND objection_due <= ?)
   OR (status = 'in_effect' AND display_until < ?)
ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, now, today, settleBatch).Scan(&rows).Error; err != nil {
			return fmtErr("settle", err)
		}
		for i := range rows {
			r := &rows[i]
			fromSt := r.status()
			to, action, notice := StatusInEffect, "took_effect", NoticeInEffect
			if fromSt == StatusInEffect {
				to, action, notice = StatusExpired, "expired", ""
			} else if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(r.ID), KindObjection, deadline.Met, now); err != nil {
				return err
			}
			if err := s.setStatus(ctx, tx, r, to, now); err != nil {
				return err
			}
			if err := s.event(ctx, tx, nil, r.ID, action, fromSt, to, nil, now); err != nil {
				return err
			}
			if err := s.auditStep(ctx, tx, *r, "credit_record."+action, map[string]any{"from": fromSt, "to": to}); err != nil {
				return err
			}
			if notice != "" {
				if err := s.tellSubjectUsers(ctx, tx, *r, notice, nil); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	return n, err
}
