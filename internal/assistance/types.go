package assistance

import (
	"slices"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Status is an application's state.
type Status string

// The states of an application. submitted and under_review wait for the
// officer; materials_requested waits for the applicant (until the
// supplement deadline, when it lapses); approved, rejected and lapsed are
// decided. An approved application stays approved while its plan is
// carried out (cases opened, referrals sent).
const (
	StatusSubmitted          Status = "submitted"
	StatusUnderReview        Status = "under_review"
	StatusMaterialsRequested Status = "materials_requested"
	StatusApproved           Status = "approved"
	StatusRejected           Status = "rejected"
	StatusLapsed             Status = "lapsed"
)

// Statuses lists every status in the order of the flow.
var Statuses = []Status{StatusSubmitted, StatusUnderReview, StatusMaterialsRequested, StatusApproved, StatusRejected, StatusLapsed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Action is a step taken on an existing application.
type Action string

// Actions, as their API paths name them.
const (
	ActionRequestMaterials Action = "request-materials"
	ActionAnswer           Action = "answer"
	ActionApprove          Action = "approve"
	ActionReject           Action = "reject"
	ActionOpenCase         Action = "open-case"
	ActionSendReferrals    Action = "send-referrals"
	ActionUpload           Action = "upload"
)

// Actions lists the actions in display order.
var Actions = []Action{ActionRequestMaterials, ActionAnswer, ActionApprove, ActionReject, ActionOpenCase, ActionSendReferrals, ActionUpload}

// from says in which states each action may run; open-case and
// send-referrals additionally need the plan to include the matching help.
var from = map[Action][]Status{
	ActionRequestMaterials: {StatusSubmitted, StatusUnderReview},
	ActionAnswer:           {StatusMaterialsRequested},
	ActionApprove:          {StatusSubmitted, StatusUnderReview},
	ActionReject:           {StatusSubmitted, StatusUnderReview, StatusMaterialsRequested},
	ActionOpenCase:         {StatusApproved},
	ActionSendReferrals:    {StatusApproved},
	ActionUpload:           {StatusSubmitted, StatusUnderReview, StatusMaterialsRequested},
}

// officerActions are the actions of the assistance officer (permission
// assistance:review); the others are the applicant's (assistance:apply).
var officerActions = []Action{ActionRequestMaterials, ActionApprove, ActionReject, ActionOpenCase, ActionSendReferrals}

// Help is a kind of help an SME may ask for and a plan may give (docs/design.md §8).
type Help string

// Kinds of help.
const (
	HelpConsultation        Help = "consultation"         // 咨询
	HelpInfringementOpinion Help = "infringement_opinion" // 侵权判定意见
	HelpExpertReview        Help = "expert_review"        // 专家论证
	HelpMediation           Help = "mediation"            // 调解
	HelpLitigationSupport   Help = "litigation_support"   // 诉讼支持
	HelpCustomsSupport      Help = "customs_support"      // 海关保护支持
	HelpExhibitionResponse  Help = "exhibition_response"  // 展会快速维权
	HelpOverseasGuidance    Help = "overseas_guidance"    // 海外纠纷应对指导
)

// Helps lists every kind of help in display order.
var Helps = []Help{HelpConsultation, HelpInfringementOpinion, HelpExpertReview, HelpMediation, HelpLitigationSupport,
	HelpCustomsSupport, HelpExhibitionResponse, HelpOverseasGuidance}

// PlaceKind says where the infringement happened.
type PlaceKind string

// Places.
const (
	PlaceDomestic   PlaceKind = "domestic"
	PlaceOnline     PlaceKind = "online"
	PlaceAbroad     PlaceKind = "abroad"
	PlaceExhibition PlaceKind = "exhibition"
)

// PlaceKinds lists every place kind.
var PlaceKinds = []PlaceKind{PlaceDomestic, PlaceOnline, PlaceAbroad, PlaceExhibition}

// Document kinds of application files.
var DocumentKinds = []string{"evidence", "right_certificate", "business_license", "power_of_attorney", "other"}

// Right is one IP right concerned by an application.
type Right struct {
	Kind   domain.RightKind `json:"kind"`
	Number string           `json:"number"`
	Title  string           `json:"title,omitempty"`
	Holder string           `json:"holder,omitempty"`
}

// ApplyInput is a new application.
type ApplyInput struct {
	// ApplicantOrgID is the enterprise applying; 0 picks the actor's
	// only enterprise.
	ApplicantOrgID int64   `json:"applicant_org_id,omitempty"`
	Rights         []Right `json:"rights"`
	Narrative      string  `json:"narrative"`
	// RespondentName and RespondentCreditCode name the suspected
	// infringer, when known.
	RespondentName       string    `json:"respondent_name,omitempty"`
	RespondentCreditCode string    `json:"respondent_credit_code,omitempty"`
	PlaceKind            PlaceKind `json:"place_kind"`
	Place                string    `json:"place,omitempty"`
	Country              string    `json:"country,omitempty"`
	ExhibitionCode       string    `json:"exhibition_code,omitempty"`
	HelpWanted           []Help    `json:"help_wanted"`
	ContactName          string    `json:"contact_name"`
	ContactPhone         string    `json:"contact_phone"`
}

// RequestMaterialsInput asks the applicant for missing materials; the
// due time follows from rule assistance.supplement.
type RequestMaterialsInput struct {
	Version int    `json:"version"`
	Message string `json:"message"`
}

// AnswerInput is the applicant's answer to a request for materials (files
// are uploaded separately, before or after).
type AnswerInput struct {
	Version int    `json:"version"`
	Answer  string `json:"answer"`
}

// ApproveInput approves an application with a plan.
type ApproveInput struct {
	Version int    `json:"version"`
	Help    []Help `json:"plan_help"`
	Note    string `json:"plan_note"`
	// ResponsibleUserID is the assistance officer responsible for the
	// plan; 0 means the approving officer.
	ResponsibleUserID int64 `json:"responsible_user_id,omitempty"`
}

// RejectInput rejects an application with a reason.
type RejectInput struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// OpenCaseInput opens a mediation case from an approved plan at the
// chosen committee. The respondent defaults to the one the application
// names; the summary to its narrative.
type OpenCaseInput struct {
	Version              int                `json:"version"`
	OrgID                int64              `json:"org_id"`
	DisputeType          domain.DisputeType `json:"dispute_type"`
	RespondentName       string             `json:"respondent_name,omitempty"`
	RespondentKind       domain.PartyKind   `json:"respondent_kind,omitempty"`
	RespondentCreditCode string             `json:"respondent_credit_code,omitempty"`
	Summary              string             `json:"summary,omitempty"`
	Claims               string             `json:"claims,omitempty"`
}

// Application is one application as its reader may see it.
type Application struct {
	ID                   int64
	Number               string
	ApplicantOrgID       int64
	ApplicantName        string
	ApplicantCreditCode  string
	CenterOrgID          int64
	CenterName           string
	SubmittedBy          int64
	ContactName          string
	ContactPhone         string // masked in lists
	Rights               []Right
	Narrative            string
	RespondentName       string
	RespondentCreditCode string
	PlaceKind            PlaceKind
	Place                string
	Country              string
	ExhibitionCode       string
	ExhibitionName       string
	HelpWanted           []Help
	Status               Status
	PlanHelp             []Help
	PlanNote             string
	ResponsibleUserID    *int64
	ResponsibleName      string
	RejectReason         string
	DecidedAt            *time.Time
	Version              int
	CreatedAt            time.Time
	UpdatedAt            time.Time
	// SupplementDueAt is the due time of the open request for
	// materials, if any.
	SupplementDueAt *time.Time
}

// MaterialRequest is a request for missing materials and its answer.
type MaterialRequest struct {
	ID          int64
	Message     string
	RequestedAt time.Time
	DueAt       time.Time
	Status      string // open, answered, lapsed, cancelled
	Answer      string
	AnsweredAt  *time.Time
}

// Link is a case or referral an application led to.
type Link struct {
	Kind       string // case, referral
	CaseID     *int64
	CaseNumber string
	CaseStatus string
	CaseOrg    string
	ReferralID *int64
	// ReferralKind and ReferralStatus describe a referral, when the
	// referral model answers for it.
	ReferralKind   string
	ReferralStatus string
	ReceiverName   string
	CreatedAt      time.Time
}

// Event is one entry of an application's timeline.
type Event struct {
	At         time.Time
	ActorName  string
	Action     string
	FromStatus Status
	ToStatus   Status
	Detail     map[string]any
}

// Document is a file attached to an application.
type Document struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	FileName    string    `json:"file_name"`
	SizeBytes   int64     `json:"size_bytes"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	RequestID   *int64    `json:"request_id"`
	UploadedBy  int64     `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// View is an application with everything its page shows, filtered for the
// viewer, and the actions the viewer may take now.
type View struct {
	Application
	Requests  []MaterialRequest
	Links     []Link
	Events    []Event
	Documents []Document
	Allowed   []Action
	// Officer: the viewer reviews applications of the centre.
	Officer bool
	// Applicant: the viewer is a user of the applicant enterprise.
	Applicant bool
	// Officers are the centre's assistance officers, for the plan's
	// responsible officer (filled for officers only).
	Officers []Person
}

// Person is a user as a choice in a form.
type Person struct {
	ID   int64
	Name string
}

// ListFilter narrows List.
type ListFilter struct {
	Statuses []Status
	// Help keeps the applications that asked for this kind of help;
	// SubmittedFrom, SubmittedTo bound the day they were submitted (To
	// exclusive). The statistics link their figures to lists so filtered.
	Help                       Help
	SubmittedFrom, SubmittedTo time.Time
	Cursor                     string
	Limit                      int // default 50, max 200
}

// ListItem is one row of an application list.
type ListItem struct {
	ID              int64      `json:"id"`
	Number          string     `json:"number"`
	ApplicantOrgID  int64      `json:"applicant_org_id"`
	ApplicantName   string     `json:"applicant_name"`
	Status          Status     `json:"status"`
	PlaceKind       PlaceKind  `json:"place_kind"`
	HelpWanted      []Help     `json:"help_wanted"`
	SupplementDueAt *time.Time `json:"supplement_due_at"`
	Cases           int        `json:"cases"`
	Referrals       int        `json:"referrals"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	Version         int        `json:"version"`
}
