package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// The parties online pages (docs/design.md §16): the case's staff issue
// and revoke personal access links (/cases/:id/party-access); a party
// opens its link (/p/:token), asks for a one-time code, signs in, and
// reads its case (/p/case) with the party session of its own cookie.

// partyCookie carries the party session's token; the staff session
// cookie (ipm_session) never opens a party page, nor this one a staff
// page.
const partyCookie = "ipm_party"

// logPath is a request path as logged: a party's personal link carries
// its secret token in the path, which is replaced by ":token".
func logPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/p/"); ok && !partySessionPath(rest) {
		_, tail, _ := strings.Cut(rest, "/")
		if tail != "" {
			tail = "/" + tail
		}
		return "/p/:token" + tail
	}
	return p
}

// partySessionPath reports whether /p/<rest> is a page of the party
// session (which carries no token) rather than of a personal link.
func partySessionPath(rest string) bool {
	first, _, _ := strings.Cut(rest, "/")
	switch first {
	case "case", "signout", "consent", "feedback", "served", "sign", "objection", "evidence", "mediator-choice", "attendance", "account":
		return true
	}
	return false
}

// partyRoutes registers the staff's link pages and the party's pages.
// The party's pages are outside requireLogin: a party has no account.
func (s *Server) partyRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/cases/:id/party-access", s.handlePartyAccessList, in)
	g.POST("/cases/:id/party-access", s.handlePartyAccessIssue, in)
	g.POST("/cases/:id/party-access/:aid/revoke", s.handlePartyAccessRevoke, in)

	g.GET("/p/case", s.handlePartyCase, s.requireParty)
	g.POST("/p/consent", s.handlePartyConsent, s.requireParty)
	s.partySectionRoutes(g)
	s.partyAccountRoutes(g)
	g.POST("/p/signout", s.handlePartySignOut)
	g.GET("/p/:token", s.handlePartyLink)
	g.POST("/p/:token/code", s.handlePartyCode)
	g.POST("/p/:token/signin", s.handlePartySignIn)
}

// partyAccessPage is the case's links and the form to issue one.
type partyAccessPage struct {
	Form
	CaseID  int64
	Number  string
	Choices []party.PartyChoice
	Links   []party.Access
	// Issued is the link just issued, shown this once.
	Issued *party.Issued
	SMS    bool
}

func (s *Server) renderPartyAccess(c echo.Context, status int, id int64, p *partyAccessPage) error {
	ctx := ctxOf(c)
	cv, err := s.deps.Cases.Get(ctx, id)
	if err != nil {
		return err
	}
	if p == nil {
		p = &partyAccessPage{}
	}
	p.CaseID, p.Number, p.SMS = id, cv.Number, s.deps.Party.CanSendSMS()
	if p.Number == "" {
		p.Number = cv.RegistrationNumber
	}
	if p.Choices, err = s.deps.Party.Choices(ctx, id); err != nil {
		return err
	}
	if p.Links, err = s.deps.Party.List(ctx, id); err != nil {
		return err
	}
	return s.render(c, status, "party_access", p)
}

func (s *Server) handlePartyAccessList(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderPartyAccess(c, http.StatusOK, id, nil)
}

// handlePartyAccessIssue issues a link; the answer is the page itself
// (not a redirect), since the link is shown this once and kept nowhere.
func (s *Server) handlePartyAccessIssue(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c, "party")
	in := party.IssueInput{}
	who, agent := strings.CutSuffix(f.V("party"), "-agent")
	in.PartyID, in.Agent = formInt(who), agent
	out, err := s.deps.Party.Issue(ctxOf(c), id, in)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			for i := range de.Fields {
				if de.Fields[i].Field == "party_id" {
					de.Fields[i].Field = "party"
				}
			}
			return s.renderPartyAccess(c, http.StatusUnprocessableEntity, id, &partyAccessPage{Form: Form{Values: f.Values, Errors: de.Fields}})
		}
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.renderPartyAccess(c, http.StatusOK, id, &partyAccessPage{Issued: &out})
}

