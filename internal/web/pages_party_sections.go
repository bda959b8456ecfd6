package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/pdf"
	"github.com/ipmediate/ipmediate/internal/register"
)

// The sections of the party's view added to its extension point
// (partySections, docs/design.md §16): the documents served on the
// party, which it opens here (/p/served/:id), and the follow-up visits
// of its case's agreement. Each is read for the signed-in party only.

func init() {
	// partyArgs hands a section's template the page (for its language)
	// together with the section's data.
	funcs["partyArgs"] = func(p *Page, d any) partySectionArgs { return partySectionArgs{P: p, D: d} }
	partySections = append(partySections, partyServedSection, partyFollowUpsSection, partyFeedbackSection)
}

// partySectionArgs is what a section's template receives.
type partySectionArgs struct {
	P *Page
	D any
}

// partySectionRoutes registers the party's pages of its sections, behind
// the party session.
func (s *Server) partySectionRoutes(g *echo.Group) {
	g.GET("/p/served/:id", s.handlePartyServedOpen, s.requireParty)
	g.POST("/p/feedback", s.handlePartyFeedback, s.requireParty)
	s.partySignRoutes(g)
	s.partyObjectRoutes(g)
	s.partyEvidenceRoutes(g)
	s.partyChoiceRoutes(g)
}

// partyServedSection lists the documents served on the party, newest
// first; it is drawn even when none is, so the party knows where they
// will be.
func partyServedSection(c echo.Context, s *Server) (PartySection, bool, error) {
	if s.deps.Service == nil {
		return PartySection{}, false, nil
	}
	rs, err := s.deps.Service.ServedTo(ctxOf(c))
	if err != nil {
		return PartySection{}, false, err
	}
	return PartySection{Label: "partyview.served.title", Template: "party-served", Data: rs}, true, nil
}

// partyFollowUpsSection lists the follow-up visits (回访) of the case's
// agreement, when there are any.
func partyFollowUpsSection(c echo.Context, s *Server) (PartySection, bool, error) {
	if s.deps.Register == nil {
		return PartySection{}, false, nil
	}
	fs, err := s.deps.Register.FollowUps(ctxOf(c))
	if err != nil || len(fs) == 0 {
		return PartySection{}, false, err
	}
	return PartySection{Label: "partyview.followups.title", Template: "party-followups", Data: fs}, true, nil
}

// handlePartyServedOpen hands the party a document served on it, marking
// it opened the first time (service.Open checks it is the party's own).
func (s *Server) handlePartyServedOpen(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if s.deps.Service == nil {
		return domain.NotFound("service_record")
	}
	r, b, err := s.deps.Service.Open(ctxOf(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+string(r.Doc)+"-"+itoa(r.CaseID)+`.pdf"`)
	return c.Blob(http.StatusOK, pdf.MediaType, b)
}

// partyFeedbackKey holds, for the page answering a feedback form, what
// was submitted and what was wrong with it.
const partyFeedbackKey = "partyview.feedback"

// partyFeedbackForm is the feedback section: where the rating stands, and
// the form as submitted when it is drawn again.
type partyFeedbackForm struct {
	register.PartyFeedback
	Form
	// Conflict: the party had already rated the case.
	Conflict bool
	// Action is where the form posts: /p/feedback in the party's view,
	// /cases/{id}/feedback for a user of a party enterprise.
	Action string
}

// partyChoice is a field or an option of the feedback form, with its
// label's message id.
type partyChoice struct {
	Name  string
	Label string
}

// Scored are the three scores a party gives.
func (partyFeedbackForm) Scored() []partyChoice {
	return []partyChoice{{Name: "service", Label: "partyview.feedback.service"},
		{Name: "fairness", Label: "partyview.feedback.fairness"}, {Name: "timeliness", Label: "partyview.feedback.timeliness"}}
}

// Scores are the choices of a satisfaction score, best first.
func (partyFeedbackForm) Scores() []partyChoice {
	return []partyChoice{{Name: "5", Label: "partyview.feedback.score5"}, {Name: "4", Label: "partyview.feedback.score4"},
		{Name: "3", Label: "partyview.feedback.score3"}, {Name: "2", Label: "partyview.feedback.score2"},
		{Name: "1", Label: "partyview.feedback.score1"}}
}

// Chosen reports whether mediator id was the one submitted.
func (f partyFeedbackForm) Chosen(id int64) bool {
	return f.V("mediator_id") == strconv.FormatInt(id, 10)
}

// partyFeedbackSection asks the party to rate its case once the case has
// ended, and says it is done once it has.
func partyFeedbackSection(c echo.Context, s *Server) (PartySection, bool, error) {
	if s.deps.Register == nil {
		return PartySection{}, false, nil
	}
	st, err := s.deps.Register.PartyFeedbackState(ctxOf(c))
	if err != nil || !st.Ended {
		return PartySection{}, false, err
	}
	f, _ := c.Get(partyFeedbackKey).(*partyFeedbackForm)
	if f == nil {
		f = &partyFeedbackForm{}
	}
	f.PartyFeedback, f.Action = st, "/p/feedback"
	return PartySection{Label: "partyview.feedback.title", Template: "party-feedback", Data: f}, true, nil
}

// handlePartyFeedback records the party's rating of its case, and a
// complaint about a mediator with it when one is written (the form's
// "statement", a multi-line field of the input boundary).
func (s *Server) handlePartyFeedback(c echo.Context) error {
	p, _ := domain.PartyFrom(ctxOf(c))
	f := newForm(c, "service", "fairness", "timeliness", "comment", "mediator_id", "statement")
	score := func(k string) int { n, _ := strconv.Atoi(f.V(k)); return n }
	in := register.FeedbackInput{Service: score("service"), Fairness: score("fairness"), Timeliness: score("timeliness"),
		Comment: f.V("comment"), ComplaintMediatorID: formInt(f.V("mediator_id")), Complaint: strings.TrimSpace(f.V("statement"))}
	_, err := s.deps.Register.SubmitFeedback(ctxOf(c), p.CaseID, in)
	var de *domain.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/p/case#party-feedback")
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		c.Set(partyFeedbackKey, &partyFeedbackForm{Form: Form{Values: f.Values, Errors: de.Fields}})
		return s.renderPartyCase(c, http.StatusUnprocessableEntity, &partyCasePage{})
	case errors.As(err, &de) && de.Code == domain.ECONFLICT:
		c.Set(partyFeedbackKey, &partyFeedbackForm{Conflict: true})
		return s.renderPartyCase(c, http.StatusConflict, &partyCasePage{})
	}
	return err
}
