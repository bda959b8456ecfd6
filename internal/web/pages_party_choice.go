package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// Two sections of the party's view (docs/design.md §16): the party
// chooses its mediator among the committee's, or leaves it to the
// committee (People's Mediation Law art. 23), while the case is not yet
// assigned; and it confirms whether it will attend the next scheduled
// session. The staff's case page shows both answers (casePartyAnswers).

func init() {
	partySections = append(partySections, partyMediatorChoiceSection, partyAttendanceSection)
}

// partyChoiceRoutes registers the two sections' forms, behind the party
// session.
func (s *Server) partyChoiceRoutes(g *echo.Group) {
	g.POST("/p/mediator-choice", s.handlePartyMediatorChoice, s.requireParty)
	g.POST("/p/attendance", s.handlePartyAttendance, s.requireParty)
}

// The keys under which a refused form is handed to its section.
const (
	partyChoiceKey     = "partyview.mediator_choice"
	partyAttendanceKey = "partyview.attendance"
)

// partySectionForm is a section's form as submitted, with its errors and
// a form-level message (a 409's message id).
type partySectionForm struct {
	Form
}

// partyChoiceSection is the mediator-choice section's data.
type partyChoiceData struct {
	*partySectionForm
	// Open: the case still takes a choice (not yet assigned).
	Open      bool
	Mediators []party.MediatorOption
	// Choices are the party's choices, latest first.
	Choices []party.MediatorChoice
}

// Checked reports whether option id ("0" for the committee's choice) is
// the one to show selected: the submitted one, else the current choice.
func (d partyChoiceData) Checked(id int64) bool {
	if v := d.V("mediator_id"); v != "" {
		return v == strconv.FormatInt(id, 10)
	}
	if len(d.Choices) == 0 {
		return false
	}
	cur := d.Choices[0].MediatorID
	return (cur == nil && id == 0) || (cur != nil && *cur == id)
}

func sectionForm(c echo.Context, key string) *partySectionForm {
	if f, ok := c.Get(key).(*partySectionForm); ok && f != nil {
		return f
	}
	return &partySectionForm{}
}

// partyMediatorChoiceSection offers the choice of mediator while the case
// takes one, and shows the choice made once it does not.
func partyMediatorChoiceSection(c echo.Context, s *Server) (PartySection, bool, error) {
	ctx := ctxOf(c)
	st, err := s.deps.Party.MediatorChoiceState(ctx)
	if err != nil {
		return PartySection{}, false, err
	}
	if !st.Open && len(st.Choices) == 0 {
		return PartySection{}, false, nil
	}
	d := partyChoiceData{partySectionForm: sectionForm(c, partyChoiceKey), Open: st.Open, Mediators: st.Mediators, Choices: st.Choices}
	return PartySection{Label: "partyview.choice.title", Template: "party-mediator-choice", Data: d}, true, nil
}

// handlePartyMediatorChoice records the party's choice of mediator ("0"
// or nothing chosen among the mediators: leave it to the committee).
func (s *Server) handlePartyMediatorChoice(c echo.Context) error {
	f := newForm(c, "mediator_id", "note")
	in := party.MediatorChoiceInput{Note: f.V("note")}
	if v := f.V("mediator_id"); v != "" && v != "0" {
		if in.MediatorID = formInt(v); in.MediatorID <= 0 {
			in.MediatorID = -1 // not a number: refused naming the field
		}
	}
	_, err := s.deps.Party.ChooseMediator(ctxOf(c), in)
	if err := s.partySectionAnswer(c, err, partyChoiceKey, f); err != nil || c.Response().Committed {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/p/case#party-mediator-choice")
}

// partySectionAnswer draws the view again for a refused section form:
// 422 with the fields' messages, 409 with the form's message; nil when
// err is nil (the caller redirects).
func (s *Server) partySectionAnswer(c echo.Context, err error, key string, f *Form) error {
	var de *domain.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, party.ErrLinkGone) || errors.Is(err, party.ErrLinkUnknown):
		return s.partyGone(c, err)
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		c.Set(key, &partySectionForm{Form: Form{Values: f.Values, Errors: de.Fields}})
		return s.renderPartyCase(c, http.StatusUnprocessableEntity, &partyCasePage{})
	case errors.As(err, &de) && de.Code == domain.ECONFLICT:
		c.Set(key, &partySectionForm{Form: Form{Values: f.Values, Message: de.ID}})
		return s.renderPartyCase(c, http.StatusConflict, &partyCasePage{})
	}
	return err
}

