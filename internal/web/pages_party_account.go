package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// A natural person's account (docs/design.md §16.2): /p/account signs in
// with a phone and a code sent to it, and then lists every case in which
// the person is a party or an agent; opening one starts the party
// session of that case (partyCookie) and goes to /p/case.

// partyAccountCookie carries the account session's token.
const partyAccountCookie = "ipm_party_account"

func (s *Server) partyAccountRoutes(g *echo.Group) {
	g.GET("/p/account", s.handlePartyAccount)
	g.POST("/p/account/code", s.handlePartyAccountCode)
	g.POST("/p/account/signin", s.handlePartyAccountSignIn)
	g.POST("/p/account/open", s.handlePartyAccountOpen)
	g.POST("/p/account/signout", s.handlePartyAccountSignOut)
}

// partyAccountPage is the sign-in form or, once signed in, the cases.
type partyAccountPage struct {
	Form
	Phone   string
	Sent    bool
	Minutes int
	Account *party.Account
	Cases   []party.AccountCase
	Max     int
}

// accountOf is the signed-in account of the request, or nil.
func (s *Server) accountOf(c echo.Context) (*party.Account, error) {
	ck, err := c.Cookie(partyAccountCookie)
	if err != nil {
		return nil, nil
	}
	acc, err := s.deps.Party.AccountSession(ctxOf(c), ck.Value)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return acc, err
}

func (s *Server) renderPartyAccount(c echo.Context, status int, p *partyAccountPage) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	p.Minutes, p.Max = int(s.deps.Party.Settings().CodeTTL.Minutes()), party.MaxAccountCases
	if p.Account != nil {
		var err error
		if p.Cases, err = s.deps.Party.AccountCases(ctxOf(c), p.Account); err != nil {
			return err
		}
	}
	return s.render(c, status, "party_account", p)
}

func (s *Server) handlePartyAccount(c echo.Context) error {
	acc, err := s.accountOf(c)
	if err != nil {
		return err
	}
	return s.renderPartyAccount(c, http.StatusOK, &partyAccountPage{Account: acc})
}

func (s *Server) handlePartyAccountCode(c echo.Context) error {
	f := newForm(c, "phone")
	p := &partyAccountPage{Form: *f, Phone: strings.TrimSpace(f.V("phone"))}
	err := s.deps.Party.SendAccountCode(ctxOf(c), p.Phone)
	var de *domain.Error
	switch {
	case err == nil:
		p.Sent = true
		return s.renderPartyAccount(c, http.StatusOK, p)
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		p.Errors = de.Fields
		return s.renderPartyAccount(c, http.StatusUnprocessableEntity, p)
	case errors.As(err, &de) && (de.Code == domain.ETOOMANY || de.Code == domain.EUNAVAILABLE):
		status := http.StatusTooManyRequests
		if de.Code == domain.EUNAVAILABLE {
			status = http.StatusServiceUnavailable
		}
		p.Message = de.ID
		return s.renderPartyAccount(c, status, p)
	}
	return err
}

func (s *Server) handlePartyAccountSignIn(c echo.Context) error {
	f := newForm(c, "phone", "code")
	p := &partyAccountPage{Form: *f, Phone: strings.TrimSpace(f.V("phone")), Sent: true}
	tok, err := s.deps.Party.AccountSignIn(ctxOf(c), p.Phone, strings.TrimSpace(f.V("code")))
	var de *domain.Error
	switch {
	case err == nil:
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		p.Errors = de.Fields
		return s.renderPartyAccount(c, http.StatusUnprocessableEntity, p)
	default:
		return err
	}
	s.setPartyCookie(c, partyAccountCookie, tok)
	return c.Redirect(http.StatusSeeOther, "/p/account")
}

// handlePartyAccountOpen opens the party's view of one of the account's
// cases: the form names the party (party_id) and whether the person is
// its agent (agent=1).
func (s *Server) handlePartyAccountOpen(c echo.Context) error {
	acc, err := s.accountOf(c)
	if err != nil {
		return err
	}
	if acc == nil {
		return s.render(c, http.StatusUnauthorized, "party_gone", "account_signed_out")
	}
	f := newForm(c, "party_id", "agent")
	id, perr := strconv.ParseInt(f.V("party_id"), 10, 64)
	if perr != nil || id <= 0 {
		return s.renderPartyAccount(c, http.StatusUnprocessableEntity, &partyAccountPage{Account: acc,
			Form: Form{Errors: []domain.FieldError{{Field: "party_id", Message: "validation.required"}}}})
	}
	tok, err := s.deps.Party.OpenFromAccount(ctxOf(c), acc, id, f.V("agent") == "1")
	switch {
	case err == nil:
	case errors.Is(err, party.ErrLinkGone):
		return s.partyGone(c, err)
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return s.renderPartyAccount(c, http.StatusNotFound, &partyAccountPage{Account: acc, Form: Form{Message: "party.account.not_yours"}})
	default:
		return err
	}
	s.setPartyCookie(c, partyCookie, tok)
	return c.Redirect(http.StatusSeeOther, "/p/case")
}

func (s *Server) handlePartyAccountSignOut(c echo.Context) error {
	if ck, err := c.Cookie(partyAccountCookie); err == nil {
		if err := s.deps.Party.AccountSignOut(ctxOf(c), ck.Value); err != nil {
			return err
		}
	}
	if ck, err := c.Cookie(partyCookie); err == nil {
		if err := s.deps.Party.SignOut(ctxOf(c), ck.Value); err != nil {
			return err
		}
	}
	s.clearPartyCookie(c, partyAccountCookie)
	s.clearPartyCookie(c, partyCookie)
	return s.render(c, http.StatusOK, "party_gone", "account_signed_out")
}

// setPartyCookie and clearPartyCookie write a cookie of the party pages:
// HttpOnly, SameSite strict, under /p only, Secure on an https site.
func (s *Server) setPartyCookie(c echo.Context, name, value string) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/p", HttpOnly: true,
		Secure: strings.HasPrefix(s.deps.Config.BaseURL, "https://"), SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearPartyCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/p", MaxAge: -1, Expires: time.Unix(0, 0), HttpOnly: true,
		Secure: strings.HasPrefix(s.deps.Config.BaseURL, "https://"), SameSite: http.SameSiteStrictMode})
}
