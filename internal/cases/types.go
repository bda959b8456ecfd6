package cases

import (
	"time"

	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// PartyInput is one party as submitted at intake.
type PartyInput struct {
	Role       domain.PartyRole `json:"role"`
	Kind       domain.PartyKind `json:"kind"`
	Name       string           `json:"name"`
	IDNumber   string           `json:"id_number,omitempty"`   // persons: resident identity number (GB 11643)
	CreditCode string           `json:"credit_code,omitempty"` // organisations: GB 32100
	Phone      string           `json:"phone,omitempty"`
	Address    string           `json:"address,omitempty"`
	IsSME      bool             `json:"is_sme"`
	AgentName  string           `json:"agent_name,omitempty"`
	AgentPhone string           `json:"agent_phone,omitempty"`
	// Email and AgentEmail are optional; links and notices of documents
	// served go to them as well as by SMS.
	Email        string `json:"email,omitempty"`
	AgentEmail   string `json:"agent_email,omitempty"`
	AgentLicense string `json:"agent_license,omitempty"`
	// A natural person's details for the agreement, each optional; the
	// address is the person's 住所.
	Gender     domain.Gender `json:"gender,omitempty"`     // male, female
	Ethnicity  string        `json:"ethnicity,omitempty"`  // 民族, e.g. 汉族
	BirthDate  string        `json:"birth_date,omitempty"` // YYYY-MM-DD, from 1900 to today
	Age        int           `json:"age,omitempty"`        // when the date of birth is not given
	Occupation string        `json:"occupation,omitempty"`
	// An organisation's legal representative (法定代表人) or principal
	// (主要负责人, for one that is not a legal person) and their post.
	RepresentativeRole  domain.RepresentativeRole `json:"representative_role,omitempty"`
	RepresentativeName  string                    `json:"representative_name,omitempty"`
	RepresentativeTitle string                    `json:"representative_title,omitempty"`
}

// RightInput is one IP right as submitted at intake.
type RightInput struct {
	Kind      domain.RightKind `json:"kind"`
	Number    string           `json:"number"`
	Title     string           `json:"title,omitempty"`
	Holder    string           `json:"holder,omitempty"`
	ValidFrom string           `json:"valid_from,omitempty"` // YYYY-MM-DD
	ValidTo   string           `json:"valid_to,omitempty"`
}

// IntakeInput is a new case.
type IntakeInput struct {
	OrgID          int64              `json:"org_id"` // the handling committee
	Source         domain.CaseSource  `json:"source"`
	DisputeType    domain.DisputeType `json:"dispute_type"`
	Summary        string             `json:"summary"`
	Claims         string             `json:"claims"`
	ClaimAmountFen int64              `json:"claim_amount_fen"`
	ExternalRef    string             `json:"external_ref,omitempty"`
	// CourtProcedure is the court procedure of a court-entrusted case
	// (ordinary or simplified), which decides its mediation period;
	// required for that source and refused for the others.
	CourtProcedure domain.CourtProcedure `json:"court_procedure,omitempty"`
	Parties        []PartyInput          `json:"parties"`
	Rights         []RightInput          `json:"rights"`
	// MaterialsReceivedAt is when the committee received (签收) the
	// materials of a court's delegation or entrustment, from which its
	// mediation period runs; set by the referral flow (SubmitInternal),
	// never taken from a client.
	MaterialsReceivedAt *time.Time `json:"-"`
	// ApplicantOrgID is the enterprise a case filed through
	// SubmitInternal is filed for (an assistance application's, an
	// exhibition complainant's): it follows the case as its applicant,
	// linked to the first party when that is the applicant. Set by the
	// other capabilities' flows, never taken from a client; Submit
	// ignores it (an SME filing online is linked by its membership).
	ApplicantOrgID *int64 `json:"-"`
}

// CaseView is one case with everything its page shows, already filtered
// for the viewer: personal data masked unless Access.SeesPersonalData,
// minutes and confidential documents withheld unless
// Access.SeesConfidential.
type CaseView struct {
	domain.Case
	OrgName    string
	Parties    []domain.Party
	Rights     []domain.IPRight
	Mediators  []domain.Mediator
	Objections []domain.Objection
	Sessions   []domain.Session
	Agreement  *domain.Agreement
	// Performance lists the follow-ups of the agreement's performance,
	// oldest first; the last one is the current result.
	Performance []domain.Performance
	Documents   []Document
	Events      []domain.CaseEvent
	// Deadlines are the case's legal deadlines, open ones first.
	Deadlines []deadline.Deadline
	// Allowed lists the actions this viewer may take now (state machine
	// and permission and assignment all agree).
	Allowed []domain.CaseAction
	Access  domain.CaseAccess
	// JudicialConfirmationOffered: the agreement tells the parties they
	// may apply to a court for judicial confirmation (People's Mediation
	// Law art. 33); not for a court-entrusted case, which the court that
	// entrusted it concludes itself.
	JudicialConfirmationOffered bool
}

// Document is a file attached to a case, as listed on its page.
type Document struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	FileName     string    `json:"file_name"`
	SizeBytes    int64     `json:"size_bytes"`
	ContentType  string    `json:"content_type"`
	SHA256       string    `json:"sha256"`
	Confidential bool      `json:"confidential"`
	UploadedBy   int64     `json:"uploaded_by"`
	UploadedAt   time.Time `json:"uploaded_at"`
}

