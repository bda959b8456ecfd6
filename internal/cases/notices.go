package cases

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Notifier queues a notice inside the transaction of the change it
// reports (notify.Service.SendTx).
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// The kinds of the case notices (web/i18n notify.<kind>.title and .body).
const (
	NoticeCaseFiled     = "case_filed"
	NoticeCaseAssigned  = "case_assigned"
	NoticeCaseObjection = "case_objection"
)

// tell queues notice kind about case row to the users, except the actor.
// Every notice names its case (the number, or the registration number
// before acceptance, and the kind of dispute) and links to it.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, a *domain.Actor, row caseRow, kind string, users []int64, extra map[string]any) error {
	ref := row.Number
	if ref == "" {
		ref = row.RegistrationNumber
	}
	params := map[string]any{"CaseRef": ref, "Dispute": row.DisputeType}
	for k, v := range extra {
		params[k] = v
	}
	link := "/cases/" + strconv.FormatInt(row.ID, 10)
	for _, u := range users {
		if a != nil && u == a.UserID {
			continue
		}
		if err := s.notices.SendTx(ctx, tx, notify.Message{UserID: u, Kind: kind, Params: params, Link: link,
			DedupKey: fmt.Sprintf("%s:%d:%d:%d", kind, row.ID, row.Version, u)}); err != nil {
			return err
		}
	}
	return nil
}

// membersWho are the active members of org holding case:any of perms
// there, in id order.
func (s *Service) membersWho(ctx context.Context, tx *gorm.DB, orgID int64, perms ...string) ([]int64, error) {
	var members []int64
	if err := tx.WithContext(ctx).Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? ORDER BY m.user_id`, orgID).Scan(&members).Error; err != nil {
		return nil, fmt.Errorf("members of %d: %w", orgID, err)
	}
	var out []int64
	for _, u := range members {
		for _, p := range perms {
			if s.authz.Can(u, orgID, "case", p) {
				out = append(out, u)
				break
			}
		}
	}
	return out, nil
}
