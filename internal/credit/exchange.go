package credit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Exchanged is one record in the exchange layout with the public credit
// platform and other bodies (docs/design.md §9): the records displayed
// today are exported in it (JSON, or CSV with these names as the header),
// and records of other bodies are imported in it. An identity number is
// never exported (only its keyed hash is kept here, useless elsewhere);
// an import may carry one for a natural person, which is hashed on the
// way in.
type Exchanged struct {
	DocumentNumber string        `json:"document_number"`
	SourceKind     SourceKind    `json:"source_kind"`
	SubjectKind    string        `json:"subject_kind"`
	Name           string        `json:"name"`
	CreditCode     string        `json:"credit_code"`
	IDNumber       string        `json:"id_number,omitempty"`
	Finding        string        `json:"finding"`
	DecidedOn      calendar.Date `json:"decided_on"`
	EffectiveOn    calendar.Date `json:"effective_on"`
	DisplayUntil   calendar.Date `json:"display_until"`
	Severity       Severity      `json:"severity"`
	RecordingBody  string        `json:"recording_body"`
}

// ExchangeColumns are the CSV header, in order.
var ExchangeColumns = []string{"document_number", "source_kind", "subject_kind", "name", "credit_code", "finding",
	"decided_on", "effective_on", "display_until", "severity", "recording_body"}

// CSVRow is e as a CSV row under ExchangeColumns.
func (e Exchanged) CSVRow() []string {
	return []string{e.DocumentNumber, string(e.SourceKind), e.SubjectKind, e.Name, e.CreditCode, e.Finding,
		e.DecidedOn.String(), e.EffectiveOn.String(), e.DisplayUntil.String(), string(e.Severity), e.RecordingBody}
}

// Export returns the records displayed today, oldest first, for a reader
// of every record. EFORBIDDEN for anyone else.
func (s *Service) Export(ctx context.Context) ([]Exchanged, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !s.viewerOf(a).all {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not export credit records")
	}
	var rows []listRow
	if err := s.d.DB.WithContext(ctx).Table("credit_records").Select(listColumns).
		Joins("LEFT JOIN orgs o ON o.id = credit_records.org_id").Where(ShownSQL, s.today().String()).
		Order("credit_records.id").Scan(&rows).Error; err != nil {
		return nil, fmtErr("export", err)
	}
	out := make([]Exchanged, len(rows))
	for i, lr := range rows {
		r := lr.Row
		body := lr.OrgName
		if r.ImportedFrom != "" {
			body = r.ImportedFrom
		}
		out[i] = Exchanged{DocumentNumber: r.DocumentNumber, SourceKind: SourceKind(r.SourceKind), SubjectKind: r.SubjectKind,
			Name: r.Name, CreditCode: r.CreditCode, Finding: r.Finding, DecidedOn: dateOf(r.DecidedOn),
			EffectiveOn: dateOf(*r.EffectiveOn), DisplayUntil: dateOf(*r.DisplayUntil), Severity: Severity(r.Severity), RecordingBody: body}
	}
	return out, nil
}

// ImportResult says what an import did.
type ImportResult struct {
	Created  int `json:"created"`
	Existing int `json:"existing"`
}

// maxImport bounds one import.
const maxImport = 5000

