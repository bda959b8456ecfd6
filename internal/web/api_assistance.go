package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// The assistance API (docs/design.md §8): applications, their review steps, their
// documents, and exhibition complaints (fast track).

// applicationOut is the JSON form of an application.
type applicationOut struct {
	ID                   int64                `json:"id"`
	Number               string               `json:"number"`
	Status               assistance.Status    `json:"status"`
	Version              int                  `json:"version"`
	ApplicantOrgID       int64                `json:"applicant_org_id"`
	ApplicantName        string               `json:"applicant_name"`
	CenterOrgID          int64                `json:"center_org_id"`
	CenterName           string               `json:"center_name"`
	ContactName          string               `json:"contact_name"`
	ContactPhone         string               `json:"contact_phone"`
	Rights               []assistance.Right   `json:"rights"`
	Narrative            string               `json:"narrative"`
	RespondentName       string               `json:"respondent_name"`
	RespondentCreditCode string               `json:"respondent_credit_code"`
	PlaceKind            assistance.PlaceKind `json:"place_kind"`
	Place                string               `json:"place"`
	Country              string               `json:"country"`
	ExhibitionCode       string               `json:"exhibition_code"`
	ExhibitionName       string               `json:"exhibition_name"`
	HelpWanted           []assistance.Help    `json:"help_wanted"`
	PlanHelp             []assistance.Help    `json:"plan_help"`
	PlanNote             string               `json:"plan_note"`
	ResponsibleUserID    *int64               `json:"responsible_user_id"`
	ResponsibleName      string               `json:"responsible_name"`
	RejectReason         string               `json:"reject_reason"`
	DecidedAt            *time.Time           `json:"decided_at"`
	SupplementDueAt      *time.Time           `json:"supplement_due_at"`
	CreatedAt            time.Time            `json:"created_at"`
	UpdatedAt            time.Time            `json:"updated_at"`
}

func applicationJSON(a assistance.Application) applicationOut {
	out := applicationOut{ID: a.ID, Number: a.Number, Status: a.Status, Version: a.Version, ApplicantOrgID: a.ApplicantOrgID,
		ApplicantName: a.ApplicantName, CenterOrgID: a.CenterOrgID, CenterName: a.CenterName, ContactName: a.ContactName,
		ContactPhone: a.ContactPhone, Rights: a.Rights, Narrative: a.Narrative, RespondentName: a.RespondentName,
		RespondentCreditCode: a.RespondentCreditCode, PlaceKind: a.PlaceKind, Place: a.Place, Country: a.Country,
		ExhibitionCode: a.ExhibitionCode, ExhibitionName: a.ExhibitionName, HelpWanted: a.HelpWanted, PlanHelp: a.PlanHelp,
		PlanNote: a.PlanNote, ResponsibleUserID: a.ResponsibleUserID, ResponsibleName: a.ResponsibleName,
		RejectReason: a.RejectReason, DecidedAt: a.DecidedAt, SupplementDueAt: a.SupplementDueAt, CreatedAt: a.CreatedAt,
		UpdatedAt: a.UpdatedAt}
	if out.Rights == nil {
		out.Rights = []assistance.Right{}
	}
	if out.HelpWanted == nil {
		out.HelpWanted = []assistance.Help{}
	}
	if out.PlanHelp == nil {
		out.PlanHelp = []assistance.Help{}
	}
	return out
}

type materialRequestOut struct {
	ID          int64      `json:"id"`
	Message     string     `json:"message"`
	RequestedAt time.Time  `json:"requested_at"`
	DueAt       time.Time  `json:"due_at"`
	Status      string     `json:"status"`
	Answer      string     `json:"answer"`
	AnsweredAt  *time.Time `json:"answered_at"`
}

type linkOut struct {
	Kind           string    `json:"kind"`
	CaseID         *int64    `json:"case_id"`
	CaseNumber     string    `json:"case_number"`
	CaseStatus     string    `json:"case_status"`
	CaseOrg        string    `json:"case_org"`
	ReferralID     *int64    `json:"referral_id"`
	ReferralKind   string    `json:"referral_kind"`
	ReferralStatus string    `json:"referral_status"`
	ReceiverName   string    `json:"receiver_name"`
	CreatedAt      time.Time `json:"created_at"`
}

type applicationViewOut struct {
	applicationOut
	Requests       []materialRequestOut  `json:"requests"`
	Links          []linkOut             `json:"links"`
	Events         []eventOut            `json:"events"`
	Documents      []assistance.Document `json:"documents"`
	AllowedActions []assistance.Action   `json:"allowed_actions"`
}

