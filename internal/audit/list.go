package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// List page sizes.
const (
	DefaultLimit = keyset.DefaultLimit
	MaxLimit     = keyset.MaxLimit
)

// Filter selects audit rows for browsing. Zero fields do not filter.
type Filter struct {
	// OrgID and ActorID select one organisation's or one user's events.
	OrgID   *int64
	ActorID *int64
	// ActorName selects one user's events by username.
	ActorName string
	// Action selects actions starting with it: "case." gives every case
	// event, "case.accept" that action (and any longer one it prefixes).
	Action string
	// From (inclusive) and To (exclusive) bound occurred_at.
	From, To time.Time
	// Cursor continues a listing where the previous page ended; it is the
	// nextCursor List returned, opaque to callers.
	Cursor string
	// Limit is the page size: DefaultLimit when zero or negative, at most
	// MaxLimit.
	Limit int
}

// Record is a stored audit row as shown to sysadmins.
type Record struct {
	ID         int64           `json:"id"`
	Chain      string          `json:"chain"`
	Seq        int64           `json:"seq"`
	OccurredAt time.Time       `json:"occurred_at"`
	OrgID      *int64          `json:"org_id"`
	ActorID    *int64          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Detail     json.RawMessage `json:"detail"`
	IP         string          `json:"ip"`
	RequestID  string          `json:"request_id"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// List returns one page of audit rows matching f, newest first, and the
// cursor of the next page ("" on the last page). Pages are keyed on id, so
// rows appended while someone pages through never shift or repeat rows.
// List checks no permission: only the sysadmin browse page and API call
// it, behind their own authorization. A malformed cursor gives EINVALID
// naming the field "cursor".
func (l *Log) List(ctx context.Context, f Filter) (items []Record, nextCursor string, err error) {
	limit := keyset.Limit(f.Limit)
	q := l.db.WithContext(ctx).Table("audit_log").Select(rowColumns).Order("id DESC").Limit(limit + 1)
	if f.Cursor != "" {
		last, err := keyset.DecodeID(f.Cursor)
		if err != nil {
			return nil, "", domain.Invalid(domain.FieldError{Field: "cursor", Message: "validation.cursor"})
		}
		q = q.Where("id < ?", last)
	}
	if f.OrgID != nil {
		q = q.Where("org_id = ?", *f.OrgID)
	}
	if f.ActorID != nil {
		q = q.Where("actor_id = ?", *f.ActorID)
	}
	if f.ActorName != "" {
		// Through the user's id, so that the actor_id index serves it; a
		// refused login by an unknown name matches on the name kept.
		q = q.Where("(actor_id = (SELECT id FROM users WHERE username = ?) OR (actor_id IS NULL AND actor_name = ?))", f.ActorName, f.ActorName)
	}
	if f.Action != "" {
		// action has the "C" collation, so this prefix LIKE uses its index.
		q = q.Where("action LIKE ?", likePrefix(f.Action))
	}
	if !f.From.IsZero() {
		q = q.Where("occurred_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("occurred_at < ?", f.To)
	}
	var rows []row
	if err := q.Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("audit: list: %w", err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		nextCursor = keyset.ID(rows[len(rows)-1].ID)
	}
	items = make([]Record, len(rows))
	for i, r := range rows {
		items[i] = Record{
			ID: r.ID, Chain: r.Chain, Seq: r.Seq, OccurredAt: r.OccurredAt.UTC(),
			OrgID: r.OrgID, ActorID: r.ActorID, ActorName: r.ActorName, Action: r.Action,
			ObjectType: r.ObjectType, ObjectID: r.ObjectID, Detail: json.RawMessage(r.Detail),
			IP: r.IP, RequestID: r.RequestID, PrevHash: r.PrevHash, Hash: r.Hash,
		}
	}
	return items, nextCursor, nil
}

// likePrefix returns a LIKE pattern matching strings that start with s,
// with LIKE's wildcards and escape character in s taken literally.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%"
}
