package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/register"
)

// The mediator register page (docs/design.md §17): a committee's
// mediators with their specialties, qualifications, open cases, success
// rate and average feedback scores.

// registerRoutes registers the register pages.
func (s *Server) registerRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/mediators", s.handleMediatorRegister, in)
	g.GET("/mediators/complaints/:id", s.handleComplaintShow, in)
	g.POST("/mediators/complaints/:id/answer", s.handleComplaintAnswer, in)
	s.registerProfileRoutes(g, in)
	g.GET("/cases/:id/feedback", s.handleCaseFeedback, in)
	g.POST("/cases/:id/feedback", s.handleCaseFeedbackPost, in)
}

// committeeChoice is a committee whose register the actor may open.
type committeeChoice struct {
	ID   int64
	Name string
}

type registerPage struct {
	OrgID      int64
	Committees []committeeChoice
	Mediators  []register.Profile
	Feedback   *register.CommitteeFeedback
}

// Percent formats a success rate.
func (registerPage) Percent(p register.Profile) string {
	return strconv.FormatFloat(p.SuccessRate(), 'f', 0, 64) + "%"
}

// Score formats an average score ("—" without feedback).
func (registerPage) Score(n int, v float64) string {
	if n == 0 {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func (s *Server) handleMediatorRegister(c echo.Context) error {
	a := actorOf(c)
	if !s.deps.Register.CanRead(a) {
		return domain.Errorf(domain.EFORBIDDEN, "you may not read a mediator register")
	}
	figures, err := s.deps.Register.FeedbackByCommittee(ctxOf(c))
	if err != nil {
		return err
	}
	page := &registerPage{}
	for _, f := range figures {
		page.Committees = append(page.Committees, committeeChoice{ID: f.OrgID, Name: f.Name})
	}
	if q := c.QueryParam("org"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || !slices.ContainsFunc(figures, func(f register.CommitteeFeedback) bool { return f.OrgID == id }) {
			return domain.NotFound("register")
		}
		page.OrgID = id
	} else if own := s.deps.Register.Committees(a); len(own) > 0 {
		page.OrgID = own[0]
	}
	if page.OrgID != 0 {
		if page.Mediators, err = s.deps.Register.Register(ctxOf(c), page.OrgID); err != nil {
			return err
		}
		for i := range figures {
			if figures[i].OrgID == page.OrgID {
				page.Feedback = &figures[i]
			}
		}
	}
	return s.render(c, http.StatusOK, "mediators", page)
}

// complaintPage is a complaint about a mediator with the director's
// answer form.
type complaintPage struct {
	Form
	C register.Complaint
	// Answers: the actor keeps the register (the answer form).
	Answers bool
}

func (s *Server) complaintPage(c echo.Context, f Form) (*complaintPage, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	cp, err := s.deps.Register.Complaint(ctxOf(c), id)
	if err != nil {
		return nil, err
	}
	return &complaintPage{Form: f, C: cp, Answers: s.deps.Register.Keeps(actorOf(c), cp.OrgID)}, nil
}

func (s *Server) handleComplaintShow(c echo.Context) error {
	page, err := s.complaintPage(c, Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "mediator_complaint", page)
}

func (s *Server) handleComplaintAnswer(c echo.Context) error {
	f := newForm(c, "answer")
	page, err := s.complaintPage(c, *f)
	if err != nil {
		return err
	}
	if _, err := s.deps.Register.AnswerComplaint(ctxOf(c), page.C.ID, f.V("answer")); err != nil {
		return s.formFailed(c, "mediator_complaint", page, err)
	}
	s.flash(c, "ok", "roster.flash.answered")
	return c.Redirect(http.StatusSeeOther, register.ComplaintLink(page.C.ID))
}