func applicationViewJSON(v assistance.View) applicationViewOut {
	out := applicationViewOut{applicationOut: applicationJSON(v.Application), Requests: []materialRequestOut{}, Links: []linkOut{},
		Events: []eventOut{}, Documents: v.Documents, AllowedActions: v.Allowed}
	if out.Documents == nil {
		out.Documents = []assistance.Document{}
	}
	if out.AllowedActions == nil {
		out.AllowedActions = []assistance.Action{}
	}
	for _, r := range v.Requests {
		out.Requests = append(out.Requests, materialRequestOut{ID: r.ID, Message: r.Message, RequestedAt: r.RequestedAt, DueAt: r.DueAt,
			Status: r.Status, Answer: r.Answer, AnsweredAt: r.AnsweredAt})
	}
	for _, l := range v.Links {
		out.Links = append(out.Links, linkOut{Kind: l.Kind, CaseID: l.CaseID, CaseNumber: l.CaseNumber, CaseStatus: l.CaseStatus,
			CaseOrg: l.CaseOrg, ReferralID: l.ReferralID, ReferralKind: l.ReferralKind, ReferralStatus: l.ReferralStatus,
			ReceiverName: l.ReceiverName, CreatedAt: l.CreatedAt})
	}
	for _, e := range v.Events {
		d := e.Detail
		if d == nil {
			d = map[string]any{}
		}
		out.Events = append(out.Events, eventOut{At: e.At, ActorName: e.ActorName, Action: e.Action,
			FromStatus: string(e.FromStatus), ToStatus: string(e.ToStatus), Detail: d})
	}
	return out
}

// assistanceFilter reads the list filters shared by the page and the API.
func assistanceFilter(c echo.Context) (assistance.ListFilter, error) {
	var f assistance.ListFilter
	var fe domain.Fields
	for _, v := range listParam(c.QueryParams(), "status") {
		f.Statuses = append(f.Statuses, assistance.Status(v))
	}
	f.Cursor = c.QueryParam("cursor")
	f.Help = assistance.Help(c.QueryParam("help"))
	readDays(c.QueryParams(), &fe, dayBound{"submitted_from", &f.SubmittedFrom, false}, dayBound{"submitted_to", &f.SubmittedTo, true})
	n, err := int64Value(c.QueryParam("limit"), "limit")
	if err != nil {
		fe.Add("limit", "validation.number")
	}
	f.Limit = int(n)
	return f, fe.Err()
}

func (s *Server) apiApplicationCreate(c echo.Context) error {
	var in assistance.ApplyInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	app, err := s.deps.Assistance.Apply(ctxOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, applicationJSON(app))
}

func (s *Server) apiApplicationGet(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.deps.Assistance.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, applicationViewJSON(v))
}

// applicationAction binds a step's JSON input and runs it; every step
// answers with the application's new state.
func applicationAction[T any](s *Server, run func(*assistance.Service, echo.Context, int64, T) (assistance.Application, error)) echo.HandlerFunc {
	return objectStep(http.StatusOK, func(c echo.Context, id int64, in T) (assistance.Application, error) {
		return run(s.deps.Assistance, c, id, in)
	},
		func(app assistance.Application) any { return applicationJSON(app) })
}

func (s *Server) apiApplicationOpenCase(c echo.Context) error {
	return objectStep(http.StatusCreated, func(c echo.Context, id int64, in assistance.OpenCaseInput) (assistance.OpenedCase, error) {
		return s.deps.Assistance.OpenCase(ctxOf(c), id, in)
	}, func(out assistance.OpenedCase) any {
		return map[string]any{"application": applicationJSON(out.Application), "case": caseJSON(out.Case)}
	})(c)
}

// sentReferralOut is a referral sent from a plan, as the step answers.
type sentReferralOut struct {
	ID              int64     `json:"id"`
	Kind            string    `json:"kind"`
	Status          string    `json:"status"`
	ReceiverOrgID   int64     `json:"receiver_org_id"`
	ReceiverOrgName string    `json:"receiver_org_name"`
	CreatedAt       time.Time `json:"created_at"`
}

func (s *Server) apiApplicationSendReferrals(c echo.Context) error {
	return objectStep(http.StatusCreated, func(c echo.Context, id int64, in assistance.SendReferralsInput) (assistance.SentReferrals, error) {
		return s.deps.Assistance.SendReferrals(ctxOf(c), id, in)
	}, func(out assistance.SentReferrals) any {
		refs := make([]sentReferralOut, len(out.Referrals))
		for i, r := range out.Referrals {
			refs[i] = sentReferralOut{ID: r.ID, Kind: string(r.Kind), Status: string(r.Status), ReceiverOrgID: r.ReceiverOrgID,
				ReceiverOrgName: r.ReceiverOrgName, CreatedAt: r.CreatedAt}
		}
		return map[string]any{"application": applicationJSON(out.Application), "referrals": refs}
	})(c)
}

