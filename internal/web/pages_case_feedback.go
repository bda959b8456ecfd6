package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/register"
)

// The rating of an ended case by a user of a party enterprise
// (/cases/{id}/feedback, the link of the inbox invitation
// register.NoticeFeedbackInvite): the same form a party without an
// account fills in its own view (docs/design.md §17).

// caseFeedbackPage is the page: the case named, and the form.
type caseFeedbackPage struct {
	CaseID int64
	Number string
	Form   *partyFeedbackForm
}

func (s *Server) renderCaseFeedback(c echo.Context, status int, id int64, f *partyFeedbackForm) error {
	ctx := ctxOf(c)
	st, err := s.deps.Register.FeedbackState(ctx, id)
	if err != nil {
		return err
	}
	cv, err := s.deps.Cases.Get(ctx, id)
	if err != nil {
		return err
	}
	if f == nil {
		f = &partyFeedbackForm{}
	}
	f.PartyFeedback, f.Action = st, register.FeedbackLink(id)
	number := cv.Number
	if number == "" {
		number = cv.RegistrationNumber
	}
	return s.render(c, status, "case_feedback", caseFeedbackPage{CaseID: id, Number: number, Form: f})
}

func (s *Server) handleCaseFeedback(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderCaseFeedback(c, http.StatusOK, id, nil)
}

// handleCaseFeedbackPost records the rating, and a complaint about a
// mediator with it when one is written.
func (s *Server) handleCaseFeedbackPost(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c, "service", "fairness", "timeliness", "comment", "mediator_id", "statement")
	score := func(k string) int { n, _ := strconv.Atoi(f.V(k)); return n }
	in := register.FeedbackInput{Service: score("service"), Fairness: score("fairness"), Timeliness: score("timeliness"),
		Comment: f.V("comment"), ComplaintMediatorID: formInt(f.V("mediator_id")), Complaint: strings.TrimSpace(f.V("statement"))}
	_, err = s.deps.Register.SubmitFeedback(ctxOf(c), id, in)
	var de *domain.Error
	switch {
	case err == nil:
		s.flash(c, "ok", "partyview.feedback.done")
		return c.Redirect(http.StatusSeeOther, register.FeedbackLink(id))
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		return s.renderCaseFeedback(c, http.StatusUnprocessableEntity, id, &partyFeedbackForm{Form: Form{Values: f.Values, Errors: de.Fields}})
	case errors.As(err, &de) && de.Code == domain.ECONFLICT:
		return s.renderCaseFeedback(c, http.StatusConflict, id, &partyFeedbackForm{Conflict: true})
	}
	return err
}

// apiCaseFeedback records the rating of an ended case by a user of one of
// its party enterprises (POST /api/v1/cases/{id}/feedback).
func (s *Server) apiCaseFeedback(c echo.Context, id int64, in register.FeedbackInput) (register.Feedback, error) {
	return s.deps.Register.SubmitFeedback(ctxOf(c), id, in)
}