// Import takes in records of other bodies, in effect as they come (their
// body followed the due process), managed here by the importing body
// (orgID, 0 for the actor's only one). It is idempotent: a record whose
// source kind, document number and subject are already here is left
// alone and counted as existing. All or nothing: EINVALID names the first
// bad records' fields (records[i].field) and changes nothing; EFORBIDDEN
// without credit:record.
func (s *Service) Import(ctx context.Context, orgID int64, recs []Exchanged) (ImportResult, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	v := s.viewerOf(a)
	switch {
	case len(v.bodies) == 0:
		return ImportResult{}, domain.Errorf(domain.EFORBIDDEN, "you may not import credit records")
	case orgID == 0 && len(v.bodies) == 1:
		orgID = v.bodies[0]
	case orgID == 0:
		return ImportResult{}, domain.Invalid(domain.FieldError{Field: "org_id", Message: "validation.required"})
	case !slices.Contains(v.bodies, orgID):
		return ImportResult{}, domain.Errorf(domain.EFORBIDDEN, "you may not import credit records for organisation %d", orgID)
	}
	var f domain.Fields
	switch {
	case len(recs) == 0:
		f.Add("records", "validation.required")
	case len(recs) > maxImport:
		f.Add("records", "validation.too_many", "Max", maxImport)
	}
	today := s.today()
	hashes := make([]string, len(recs))
	for i := range recs {
		e := &recs[i]
		field := func(n string) string { return fmt.Sprintf("records[%d].%s", i, n) }
		e.Name, e.DocumentNumber = strings.TrimSpace(e.Name), strings.TrimSpace(e.DocumentNumber)
		e.CreditCode = domain.NormalizeCreditCode(e.CreditCode)
		if e.DocumentNumber == "" || utf8.RuneCountInString(e.DocumentNumber) > maxDocNo {
			f.Add(field("document_number"), "validation.required")
		}
		if !slices.Contains(SourceKinds, e.SourceKind) {
			f.Add(field("source_kind"), "validation.one_of", "Values", "enforcement, court, customs, agreement_refusal")
		}
		if e.SubjectKind != "person" && e.SubjectKind != "organisation" {
			f.Add(field("subject_kind"), "validation.one_of", "Values", "person, organisation")
		}
		if e.Name == "" || utf8.RuneCountInString(e.Name) > maxName {
			f.Add(field("name"), "validation.required")
		}
		if e.CreditCode != "" && !domain.ValidCreditCode(e.CreditCode) {
			f.Add(field("credit_code"), "validation.credit_code")
		}
		if id := domain.NormalizeResidentID(e.IDNumber); id != "" {
			if domain.ValidResidentID(id) {
				hashes[i] = s.d.PII.Hash(id)
			} else {
				f.Add(field("id_number"), "validation.resident_id")
			}
		}
		if e.CreditCode == "" && hashes[i] == "" {
			f.Add(field("credit_code"), "validation.credit_subject")
		}
		if strings.TrimSpace(e.Finding) == "" || utf8.RuneCountInString(e.Finding) > maxText {
			f.Add(field("finding"), "validation.required")
		}
		if !e.Severity.Valid() {
			f.Add(field("severity"), "validation.one_of", "Values", "minor, general, serious")
		}
		switch {
		case e.DecidedOn.IsZero() || e.DecidedOn.After(today):
			f.Add(field("decided_on"), "validation.date")
		case e.EffectiveOn.IsZero() || e.EffectiveOn.Before(e.DecidedOn):
			f.Add(field("effective_on"), "validation.date_order")
		case e.DisplayUntil.IsZero() || e.DisplayUntil.Before(e.EffectiveOn):
			f.Add(field("display_until"), "validation.date_order")
		}
		if strings.TrimSpace(e.RecordingBody) == "" {
			f.Add(field("recording_body"), "validation.required")
		}
		if len(f) > 20 {
			break
		}
	}
	if err := f.Err(); err != nil {
		return ImportResult{}, err
	}
	var out ImportResult
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		for i, e := range recs {
			months := monthsBetween(e.EffectiveOn, e.DisplayUntil)
			var id int64
			res := tx.Raw(`INSERT INTO credit_records (subject_kind, name, credit_code, id_number_hash, finding, source, decided_on, created_at,
status, org_id, recorded_by, source_kind, document_number, severity, display_months, subject_org_id, effective_on, display_until,
imported_from, updated_at)
VALUES (?, ?, ?, ?, ?, '', ?, ?, 'in_effect', ?, ?, ?, ?, ?, ?,
 (SELECT id FROM orgs WHERE credit_code = nullif(?, '') AND type = 'enterprise' AND active LIMIT 1), ?, ?, ?, ?)
ON CONFLICT (source_kind, document_number, credit_code, id_number_hash) WHERE document_number <> '' DO NOTHING
RETURNING id`, e.SubjectKind, e.Name, e.CreditCode, hashes[i], strings.TrimSpace(e.Finding), e.DecidedOn.String(), now,
				orgID, a.UserID, string(e.SourceKind), e.DocumentNumber, string(e.Severity), months, e.CreditCode,
				e.EffectiveOn.String(), e.DisplayUntil.String(), strings.TrimSpace(e.RecordingBody), now).Scan(&id)
			if res.Error != nil {
				return fmtErr("import", res.Error)
			}
			if id == 0 {
				out.Existing++
				continue
			}
			out.Created++
			r, _, err := load(ctx, tx, id, false)
			if err != nil {
				return err
			}
			if err := s.event(ctx, tx, a, id, "imported", "", StatusInEffect, map[string]any{"recording_body": e.RecordingBody}, now); err != nil {
				return err
			}
			if err := s.auditStep(ctx, tx, r, "credit_record.import", map[string]any{"recording_body": e.RecordingBody,
				"source_kind": e.SourceKind}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// monthsBetween is the whole months from a to b, within 0..36 (the
// column's bounds).
func monthsBetween(a, b calendar.Date) int {
	m := (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
	if b.Day < a.Day {
		m--
	}
	return max(0, min(m, 36))
}
