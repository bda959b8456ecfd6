package domain

import (
	"fmt"
	"strings"
	"time"
)

// CaseStatus is a dispute case's place in the state machine (docs/design.md §4).
type CaseStatus string

// Case statuses. rejected, withdrawn and closed are terminal.
const (
	StatusSubmitted CaseStatus = "submitted" // 已提交，待受理
	StatusAccepted  CaseStatus = "accepted"  // 已受理，待指派
	StatusRejected  CaseStatus = "rejected"  // 不予受理
	StatusMediating CaseStatus = "mediating" // 调解中
	// StatusAgreementDraft: the agreement is recorded and may still be
	// corrected; it is being signed and sealed (协议待签署).
	StatusAgreementDraft CaseStatus = "agreement_draft"
	StatusSettled        CaseStatus = "settled"   // 调解成功: the agreement is in effect
	StatusFailed         CaseStatus = "failed"    // 调解不成
	StatusWithdrawn      CaseStatus = "withdrawn" // 撤回
	StatusClosed         CaseStatus = "closed"    // 结案
)

// CaseStatuses lists every status in workflow order.
var CaseStatuses = []CaseStatus{StatusSubmitted, StatusAccepted, StatusRejected, StatusMediating,
	StatusAgreementDraft, StatusSettled, StatusFailed, StatusWithdrawn, StatusClosed}

// Terminal reports whether the status can no longer change (a closed
// case still takes follow-ups of its agreement's performance).
func (s CaseStatus) Terminal() bool {
	return s == StatusRejected || s == StatusWithdrawn || s == StatusClosed
}

// Valid reports whether s is a known status.
func (s CaseStatus) Valid() bool {
	for _, k := range CaseStatuses {
		if k == s {
			return true
		}
	}
	return false
}

// CaseAction is one step of the case workflow; each is its own endpoint
// (POST /api/v1/cases/{id}/<action>) and its own web form.
type CaseAction string

// Case actions (docs/design.md §4). ActionLogSession is exposed as "sessions".
const (
	ActionSubmit          CaseAction = "submit"
	ActionAccept          CaseAction = "accept"
	ActionReject          CaseAction = "reject"
	ActionAssign          CaseAction = "assign"
	ActionDeclareConflict CaseAction = "declare" // a mediator's 回避 declaration
	ActionObject          CaseAction = "object"  // a party objects to a mediator
	ActionDecideObjection CaseAction = "decide_objection"
	ActionLogSession      CaseAction = "sessions"
	ActionExtend          CaseAction = "extend"
	ActionSettle          CaseAction = "settle"
	// ActionReviseAgreement corrects the draft agreement before it takes
	// effect; a correction clears the signatures already recorded.
	ActionReviseAgreement CaseAction = "revise_agreement"
	ActionSignoff         CaseAction = "signoff" // a sign-off or the seal on the agreement
	ActionFail            CaseAction = "fail"
	ActionWithdraw        CaseAction = "withdraw"
	ActionClose           CaseAction = "close"
	// ActionPerformance records a follow-up (回访) of how the agreement in
	// effect is being performed (People's Mediation Law art. 31).
	ActionPerformance CaseAction = "performance"
	// ActionReassign moves a case to another committee (a city-level
	// director supervising the county committees).
	ActionReassign CaseAction = "reassign"
)

// transition says from which statuses an action may run and where it
// leads; To is empty for actions that keep the status.
type transition struct {
	From []CaseStatus
	To   CaseStatus
	// Permission is the casbin resource action ("case", Permission).
	Permission string
}

