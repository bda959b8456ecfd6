package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// workSection is one block of the "my work" page: what a role does in one
// organisation, and links to the pages that serve it.
type workSection struct {
	Role    domain.Role
	OrgID   int64
	OrgName string
	Links   []workLink
	// Assistance: an applicant's applications, an officer's queue.
	Assistance *workAssistance
	// Queue: what waits at a committee for its director and clerks.
	Queue *cases.Queue
	// PartyCases: the section lists the latest cases of an organisation
	// that reaches cases as a party (an enterprise), in Cases.
	PartyCases bool
	// Cases: an enterprise's latest cases (filed by it or naming it).
	Cases []cases.ListItem
	// MoreCases: there are more than Cases shows.
	MoreCases bool
}

// workCases is how many of an enterprise's cases "my work" shows.
const workCases = 10

type workLink struct {
	Href, Label string
}

type workPage struct {
	Sections []workSection
	Sysadmin bool
	// Urgent are the user's open deadlines that are overdue or due within
	// urgentWorkingDays working days, overdue first (docs/design.md §14).
	Urgent    []deadline.Deadline
	CanUrgent bool
	// Headline is the year's numbers of the committees the user oversees
	// (the leadership office, directors); nil for everyone else.
	Headline *stats.Headline
	// Referrals is the referral inbox of a user whose role reads
	// referrals (pages_referrals.go).
	Referrals *referral.Inbox
}

// FigureLink is the case list behind a figure of the headline: the
// committee's cases filed this year ("filed"), in progress now ("open"),
// settled or failed this year ("settled", "failed"). The list shows as
// many rows as the figure says (internal/stats, TestWork_FiguresLinkToTheirCases).
func (p *workPage) FigureLink(figure string, orgID int64) string {
	if p.Headline == nil {
		return ""
	}
	y := p.Headline.Year
	v := url.Values{"org_id": {strconv.FormatInt(orgID, 10)}}
	switch figure {
	case "filed":
		v.Set("from", fmt.Sprintf("%d-01-01", y))
		v.Set("to", fmt.Sprintf("%d-12-31", y))
	case "open":
		v.Set("status", openStatusesParam)
	case "settled", "failed":
		v.Set("outcome", figure)
		v.Set("outcome_from", fmt.Sprintf("%d-01-01", y))
		v.Set("outcome_to", fmt.Sprintf("%d-12-31", y))
	default:
		return ""
	}
	return "/cases?" + v.Encode()
}

// urgentWorkingDays is how near a deadline must be to appear on "my
// work"; the deadlines page lists them all.
const urgentWorkingDays = 3

// handleWork is each user's first page: one section per role held, most
// specific first. Later capabilities add their queues to the sections.
func (s *Server) handleWork(c echo.Context) error {
	a := actorOf(c)
	ctx := ctxOf(c)
	page := &workPage{Sysadmin: a.Sysadmin}
	lang := langOf(c)
	for _, m := range a.Memberships {
		sec := workSection{Role: m.Role, OrgID: m.OrgID}
		if o, err := s.deps.Orgs.Get(ctx, m.OrgID); err == nil {
			sec.OrgName = o.Name(lang)
		}
		// What the section offers follows from the role table
		// (internal/domain/role.go) and the permissions.
		reach := m.Role.Reach(domain.ObjectCase)
		if s.deps.Authz.Can(a.UserID, m.OrgID, "case", "read") {
			href := "/cases"
			if cases.MineByDefault(reach) {
				href = "/cases?mine=1"
			}
			sec.Links = append(sec.Links, workLink{Href: href, Label: "work.link.cases"})
		}
		if s.deps.Authz.Can(a.UserID, m.OrgID, "case", "create") {
			sec.Links = append(sec.Links, workLink{Href: "/cases/new", Label: "work.link.new_case"})
		}
		if m.Role.Head() && s.deps.Authz.Can(a.UserID, m.OrgID, "user", "manage") {
			sec.Links = append(sec.Links, workLink{Href: "/users?org_id=" + itoa(m.OrgID), Label: "work.link.staff"})
		}
		if s.deps.Authz.Can(a.UserID, m.OrgID, "referral", "read") {
			sec.Links = append(sec.Links, workLink{Href: "/referrals", Label: "work.link.referrals"})
		}
		if s.deps.Authz.Can(a.UserID, m.OrgID, "warning", "read") {
			sec.Links = append(sec.Links, workLink{Href: "/warnings", Label: "work.link.warnings"})
			if s.deps.Authz.Can(a.UserID, m.OrgID, "warning", "issue") {
				sec.Links = append(sec.Links, workLink{Href: "/warnings?status=draft", Label: "work.link.warning_drafts"})
			}
		}
		if a.IsMember(m.OrgID) && s.deps.Authz.Can(a.UserID, m.OrgID, "service", "record") {
			sec.Links = append(sec.Links, workLink{Href: "/service/overdue", Label: "work.link.service_overdue"})
		}
		if s.deps.Authz.Can(a.UserID, m.OrgID, "association", "manage") {
			sec.Links = append(sec.Links, workLink{Href: "/association", Label: "work.link.association"})
		}
		if s.deps.Authz.Can(a.UserID, m.OrgID, "association", "consent") {
			sec.Links = append(sec.Links, workLink{Href: "/memberships", Label: "work.link.memberships"})
		}
		if reach.Has(domain.ReachOrg) {
			q, err := s.deps.Cases.Queue(ctx, m.OrgID)
			if err != nil && domain.ErrorCode(err) != domain.EFORBIDDEN {
				return err
			}
			if err == nil {
				sec.Queue = &q
			}
		}
		if reach.Has(domain.ReachPartyTo) && s.deps.Authz.Can(a.UserID, m.OrgID, "case", "read") {
			items, next, err := s.deps.Cases.List(ctx, cases.ListFilter{Limit: workCases})
			if err != nil {
				return err
			}
			sec.PartyCases, sec.Cases, sec.MoreCases = true, items, next != ""
		}
		s.addAssistanceWork(c, m, &sec)
		page.Sections = append(page.Sections, sec)
	}
	h, ok, err := s.deps.Stats.Headline(ctx)
	if err != nil {
		return err
	}
	if ok {
		page.Headline = &h
	}
	if s.deps.Deadlines.CanList(a) {
		page.CanUrgent = true
		urgent, err := s.urgentDeadlines(c)
		if err != nil {
			return err
		}
		page.Urgent = urgent
	}
	page.Referrals = s.workReferrals(c)
	return s.render(c, http.StatusOK, "work", page)
}

// urgentDeadlines reads the first page of the user's open deadlines
// (overdue first, then the soonest) and keeps those run out (overdue, or
// passed when not the organisation's own duty) or due within
// urgentWorkingDays working days; the list is sorted, so it stops at the
// first one further away.
func (s *Server) urgentDeadlines(c echo.Context) ([]deadline.Deadline, error) {
	items, _, err := s.deps.Deadlines.Mine(ctxOf(c), deadline.MineFilter{Limit: 50})
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []deadline.Deadline
	for _, d := range items {
		cd := s.deps.Deadlines.Countdown(d, now)
		if !cd.Overdue && !cd.Passed && !cd.Today && (cd.WorkingDays < 0 || cd.WorkingDays > urgentWorkingDays) {
			break
		}
		out = append(out, d)
	}
	return out, nil
}

// workRoutes registers "my work".
func (s *Server) workRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/work", s.handleWork, in)
}
