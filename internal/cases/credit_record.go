package cases

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// CreditRecord is a finding of intentional or repeated infringement against
// a subject (docs/design.md §9). The case service owns credit_records: it
// writes them here and reads them at intake (repeatInfringers).
type CreditRecord struct {
	// SubjectKind is "person" or "organisation" (anything else is taken
	// as an organisation).
	SubjectKind string
	Name        string
	// The subject is identified by its credit code and/or the keyed hash
	// of its identity number; a respondent chosen from a case (PartyID)
	// without a hash given has the hash kept on its party row.
	CreditCode   string
	IDNumberHash string
	PartyID      int64
	Finding      string
	// Source names the decision, e.g. "enforcement referral 12 (…)".
	Source    string
	DecidedOn calendar.Date
	// Final: the decision can no longer be challenged. Only a final
	// record flags a later case.
	Final bool
	// OrgID is the recording organisation (the audit row's chain).
	OrgID int64
	At    time.Time
}

// RecordCreditTx writes a credit record inside the caller's transaction
// and audits it (credit_record.create); it returns the record's id.
func (s *Service) RecordCreditTx(ctx context.Context, tx *gorm.DB, rec CreditRecord) (int64, error) {
	db := tx.WithContext(ctx)
	if rec.IDNumberHash == "" && rec.PartyID > 0 {
		if err := db.Raw("SELECT id_number_hash FROM case_parties WHERE id = ?", rec.PartyID).Scan(&rec.IDNumberHash).Error; err != nil {
			return 0, fmt.Errorf("credit record: party %d: %w", rec.PartyID, err)
		}
	}
	var f domain.Fields
	if rec.CreditCode == "" && rec.IDNumberHash == "" {
		f.Add("infringer", "validation.required")
	}
	if rec.Name == "" {
		f.Add("infringer.name", "validation.required")
	}
	if rec.Finding == "" {
		f.Add("finding", "validation.required")
	}
	if rec.OrgID <= 0 {
		f.Add("org_id", "validation.org")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	if rec.SubjectKind != "person" {
		rec.SubjectKind = "organisation"
	}
	at := rec.At
	if at.IsZero() {
		at = s.now()
	}
	var id int64
	if err := db.Raw(`INSERT INTO credit_records (subject_kind, name, credit_code, id_number_hash, finding, source, decided_on,
decision_final, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, rec.SubjectKind, rec.Name, rec.CreditCode,
		rec.IDNumberHash, rec.Finding, rec.Source, rec.DecidedOn.String(), rec.Final, at).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("credit record: %w", err)
	}
	// The audit row names the subject by its credit code only: an
	// identity number's hash is personal data and stays in the table.
	if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: &rec.OrgID, Action: "credit_record.create", ObjectType: "credit_record",
		ObjectID: strconv.FormatInt(id, 10), Detail: map[string]any{
			"subject_kind": rec.SubjectKind, "credit_code": rec.CreditCode, "source": rec.Source,
			"decided_on": rec.DecidedOn.String(), "final": rec.Final,
		}}); err != nil {
		return 0, err
	}
	return id, nil
}