// ListFilter narrows List. Zero values mean "any".
type ListFilter struct {
	// Mine limits to cases assigned to the actor as mediator.
	Mine        bool
	OrgID       int64
	Statuses    []domain.CaseStatus
	DisputeType domain.DisputeType
	Source      domain.CaseSource
	RegionCode  string // county (GB/T 2260) of the handling committee
	MediatorID  int64
	// PendingObjection keeps the cases with an objection to a mediator
	// not yet decided (the director's queue).
	PendingObjection bool
	From, To         time.Time // created_at range, To exclusive
	// Outcome keeps the cases that ended so (settled, failed, withdrawn,
	// rejected); OutcomeFrom and OutcomeTo bound when (outcome_at, To
	// exclusive). The statistics link their figures to lists so filtered.
	Outcome                string
	OutcomeFrom, OutcomeTo time.Time
	// RightKind keeps the cases with an IP right of that kind;
	// SMEApplicant those with an applicant marked as an SME (the
	// statistics' breakdown by right kind and share of SMEs).
	RightKind    domain.RightKind
	SMEApplicant bool
	// Q searches the case number, the registration number, a party's
	// name or an IP right number.
	Q      string
	Cursor string
	Limit  int // default 50, max 200
}

// ListItem is one row of a case list.
type ListItem struct {
	ID     int64  `json:"id"`
	Number string `json:"number"` // "" until acceptance
	// RegistrationNumber is shown where the case has no number yet.
	RegistrationNumber string             `json:"registration_number"`
	OrgID              int64              `json:"org_id"`
	OrgName            string             `json:"org_name"`
	Status             domain.CaseStatus  `json:"status"`
	Source             domain.CaseSource  `json:"source"`
	DisputeType        domain.DisputeType `json:"dispute_type"`
	Applicant          string             `json:"applicant"`  // first applicant's name
	Respondent         string             `json:"respondent"` // first respondent's name
	MediationDueAt     *time.Time         `json:"mediation_due_at"`
	RepeatInfringer    bool               `json:"repeat_infringer"`
	CreatedAt          time.Time          `json:"created_at"`
	Version            int                `json:"version"`
}

// AcceptInput records the respondent's consent to mediate.
type AcceptInput struct {
	Version     int       `json:"version"`
	ConsentAt   time.Time `json:"consent_at"` // when the respondent agreed
	ConsentNote string    `json:"consent_note"`
}

// ReassignInput moves a case to another committee.
type ReassignInput struct {
	Version int    `json:"version"`
	OrgID   int64  `json:"org_id"` // the committee that takes the case over
	Reason  string `json:"reason"`
}

// ReasonInput carries a reason (reject, withdraw). Route is the
// rejection's only: where the parties can take the dispute (litigation,
// arbitration, administrative_adjudication, other_body), printed on the
// rejection notice.
type ReasonInput struct {
	Version int              `json:"version"`
	Reason  string           `json:"reason"`
	Route   domain.FailRoute `json:"route,omitempty"`
}

// AssignInput assigns mediators. Reason is required when an assignment
// (the first, or a later one staffing a mediating case again) leaves out
// a mediator a party chose and who was never on the case (People's
// Mediation Law art. 23; party.ChooseMediator); it is recorded on the
// timeline.
type AssignInput struct {
	Version     int     `json:"version"`
	MediatorIDs []int64 `json:"mediator_ids"`
	Reason      string  `json:"reason,omitempty"`
}

