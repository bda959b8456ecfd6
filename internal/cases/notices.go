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
	// OutboxRow is the row SendTx would insert, for the intake, which
	// inserts it with everything else in one statement.
	OutboxRow(m notify.Message) (notify.Outboxed, error)
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
	for _, m := range s.caseNotices(a, row, kind, users, extra) {
		if err := s.notices.SendTx(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// caseNotices are the messages tell queues.
func (s *Service) caseNotices(a *domain.Actor, row caseRow, kind string, users []int64, extra map[string]any) []notify.Message {
	params := map[string]any{"CaseRef": row.ref(), "Dispute": row.DisputeType}
	for k, v := range extra {
		params[k] = v
	}
	link := "/cases/" + strconv.FormatInt(row.ID, 10)
	var out []notify.Message
	for _, u := range users {
		if a != nil && u == a.UserID {
			continue
		}
		out = append(out, notify.Message{UserID: u, Kind: kind, Params: params, Link: link,
			DedupKey: fmt.Sprintf("%s:%d:%d:%d", kind, row.ID, row.Version, u)})
	}
	return out
}

// membersWho are the active members of org holding case:any of perms
// there, in id order.
func (s *Service) membersWho(ctx context.Context, tx *gorm.DB, orgID int64, perms ...string) ([]int64, error) {
	var members []int64
	if err := tx.WithContext(ctx).Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? ORDER BY m.user_id`, orgID).Scan(&members).Error; err != nil {
		return nil, fmt.Errorf("members of %d: %w", orgID, err)
	}
	return s.holding(members, orgID, perms...), nil
}

// holding are those of the users who hold case:any of perms at orgID, in
// their order.
func (s *Service) holding(users []int64, orgID int64, perms ...string) []int64 {
	var out []int64
	for _, u := range users {
		for _, p := range perms {
			if s.authz.Can(u, orgID, "case", p) {
				out = append(out, u)
				break
			}
		}
	}
	return out
}
