package assistance

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// lapseBatch is how many applications one lapse transaction handles.
const lapseBatch = 100

// LapseOverdue lapses every application still waiting for materials whose
// supplement deadline has run out by the service's clock: the request is
// marked lapsed, the deadline missed, the application lapsed, with a
// timeline entry, an audit row and a notice to the SME, each batch in one
// transaction. Rows locked by another sweeper are skipped (SKIP LOCKED), so
// several workers may run it at once; each application lapses once. It
// returns how many lapsed. The scheduler leader runs it periodically
// (internal/worker).
func (s *Service) LapseOverdue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.lapseSome(ctx)
		total += n
		if err != nil || n < lapseBatch {
			return total, err
		}
	}
}

func (s *Service) lapseSome(ctx context.Context) (int, error) {
	n := 0
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		var ids []int64
		if err := tx.Raw(`SELECT a.id FROM assistance_applications a
JOIN assistance_material_requests r ON r.application_id = a.id AND r.status = 'open'
WHERE a.status = 'materials_requested' AND r.due_at <= ?
ORDER BY r.due_at, a.id LIMIT ? FOR UPDATE OF a SKIP LOCKED`, now, lapseBatch).Scan(&ids).Error; err != nil {
			return fmt.Errorf("find overdue applications: %w", err)
		}
		for _, id := range ids {
			r, ok, err := loadApp(ctx, tx, id, false)
			if err != nil {
				return err
			}
			if !ok || r.status() != StatusMaterialsRequested {
				continue
			}
			due := r.SupplementDueAt
			if err := tx.Exec(`UPDATE assistance_material_requests SET status = 'lapsed' WHERE application_id = ? AND status = 'open'`,
				id).Error; err != nil {
				return fmt.Errorf("lapse material request: %w", err)
			}
			if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(id), KindSupplement, deadline.Missed, now); err != nil {
				return err
			}
			if err := setStatus(ctx, tx, &r, StatusLapsed, now, nil); err != nil {
				return err
			}
			detail := map[string]any{}
			params := map[string]any{}
			if due != nil {
				detail["due_at"] = stamp(*due)
				params["Due"] = notify.FormatDue(*due)
			}
			if err := addEvent(ctx, tx, id, nil, "lapse", StatusMaterialsRequested, StatusLapsed, detail, now); err != nil {
				return err
			}
			if err := s.tellApplicant(ctx, tx, r, NoticeLapsed, params); err != nil {
				return err
			}
			if err := s.auditStep(ctx, tx, r, "assistance.lapse", detail); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("lapse overdue applications: %w", err)
	}
	return n, nil
}
