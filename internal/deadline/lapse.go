package deadline

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
)

// Auditor appends to the audit log inside a transaction (audit.Log).
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// lapseBatch bounds the deadlines one LapseInformation transaction closes.
const lapseBatch = 500

// LapseInformation closes, as lapsed, every open information deadline
// (DutyInformation: the parties' window to apply for judicial
// confirmation) whose due time has passed: quietly, with no reminder and
// no escalation, since nobody owed anything. Each batch is one
// transaction that writes the rows, runs the change hooks (which cancel
// any reminder left) and appends one audit entry per deadline on its
// organisation's chain, by the system. au may be nil (tests). It returns
// the number of deadlines lapsed. The scheduler leader runs it
// (internal/worker).
func (s *Service) LapseInformation(ctx context.Context, au Auditor) (int, error) {
	total := 0
	for {
		var closed []Deadline
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			now := s.clock()
			var rows []row
			if err := tx.Raw(`UPDATE deadlines SET status = 'lapsed', closed_at = ?, updated_at = ?, version = version + 1
WHERE id IN (SELECT id FROM deadlines WHERE status = 'open' AND duty = 'information' AND due_at <= ?
	ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
RETURNING *`, now, now, now, lapseBatch).Scan(&rows).Error; err != nil {
				return fmt.Errorf("lapse information deadlines: %w", err)
			}
			closed = make([]Deadline, len(rows))
			for i, r := range rows {
				closed[i] = r.toDeadline()
				if au == nil {
					continue
				}
				org := r.OrgID
				detail := map[string]any{"kind": r.Kind, "rule": r.RuleID, "due_at": r.DueAt.UTC().Format("2006-01-02T15:04:05Z"),
					"subject_type": r.SubjectType, "subject_id": r.SubjectID}
				if err := au.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "deadline.lapse",
					ObjectType: "deadline", ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail}); err != nil {
					return err
				}
			}
			return s.changed(ctx, tx, closed...)
		})
		if err != nil {
			return total, err
		}
		total += len(closed)
		if len(closed) < lapseBatch {
			break
		}
	}
	if total > 0 {
		s.log.Info("information deadlines lapsed", "n", total)
	}
	return total, nil
}