// DeclareInput is a mediator's conflict-of-interest declaration (回避).
// NoConflict false means the mediator withdraws from the case.
type DeclareInput struct {
	Version    int    `json:"version"`
	NoConflict bool   `json:"no_conflict"`
	Statement  string `json:"statement"`
}

// ObjectInput is a party's objection to a mediator.
type ObjectInput struct {
	Version    int    `json:"version"`
	MediatorID int64  `json:"mediator_id"`
	PartyID    int64  `json:"party_id"`
	Reason     string `json:"reason"`
}

// DecideObjectionInput is the director's decision on an objection; an
// upheld objection removes the mediator and may name replacements.
type DecideObjectionInput struct {
	Version      int     `json:"version"`
	ObjectionID  int64   `json:"objection_id"`
	Uphold       bool    `json:"uphold"`
	Reason       string  `json:"reason"`
	Replacements []int64 `json:"replacement_ids"`
}

// SessionInput logs a mediation session.
type SessionInput struct {
	Version       int                `json:"version"`
	HeldAt        time.Time          `json:"held_at"`
	Mode          domain.SessionMode `json:"mode"`
	Place         string             `json:"place"`
	Attendees     string             `json:"attendees"`
	Minutes       string             `json:"minutes"`
	NextSteps     string             `json:"next_steps"`
	NextSessionAt *time.Time         `json:"next_session_at"`
}

// ExtendInput moves the mediation due date with both parties' consent.
type ExtendInput struct {
	Version           int       `json:"version"`
	NewDueAt          time.Time `json:"new_due_at"`
	Reason            string    `json:"reason"`
	ApplicantConsent  bool      `json:"applicant_consent"`
	RespondentConsent bool      `json:"respondent_consent"`
}

// AgreementInput is the content of the mediation agreement (People's
// Mediation Law art. 29); the parties' details come from the case.
type AgreementInput struct {
	Version           int    `json:"version"`
	Facts             string `json:"facts"`
	DisputedMatters   string `json:"disputed_matters"`
	Responsibilities  string `json:"responsibilities"`
	Terms             string `json:"terms"`
	PerformanceMethod string `json:"performance_method"`
	PerformanceDue    string `json:"performance_due"` // YYYY-MM-DD
	// AmountFen is the money the agreement settles, in fen (0: none);
	// the terms state it in words.
	AmountFen int64 `json:"amount_fen"`
	// Oral records an oral agreement (art. 28): the parties agreed by
	// word, the mediator records its content, and it takes effect on the
	// day they reached it (AgreedAt, not in the future nor before the
	// filing; now when not given), without sign-off.
	Oral     bool       `json:"oral,omitempty"`
	AgreedAt *time.Time `json:"agreed_at,omitempty"`
}

// ReviseAgreementInput is the corrected text of a draft agreement: every
// clause, as AgreementInput has them.
type ReviseAgreementInput struct {
	Version           int    `json:"version"`
	Facts             string `json:"facts"`
	DisputedMatters   string `json:"disputed_matters"`
	Responsibilities  string `json:"responsibilities"`
	Terms             string `json:"terms"`
	PerformanceMethod string `json:"performance_method"`
	PerformanceDue    string `json:"performance_due"` // YYYY-MM-DD
	AmountFen         int64  `json:"amount_fen"`
}

// SignoffInput records one signature or the committee's seal.
type SignoffInput struct {
	Version    int       `json:"version"`
	SignerKind string    `json:"signer_kind"` // party, mediator, seal
	PartyID    int64     `json:"party_id,omitempty"`
	UserID     int64     `json:"user_id,omitempty"` // the mediator
	Method     string    `json:"method"`            // handwritten, electronic, seal
	SignedAt   time.Time `json:"signed_at"`
}

// FailInput ends mediation without agreement.
type FailInput struct {
	Version int              `json:"version"`
	Reason  string           `json:"reason"`
	Route   domain.FailRoute `json:"suggested_route"`
}

// CloseInput closes a settled or failed case.
type CloseInput struct {
	Version int    `json:"version"`
	Note    string `json:"note"` // performance (settled) or the route taken (failed)
}
