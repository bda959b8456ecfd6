package referral

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
)

// row maps referrals (migrations/0008_referrals.sql).
type row struct {
	ID            int64 `gorm:"primaryKey"`
	Kind          string
	SenderOrgID   *int64
	ReceiverOrgID int64
	Status        string
	CaseID        *int64
	ApplicationID *int64
	Title         string
	Note          string
	Disclosure    string `gorm:"type:jsonb"`
	Fields        string `gorm:"type:jsonb"`
	Result        string `gorm:"type:jsonb"`
	DeclineReason string
	Rule          string
	IdemKey       *string
	SentBy        *int64
	ReceivedBy    *int64
	DecidedBy     *int64
	CompletedBy   *int64
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ReceivedAt    *time.Time
	DecidedAt     *time.Time
	CompletedAt   *time.Time
}

func (row) TableName() string { return "referrals" }

// listRow is a referral with what lists show beside it.
type listRow struct {
	Row             row `gorm:"embedded"`
	SenderOrgName   string
	ReceiverOrgName string
	CaseNumber      string
	NextDueAt       *time.Time
}

// fields decodes the kind's stored fields (secrets included).
func (r row) fields() map[string]any { return jsonObject(r.Fields) }

func jsonObject(s string) map[string]any {
	m := map[string]any{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &m)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// public drops what never leaves the package: encrypted values and keyed
// hashes (names ending in _enc or _hash), at any depth.
func public(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if strings.HasSuffix(k, "_enc") || strings.HasSuffix(k, "_hash") {
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			v = public(sub)
		}
		out[k] = v
	}
	return out
}

func (r listRow) toReferral() Referral {
	x := r.Row.toReferral()
	x.SenderOrgName, x.ReceiverOrgName, x.CaseNumber, x.NextDueAt = r.SenderOrgName, r.ReceiverOrgName, r.CaseNumber, r.NextDueAt
	return x
}

func (r row) toReferral() Referral {
	var d cases.Disclosure
	_ = json.Unmarshal([]byte(r.Disclosure), &d)
	if d.Documents == nil {
		d.Documents = []int64{}
	}
	return Referral{ID: r.ID, Kind: Kind(r.Kind), Status: Status(r.Status), SenderOrgID: r.SenderOrgID,
		ReceiverOrgID: r.ReceiverOrgID, CaseID: r.CaseID, ApplicationID: r.ApplicationID, Title: r.Title, Note: r.Note,
		Disclosure: d, Fields: public(r.fields()), Result: public(jsonObject(r.Result)), DeclineReason: r.DeclineReason,
		Rule: r.Rule, SentBy: r.SentBy, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ReceivedAt: r.ReceivedAt, DecidedAt: r.DecidedAt, CompletedAt: r.CompletedAt}
}

// eventRow maps referral_events.
type eventRow struct {
	ID         int64 `gorm:"primaryKey"`
	ReferralID int64
	At         time.Time
	ActorID    *int64
	ActorName  string
	OrgID      *int64
	Action     string
	FromStatus string
	ToStatus   string
	Detail     string `gorm:"type:jsonb"`
}

func (eventRow) TableName() string { return "referral_events" }

func (e eventRow) toEvent() Event {
	return Event{ID: e.ID, At: e.At, ActorName: e.ActorName, OrgID: e.OrgID, Action: e.Action,
		FromStatus: Status(e.FromStatus), ToStatus: Status(e.ToStatus), Detail: jsonObject(e.Detail)}
}

func encode(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
