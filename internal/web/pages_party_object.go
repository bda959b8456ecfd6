package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// A party objects to a mediator of its case from its own view
// (docs/design.md §16; People's Mediation Law art. 23, the right to
// choose or accept mediators): the director decides, as for an objection
// raised any other way.

func init() {
	partySections = append(partySections, partyObjectSection)
}

const partyObjectKey = "partyview.object"

// partyObjectForm is the objection section.
type partyObjectForm struct {
	Form
	Mediators  []party.CaseMediator
	Objections []party.Objection
	// Open: the case is being mediated, so an objection is taken.
	Open bool
}

// Chosen reports whether mediator id was the one submitted.
func (f partyObjectForm) Chosen(id int64) bool { return f.V("mediator_id") == itoa(id) }

func (s *Server) partyObjectRoutes(g *echo.Group) {
	g.POST("/p/objection", s.handlePartyObject, s.requireParty)
}

// partyObjectSection shows the party's objections and, while the case is
// mediated by assigned mediators, the form raising one.
func partyObjectSection(c echo.Context, s *Server) (PartySection, bool, error) {
	ms, os, err := s.deps.Party.Objections(ctxOf(c))
	if err != nil {
		return PartySection{}, false, err
	}
	v, _ := c.Get(partyViewKey).(party.View)
	f, _ := c.Get(partyObjectKey).(*partyObjectForm)
	if f == nil {
		f = &partyObjectForm{}
	}
	f.Mediators, f.Objections = ms, os
	f.Open = v.Status == domain.StatusMediating && len(ms) > 0
	if !f.Open && len(os) == 0 {
		return PartySection{}, false, nil
	}
	return PartySection{Label: "partyview.object.title", Template: "party-object", Data: f}, true, nil
}

// handlePartyObject records the party's objection.
func (s *Server) handlePartyObject(c echo.Context) error {
	f := newForm(c, "mediator_id", "reason")
	_, err := s.deps.Cases.ObjectAsParty(ctxOf(c), formInt(f.V("mediator_id")), f.V("reason"))
	var de *domain.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/p/case#party-object")
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		c.Set(partyObjectKey, &partyObjectForm{Form: Form{Values: f.Values, Errors: de.Fields}})
		return s.renderPartyCase(c, http.StatusUnprocessableEntity, &partyCasePage{})
	case errors.As(err, &de) && de.Code == domain.ECONFLICT:
		c.Set(partyObjectKey, &partyObjectForm{Form: Form{Message: "partyview.object.closed"}})
		return s.renderPartyCase(c, http.StatusConflict, &partyCasePage{})
	}
	return err
}
