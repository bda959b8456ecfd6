package cases

import (
	"database/sql/driver"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// The GORM mappings of migrations/0005_cases.sql. Domain types stay free
// of tags; these rows never leave the package.

// caseRow maps cases.
type caseRow struct {
	ID                  int64 `gorm:"primaryKey"`
	OrgID               int64
	Number              string // '' until acceptance
	Year                int    // the registration's year and sequence
	Seq                 int
	RegistrationNumber  string
	NumberYear          *int // the case number's year and sequence
	NumberSeq           *int
	MaterialsReceivedAt *time.Time
	RegionCode          string
	Source              string
	DisputeType         string
	Summary             string
	Claims              string
	ClaimAmountFen      int64
	Status              string
	RespondentConsentAt *time.Time
	MediationDueAt      *time.Time
	RepeatInfringer     bool
	Outcome             string
	OutcomeReason       string
	SuggestedRoute      string
	ClosingNote         string
	SubmittedBy         *int64
	ApplicantOrgID      *int64
	ExternalRef         string
	CourtProcedure      *string
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
	AcceptedAt          *time.Time
	ClosedAt            *time.Time
	OutcomeAt           *time.Time
	// ArchivedAt is set once the case is archived as a dossier
	// (internal/dossier); the case is read-only from then on.
	ArchivedAt *time.Time
}

func (caseRow) TableName() string { return "cases" }

// caseInsert is a new case with the columns the statistics derive from
// its parties and rights (migration 0022; their triggers keep them for
// every later change).
type caseInsert struct {
	Row          caseRow `gorm:"embedded"`
	SMEApplicant bool
	RightKinds   textArray
}

func (caseInsert) TableName() string { return "cases" }

// rightKinds are the distinct kinds of rights, sorted (cases.right_kinds).
func rightKinds(rights []rightRow) textArray {
	out := textArray{}
	for _, r := range rights {
		if !slices.Contains(out, r.Kind) {
			out = append(out, r.Kind)
		}
	}
	slices.Sort(out)
	return out
}

// textArray writes a PostgreSQL text[] value.
type textArray []string

// Value is the array literal, each element quoted.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// ref is the case number, or the registration number before acceptance.
func (r caseRow) ref() string {
	if r.Number != "" {
		return r.Number
	}
	return r.RegistrationNumber
}

func (r caseRow) toDomain() domain.Case {
	c := domain.Case{
		ID: r.ID, OrgID: r.OrgID, Number: r.Number, Year: r.Year, Seq: r.Seq, RegionCode: r.RegionCode,
		RegistrationNumber: r.RegistrationNumber, MaterialsReceivedAt: r.MaterialsReceivedAt,
		Source: domain.CaseSource(r.Source), DisputeType: domain.DisputeType(r.DisputeType),
		Summary: r.Summary, Claims: r.Claims, ClaimAmountFen: r.ClaimAmountFen, Status: domain.CaseStatus(r.Status),
		RespondentConsentAt: r.RespondentConsentAt, MediationDueAt: r.MediationDueAt, RepeatInfringer: r.RepeatInfringer,
		Outcome: r.Outcome, OutcomeReason: r.OutcomeReason, SuggestedRoute: domain.FailRoute(r.SuggestedRoute),
		ClosingNote: r.ClosingNote, ApplicantOrgID: r.ApplicantOrgID, ExternalRef: r.ExternalRef, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, AcceptedAt: r.AcceptedAt, ClosedAt: r.ClosedAt, OutcomeAt: r.OutcomeAt,
	}
	if r.SubmittedBy != nil {
		c.SubmittedBy = *r.SubmittedBy
	}
	if r.CourtProcedure != nil {
		c.CourtProcedure = domain.CourtProcedure(*r.CourtProcedure)
	}
	return c
}

// partyRow maps case_parties; *_enc columns hold pii ciphertexts.
type partyRow struct {
	ID           int64 `gorm:"primaryKey"`
	CaseID       int64
	Position     int
	Role         string
	Kind         string
	Name         string
	IDNumberEnc  string `gorm:"column:id_number_enc"`
	IDNumberHash string `gorm:"column:id_number_hash"`
	CreditCode   string
	PhoneEnc     string `gorm:"column:phone_enc"`
	AddressEnc   string `gorm:"column:address_enc"`
	// The phones' blind indexes (migration 0040): the party's own phone
	// finds a natural person's cases, the agent's phone an agent's.
	PhoneHash string `gorm:"column:phone_hash"`
	// The e-mail addresses (migration 0042), encrypted like the phones.
	EmailEnc        string `gorm:"column:email_enc"`
	AgentEmailEnc   string `gorm:"column:agent_email_enc"`
	AgentPhoneHash  string `gorm:"column:agent_phone_hash"`
	PhonesHashed    bool   `gorm:"column:phones_hashed"`
	IsSME           bool   `gorm:"column:is_sme"`
	OrgID           *int64
	AgentName       string
	AgentPhoneEnc   string `gorm:"column:agent_phone_enc"`
	AgentLicense    string
	AgentPOADocID   *int64 `gorm:"column:agent_poa_doc_id"`
	RepeatInfringer bool
	// The details the agreement states (migration 0013).
	Gender              string
	Ethnicity           string
	BirthDateEnc        string `gorm:"column:birth_date_enc"`
	Age                 *int
	Occupation          string
	RepresentativeRole  string
	RepresentativeName  string
	RepresentativeTitle string
}

func (partyRow) TableName() string { return "case_parties" }

// rightRow maps case_rights.
type rightRow struct {
	ID        int64 `gorm:"primaryKey"`
	CaseID    int64
	Position  int
	Kind      string
	Number    string
	Title     string
	Holder    string
	ValidFrom *time.Time `gorm:"type:date"`
	ValidTo   *time.Time `gorm:"type:date"`
}

func (rightRow) TableName() string { return "case_rights" }

func (r rightRow) toDomain() domain.IPRight {
	return domain.IPRight{ID: r.ID, Kind: domain.RightKind(r.Kind), Number: r.Number, Title: r.Title, Holder: r.Holder,
		ValidFrom: r.ValidFrom, ValidTo: r.ValidTo}
}

// mediatorRow maps case_mediators. A row with RemovedAt set is history:
// the mediator withdrew (回避) or was removed after an objection.
type mediatorRow struct {
	CaseID      int64 `gorm:"primaryKey"`
	UserID      int64 `gorm:"primaryKey"`
	AssignedAt  time.Time
	AssignedBy  *int64
	DeclaredAt  *time.Time
	Declaration string
	RemovedAt   *time.Time
	// Name is users.display_name, filled by the page query's join.
	Name string `gorm:"->;-:migration"`
}

func (mediatorRow) TableName() string { return "case_mediators" }

func (r mediatorRow) active() bool { return r.RemovedAt == nil }

// objectionRow maps case_objections.
type objectionRow struct {
	ID             int64 `gorm:"primaryKey"`
	CaseID         int64
	MediatorID     int64
	PartyID        int64
	Reason         string
	Status         string
	RaisedBy       *int64
	DecidedBy      *int64
	DecisionReason string
	CreatedAt      time.Time
	DecidedAt      *time.Time
}

func (objectionRow) TableName() string { return "case_objections" }

func (r objectionRow) toDomain() domain.Objection {
	return domain.Objection{ID: r.ID, MediatorID: r.MediatorID, PartyID: r.PartyID, Reason: r.Reason, Status: r.Status,
		DecidedBy: r.DecidedBy, DecisionReason: r.DecisionReason, CreatedAt: r.CreatedAt, DecidedAt: r.DecidedAt}
}

// sessionRow maps case_sessions.
type sessionRow struct {
	ID            int64 `gorm:"primaryKey"`
	CaseID        int64
	HeldAt        time.Time
	Mode          string
	Place         string
	Attendees     string
	Minutes       string
	NextSteps     string
	NextSessionAt *time.Time
	RecordedBy    *int64
	CreatedAt     time.Time
}

func (sessionRow) TableName() string { return "case_sessions" }

func (r sessionRow) toDomain() domain.Session {
	s := domain.Session{ID: r.ID, HeldAt: r.HeldAt, Mode: domain.SessionMode(r.Mode), Place: r.Place, Attendees: r.Attendees,
		Minutes: r.Minutes, NextSteps: r.NextSteps, NextSessionAt: r.NextSessionAt, CreatedAt: r.CreatedAt}
	if r.RecordedBy != nil {
		s.RecordedBy = *r.RecordedBy
	}
	return s
}

// agreementRow maps case_agreements.
type agreementRow struct {
	ID                int64 `gorm:"primaryKey"`
	CaseID            int64
	Facts             string
	DisputedMatters   string
	Responsibilities  string
	Terms             string
	PerformanceMethod string
	PerformanceDue    *time.Time `gorm:"type:date"`
	AmountFen         int64
	EffectiveAt       *time.Time
	CreatedBy         *int64
	CreatedAt         time.Time
	Oral              bool
	Revision          int
	RevisedBy         *int64
	RevisedAt         *time.Time
	// RecorderName is the display name of recorder(), filled by the
	// case page's join.
	RecorderName string `gorm:"->;-:migration"`
}

// recorder is the user who wrote the agreement's current text.
func (r agreementRow) recorder() *int64 {
	if r.RevisedBy != nil {
		return r.RevisedBy
	}
	return r.CreatedBy
}

func (agreementRow) TableName() string { return "case_agreements" }

// signoffRow maps agreement_signoffs.
type signoffRow struct {
	ID          int64 `gorm:"primaryKey"`
	AgreementID int64
	SignerKind  string
	PartyID     *int64
	UserID      *int64
	SignerName  string
	Method      string
	SignedAt    time.Time
	RecordedBy  *int64
	CreatedAt   time.Time
	// VoidedAt, VoidedBy and VoidReason mark a signature voided by a
	// revision of the agreement's text; a voided signature counts no more.
	VoidedAt   *time.Time
	VoidedBy   *int64
	VoidReason string
	// AccessID, PhoneMasked, TextSHA256 and IP are the evidence of a
	// party's own signature (method sms_electronic): the link it signed
	// through, the phone the code went to (masked), the digest of the
	// text it read and the request's address.
	AccessID    *int64
	PhoneMasked string
	TextSHA256  string `gorm:"column:text_sha256"`
	IP          string
}

func (signoffRow) TableName() string { return "agreement_signoffs" }

// eventRow maps case_events; Detail is a JSON object.
type eventRow struct {
	ID         int64 `gorm:"primaryKey"`
	CaseID     int64
	At         time.Time
	ActorID    *int64
	ActorName  string
	Action     string
	FromStatus string
	ToStatus   string
	Detail     string `gorm:"type:jsonb"`
}

func (eventRow) TableName() string { return "case_events" }

func (r eventRow) toDomain() domain.CaseEvent {
	e := domain.CaseEvent{ID: r.ID, At: r.At, ActorID: r.ActorID, ActorName: r.ActorName, Action: r.Action,
		FromStatus: domain.CaseStatus(r.FromStatus), ToStatus: domain.CaseStatus(r.ToStatus)}
	// The column is jsonb written by this package; a row that does not
	// decode shows an empty detail rather than hiding the event.
	if err := json.Unmarshal([]byte(r.Detail), &e.Detail); err != nil || e.Detail == nil {
		e.Detail = map[string]any{}
	}
	return e
}

// documentRow is the part of documents a case page lists.
type documentRow struct {
	ID           int64
	Kind         string
	FileName     string
	SizeBytes    int64
	ContentType  string
	SHA256       string `gorm:"column:sha256"`
	Confidential bool
	UploadedBy   *int64
	UploadedAt   time.Time
}

func (r documentRow) toDocument() Document {
	d := Document{ID: r.ID, Kind: r.Kind, FileName: r.FileName, SizeBytes: r.SizeBytes, ContentType: r.ContentType,
		SHA256: r.SHA256, Confidential: r.Confidential, UploadedAt: r.UploadedAt}
	if r.UploadedBy != nil {
		d.UploadedBy = *r.UploadedBy
	}
	return d
}
