package web

import (
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/register"
)

// The technical experts of a case on its page (docs/design.md §17): who
// works the case invites an expert of the committee's register with the
// parties' consent, and ends the invitation.

func (s *Server) caseExpertRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.POST("/cases/:id/experts", s.handleCaseExpertInvite, in)
	g.POST("/cases/:id/experts/:expert/remove", s.handleCaseExpertRemove, in)
}

// caseExperts is the experts section of the case page.
type caseExperts struct {
	// Invited are the experts taking part; Available the committee's
	// listed experts not invited (the invite form, shown when Invites).
	Invited   []register.Expert
	Available []register.Expert
	Invites   bool
}

// loadCaseExperts fills the experts section for whoever works the case.
func (s *Server) loadCaseExperts(c echo.Context, page *casePage) error {
	v := page.V
	if !v.Access.Works {
		return nil
	}
	a := actorOf(c)
	invited, err := s.deps.Register.CaseExperts(ctxOf(c), v.ID)
	if err != nil {
		return err
	}
	page.Experts.Invited = invited
	page.Experts.Invites = a != nil && s.deps.Authz.Can(a.UserID, v.OrgID, "register", "invite") && s.deps.Register.CanRead(a)
	if !page.Experts.Invites {
		return nil
	}
	all, err := s.deps.Register.Experts(ctxOf(c), v.OrgID)
	if err != nil {
		page.Experts.Invites = false
		return nil // the register of the case's committee is not the actor's to read
	}
	for _, e := range all {
		if e.Active && !slices.ContainsFunc(invited, func(x register.Expert) bool { return x.ID == e.ID }) {
			page.Experts.Available = append(page.Experts.Available, e)
		}
	}
	return nil
}

func (s *Server) handleCaseExpertInvite(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c, "expert_id", "consent")
	expert, _ := strconv.ParseInt(f.V("expert_id"), 10, 64)
	page := &casePage{Form: *f, FailedForm: "experts"}
	run := func() error { return s.deps.Register.InviteExpert(ctxOf(c), id, expert, f.V("consent") != "") }
	return s.finishAction(c, nil, run, &page.Form, &page.Conflict, func(st int) error { return s.renderCase(c, st, id, page) },
		"roster.flash.expert_invited", caseExpertsLink(id))
}

func (s *Server) handleCaseExpertRemove(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	expert, err := idParam(c, "expert")
	if err != nil {
		return err
	}
	page := &casePage{Form: Form{Values: map[string]string{}}, FailedForm: "experts"}
	run := func() error { return s.deps.Register.RemoveExpert(ctxOf(c), id, expert) }
	return s.finishAction(c, nil, run, &page.Form, &page.Conflict, func(st int) error { return s.renderCase(c, st, id, page) },
		"roster.flash.expert_removed", caseExpertsLink(id))
}

func caseExpertsLink(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) + "#experts" }