// partyAttendanceSection is the attendance section's data.
type partyAttendanceData struct {
	*partySectionForm
	// Next is the next scheduled session; Answers the party's answers
	// for it, latest first.
	Next    time.Time
	Answers []party.Attendance
}

// partyAttendanceSection asks the party whether it will attend the next
// scheduled session, when one is still to come.
func partyAttendanceSection(c echo.Context, s *Server) (PartySection, bool, error) {
	ctx := ctxOf(c)
	next, err := s.deps.Party.NextSession(ctx)
	if err != nil {
		return PartySection{}, false, err
	}
	form := sectionForm(c, partyAttendanceKey)
	if next == nil {
		// An answer refused for want of a session says why.
		if form.Message != "" {
			return PartySection{Label: "partyview.attendance.title", Template: "party-attendance", Data: partyAttendanceData{partySectionForm: form}}, true, nil
		}
		return PartySection{}, false, nil
	}
	all, err := s.deps.Party.MyAttendance(ctx)
	if err != nil {
		return PartySection{}, false, err
	}
	d := partyAttendanceData{partySectionForm: form, Next: *next}
	for _, a := range all {
		if a.SessionAt.Equal(*next) {
			d.Answers = append(d.Answers, a)
		}
	}
	return PartySection{Label: "partyview.attendance.title", Template: "party-attendance", Data: d}, true, nil
}

// handlePartyAttendance records whether the party will attend the next
// session ("yes" or "no", with a note when it cannot).
func (s *Server) handlePartyAttendance(c echo.Context) error {
	f := newForm(c, "attends", "note")
	in := party.AttendanceInput{Note: f.V("note")}
	if v := f.V("attends"); v == "yes" || v == "no" {
		attends := v == "yes"
		in.Attends = &attends
	}
	_, err := s.deps.Party.ConfirmAttendance(ctxOf(c), in)
	if err := s.partySectionAnswer(c, err, partyAttendanceKey, f); err != nil || c.Response().Committed {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/p/case#party-attendance")
}

// casePartyAnswers are the parties' choices of mediator and attendance
// answers on the staff's case page.
type casePartyAnswers struct {
	// Choices are the parties' choices, latest first; Chose each
	// party's latest.
	Choices []party.CurrentChoice
	Chose   []party.CurrentChoice
	// Attendance are the parties' answers, latest first; Answered each
	// party's latest for the next session (NextSession, nil when none
	// is still to come).
	Attendance  []party.CurrentAttendance
	Answered    []party.CurrentAttendance
	NextSession *time.Time
}

// loadPartyAnswers reads the parties' choices and attendance answers
// for the case page (not for a referral's disclosure).
func (s *Server) loadPartyAnswers(c echo.Context, page *casePage) error {
	if page.V.Access.Disclosed {
		return nil
	}
	ctx := ctxOf(c)
	var err error
	if page.Answers.Choices, err = s.deps.Party.MediatorChoices(ctx, page.V.ID); err != nil {
		return err
	}
	page.Answers.Chose = party.LatestChoices(page.Answers.Choices)
	if page.Answers.Attendance, err = s.deps.Party.AttendanceOf(ctx, page.V.ID); err != nil {
		return err
	}
	if page.Answers.NextSession, err = s.deps.Party.NextSessionOf(ctx, page.V.ID); err != nil {
		return err
	}
	page.Answers.Answered = party.LatestAttendance(page.Answers.Attendance, page.Answers.NextSession)
	return nil
}
