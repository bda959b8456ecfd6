package credit

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Input is a record to make.
type Input struct {
	// SubjectKind is "person" or "organisation".
	SubjectKind string `json:"subject_kind"`
	Name        string `json:"name"`
	// The subject is identified by its unified social credit code or by
	// its resident identity number (kept only as a keyed hash); a
	// respondent taken from a case may come with the hash already made
	// (IDNumberHash, from the case's party row).
	CreditCode   string `json:"credit_code"`
	IDNumber     string `json:"id_number"`
	IDNumberHash string `json:"-"`
	// PartyID is the case party the subject was taken from (its hash is
	// read from the party row when none is given).
	PartyID    int64      `json:"-"`
	Finding    string     `json:"finding"`
	SourceKind SourceKind `json:"source_kind"`
	// DocumentNumber is the decision's number (榕市监处罚〔2025〕312号).
	DocumentNumber string        `json:"document_number"`
	Source         string        `json:"source"`
	DecidedOn      calendar.Date `json:"decided_on"`
	// Final: the recording body states that the decision is final (no
	// reconsideration or suit pending). Create requires it; a referral's
	// result that does not say so makes a provisional record.
	Final         bool     `json:"final"`
	Severity      Severity `json:"severity"`
	DisplayMonths int      `json:"display_months"`
	// NoticeMethod is how a subject not registered here was told
	// (NoticeMethods); a registered one is told in its inbox.
	NoticeMethod string `json:"notice_method"`
	// OrgID is the recording body; 0 picks the actor's only one.
	OrgID int64 `json:"org_id"`
}

const (
	maxName    = 200
	maxText    = 4000
	maxDocNo   = 100
	maxReason  = 2000
	maxSources = 200
)

// Create makes a record from a final decision, as the recording body
// (credit:record). The subject is told at once and the objection period
// opens. EINVALID names the field; EFORBIDDEN without credit:record;
// ECONFLICT when the same decision is already recorded against the same
// subject.
func (s *Service) Create(ctx context.Context, in Input) (Record, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Record{}, err
	}
	v := s.viewerOf(a)
	switch {
	case len(v.bodies) == 0:
		return Record{}, domain.Errorf(domain.EFORBIDDEN, "you may not record credit records")
	case in.OrgID == 0 && len(v.bodies) == 1:
		in.OrgID = v.bodies[0]
	case in.OrgID == 0:
		return Record{}, domain.Invalid(domain.FieldError{Field: "org_id", Message: "validation.required"})
	case !slices.Contains(v.bodies, in.OrgID):
		return Record{}, domain.Errorf(domain.EFORBIDDEN, "you may not record credit records for organisation %d", in.OrgID)
	}
	if !in.Final {
		return Record{}, domain.Invalid(domain.FieldError{Field: "final", Message: "validation.credit_final"})
	}
	var out Record
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		id, err := s.RecordTx(ctx, tx, in)
		if err != nil {
			return err
		}
		r, _, err := load(ctx, tx, id, false)
		if err != nil {
			return err
		}
		name, err := orgName(ctx, tx, r.OrgID)
		out = r.toRecord(name)
		return err
	})
	return out, err
}

