package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// The party signs its case's draft agreement in its own view
// (docs/design.md §16): it reads the text, asks for a signing code sent
// to its link's phone (/p/sign/code) and signs with it (/p/sign). The
// signature binds to the digest of the text shown.

func init() {
	partySections = append(partySections, partySignSection)
}

// partySignKey holds, for the page answering a signing step, the form
// as submitted and what was wrong with it.
const partySignKey = "partyview.sign"

// partySignForm is the signing section: the agreement and where the
// signing stands.
type partySignForm struct {
	party.Agreement
	Form
	// Sent: a signing code was just sent; Minutes it stays valid.
	Sent    bool
	Minutes int
}

// partySignRoutes registers the signing steps, behind the party session.
func (s *Server) partySignRoutes(g *echo.Group) {
	g.POST("/p/sign/code", s.handlePartySignCode, s.requireParty)
	g.POST("/p/sign", s.handlePartySign, s.requireParty)
}

// partySignSection shows the case's written agreement, once there is
// one: the text, the signatures so far, and while it awaits signatures
// and the party has not signed, the signing form.
func partySignSection(c echo.Context, s *Server) (PartySection, bool, error) {
	ag, ok, err := s.deps.Party.AgreementToSign(ctxOf(c))
	if err != nil || !ok {
		return PartySection{}, false, err
	}
	f, _ := c.Get(partySignKey).(*partySignForm)
	if f == nil {
		f = &partySignForm{}
	}
	f.Agreement, f.Minutes = ag, int(s.deps.Party.Settings().CodeTTL.Minutes())
	return PartySection{Label: "partyview.sign.title", Template: "party-sign", Data: f}, true, nil
}

// handlePartySignCode sends a fresh signing code to the party's phone.
func (s *Server) handlePartySignCode(c echo.Context) error {
	err := s.deps.Party.SendSignCode(ctxOf(c))
	var de *domain.Error
	switch {
	case err == nil:
		c.Set(partySignKey, &partySignForm{Sent: true})
		return s.renderPartyCase(c, http.StatusOK, &partyCasePage{})
	case errors.Is(err, party.ErrLinkGone) || errors.Is(err, party.ErrLinkUnknown):
		return s.partyGone(c, err)
	case errors.As(err, &de) && (de.Code == domain.ETOOMANY || de.Code == domain.EUNAVAILABLE):
		status := http.StatusTooManyRequests
		if de.Code == domain.EUNAVAILABLE {
			status = http.StatusServiceUnavailable
		}
		c.Set(partySignKey, &partySignForm{Form: Form{Message: de.ID}})
		return s.renderPartyCase(c, status, &partyCasePage{})
	}
	return err
}

// handlePartySign signs the agreement with the code.
func (s *Server) handlePartySign(c echo.Context) error {
	f := newForm(c, "code", "text_sha256")
	_, err := s.deps.Party.Sign(ctxOf(c), party.SignInput{Code: f.V("code"), TextSHA256: f.V("text_sha256"), IP: c.RealIP()})
	var de *domain.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/p/case#party-sign")
	case errors.Is(err, party.ErrLinkGone) || errors.Is(err, party.ErrLinkUnknown):
		return s.partyGone(c, err)
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		// A wrong code keeps the form open for another try; the code
		// field is never drawn back.
		c.Set(partySignKey, &partySignForm{Form: Form{Errors: de.Fields}, Sent: true})
		return s.renderPartyCase(c, http.StatusUnprocessableEntity, &partyCasePage{})
	case errors.As(err, &de) && de.Code == domain.ECONFLICT:
		c.Set(partySignKey, &partySignForm{Form: Form{Message: "partyview.sign.closed"}})
		return s.renderPartyCase(c, http.StatusConflict, &partyCasePage{})
	}
	return err
}
