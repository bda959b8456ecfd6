package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/pdf"
)

// The sections of the party's view added to its extension point
// (partySections, docs/design.md §16): the documents served on the
// party, which it opens here (/p/served/:id), and the follow-up visits
// of its case's agreement. Each is read for the signed-in party only.

func init() {
	// partyArgs hands a section's template the page (for its language)
	// together with the section's data.
	funcs["partyArgs"] = func(p *Page, d any) partySectionArgs { return partySectionArgs{P: p, D: d} }
	partySections = append(partySections, partyServedSection, partyFollowUpsSection)
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
