package service

import (
	"context"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
)

// recordRow is a service_records row with its case and party.
type recordRow struct {
	ID             int64
	CaseID         int64
	CaseNumber     string
	OrgID          int64
	PartyID        int64
	PartyName      string
	PartyOrgID     *int64
	Doc            string
	StorageKey     string
	SHA256         string `gorm:"column:sha256"`
	SizeBytes      int64
	SentAt         time.Time
	SentBy         int64
	SentByName     string
	DeliveredAt    *time.Time
	OpenedAt       *time.Time
	Method         string
	ServedOn       *time.Time
	TrackingNumber string
	Receiver       string
	Note           string
}

func (r recordRow) record() Record {
	return Record{ID: r.ID, CaseID: r.CaseID, CaseNumber: r.CaseNumber, PartyID: r.PartyID, PartyName: r.PartyName,
		Doc: notice.Doc(r.Doc), SHA256: r.SHA256, SizeBytes: r.SizeBytes, SentAt: r.SentAt, SentBy: r.SentBy, SentByName: r.SentByName,
		DeliveredAt: r.DeliveredAt, OpenedAt: r.OpenedAt, Method: Method(r.Method), ServedOn: r.ServedOn,
		TrackingNumber: r.TrackingNumber, Receiver: r.Receiver, Note: r.Note}
}

// selectRecords reads records with their case and party; where narrows
// them (by construction: every caller names the owner).
const selectRecords = `SELECT r.id, r.case_id, COALESCE(NULLIF(c.number, ''), c.registration_number) AS case_number, c.org_id,
	r.party_id, p.name AS party_name, p.org_id AS party_org_id, r.doc, r.storage_key, r.sha256, r.size_bytes,
	r.sent_at, r.sent_by, COALESCE(NULLIF(u.display_name, ''), u.username) AS sent_by_name, r.delivered_at, r.opened_at,
	r.method, r.served_on, r.tracking_number, r.receiver, r.note
	FROM service_records r JOIN cases c ON c.id = r.case_id JOIN case_parties p ON p.id = r.party_id
	JOIN users u ON u.id = r.sent_by `

func (s *Service) rows(ctx context.Context, db *gorm.DB, where string, args ...any) ([]recordRow, error) {
	var rows []recordRow
	if err := db.WithContext(ctx).Raw(selectRecords+where, args...).Scan(&rows).Error; err != nil {
		return nil, fmtErr("records", err)
	}
	return rows, nil
}

func records(rows []recordRow) []Record {
	out := make([]Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out
}

// OfCase lists the service records of a case, newest first: every record
// for those who handle the case, a party enterprise's own records for its
// users. ENOTFOUND when the actor does not see the case.
func (s *Service) OfCase(ctx context.Context, caseID int64) ([]Record, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	acc, err := s.d.Cases.AccessTx(ctx, s.d.DB, caseID)
	if err != nil {
		return nil, err
	}
	switch {
	case acc.Handling:
		rows, err := s.rows(ctx, s.d.DB, "WHERE r.case_id = ? ORDER BY r.id DESC", caseID)
		return records(rows), err
	case acc.Party:
		rows, err := s.rows(ctx, s.d.DB, "WHERE r.case_id = ? AND p.org_id IN ? ORDER BY r.id DESC", caseID, s.openOrgs(a))
		return records(rows), err
	}
	return nil, nil
}

// openOrgs are the organisations in which the actor opens what is served
// on them (service:open).
func (s *Service) openOrgs(a *domain.Actor) []int64 {
	out := []int64{0}
	for _, m := range a.Memberships {
		if s.d.Authz.Can(a.UserID, m.OrgID, "service", "open") && !slices.Contains(out, m.OrgID) {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// ServedTo lists the records served on the party of the context's
// personal access link, newest first. ENOTFOUND without one.
func (s *Service) ServedTo(ctx context.Context) ([]Record, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, notFound()
	}
	rows, err := s.rows(ctx, s.d.DB, "WHERE r.case_id = ? AND r.party_id = ? ORDER BY r.id DESC", p.CaseID, p.PartyID)
	return records(rows), err
}

// Open returns the PDF of record id served on the party of the context's
// personal access link, and marks it opened the first time (audited as
// service.opened with the access id). ENOTFOUND for a record served on
// anyone else.
func (s *Service) Open(ctx context.Context, id int64) (Record, []byte, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return Record{}, nil, notFound()
	}
	return s.open(ctx, id, "AND r.case_id = ? AND r.party_id = ?", []any{p.CaseID, p.PartyID}, func(tx *gorm.DB, r recordRow, now time.Time) error {
		if err := tx.Exec(`UPDATE service_records SET opened_at = ?, opened_access_id = ? WHERE id = ?`, now, p.AccessID, r.ID).Error; err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &r.OrgID, ActorName: "party:" + strconv.FormatInt(p.PartyID, 10),
			Action: "service.opened", ObjectType: "service_record", ObjectID: strconv.FormatInt(r.ID, 10),
			Detail: map[string]any{"access_id": p.AccessID, "case_id": r.CaseID, "party_id": r.PartyID, "doc": r.Doc}})
	})
}

// OpenAsUser returns the PDF of record id to a user of the enterprise it
// was served on (service:open there), and marks it opened the first time
// (audited as service.opened). ENOTFOUND for anyone else.
func (s *Service) OpenAsUser(ctx context.Context, id int64) (Record, []byte, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Record{}, nil, err
	}
	return s.open(ctx, id, "AND p.org_id IN ?", []any{s.openOrgs(a)}, func(tx *gorm.DB, r recordRow, now time.Time) error {
		if err := tx.Exec(`UPDATE service_records SET opened_at = ?, opened_by = ? WHERE id = ?`, now, a.UserID, r.ID).Error; err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &r.OrgID, Action: "service.opened", ObjectType: "service_record",
			ObjectID: strconv.FormatInt(r.ID, 10), Detail: map[string]any{"case_id": r.CaseID, "party_id": r.PartyID, "doc": r.Doc}})
	})
}

// open reads record id within the owner's condition, locks it and marks
// it opened the first time (mark), in one transaction; then reads its PDF.
func (s *Service) open(ctx context.Context, id int64, owner string, args []any, mark func(tx *gorm.DB, r recordRow, now time.Time) error) (Record, []byte, error) {
	var r recordRow
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := s.rows(ctx, tx, "WHERE r.id = ? "+owner+" FOR UPDATE OF r", append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return notFound()
		}
		r = rows[0]
		if r.OpenedAt != nil {
			return nil
		}
		now := s.clock()
		if err := mark(tx, r, now); err != nil {
			return fmtErr("mark opened", err)
		}
		r.OpenedAt = &now
		return nil
	})
	if err != nil {
		return Record{}, nil, err
	}
	b, err := s.read(r.StorageKey)
	if err != nil {
		return Record{}, nil, err
	}
	return r.record(), b, nil
}