// applicationUpload reads the multipart upload shared by the page and the
// API; the body is streamed to storage.
func (s *Server) applicationUpload(c echo.Context, id int64) (assistance.Document, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		// Scope, state and permission first (the service checks them
		// before the missing file): an application the actor cannot see
		// does not exist for them, whatever they sent.
		_, uerr := s.deps.Assistance.Upload(ctxOf(c), assistance.UploadInput{ApplicationID: id, Kind: c.FormValue("kind"), FileName: "-"})
		var mbe *http.MaxBytesError
		if domain.ErrorCode(uerr) == domain.EINVALID && errors.As(err, &mbe) {
			return assistance.Document{}, domain.Invalid(domain.FieldError{Field: "file", Message: "validation.file_too_large",
				Params: map[string]any{"Max": s.deps.MaxUploadBytes}})
		}
		return assistance.Document{}, uerr
	}
	f, err := fh.Open()
	if err != nil {
		return assistance.Document{}, err
	}
	defer f.Close()
	return s.deps.Assistance.Upload(ctxOf(c), assistance.UploadInput{ApplicationID: id, Kind: c.FormValue("kind"),
		FileName: fh.Filename, Body: f})
}

func (s *Server) apiApplicationUpload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.applicationUpload(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) apiApplicationDocument(c echo.Context) error { return s.handleApplicationDocument(c) }

func (s *Server) apiExhibitionList(c echo.Context) error {
	items, err := s.deps.Assistance.Exhibitions(ctxOf(c))
	if err != nil {
		return err
	}
	if items == nil {
		items = []assistance.Exhibition{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_cursor": ""})
}

// complaintOut is the JSON of a lodged exhibition complaint.
type complaintOut struct {
	Case             caseOut   `json:"case"`
	ExhibitionCode   string    `json:"exhibition_code"`
	ExhibitionName   string    `json:"exhibition_name"`
	Booth            string    `json:"booth"`
	FirstResponseDue time.Time `json:"first_response_due"`
	Provisional      bool      `json:"provisional"`
}

func (s *Server) apiExhibitionComplaint(c echo.Context) error {
	var in assistance.ComplaintInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	got, err := s.deps.Assistance.LodgeComplaint(ctxOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, complaintOut{Case: caseJSON(got.Case), ExhibitionCode: got.ExhibitionCode,
		ExhibitionName: got.ExhibitionName, Booth: got.Booth, FirstResponseDue: got.FirstResponseAt, Provisional: got.Provisional})
}

// apiAssistanceRoutes registers the assistance API.
func (s *Server) apiAssistanceRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/assistance/applications", listRoute(assistanceFilter, s.deps.Assistance.List), in)
	g.POST("/assistance/applications", s.apiApplicationCreate, in)
	g.GET("/assistance/applications/:id", s.apiApplicationGet, in)
	g.POST("/assistance/applications/:id/request-materials", applicationAction(s,
		func(a *assistance.Service, c echo.Context, id int64, in assistance.RequestMaterialsInput) (assistance.Application, error) {
			return a.RequestMaterials(ctxOf(c), id, in)
		}), in)
	g.POST("/assistance/applications/:id/answer", applicationAction(s,
		func(a *assistance.Service, c echo.Context, id int64, in assistance.AnswerInput) (assistance.Application, error) {
			return a.Answer(ctxOf(c), id, in)
		}), in)
	g.POST("/assistance/applications/:id/approve", applicationAction(s,
		func(a *assistance.Service, c echo.Context, id int64, in assistance.ApproveInput) (assistance.Application, error) {
			return a.Approve(ctxOf(c), id, in)
		}), in)
	g.POST("/assistance/applications/:id/reject", applicationAction(s,
		func(a *assistance.Service, c echo.Context, id int64, in assistance.RejectInput) (assistance.Application, error) {
			return a.Reject(ctxOf(c), id, in)
		}), in)
	g.POST("/assistance/applications/:id/open-case", s.apiApplicationOpenCase, in)
	g.POST("/assistance/applications/:id/send-referrals", s.apiApplicationSendReferrals, in)
	g.POST("/assistance/applications/:id/documents", s.apiApplicationUpload, s.uploadLimit, in)
	g.GET("/assistance/documents/:id", s.apiApplicationDocument, in)
	g.GET("/assistance/exhibitions", s.apiExhibitionList, in)
	g.POST("/assistance/exhibition-complaints", s.apiExhibitionComplaint, in)
}
