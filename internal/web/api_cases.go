package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/register"
)

// caseOut is the JSON form of a case's own fields.
type caseOut struct {
	ID     int64  `json:"id"`
	Number string `json:"number"` // "" until acceptance
	// RegistrationNumber is given at filing, the case number at acceptance.
	RegistrationNumber  string             `json:"registration_number"`
	Status              domain.CaseStatus  `json:"status"`
	OrgID               int64              `json:"org_id"`
	Version             int                `json:"version"`
	Source              domain.CaseSource  `json:"source"`
	DisputeType         domain.DisputeType `json:"dispute_type"`
	Summary             string             `json:"summary"`
	Claims              string             `json:"claims"`
	ClaimAmountFen      int64              `json:"claim_amount_fen"`
	RegionCode          string             `json:"region_code"`
	RespondentConsentAt *time.Time         `json:"respondent_consent_at"`
	MediationDueAt      *time.Time         `json:"mediation_due_at"`
	RepeatInfringer     bool               `json:"repeat_infringer"`
	OutcomeReason       string             `json:"outcome_reason"`
	SuggestedRoute      domain.FailRoute   `json:"suggested_route"`
	ClosingNote         string             `json:"closing_note"`
	ExternalRef         string             `json:"external_ref"`
	CourtProcedure      string             `json:"court_procedure"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	AcceptedAt          *time.Time         `json:"accepted_at"`
	ClosedAt            *time.Time         `json:"closed_at"`
	OutcomeAt           *time.Time         `json:"outcome_at"`
}

func caseJSON(c domain.Case) caseOut {
	return caseOut{ID: c.ID, Number: c.Number, RegistrationNumber: c.RegistrationNumber, Status: c.Status, OrgID: c.OrgID, Version: c.Version, Source: c.Source,
		DisputeType: c.DisputeType, Summary: c.Summary, Claims: c.Claims, ClaimAmountFen: c.ClaimAmountFen,
		RegionCode: c.RegionCode, RespondentConsentAt: c.RespondentConsentAt, MediationDueAt: c.MediationDueAt,
		RepeatInfringer: c.RepeatInfringer, OutcomeReason: c.OutcomeReason, SuggestedRoute: c.SuggestedRoute,
		ClosingNote: c.ClosingNote, ExternalRef: c.ExternalRef, CourtProcedure: string(c.CourtProcedure),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, AcceptedAt: c.AcceptedAt, ClosedAt: c.ClosedAt, OutcomeAt: c.OutcomeAt}
}

type partyOut struct {
	ID              int64            `json:"id"`
	Role            domain.PartyRole `json:"role"`
	Kind            domain.PartyKind `json:"kind"`
	Name            string           `json:"name"`
	IDNumber        string           `json:"id_number"`
	CreditCode      string           `json:"credit_code"`
	Phone           string           `json:"phone"`
	Address         string           `json:"address"`
	IsSME           bool             `json:"is_sme"`
	AgentName       string           `json:"agent_name"`
	AgentPhone      string           `json:"agent_phone"`
	AgentLicense    string           `json:"agent_license"`
	RepeatInfringer bool             `json:"repeat_infringer"`
	Email           string           `json:"email"`
	AgentEmail      string           `json:"agent_email"`
	// The details the agreement states; "" / 0 / null when not given.
	Gender              domain.Gender             `json:"gender"`
	Ethnicity           string                    `json:"ethnicity"`
	BirthDate           *string                   `json:"birth_date"`
	Age                 int                       `json:"age"`
	Occupation          string                    `json:"occupation"`
	RepresentativeRole  domain.RepresentativeRole `json:"representative_role"`
	RepresentativeName  string                    `json:"representative_name"`
	RepresentativeTitle string                    `json:"representative_title"`
}

type rightOut struct {
	ID        int64            `json:"id"`
	Kind      domain.RightKind `json:"kind"`
	Number    string           `json:"number"`
	Title     string           `json:"title"`
	Holder    string           `json:"holder"`
	ValidFrom *string          `json:"valid_from"`
	ValidTo   *string          `json:"valid_to"`
}

type mediatorOut struct {
	UserID      int64      `json:"user_id"`
	Name        string     `json:"name"`
	AssignedAt  time.Time  `json:"assigned_at"`
	DeclaredAt  *time.Time `json:"declared_at"`
	Declaration string     `json:"declaration"`
	Removed     bool       `json:"removed"`
}

type objectionOut struct {
	ID             int64      `json:"id"`
	MediatorID     int64      `json:"mediator_id"`
	PartyID        int64      `json:"party_id"`
	Reason         string     `json:"reason"`
	Status         string     `json:"status"`
	DecisionReason string     `json:"decision_reason"`
	CreatedAt      time.Time  `json:"created_at"`
	DecidedAt      *time.Time `json:"decided_at"`
}

type sessionOut struct {
	ID            int64              `json:"id"`
	HeldAt        time.Time          `json:"held_at"`
	Mode          domain.SessionMode `json:"mode"`
	Place         string             `json:"place"`
	Attendees     string             `json:"attendees"`
	Minutes       string             `json:"minutes"`
	NextSteps     string             `json:"next_steps"`
	NextSessionAt *time.Time         `json:"next_session_at"`
}

type signoffOut struct {
	SignerKind string    `json:"signer_kind"`
	PartyID    *int64    `json:"party_id"`
	UserID     *int64    `json:"user_id"`
	SignerName string    `json:"signer_name"`
	Method     string    `json:"method"`
	SignedAt   time.Time `json:"signed_at"`
}

type agreementOut struct {
	Facts             string       `json:"facts"`
	DisputedMatters   string       `json:"disputed_matters"`
	Responsibilities  string       `json:"responsibilities"`
	Terms             string       `json:"terms"`
	PerformanceMethod string       `json:"performance_method"`
	PerformanceDue    *string      `json:"performance_due"`
	AmountFen         int64        `json:"amount_fen"`
	EffectiveAt       *time.Time   `json:"effective_at"`
	Signoffs          []signoffOut `json:"signoffs"`
	Oral              bool         `json:"oral"`
	Revision          int          `json:"revision"`
	RecorderName      string       `json:"recorder_name"`
}

// performanceOut is one follow-up of the agreement's performance.
type performanceOut struct {
	Result       domain.PerformanceResult `json:"result"`
	PerformedOn  string                   `json:"performed_on"`
	Note         string                   `json:"note"`
	RecorderName string                   `json:"recorder_name"`
	RecordedAt   time.Time                `json:"recorded_at"`
}

type eventOut struct {
	At         time.Time      `json:"at"`
	ActorName  string         `json:"actor_name"`
	Action     string         `json:"action"`
	FromStatus string         `json:"from_status"`
	ToStatus   string         `json:"to_status"`
	Detail     map[string]any `json:"detail"`
}

// caseViewOut is the JSON of GET /api/v1/cases/{id}.
type caseViewOut struct {
	caseOut
	OrgName        string              `json:"org_name"`
	Parties        []partyOut          `json:"parties"`
	Rights         []rightOut          `json:"rights"`
	Mediators      []mediatorOut       `json:"mediators"`
	Objections     []objectionOut      `json:"objections"`
	Sessions       []sessionOut        `json:"sessions"`
	Agreement      *agreementOut       `json:"agreement"`
	Performance    []performanceOut    `json:"performance"`
	Documents      []cases.Document    `json:"documents"`
	Events         []eventOut          `json:"events"`
	Deadlines      []deadlineOut       `json:"deadlines"`
	AllowedActions []domain.CaseAction `json:"allowed_actions"`
}

// birthDateStr writes a date column (midnight UTC) as its own day.
func birthDateStr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format("2006-01-02")
	return &s
}

func dateStr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.In(beijing).Format("2006-01-02")
	return &s
}

func caseViewJSON(v cases.CaseView, now time.Time) caseViewOut {
	out := caseViewOut{caseOut: caseJSON(v.Case), OrgName: v.OrgName, Parties: []partyOut{}, Rights: []rightOut{},
		Mediators: []mediatorOut{}, Objections: []objectionOut{}, Sessions: []sessionOut{}, Documents: v.Documents,
		Events: []eventOut{}, Deadlines: deadlinesJSON(v.Deadlines, now), AllowedActions: v.Allowed, Performance: []performanceOut{}}
	if out.Documents == nil {
		out.Documents = []cases.Document{}
	}
	if out.AllowedActions == nil {
		out.AllowedActions = []domain.CaseAction{}
	}
	for _, p := range v.Parties {
		out.Parties = append(out.Parties, partyOut{ID: p.ID, Role: p.Role, Kind: p.Kind, Name: p.Name, IDNumber: p.IDNumber,
			CreditCode: p.CreditCode, Phone: p.Phone, Address: p.Address, IsSME: p.IsSME, AgentName: p.AgentName,
			AgentPhone: p.AgentPhone, AgentLicense: p.AgentLicense, RepeatInfringer: p.RepeatInfringer, Email: p.Email, AgentEmail: p.AgentEmail,
			Gender: p.Gender, Ethnicity: p.Ethnicity, BirthDate: birthDateStr(p.BirthDate), Age: p.Age, Occupation: p.Occupation,
			RepresentativeRole: p.RepresentativeRole, RepresentativeName: p.RepresentativeName, RepresentativeTitle: p.RepresentativeTitle})
	}
	for _, r := range v.Rights {
		out.Rights = append(out.Rights, rightOut{ID: r.ID, Kind: r.Kind, Number: r.Number, Title: r.Title, Holder: r.Holder,
			ValidFrom: dateStr(r.ValidFrom), ValidTo: dateStr(r.ValidTo)})
	}
	for _, m := range v.Mediators {
		out.Mediators = append(out.Mediators, mediatorOut{UserID: m.UserID, Name: m.Name, AssignedAt: m.AssignedAt,
			DeclaredAt: m.DeclaredAt, Declaration: m.Declaration, Removed: m.Removed})
	}
	for _, o := range v.Objections {
		out.Objections = append(out.Objections, objectionOut{ID: o.ID, MediatorID: o.MediatorID, PartyID: o.PartyID,
			Reason: o.Reason, Status: o.Status, DecisionReason: o.DecisionReason, CreatedAt: o.CreatedAt, DecidedAt: o.DecidedAt})
	}
	for _, s := range v.Sessions {
		out.Sessions = append(out.Sessions, sessionOut{ID: s.ID, HeldAt: s.HeldAt, Mode: s.Mode, Place: s.Place,
			Attendees: s.Attendees, Minutes: s.Minutes, NextSteps: s.NextSteps, NextSessionAt: s.NextSessionAt})
	}
	if a := v.Agreement; a != nil {
		ag := &agreementOut{Facts: a.Facts, DisputedMatters: a.DisputedMatters, Responsibilities: a.Responsibilities,
			Terms: a.Terms, PerformanceMethod: a.PerformanceMethod, PerformanceDue: dateStr(a.PerformanceDue),
			AmountFen: a.AmountFen, EffectiveAt: a.EffectiveAt, Signoffs: []signoffOut{}, Oral: a.Oral, Revision: a.Revision, RecorderName: a.RecorderName}
		for _, s := range a.Signoffs {
			ag.Signoffs = append(ag.Signoffs, signoffOut{SignerKind: s.SignerKind, PartyID: s.PartyID, UserID: s.UserID,
				SignerName: s.SignerName, Method: s.Method, SignedAt: s.SignedAt})
		}
		out.Agreement = ag
	}
	for _, p := range v.Performance {
		out.Performance = append(out.Performance, performanceOut{Result: p.Result, PerformedOn: p.PerformedOn.UTC().Format("2006-01-02"),
			Note: p.Note, RecorderName: p.RecorderName, RecordedAt: p.RecordedAt})
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

func (s *Server) apiCaseCreate(c echo.Context) error {
	var in cases.IntakeInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	cs, err := s.deps.Cases.Submit(ctxOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, caseJSON(cs))
}

// caseFilter reads the list filters shared by the page and the API; bad
// values are field errors naming the parameter.
func caseFilter(c echo.Context) (cases.ListFilter, error) {
	var f cases.ListFilter
	var fe domain.Fields
	q := c.QueryParams()
	for _, v := range listParam(q, "status") {
		if !domain.CaseStatus(v).Valid() {
			fe.Add("status", "validation.status")
			continue
		}
		f.Statuses = append(f.Statuses, domain.CaseStatus(v))
	}
	f.DisputeType = domain.DisputeType(q.Get("dispute_type"))
	f.Source = domain.CaseSource(q.Get("source"))
	f.RegionCode = q.Get("region_code")
	f.Q = strings.TrimSpace(q.Get("q"))
	f.Cursor = q.Get("cursor")
	f.Mine = q.Get("mine") == "1" || q.Get("mine") == "true"
	switch o := q.Get("outcome"); o {
	case "", string(domain.StatusSettled), string(domain.StatusFailed), string(domain.StatusWithdrawn), string(domain.StatusRejected):
		f.Outcome = o
	default:
		fe.Add("outcome", "validation.outcome_filter")
	}
	if k := q.Get("right_kind"); k != "" {
		if !slices.Contains(domain.RightKinds, domain.RightKind(k)) {
			fe.Add("right_kind", "validation.right_kind")
		}
		f.RightKind = domain.RightKind(k)
	}
	switch q.Get("sme_applicant") {
	case "", "0", "false":
	case "1", "true":
		f.SMEApplicant = true
	default:
		fe.Add("sme_applicant", "validation.flag")
	}
	switch q.Get("objection") {
	case "":
	case "pending":
		f.PendingObjection = true
	default:
		fe.Add("objection", "validation.objection_filter")
	}
	for _, k := range []string{"org_id", "mediator_id", "limit"} {
		if v := q.Get(k); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fe.Add(k, "validation.number")
				continue
			}
			switch k {
			case "org_id":
				f.OrgID = n
			case "mediator_id":
				f.MediatorID = n
			case "limit":
				f.Limit = int(n)
			}
		}
	}
	readDays(q, &fe, dayBound{"from", &f.From, false}, dayBound{"to", &f.To, true},
		dayBound{"outcome_from", &f.OutcomeFrom, false}, dayBound{"outcome_to", &f.OutcomeTo, true})
	return f, fe.Err()
}

// dayBound is a list parameter naming a Beijing day (YYYY-MM-DD) that
// bounds a time column; both ends are inclusive days, so an upper bound
// (end) is stored as the next day's midnight (exclusive): from=2026-01-01
// and to=2026-12-31 is the year 2026.
type dayBound struct {
	name string
	at   *time.Time
	end  bool
}

// readDays reads the bounds present in q; a malformed day is a field
// error naming its parameter.
func readDays(q url.Values, fe *domain.Fields, bounds ...dayBound) {
	for _, d := range bounds {
		v := q.Get(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", v, beijing)
		if err != nil {
			fe.Add(d.name, "validation.date")
			continue
		}
		if d.end {
			t = t.AddDate(0, 0, 1)
		}
		*d.at = t
	}
}

func (s *Server) apiCaseGet(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.deps.Cases.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, caseViewJSON(v, s.now()))
}

// caseAction binds the action's JSON input and runs it; every action
// answers with the case's new state.
func caseAction[T any](s *Server, run func(*Server, echo.Context, int64, T) (domain.Case, error)) echo.HandlerFunc {
	return objectStep(http.StatusOK, func(c echo.Context, id int64, in T) (domain.Case, error) { return run(s, c, id, in) },
		func(cs domain.Case) any { return caseJSON(cs) })
}

// objectStep is the API handler of a step on the object named by the
// path's :id: it binds the step's JSON input, runs it, and answers status
// with what render makes of the result.
func objectStep[In, Out any](status int, run func(c echo.Context, id int64, in In) (Out, error), render func(Out) any) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var in In
		if err := bindJSON(c, &in); err != nil {
			return err
		}
		out, err := run(c, id, in)
		if err != nil {
			return err
		}
		return c.JSON(status, render(out))
	}
}

// createRoute is the API handler that makes an object from a JSON body
// and answers it with 201.
func createRoute[In, Out any](create func(context.Context, In) (Out, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in In
		if err := bindJSON(c, &in); err != nil {
			return err
		}
		out, err := create(ctxOf(c), in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, out)
	}
}

// getRoute is the API handler that answers the object of the path's id.
func getRoute[Out any](get func(context.Context, int64) (Out, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		out, err := get(ctxOf(c), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// listRoute is the API handler of a keyset-paged list: it reads the
// filter (field errors name the query parameter), lists, and answers
// {"items": [...], "next_cursor": "..."}, with an empty array rather than
// null and next_cursor empty on the last page.
func listRoute[F, T any](filter func(echo.Context) (F, error), list func(context.Context, F) ([]T, string, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		f, err := filter(c)
		if err != nil {
			return err
		}
		items, next, err := list(ctxOf(c), f)
		if err != nil {
			return err
		}
		if items == nil {
			items = []T{}
		}
		return c.JSON(http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	}
}

// listParam reads a query parameter that may repeat and may hold a
// comma-separated list (?status=a,b&status=c), without empty values.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, raw := range q[name] {
		for _, v := range strings.Split(raw, ",") {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func (s *Server) apiCaseRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.POST("/cases", s.apiCaseCreate, in)
	g.GET("/cases", listRoute(caseFilter, s.deps.Cases.List), in)
	g.GET("/cases/:id", s.apiCaseGet, in)
	cs := func(s *Server) *cases.Service { return s.deps.Cases }
	g.POST("/cases/:id/accept", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.AcceptInput) (domain.Case, error) {
		return cs(s).Accept(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/reject", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.ReasonInput) (domain.Case, error) {
		return cs(s).Reject(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/assign", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.AssignInput) (domain.Case, error) {
		return cs(s).Assign(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/declare", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.DeclareInput) (domain.Case, error) {
		return cs(s).Declare(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/object", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.ObjectInput) (domain.Case, error) {
		return cs(s).Object(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/decide_objection", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.DecideObjectionInput) (domain.Case, error) {
		return cs(s).DecideObjection(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/sessions", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.SessionInput) (domain.Case, error) {
		return cs(s).LogSession(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/feedback", objectStep(http.StatusCreated, s.apiCaseFeedback, func(f register.Feedback) any { return f }), in)
	g.POST("/cases/:id/extend", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.ExtendInput) (domain.Case, error) {
		return cs(s).Extend(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/settle", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.AgreementInput) (domain.Case, error) {
		return cs(s).Settle(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/revise_agreement", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.ReviseAgreementInput) (domain.Case, error) {
		return cs(s).ReviseAgreement(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/signoff", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.SignoffInput) (domain.Case, error) {
		return cs(s).Signoff(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/fail", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.FailInput) (domain.Case, error) {
		return cs(s).Fail(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/withdraw", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.ReasonInput) (domain.Case, error) {
		return cs(s).Withdraw(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/performance", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.PerformanceInput) (domain.Case, error) {
		return cs(s).RecordPerformance(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/close", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.CloseInput) (domain.Case, error) {
		return cs(s).Close(ctxOf(c), id, in)
	}), in)
	g.POST("/cases/:id/reassign", caseAction(s, func(s *Server, c echo.Context, id int64, in cases.ReassignInput) (domain.Case, error) {
		return cs(s).Reassign(ctxOf(c), id, in)
	}), in)
	g.GET("/orgs/:id/mediators", s.apiOrgMediators, in)
	g.POST("/cases/:id/documents", s.apiDocumentUpload, s.uploadLimit, in)
	g.GET("/documents/:id", s.apiDocumentDownload, in)
}

func (s *Server) apiOrgMediators(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	users, err := s.deps.Cases.Mediators(ctxOf(c), id)
	if err != nil {
		return err
	}
	type m struct {
		ID          int64  `json:"id"`
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
	}
	out := make([]m, 0, len(users))
	for _, u := range users {
		out = append(out, m{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "next_cursor": ""})
}