// RecordTx makes a record inside the caller's transaction (an
// enforcement referral's result, the demo seeder): a final one tells
// its subject and opens the objection period, a decision not yet final
// stays provisional. It returns the record's id.
func (s *Service) RecordTx(ctx context.Context, tx *gorm.DB, in Input) (int64, error) {
	db := tx.WithContext(ctx)
	a := domain.ActorFrom(ctx)
	var f domain.Fields
	in.Name = strings.TrimSpace(in.Name)
	in.CreditCode = domain.NormalizeCreditCode(in.CreditCode)
	in.IDNumber = domain.NormalizeResidentID(in.IDNumber)
	if in.SubjectKind != "person" && in.SubjectKind != "organisation" {
		f.Add("subject_kind", "validation.one_of", "Values", "person, organisation")
	}
	switch {
	case in.Name == "":
		f.Add("name", "validation.required")
	case utf8.RuneCountInString(in.Name) > maxName:
		f.Add("name", "validation.too_long", "Max", maxName)
	}
	if in.CreditCode != "" && !domain.ValidCreditCode(in.CreditCode) {
		f.Add("credit_code", "validation.credit_code")
	}
	if in.IDNumber != "" {
		if !domain.ValidResidentID(in.IDNumber) {
			f.Add("id_number", "validation.resident_id")
		} else {
			in.IDNumberHash = s.d.PII.Hash(in.IDNumber)
		}
	}
	if in.IDNumberHash == "" && in.PartyID > 0 {
		if err := db.Raw("SELECT id_number_hash FROM case_parties WHERE id = ?", in.PartyID).Scan(&in.IDNumberHash).Error; err != nil {
			return 0, fmtErr("party", err)
		}
	}
	if in.CreditCode == "" && in.IDNumberHash == "" && in.IDNumber == "" {
		f.Add("credit_code", "validation.credit_subject")
	}
	in.Finding = strings.TrimSpace(in.Finding)
	switch {
	case in.Finding == "":
		f.Add("finding", "validation.required")
	case utf8.RuneCountInString(in.Finding) > maxText:
		f.Add("finding", "validation.too_long", "Max", maxText)
	}
	if !slices.Contains(SourceKinds, in.SourceKind) {
		f.Add("source_kind", "validation.one_of", "Values", "enforcement, court, customs, agreement_refusal")
	}
	in.DocumentNumber = strings.TrimSpace(in.DocumentNumber)
	switch {
	case in.DocumentNumber == "":
		f.Add("document_number", "validation.required")
	case utf8.RuneCountInString(in.DocumentNumber) > maxDocNo:
		f.Add("document_number", "validation.too_long", "Max", maxDocNo)
	}
	if utf8.RuneCountInString(in.Source) > maxSources {
		f.Add("source", "validation.too_long", "Max", maxSources)
	}
	now := s.clock()
	switch {
	case in.DecidedOn.IsZero():
		f.Add("decided_on", "validation.required")
	case in.DecidedOn.After(calendar.DateOf(now)):
		f.Add("decided_on", "validation.future")
	}
	if in.Severity == "" {
		in.Severity = SeveritySerious
	}
	lo, hi := in.Severity.Bounds()
	switch {
	case !in.Severity.Valid():
		f.Add("severity", "validation.one_of", "Values", "minor, general, serious")
	case in.DisplayMonths == 0 && lo > 0:
		in.DisplayMonths = hi
	case in.DisplayMonths < lo || in.DisplayMonths > hi:
		f.Add("display_months", "validation.credit_display", "Min", lo, "Max", hi)
	}
	var subjectOrg *int64
	if in.CreditCode != "" {
		var ids []int64
		if err := db.Raw(`SELECT id FROM orgs WHERE credit_code = ? AND type = ? AND active`, in.CreditCode, domain.OrgEnterprise).
			Scan(&ids).Error; err != nil {
			return 0, fmtErr("subject organisation", err)
		}
		if len(ids) > 0 {
			subjectOrg = &ids[0]
		}
	}
	if in.Final && subjectOrg == nil && !slices.Contains(NoticeMethods, in.NoticeMethod) {
		f.Add("notice_method", "validation.one_of", "Values", strings.Join(NoticeMethods, ", "))
	}
	var org org
	if in.OrgID > 0 {
		if err := db.Raw("SELECT id, type, active FROM orgs WHERE id = ?", in.OrgID).Scan(&org).Error; err != nil {
			return 0, fmtErr("recording body", err)
		}
	}
	if org.ID == 0 || !org.Active || org.Type != domain.OrgEnforcement {
		f.Add("org_id", "validation.credit_body")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	status := StatusProvisional
	if in.Final {
		status = StatusObjection
	}
	var recordedBy *int64
	if a != nil && a.UserID > 0 {
		u := a.UserID
		recordedBy = &u
	}
	var id int64
	err := db.Raw(`INSERT INTO credit_records (subject_kind, name, credit_code, id_number_hash, finding, source, decided_on, created_at,
status, org_id, recorded_by, source_kind, document_number, severity, display_months, subject_org_id, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.SubjectKind, in.Name, in.CreditCode, in.IDNumberHash, in.Finding, in.Source, in.DecidedOn.String(), now,
		string(status), in.OrgID, recordedBy, string(in.SourceKind), in.DocumentNumber, string(in.Severity), in.DisplayMonths,
		subjectOrg, now).Scan(&id).Error
	if isUnique(err) {
		return 0, domain.Invalid(domain.FieldError{Field: "document_number", Message: "validation.credit_duplicate"})
	}
	if err != nil {
		return 0, fmtErr("insert", err)
	}
	r, _, err := load(ctx, tx, id, true)
	if err != nil {
		return 0, err
	}
	if err := s.event(ctx, tx, a, id, "recorded", "", StatusProvisional, map[string]any{"source_kind": in.SourceKind,
		"document_number": in.DocumentNumber, "final": in.Final}, now); err != nil {
		return 0, err
	}
	if err := s.auditStep(ctx, tx, r, "credit_record.create", map[string]any{"subject_kind": in.SubjectKind,
		"source_kind": in.SourceKind, "decided_on": in.DecidedOn.String(), "final": in.Final, "severity": in.Severity,
		"display_months": in.DisplayMonths}); err != nil {
		return 0, err
	}
	if in.Final {
		if err := s.tellSubject(ctx, tx, a, &r, in.NoticeMethod, now); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// org is what RecordTx checks of the recording body.
type org struct {
	ID     int64
	Type   domain.OrgType
	Active bool
}

// tellSubject tells r's subject of the record (in its inbox, or by
// method, which the body records), moves r into the objection period and
// opens its deadline. r is updated in place.
func (s *Service) tellSubject(ctx context.Context, tx *gorm.DB, a *domain.Actor, r *row, method string, now time.Time) error {
	if r.SubjectOrgID != nil {
		method = "inbox"
	}
	d, err := s.d.Deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: Subject(r.ID), OrgID: *r.OrgID, Kind: KindObjection,
		RuleID: RuleObjection, Event: now, Now: now})
	if err != nil {
		return err
	}
	due := d.DueAt
	fromSt := r.status()
	if err := tx.WithContext(ctx).Exec(`UPDATE credit_records SET status = 'objection', notified_at = ?, notice_method = ?,
objection_due = ?, version = version + 1, updated_at = ? WHERE id = ?`, now, method, due, now, r.ID).Error; err != nil {
		return fmtErr("notify subject", err)
	}
	r.Status, r.NotifiedAt, r.NoticeMethod, r.ObjectionDue = string(StatusObjection), &now, method, &due
	r.Version++
	if err := s.event(ctx, tx, a, r.ID, "notified", fromSt, StatusObjection, map[string]any{"method": method,
		"objection_due": due}, now); err != nil {
		return err
	}
	return s.tellSubjectUsers(ctx, tx, *r, NoticeRecorded, map[string]any{"Due": due.In(calendar.Beijing).Format("2006-01-02 15:04")})
}

// isUnique reports whether err is a unique violation.
func isUnique(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505"
}