func (s *Server) handlePartyAccessRevoke(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	aid, err := idParam(c, "aid")
	if err != nil {
		return err
	}
	if err := s.deps.Party.Revoke(ctxOf(c), id, aid); err != nil {
		return err
	}
	s.flash(c, "ok", "party.flash.revoked")
	return c.Redirect(http.StatusSeeOther, "/cases/"+strconv.FormatInt(id, 10)+"/party-access")
}

// partyLinkPage is the link's page before the party signs in.
type partyLinkPage struct {
	Form
	Token string
	Info  party.LinkInfo
	// Sent: a code was just sent; the page asks for it.
	Sent    bool
	Minutes int
}

// partyGoneKinds are the pages of a party that cannot go on
// (party_gone.html: party.gone.<kind>.title and .text).
var partyGoneKinds = []string{"unknown", "ended", "signed_out"}

// partyGone answers a link that does not work (any more) with a page in
// words: 410 for a revoked or expired link, 404 for an unknown one.
func (s *Server) partyGone(c echo.Context, err error) error {
	switch {
	case errors.Is(err, party.ErrLinkGone):
		return s.render(c, http.StatusGone, "party_gone", "ended")
	case errors.Is(err, party.ErrLinkUnknown):
		return s.render(c, http.StatusNotFound, "party_gone", "unknown")
	}
	return err
}

func (s *Server) renderPartyLink(c echo.Context, status int, p *partyLinkPage) error {
	info, err := s.deps.Party.Open(ctxOf(c), c.Param("token"))
	if err != nil {
		return s.partyGone(c, err)
	}
	p.Token, p.Info, p.Minutes = c.Param("token"), info, int(s.deps.Party.Settings().CodeTTL.Minutes())
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, "party_link", p)
}

func (s *Server) handlePartyLink(c echo.Context) error {
	return s.renderPartyLink(c, http.StatusOK, &partyLinkPage{})
}

func (s *Server) handlePartyCode(c echo.Context) error {
	err := s.deps.Party.SendSigninCode(ctxOf(c), c.Param("token"))
	var de *domain.Error
	switch {
	case err == nil:
		return s.renderPartyLink(c, http.StatusOK, &partyLinkPage{Sent: true})
	case errors.Is(err, party.ErrLinkGone) || errors.Is(err, party.ErrLinkUnknown):
		return s.partyGone(c, err)
	case errors.As(err, &de) && (de.Code == domain.ETOOMANY || de.Code == domain.EUNAVAILABLE):
		status := http.StatusTooManyRequests
		if de.Code == domain.EUNAVAILABLE {
			status = http.StatusServiceUnavailable
		}
		return s.renderPartyLink(c, status, &partyLinkPage{Form: Form{Message: de.ID}})
	}
	return err
}

func (s *Server) handlePartySignIn(c echo.Context) error {
	f := newForm(c, "code")
	tok, err := s.deps.Party.SignIn(ctxOf(c), c.Param("token"), strings.TrimSpace(f.V("code")))
	var de *domain.Error
	switch {
	case err == nil:
	case errors.Is(err, party.ErrLinkGone) || errors.Is(err, party.ErrLinkUnknown):
		return s.partyGone(c, err)
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		return s.renderPartyLink(c, http.StatusUnprocessableEntity, &partyLinkPage{Form: Form{Errors: de.Fields}, Sent: true})
	default:
		return err
	}
	s.setPartyCookie(c, partyCookie, tok)
	return c.Redirect(http.StatusSeeOther, "/p/case")
}

