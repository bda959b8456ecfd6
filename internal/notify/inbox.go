package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// Notification is one entry of a user's inbox. Its text is rendered in
// the reader's language with Render.
type Notification struct {
	ID        int64
	Kind      string
	Params    map[string]any
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// InboxFilter selects inbox entries, newest first.
type InboxFilter struct {
	UnreadOnly bool
	// Cursor continues a previous page (its next cursor).
	Cursor string
	// Limit is the page size: 1..200, default 50.
	Limit int
}

// UnreadCap is the largest unread count UnreadCount reports; the badge
// shows "99+" beyond it, and counting stops there to stay cheap.
const UnreadCap = 100

// Inbox lists the actor's own notifications, newest first, with keyset
// pagination. Only the actor's own rows are ever read: another user's
// notification does not exist for them.
func (s *Service) Inbox(ctx context.Context, f InboxFilter) ([]Notification, string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	f.Limit = keyset.Limit(f.Limit)
	q := s.db.WithContext(ctx).Table("notifications").
		Select("id, kind, params::text AS params, link, created_at, read_at").
		Where("user_id = ?", a.UserID).Order("id DESC").Limit(f.Limit + 1)
	if f.UnreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if f.Cursor != "" {
		last, err := keyset.DecodeID(f.Cursor)
		if err != nil {
			return nil, "", domain.Invalid(domain.FieldError{Field: "cursor", Message: "validation.cursor"})
		}
		q = q.Where("id < ?", last)
	}
	var rows []struct {
		ID        int64
		Kind      string
		Params    string
		Link      string
		CreatedAt time.Time
		ReadAt    *time.Time
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("inbox: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = keyset.ID(rows[len(rows)-1].ID)
	}
	out := make([]Notification, len(rows))
	for i, r := range rows {
		n := Notification{ID: r.ID, Kind: r.Kind, Link: r.Link, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt, Params: map[string]any{}}
		if r.Params != "" {
			if err := json.Unmarshal([]byte(r.Params), &n.Params); err != nil {
				return nil, "", fmt.Errorf("notification %d params: %w", r.ID, err)
			}
		}
		out[i] = n
	}
	return out, next, nil
}

// MarkRead marks one of the actor's notifications read (again is no
// error). Another user's notification gives ENOTFOUND.
func (s *Service) MarkRead(ctx context.Context, id int64) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Exec(`UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?`,
		s.clock(), id, a.UserID)
	if res.Error != nil {
		return fmt.Errorf("mark notification read: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("notification")
	}
	return nil
}

// MarkAllRead marks every unread notification of the actor read and says
// how many there were.
func (s *Service) MarkAllRead(ctx context.Context) (int64, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	res := s.db.WithContext(ctx).Exec(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, s.clock(), a.UserID)
	if res.Error != nil {
		return 0, fmt.Errorf("mark notifications read: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// UnreadCount counts the actor's unread notifications, up to UnreadCap;
// it reads only the partial index, so every page can afford it.
func (s *Service) UnreadCount(ctx context.Context) (int, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.WithContext(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM notifications
WHERE user_id = ? AND read_at IS NULL LIMIT ?) AS unread`, a.UserID, UnreadCap).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("unread count: %w", err)
	}
	return n, nil
}