var transitions = map[CaseAction]transition{
	ActionAccept:          {From: []CaseStatus{StatusSubmitted}, To: StatusAccepted, Permission: "accept"},
	ActionReject:          {From: []CaseStatus{StatusSubmitted}, To: StatusRejected, Permission: "reject"},
	ActionAssign:          {From: []CaseStatus{StatusAccepted}, To: StatusMediating, Permission: "assign"},
	ActionDeclareConflict: {From: []CaseStatus{StatusMediating}, Permission: "declare_conflict"},
	ActionObject:          {From: []CaseStatus{StatusMediating}, Permission: "object"},
	ActionDecideObjection: {From: []CaseStatus{StatusMediating}, Permission: "decide_objection"},
	ActionLogSession:      {From: []CaseStatus{StatusMediating}, Permission: "log_session"},
	ActionExtend:          {From: []CaseStatus{StatusMediating}, Permission: "extend"},
	// settle records a written agreement as a draft (an oral one takes
	// effect at once and settles the case: the service decides).
	ActionSettle: {From: []CaseStatus{StatusMediating}, To: StatusAgreementDraft, Permission: "settle"},
	// Correcting the draft is the mediators' as writing it was.
	ActionReviseAgreement: {From: []CaseStatus{StatusAgreementDraft}, Permission: "settle"},
	// The last sign-off settles the case (the service decides).
	ActionSignoff: {From: []CaseStatus{StatusAgreementDraft}, Permission: "signoff"},
	// An agreement not yet signed binds no one: a party may still refuse
	// to sign (mediation fails) or ask to end the mediation (withdraw).
	ActionFail: {From: []CaseStatus{StatusMediating, StatusAgreementDraft}, To: StatusFailed, Permission: "fail"},
	ActionWithdraw: {From: []CaseStatus{StatusSubmitted, StatusAccepted, StatusMediating, StatusAgreementDraft}, To: StatusWithdrawn,
		Permission: "withdraw"},
	ActionClose:    {From: []CaseStatus{StatusSettled, StatusFailed}, To: StatusClosed, Permission: "close"},
	ActionReassign: {From: []CaseStatus{StatusSubmitted, StatusAccepted}, Permission: "reassign"},
	// The committee supervises performance of the agreement in effect,
	// before and after the case is closed (the service checks that the
	// agreement took effect).
	ActionPerformance: {From: []CaseStatus{StatusSettled, StatusClosed}, Permission: "performance"},
}

// CaseActions lists the actions on an existing case in display order.
var CaseActions = []CaseAction{ActionAccept, ActionReject, ActionAssign, ActionDeclareConflict, ActionObject,
	ActionDecideObjection, ActionLogSession, ActionExtend, ActionSettle, ActionReviseAgreement, ActionSignoff, ActionFail, ActionWithdraw,
	ActionPerformance, ActionClose, ActionReassign}

// Permission returns the casbin action that guards a case action.
func (a CaseAction) Permission() string { return transitions[a].Permission }

// Target returns the status an action leads to, or "" when it keeps it.
func (a CaseAction) Target() CaseStatus { return transitions[a].To }

// AllowedActions returns the actions the state machine allows in status s
// (who may take them is a separate question).
func AllowedActions(s CaseStatus) []CaseAction {
	var out []CaseAction
	for _, a := range CaseActions {
		for _, f := range transitions[a].From {
			if f == s {
				out = append(out, a)
			}
		}
	}
	return out
}

