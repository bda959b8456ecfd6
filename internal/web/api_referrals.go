package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// The referral API (docs/design.md §5): a list with keyset pagination, one
// referral with its history, one POST per kind to send, and one POST per
// step (receive, accept, decline, complete).

// referralViewOut is the JSON of GET /api/v1/referrals/{id}.
type referralViewOut struct {
	referral.Referral
	Events         []referral.Event  `json:"events"`
	Deadlines      []deadlineOut     `json:"deadlines"`
	AllowedActions []referral.Action `json:"allowed_actions"`
	Sender         bool              `json:"viewer_is_sender"`
	Receiver       bool              `json:"viewer_is_receiver"`
}

func referralViewJSON(v referral.View, now time.Time) referralViewOut {
	out := referralViewOut{Referral: v.Referral, Events: v.Events, Deadlines: deadlinesJSON(v.Deadlines, now),
		AllowedActions: v.Allowed, Sender: v.Sender, Receiver: v.Receiver}
	if out.Events == nil {
		out.Events = []referral.Event{}
	}
	if out.AllowedActions == nil {
		out.AllowedActions = []referral.Action{}
	}
	return out
}

// referralFilter reads the list filters shared by the page and the API.
func referralFilter(c echo.Context) (referral.ListFilter, error) {
	var f referral.ListFilter
	var fe domain.Fields
	q := c.QueryParams()
	f.Box = q.Get("box")
	f.Kind = referral.Kind(q.Get("kind"))
	f.Cursor = q.Get("cursor")
	f.Result = q.Get("result")
	for _, v := range listParam(q, "status") {
		f.Statuses = append(f.Statuses, referral.Status(v))
	}
	for _, k := range []string{"case_id", "application_id", "limit"} {
		n, err := int64Value(q.Get(k), k)
		if err != nil {
			fe.Add(k, "validation.number")
			continue
		}
		switch k {
		case "case_id":
			f.CaseID = n
		case "application_id":
			f.ApplicationID = n
		case "limit":
			f.Limit = int(n)
		}
	}
	readDays(q, &fe, dayBound{"sent_from", &f.SentFrom, false}, dayBound{"sent_to", &f.SentTo, true},
		dayBound{"completed_from", &f.CompletedFrom, false}, dayBound{"completed_to", &f.CompletedTo, true},
		dayBound{"decided_from", &f.DecidedFrom, false}, dayBound{"decided_to", &f.DecidedTo, true})
	return f, fe.Err()
}

func (s *Server) apiReferralGet(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.deps.Referrals.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, referralViewJSON(v, s.now()))
}

// apiReferralSend sends a referral of kind k.
func (s *Server) apiReferralSend(k referral.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in referral.SendInput
		if err := bindJSON(c, &in); err != nil {
			return err
		}
		if in.Kind != "" && in.Kind != k {
			return domain.Invalid(domain.FieldError{Field: "kind", Message: "validation.not_applicable"})
		}
		in.Kind = k
		r, err := s.deps.Referrals.Send(ctxOf(c), in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, r)
	}
}

// referralStep binds a step's JSON input and runs it; every step answers
// with the referral's new state.
func referralStep[T any](s *Server, run func(*referral.Service, echo.Context, int64, T) (referral.Referral, error)) echo.HandlerFunc {
	return objectStep(http.StatusOK, func(c echo.Context, id int64, in T) (referral.Referral, error) {
		return run(s.deps.Referrals, c, id, in)
	},
		func(r referral.Referral) any { return r })
}

func (s *Server) apiReferralRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/referrals", listRoute(referralFilter, s.deps.Referrals.List), in)
	g.GET("/referrals/:id", s.apiReferralGet, in)
	g.GET("/referrals/:id/documents", s.apiReferralDocuments, in)
	g.POST("/referrals/:id/documents", s.apiReferralDocumentUpload, s.uploadLimit, in)
	for _, k := range referral.Kinds {
		g.POST("/referrals/"+string(k), s.apiReferralSend(k), in)
	}
	g.POST("/referrals/:id/receive", referralStep(s, func(r *referral.Service, c echo.Context, id int64, in referral.ReceiveInput) (referral.Referral, error) {
		return r.Receive(ctxOf(c), id, in)
	}), in)
	g.POST("/referrals/:id/accept", referralStep(s, func(r *referral.Service, c echo.Context, id int64, in referral.AcceptInput) (referral.Referral, error) {
		return r.Accept(ctxOf(c), id, in)
	}), in)
	g.POST("/referrals/:id/decline", referralStep(s, func(r *referral.Service, c echo.Context, id int64, in referral.DeclineInput) (referral.Referral, error) {
		return r.Decline(ctxOf(c), id, in)
	}), in)
	g.POST("/referrals/:id/complete", referralStep(s, func(r *referral.Service, c echo.Context, id int64, in referral.CompleteInput) (referral.Referral, error) {
		return r.Complete(ctxOf(c), id, in)
	}), in)
}
