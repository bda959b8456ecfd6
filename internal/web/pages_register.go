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
