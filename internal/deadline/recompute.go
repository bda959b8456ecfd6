package deadline

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RecomputeReport says what RecomputeProvisional did.
type RecomputeReport struct {
	// Checked open provisional deadlines.
	Checked int
	// Moved: the due time changed.
	Moved int
	// Confirmed: no longer provisional (the official file arrived).
	Confirmed int
}

// RecomputeProvisional recomputes every open provisional deadline from its
// event with the current calendar: when the official holiday arrangement
// of a year arrives (a new configs/holidays/<year>.yaml in a new release),
// a deadline that was computed from the statutory holidays alone may move
// (a make-up working day, a longer holiday block) and stops being
// provisional. Each deadline is recomputed in its own transaction with its
// row locked, so processes starting together do the work once; a deadline
// that still rests on a provisional year and has not moved is left as it
// is. The hooks registered with OnRecompute see every move. Deadlines
// without a rule or an event (fixed dates) and extended ones are never
// provisional. internal/app runs it at every start of serve and worker.
func (s *Service) RecomputeProvisional(ctx context.Context) (RecomputeReport, error) {
	var rep RecomputeReport
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&row{}).Where("status = ? AND provisional", Open).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return rep, fmt.Errorf("list provisional deadlines: %w", err)
	}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		moved, confirmed, err := s.recomputeOne(ctx, id)
		if err != nil {
			return rep, fmt.Errorf("recompute deadline %d: %w", id, err)
		}
		rep.Checked++
		if moved {
			rep.Moved++
		}
		if confirmed {
			rep.Confirmed++
		}
	}
	if rep.Checked > 0 {
		s.log.Info("provisional deadlines recomputed", "checked", rep.Checked, "moved", rep.Moved, "confirmed", rep.Confirmed)
	}
	return rep, nil
}

var errSkip = errors.New("skip")

func (s *Service) recomputeOne(ctx context.Context, id int64) (moved, confirmed bool, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r row
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("id = ? AND status = ? AND provisional", id, Open).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errSkip // closed or recomputed meanwhile
		}
		if err != nil {
			return err
		}
		rule, ok := s.rules.Rule(r.RuleID)
		if r.RuleID == "" || r.EventAt == nil || r.ExtendedFrom != nil || !ok {
			s.log.Warn("provisional deadline cannot be recomputed", "deadline_id", r.ID, "rule", r.RuleID)
			return errSkip
		}
		res, err := s.cal.Apply(rule, *r.EventAt)
		if err != nil {
			return err
		}
		due := dbTime(res.Due)
		if due.Equal(r.DueAt) && res.Provisional {
			return errSkip
		}
		before := r.toDeadline()
		moved, confirmed = !due.Equal(r.DueAt), !res.Provisional
		r.DueAt, r.Provisional, r.Explanation = due, res.Provisional, res.Explanation
		r.UpdatedAt, r.Version = s.clock(), r.Version+1
		if err := tx.Model(&row{}).Where("id = ?", r.ID).Updates(map[string]any{
			"due_at": r.DueAt, "provisional": r.Provisional, "explanation": r.Explanation,
			"updated_at": r.UpdatedAt, "version": r.Version,
		}).Error; err != nil {
			return err
		}
		after := r.toDeadline()
		if err := s.changed(ctx, tx, after); err != nil {
			return err
		}
		if !moved {
			return nil
		}
		s.mu.RLock()
		names := make([]string, 0, len(s.hooks))
		for n := range s.hooks {
			names = append(names, n)
		}
		sort.Strings(names)
		hooks := make([]RecomputeHook, len(names))
		for i, n := range names {
			hooks[i] = s.hooks[n]
		}
		s.mu.RUnlock()
		for _, h := range hooks {
			if err := h(ctx, tx, before, after); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errSkip) {
		return false, false, nil
	}
	return moved, confirmed, err
}
