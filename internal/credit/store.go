package credit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// row maps credit_records.
type row struct {
	ID             int64
	SubjectKind    string
	Name           string
	CreditCode     string
	IDNumberHash   string
	Finding        string
	Source         string
	DecidedOn      time.Time
	CreatedAt      time.Time
	Status         string
	OrgID          *int64
	RecordedBy     *int64
	SourceKind     string
	DocumentNumber string
	Severity       string
	DisplayMonths  int
	SubjectOrgID   *int64
	NotifiedAt     *time.Time
	NoticeMethod   string
	ObjectionDue   *time.Time
	EffectiveOn    *time.Time
	DisplayUntil   *time.Time
	ImportedFrom   string
	Version        int
	UpdatedAt      time.Time
}

func (row) TableName() string { return "credit_records" }

func (r row) status() Status { return Status(r.Status) }

// Record is a credit record as its readers see it. The identity number's
// hash never leaves the service.
type Record struct {
	ID             int64         `json:"id"`
	Status         Status        `json:"status"`
	SubjectKind    string        `json:"subject_kind"`
	Name           string        `json:"name"`
	CreditCode     string        `json:"credit_code,omitempty"`
	ByIDNumber     bool          `json:"identified_by_id_number"`
	Finding        string        `json:"finding"`
	SourceKind     SourceKind    `json:"source_kind"`
	DocumentNumber string        `json:"document_number"`
	Source         string        `json:"source,omitempty"`
	DecidedOn      calendar.Date `json:"decided_on"`
	Severity       Severity      `json:"severity"`
	DisplayMonths  int           `json:"display_months"`
	OrgID          *int64        `json:"org_id"`
	OrgName        string        `json:"org_name"`
	SubjectOrgID   *int64        `json:"subject_org_id,omitempty"`
	NotifiedAt     *time.Time    `json:"notified_at,omitempty"`
	NoticeMethod   string        `json:"notice_method,omitempty"`
	ObjectionDue   *time.Time    `json:"objection_due,omitempty"`
	EffectiveOn    *string       `json:"effective_on,omitempty"`
	DisplayUntil   *string       `json:"display_until,omitempty"`
	ImportedFrom   string        `json:"imported_from,omitempty"`
	Version        int           `json:"version"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// View is a record with its history, its deadlines and the steps the
// actor may take now.
type View struct {
	Record
	Events    []Event             `json:"events"`
	Deadlines []deadline.Deadline `json:"-"`
	Allowed   []Action            `json:"allowed_actions"`
	// Body: the actor takes the recording body's steps; Subject: the
	// actor answers for the subject.
	Body    bool `json:"-"`
	Subject bool `json:"-"`
	// RepairFrom is the first day the subject may apply for repair (nil
	// before the record takes effect).
	RepairFrom *string `json:"repair_from,omitempty"`
}

// Event is one step of a record's history.
type Event struct {
	At         time.Time      `json:"at"`
	ActorName  string         `json:"actor_name"`
	Action     string         `json:"action"`
	FromStatus Status         `json:"from_status,omitempty"`
	ToStatus   Status         `json:"to_status"`
	Detail     map[string]any `json:"detail,omitempty"`
}

func dateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

func (r row) toRecord(orgName string) Record {
	return Record{ID: r.ID, Status: r.status(), SubjectKind: r.SubjectKind, Name: r.Name, CreditCode: r.CreditCode,
		ByIDNumber: r.IDNumberHash != "", Finding: r.Finding, SourceKind: SourceKind(r.SourceKind), DocumentNumber: r.DocumentNumber,
		Source: r.Source, DecidedOn: dateOf(r.DecidedOn), Severity: Severity(r.Severity), DisplayMonths: r.DisplayMonths,
		OrgID: r.OrgID, OrgName: orgName, SubjectOrgID: r.SubjectOrgID, NotifiedAt: r.NotifiedAt, NoticeMethod: r.NoticeMethod,
		ObjectionDue: r.ObjectionDue, EffectiveOn: dateString(r.EffectiveOn), DisplayUntil: dateString(r.DisplayUntil),
		ImportedFrom: r.ImportedFrom, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// dateOf reads a DATE column (midnight UTC as the driver gives it) as
// its calendar day.
func dateOf(t time.Time) calendar.Date {
	return calendar.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// load reads record id, FOR UPDATE when lock.
func load(ctx context.Context, db *gorm.DB, id int64, lock bool) (row, bool, error) {
	q := db.WithContext(ctx)
	if lock {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var r row
	err := q.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row{}, false, nil
	}
	if err != nil {
		return row{}, false, fmtErr("load record "+strconv.FormatInt(id, 10), err)
	}
	return r, true, nil
}

// event appends a history entry of r.
func (s *Service) event(ctx context.Context, tx *gorm.DB, a *domain.Actor, id int64, action string, fromSt, to Status,
	detail map[string]any, at time.Time) error {
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmtErr("event detail", err)
	}
	var uid *int64
	name := ""
	if a != nil && a.UserID > 0 {
		u := a.UserID
		uid, name = &u, a.DisplayName
	}
	if err := tx.WithContext(ctx).Exec(`INSERT INTO credit_record_events (record_id, at, actor_user_id, actor_name, action, from_status, to_status, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)`, id, at, uid, name, action, string(fromSt), string(to), string(b)).Error; err != nil {
		return fmtErr("event", err)
	}
	return nil
}

// auditStep appends the audit row of a step on the recording body's
// chain; the subject is named by its credit code only (an identity
// number's hash is personal data and stays in the table).
func (s *Service) auditStep(ctx context.Context, tx *gorm.DB, r row, action string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["credit_code"] = r.CreditCode
	detail["document_number"] = r.DocumentNumber
	return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: r.OrgID, Action: action, ObjectType: "credit_record",
		ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail})
}

// orgName is the Chinese name of organisation id ("" for nil).
func orgName(ctx context.Context, db *gorm.DB, id *int64) (string, error) {
	if id == nil {
		return "", nil
	}
	var name string
	if err := db.WithContext(ctx).Raw("SELECT name_zh FROM orgs WHERE id = ?", *id).Scan(&name).Error; err != nil {
		return "", fmtErr("organisation", err)
	}
	return name, nil
}

// displayUntil is the last day a record taking effect on day is shown:
// the corresponding day months later (the month's last day when it has
// none).
func displayUntil(day calendar.Date, months int) calendar.Date { return day.AddMonths(months) }

// repairFrom is the first day the subject of r may apply for repair: the
// severity's shortest display after the record took effect.
func repairFrom(r row) *calendar.Date {
	if r.EffectiveOn == nil {
		return nil
	}
	min, _ := Severity(r.Severity).Bounds()
	d := displayUntil(dateOf(*r.EffectiveOn), min)
	return &d
}

func notFound() error { return domain.NotFound("credit_record") }

func conflict(act Action, st Status) error {
	return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow,
		Message: fmt.Sprintf("%s is not allowed while the record is %s", act, st)}
}

func stale(current int) error {
	return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
		Message: fmt.Sprintf("the record was changed by someone else (current version %d); reload and try again", current)}
}