// requireParty puts the party session's actor in the context, or
// answers the "sign in through your link" page: a staff session never
// stands in for it.
func (s *Server) requireParty(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(partyCookie)
		if err == nil {
			p, err := s.deps.Party.Session(ctxOf(c), ck.Value)
			if err == nil {
				r := c.Request()
				c.SetRequest(r.WithContext(domain.WithParty(r.Context(), p)))
				c.Response().Header().Set("Cache-Control", "no-store")
				return next(c)
			}
			if domain.ErrorCode(err) != domain.ENOTFOUND {
				return err
			}
		}
		return s.render(c, http.StatusUnauthorized, "party_gone", "signed_out")
	}
}

func (s *Server) handlePartySignOut(c echo.Context) error {
	if ck, err := c.Cookie(partyCookie); err == nil {
		if err := s.deps.Party.SignOut(ctxOf(c), ck.Value); err != nil {
			return err
		}
	}
	s.clearPartyCookie(c, partyCookie)
	return s.render(c, http.StatusOK, "party_gone", "signed_out")
}

// PartySection is a section of the party's view added by another
// capability: its heading (Label, a message id), the template that draws it
// (defined in web/templates/pages/party_case.html or a partial parsed
// with it) and its data. The view draws them, in order, after its own
// sections.
type PartySection struct {
	Label    string
	Template string
	Data     any
}

// partySections are the extension point of the party's view: each
// returns its section for the signed-in party (domain.PartyFrom in the
// context), or ok false to draw nothing. The documents served on the
// party, the follow-up visits and the feedback form are added to it by
// pages_party_sections.go.
var partySections []func(c echo.Context, s *Server) (sec PartySection, ok bool, err error)

// partyViewKey holds the party's view of its case while its page is
// drawn, for the sections.
const partyViewKey = "partyview.case"

// partyCasePage is the party's view of its case.
type partyCasePage struct {
	party.View
	Form
	Sections []PartySection
	// Consents are the party's decisions on mediation, latest first;
	// CanConsent: the case still takes them.
	Consents   []party.Consent
	CanConsent bool
}

func (s *Server) handlePartyCase(c echo.Context) error {
	return s.renderPartyCase(c, http.StatusOK, &partyCasePage{})
}

func (s *Server) renderPartyCase(c echo.Context, status int, p *partyCasePage) error {
	v, err := s.deps.Party.View(ctxOf(c))
	if err != nil {
		return s.partyGone(c, err)
	}
	p.View = v
	// The sections read the view (its status) rather than load it again.
	c.Set(partyViewKey, v)
	if p.Consents, err = s.deps.Party.MyConsents(ctxOf(c)); err != nil {
		return err
	}
	p.CanConsent = party.TakesConsent(v.Status)
	for _, f := range partySections {
		sec, ok, err := f(c, s)
		if err != nil {
			return err
		}
		if ok {
			p.Sections = append(p.Sections, sec)
		}
	}
	return s.render(c, status, "party_case", p)
}

// handlePartyConsent records the signed-in party's consent to, or
// refusal of, mediation.
func (s *Server) handlePartyConsent(c echo.Context) error {
	f := newForm(c, "decision", "note")
	_, err := s.deps.Party.RecordConsent(ctxOf(c), party.ConsentInput{Decision: party.Decision(f.V("decision")), Note: f.V("note")})
	var de *domain.Error
	switch {
	case err == nil:
	case errors.Is(err, party.ErrLinkGone) || errors.Is(err, party.ErrLinkUnknown):
		return s.partyGone(c, err)
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		return s.renderPartyCase(c, http.StatusUnprocessableEntity, &partyCasePage{Form: Form{Values: f.Values, Errors: de.Fields}})
	case errors.As(err, &de) && de.Code == domain.ECONFLICT:
		return s.renderPartyCase(c, http.StatusConflict, &partyCasePage{Form: Form{Message: de.ID}})
	default:
		return err
	}
	// The party's session carries no flash: the view shows the recorded
	// decision as the current one.
	return c.Redirect(http.StatusSeeOther, "/p/case#party-consent")
}