// CheckTransition returns nil when action may run in status s, else an
// ECONFLICT error listing the actions allowed now.
func CheckTransition(s CaseStatus, action CaseAction) error {
	allowed := AllowedActions(s)
	for _, a := range allowed {
		if a == action {
			return nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return &Error{Code: ECONFLICT, Allowed: names, ID: MsgNotNow,
		Message: fmt.Sprintf("action %q is not allowed while the case is %s; allowed now: %s", action, s, orNone(strings.Join(names, ", ")))}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ErrStale is returned when an update names a version that is no longer
// current (optimistic locking).
func ErrStale(current int) *Error {
	return &Error{Code: ECONFLICT, ID: MsgStale, Message: fmt.Sprintf("the case was changed by someone else (current version %d); reload and try again", current)}
}

// CaseSource says how a dispute reached the committee.
type CaseSource string

// Case sources (docs/design.md §4).
const (
	SourceDirect         CaseSource = "direct"
	SourceCourtDelegated CaseSource = "court_delegated" // 委派调解: before filing
	SourceCourtEntrusted CaseSource = "court_entrusted" // 委托调解: after filing
	SourceOfficeReferred CaseSource = "office_referred"
	SourceAssistance     CaseSource = "assistance_referred"
	SourceExhibition     CaseSource = "exhibition"
	SourceAssociation    CaseSource = "association"
)

// CaseSources lists every source.
var CaseSources = []CaseSource{SourceDirect, SourceCourtDelegated, SourceCourtEntrusted, SourceOfficeReferred,
	SourceAssistance, SourceExhibition, SourceAssociation}

// CourtProcedure is the procedure of the court case a court-entrusted
// case (委托调解) comes from: it decides the mediation period (15 days
// ordinary, 7 simplified).
type CourtProcedure string

// Court procedures.
const (
	ProcedureOrdinary   CourtProcedure = "ordinary"   // 普通程序
	ProcedureSimplified CourtProcedure = "simplified" // 简易程序
)

// CourtProcedures lists every procedure.
var CourtProcedures = []CourtProcedure{ProcedureOrdinary, ProcedureSimplified}

// DisputeType classifies the dispute.
type DisputeType string

// Dispute types (docs/design.md §4).
const (
	DisputePatent            DisputeType = "patent_infringement"
	DisputeTrademark         DisputeType = "trademark_infringement"
	DisputeCopyright         DisputeType = "copyright_infringement"
	DisputeTradeSecret       DisputeType = "trade_secret"
	DisputeUnfairCompetition DisputeType = "unfair_competition"
	DisputeOwnership         DisputeType = "ownership"
	DisputeLicensing         DisputeType = "licensing_contract"
	DisputeOther             DisputeType = "other"
)

// DisputeTypes lists every dispute type.
var DisputeTypes = []DisputeType{DisputePatent, DisputeTrademark, DisputeCopyright, DisputeTradeSecret,
	DisputeUnfairCompetition, DisputeOwnership, DisputeLicensing, DisputeOther}

// PartyRole is a party's side.
type PartyRole string

// Party roles.
const (
	PartyApplicant  PartyRole = "applicant"  // 申请人
	PartyRespondent PartyRole = "respondent" // 被申请人
	PartyThird      PartyRole = "third_party"
)

// PartyKind says whether a party is a person or an organisation.
type PartyKind string

// Party kinds.
const (
	PartyPerson       PartyKind = "person"
	PartyOrganisation PartyKind = "organisation"
)

// RightKind is the kind of IP right in dispute.
type RightKind string

// IP right kinds (docs/design.md §4).
const (
	RightInvention     RightKind = "invention_patent"
	RightUtilityModel  RightKind = "utility_model_patent"
	RightDesign        RightKind = "design_patent"
	RightTrademark     RightKind = "trademark"
	RightCopyright     RightKind = "copyright"
	RightTradeSecret   RightKind = "trade_secret"
	RightGeographical  RightKind = "geographical_indication"
	RightPlantVariety  RightKind = "plant_variety"
	RightLayoutDesign  RightKind = "layout_design"
	RightSoftwareCopyr RightKind = "software_copyright"
)

// RightKinds lists every IP right kind.
var RightKinds = []RightKind{RightInvention, RightUtilityModel, RightDesign, RightTrademark, RightCopyright,
	RightSoftwareCopyr, RightTradeSecret, RightGeographical, RightPlantVariety, RightLayoutDesign}

// SessionMode is how a mediation session was held.
type SessionMode string

// Session modes.
const (
	ModeInPerson SessionMode = "in_person"
	ModeVideo    SessionMode = "video"
	ModePhone    SessionMode = "phone"
)

// FailRoute is the route suggested after failed mediation.
type FailRoute string

// Suggested routes after failure.
const (
	RouteLitigation     FailRoute = "litigation"
	RouteArbitration    FailRoute = "arbitration"
	RouteAdministrative FailRoute = "administrative_adjudication"
	// RouteOtherBody: another mediation organisation or the body in
	// charge of the matter (a rejection names it).
	RouteOtherBody FailRoute = "other_body"
	RouteNone      FailRoute = "none"
)

// RejectRoutes are the routes a rejection notice may name: where the
// parties can take a dispute the committee does not accept.
var RejectRoutes = []FailRoute{RouteLitigation, RouteArbitration, RouteAdministrative, RouteOtherBody}

// Gender of a natural person party, as the agreement states it.
type Gender string

// Genders; "" is not given.
const (
	GenderMale   Gender = "male"   // 男
	GenderFemale Gender = "female" // 女
)

// RepresentativeRole says who speaks for an organisation party: the legal
// representative of a legal person (法定代表人), or the principal of an
// organisation that is not one (主要负责人).
type RepresentativeRole string

// Representative roles; "" is not given.
const (
	RepresentativeLegal     RepresentativeRole = "legal_representative"
	RepresentativePrincipal RepresentativeRole = "principal"
)

// Party is one party to a dispute. Identity numbers and phones are held
// decrypted only in memory; Masked* return what lists and logs show.
type Party struct {
	ID         int64
	Role       PartyRole
	Kind       PartyKind
	Name       string
	IDNumber   string // resident identity number (persons)
	CreditCode string // unified social credit code (organisations)
	Phone      string
	Address    string
	IsSME      bool
	// OrgID links an enterprise party to its registered organisation, so
	// its applicant users can follow the case from the portal.
	OrgID *int64
	// Agent (lawyer) with a power of attorney.
	AgentName  string
	AgentPhone string
	// Email and AgentEmail are optional e-mail addresses (personal
	// information, encrypted at rest, masked like the phones).
	Email        string
	AgentEmail   string
	AgentLicense string
	AgentPOADoc  *int64 // document id of the power of attorney
	// RepeatInfringer is set at intake when a credit record matches.
	RepeatInfringer bool
	// A natural person's details, as the agreement states them (People's
	// Mediation Law art. 29); Address is the person's 住所. BirthDate is
	// personal information (encrypted at rest, withheld unless the viewer
	// sees personal data); Age is given instead when it is not known.
	Gender     Gender
	Ethnicity  string
	BirthDate  *time.Time // a date, midnight UTC
	Age        int        // 0: not given
	Occupation string
	// An organisation's legal representative or principal and their post.
	RepresentativeRole  RepresentativeRole
	RepresentativeName  string
	RepresentativeTitle string
}

// IPRight is one IP right concerned by the dispute.
type IPRight struct {
	ID        int64
	Kind      RightKind
	Number    string
	Title     string
	Holder    string
	ValidFrom *time.Time
	ValidTo   *time.Time
}

// ValidateNumber checks the right's registration or application number
// by its kind, adding a field error under field.
func (r *IPRight) ValidateNumber(f *Fields, field string) {
	switch r.Kind {
	case RightInvention, RightUtilityModel, RightDesign:
		r.Number = NormalizePatentNumber(r.Number)
		if !ValidPatentApplicationNumber(r.Number) {
			f.Add(field, "validation.patent_number")
		}
	case RightTrademark:
		r.Number = NormalizeTrademarkRegNumber(r.Number)
		if !ValidTrademarkRegNumber(r.Number) {
			f.Add(field, "validation.trademark_number")
		}
	case RightCopyright, RightSoftwareCopyr:
		r.Number = NormalizeCopyrightRegNumber(r.Number)
		if !ValidCopyrightRegNumber(r.Number) {
			f.Add(field, "validation.copyright_number")
		}
	default:
		r.Number = strings.TrimSpace(r.Number)
	}
}

// Case is a dispute case (调解案件).
type Case struct {
	ID    int64
	OrgID int64 // handling committee
	// Number is the case number （2026）榕知调字第0001号, given at
	// acceptance (受理); "" before. RegistrationNumber
	// （2026）榕知调登字第0001号 is given at filing, Year and Seq are its.
	Number             string
	RegistrationNumber string
	Year               int
	Seq                int
	RegionCode         string // GB/T 2260 of the handling committee's area
	Source             CaseSource
	DisputeType        DisputeType
	Summary            string // the facts in brief
	Claims             string // what the applicant asks for
	// ClaimAmountFen is the amount claimed in fen (1/100 yuan); 0 = none.
	ClaimAmountFen int64
	Status         CaseStatus
	// RespondentConsent records that the respondent agreed to mediate
	// (mediation is voluntary); required to accept.
	RespondentConsentAt *time.Time
	MediationDueAt      *time.Time
	// MaterialsReceivedAt is when the committee received (签收) a court's
	// materials for a delegated or entrusted case: the mediation period
	// runs from then.
	MaterialsReceivedAt *time.Time
	RepeatInfringer     bool // a respondent has a credit record
	Outcome             string
	OutcomeReason       string    // reject / fail / withdraw reason
	SuggestedRoute      FailRoute // after failure
	ClosingNote         string    // performance (settled) or route taken (failed)
	SubmittedBy         int64
	// ApplicantOrgID is the enterprise that filed from the portal, if any.
	ApplicantOrgID *int64
	// External reference, e.g. the court's pre-filing or case number.
	ExternalRef string
	// CourtProcedure is set for a court-entrusted case only.
	CourtProcedure CourtProcedure
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	AcceptedAt     *time.Time
	ClosedAt       *time.Time
	// OutcomeAt is when the decision behind Outcome was made: the
	// rejection, the failure, the withdrawal, or the agreement's effect.
	OutcomeAt *time.Time
}

// Ref is how the case is referred to: its case number once accepted,
// its registration number before.
func (c Case) Ref() string {
	if c.Number != "" {
		return c.Number
	}
	return c.RegistrationNumber
}

// Mediator is a mediator assigned to a case.
type Mediator struct {
	UserID      int64
	Name        string
	AssignedAt  time.Time
	DeclaredAt  *time.Time // no-conflict declaration (回避声明)
	Declaration string
	Removed     bool // removed after an upheld objection
}

// Objection is a party's objection to a mediator, decided by the director.
type Objection struct {
	ID             int64
	MediatorID     int64
	PartyID        int64
	Reason         string
	Status         string // pending, upheld, dismissed
	DecidedBy      *int64
	DecisionReason string
	CreatedAt      time.Time
	DecidedAt      *time.Time
}

// Session is one logged mediation session.
type Session struct {
	ID            int64
	HeldAt        time.Time
	Mode          SessionMode
	Place         string // address, or the video link
	Attendees     string
	Minutes       string // confidential to the handling org and parties
	NextSteps     string
	NextSessionAt *time.Time
	RecordedBy    int64
	CreatedAt     time.Time
}

// Agreement is the mediation agreement (调解协议书) with the content that
// People's Mediation Law art. 29 requires. It takes effect when every party
// and the mediator have signed and the committee has sealed it (arts.
// 30–31).
type Agreement struct {
	ID                int64
	Facts             string // main facts
	DisputedMatters   string // matters in dispute
	Responsibilities  string // each party's responsibility
	Terms             string // the agreed terms
	PerformanceMethod string // how they are performed
	PerformanceDue    *time.Time
	// AmountFen is the money the agreement settles (compensation, a
	// licence fee), in fen; 0 when its terms pay none.
	AmountFen   int64
	EffectiveAt *time.Time
	Signoffs    []Signoff
	// VoidedSignoffs are the signatures voided by revisions of the text.
	VoidedSignoffs []Signoff
	CreatedAt      time.Time
	// Oral: an oral agreement (People's Mediation Law art. 28) whose
	// content the mediator recorded; it takes effect on the day the
	// parties reached it, without sign-off or seal.
	Oral bool
	// Revision counts the texts of the draft (1: never corrected).
	Revision  int
	RevisedAt *time.Time
	// RecordedBy is the recorder (记录人) of the current text: the mediator
	// who last wrote it.
	RecordedBy   int64
	RecorderName string
}

// Signoff records one signature or the seal.
type Signoff struct {
	ID         int64
	SignerKind string // party, mediator, seal
	PartyID    *int64
	UserID     *int64
	SignerName string
	Method     string // handwritten, electronic, seal, sms_electronic
	SignedAt   time.Time
	RecordedBy int64
	// PhoneMasked and TextSHA256 are the evidence of a party's own
	// signature (sms_electronic): the phone its code went to, masked,
	// and the digest of the text it signed.
	PhoneMasked string
	TextSHA256  string
	// VoidedAt is when a revision of the agreement's text voided the
	// signature (VoidReason says why); nil for a signature that counts.
	VoidedAt   *time.Time
	VoidReason string
}

// CaseEvent is one entry of the case timeline.
type CaseEvent struct {
	ID         int64
	At         time.Time
	ActorID    *int64
	ActorName  string
	Action     string
	FromStatus CaseStatus
	ToStatus   CaseStatus
	Detail     map[string]any
}

// CaseAccess is what the actor may do with one case, decided by the case
// service's scoping: it is how other capabilities (documents, referrals)
// ask about a case without repeating its rules.
type CaseAccess struct {
	CaseID int64
	OrgID  int64 // handling organisation
	Status CaseStatus
	// Handling: a member of the handling committee who works the case
	// (director, clerk, assigned mediator) or its supervising director.
	Handling bool
	// Party: a user of an enterprise that is a party to the case.
	Party bool
	// SeesPersonalData: may see identity numbers and phones unmasked.
	SeesPersonalData bool
	// SeesConfidential: may read session minutes and confidential
	// documents (mediation confidentiality: handling org and parties).
	SeesConfidential bool
	// Works: a member of the handling committee who works the case (its
	// director or clerk, an assigned mediator). A supervising director
	// reads the case (Handling) but does not work it.
	Works bool
	// ReadsDocuments: casbin grants document:read to a role the actor
	// holds in an organisation through which they see the case (the
	// handling or supervising committee, the party enterprise, the filing
	// organisation, an end of a referral, the leadership office). Which
	// documents is still subject to the rules of internal/document.
	ReadsDocuments bool
	// UploadsDocuments: casbin grants document:upload to a role the actor
	// holds in the handling committee while they work the case, or in an
	// enterprise that is a party to it. Supervision is not enough.
	UploadsDocuments bool
	// Disclosed: the actor reads the case only through a referral, so it
	// sees what the referral disclosed and nothing of the committee's own
	// work (timeline, sessions, declarations, the mediation countdown).
	Disclosed bool
}
