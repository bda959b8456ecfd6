package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// deadlinesPage is "my deadlines" and the deadline calculator.
type deadlinesPage struct {
	Form
	// CanList: the actor may read deadlines (staff); others see only the
	// calculator.
	CanList  bool
	Items    []deadline.Deadline
	Next     string
	Status   string
	Statuses []deadline.Status
	Rules    []calendar.Rule
	// Calc is the calculator's answer, when rule and from were given.
	Calc *deadline.Calculation
	// Query is the list's filters as asked; OrgName names the responsible
	// organisation of an org_id filter (the statistics link here).
	Query   url.Values
	OrgName string
}

// deadlineListParams are the list's filters that NextQuery carries on.
var deadlineListParams = []string{"status", "org_id", "closed_from", "closed_to"}

// listedStatuses are the tabs of "my deadlines": every status but lapsed,
// which only an information deadline takes and Mine never lists.
var listedStatuses = []deadline.Status{deadline.Open, deadline.Met, deadline.Missed, deadline.Cancelled}

// NextQuery is the link to the next page with the same filters.
func (p *deadlinesPage) NextQuery() string {
	v := url.Values{"cursor": {p.Next}}
	for _, k := range deadlineListParams {
		if x := p.Query.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// rulesFor are the rules the calculator offers a: those for the kinds of
// its organisations (calendar.Rule.For); every rule to the leadership
// office, the system administrator and anyone whose organisations no rule
// names.
func rulesFor(a *domain.Actor, all []calendar.Rule) []calendar.Rule {
	if a == nil || a.Sysadmin {
		return all
	}
	var out []calendar.Rule
	for _, r := range all {
		for _, m := range a.Memberships {
			if m.OrgType == domain.OrgLeadershipOffice {
				return all
			}
			if r.Concerns(m.OrgType) {
				out = append(out, r)
				break
			}
		}
	}
	if len(out) == 0 {
		return all
	}
	return out
}

// handleDeadlines is "my deadlines": the actor's open deadlines, overdue
// first, then the soonest (or the closed ones by status), each linked to
// its case; and the calculator, a GET form that works without JavaScript.
func (s *Server) handleDeadlines(c echo.Context) error {
	a := actorOf(c)
	page := &deadlinesPage{Form: Form{Values: map[string]string{}}, Rules: rulesFor(a, s.deps.Deadlines.Rules()),
		Statuses: listedStatuses, Status: c.QueryParam("status"), Query: c.QueryParams()}
	status := http.StatusOK
	rule, from := c.QueryParam("rule"), c.QueryParam("from")
	page.Values["rule"], page.Values["from"] = rule, from
	if rule != "" || from != "" {
		res, err := s.calculate(rule, from)
		var de *domain.Error
		switch {
		case errors.As(err, &de) && de.Code == domain.EINVALID:
			page.Errors, status = de.Fields, http.StatusUnprocessableEntity
		case err != nil:
			return err
		default:
			page.Calc = &res
		}
	}
	if s.deps.Deadlines.CanList(a) {
		page.CanList = true
		f, err := mineFilter(c)
		if err != nil {
			return err
		}
		if page.Items, page.Next, err = s.deps.Deadlines.Mine(ctxOf(c), f); err != nil {
			return err
		}
		if f.OrgID != 0 {
			o, err := s.deps.Orgs.Get(ctxOf(c), f.OrgID)
			var de *domain.Error
			switch {
			case errors.As(err, &de) && de.Code == domain.ENOTFOUND:
				page.OrgName = strconv.FormatInt(f.OrgID, 10)
			case err != nil:
				return err
			default:
				page.OrgName = o.Name(langOf(c))
			}
		}
	}
	return s.render(c, status, "deadlines", page)
}

// LastMoment is the last moment before a due instant: the last day of a
// deadline due at 24:00 is the day before its due instant's date, so due
// dates are shown through it (fmtDate (.LastMoment $due)).
func (p *Page) LastMoment(v any) time.Time {
	t := toTime(v)
	if t.IsZero() {
		return t
	}
	return t.Add(-time.Nanosecond)
}

// DueText writes when a deadline runs out as the law says it:
// "2026-10-28 24:00" for a period ending with its last day, the exact
// time for one in hours.
func (p *Page) DueText(v any) string {
	t := toTime(v)
	if t.IsZero() {
		return ""
	}
	b := t.In(calendar.Beijing)
	if b.Hour() == 0 && b.Minute() == 0 && b.Second() == 0 && b.Nanosecond() == 0 {
		return calendar.DateOf(t.Add(-time.Nanosecond)).String() + " 24:00"
	}
	return b.Format("2006-01-02 15:04")
}

// DeadlineHref is the page of what a deadline belongs to: its case, or
// the referral, application, credit record, customs recordation or fair
// complaint it is about ("" for an organisation's own, such as the annual
// report, and for a subject the reader cannot open).
func (p *Page) DeadlineHref(d deadline.Deadline) string {
	id := strconv.FormatInt(d.Subject.ID, 10)
	switch {
	case d.CaseID != nil:
		return "/cases/" + strconv.FormatInt(*d.CaseID, 10) + "#deadlines"
	case d.Subject.Type == deadline.SubjectReferral:
		return "/referrals/" + id
	case d.Subject.Type == deadline.SubjectApplication:
		return "/assistance/" + id
	case d.Subject.Type == deadline.SubjectCreditRecord:
		return "/credit/" + id
	case d.Subject.Type == deadline.SubjectCustomsRecordation:
		return "/recordations/" + id
	case d.Subject.Type == assistance.SubjectFairComplaint:
		// A complaint is read at its station and by those who manage
		// the fairs; whoever else sees the deadline (the leadership
		// office) reads its title without a link it could not follow.
		if p.CanAny("exhibition", "complaint") || p.CanAny("exhibition", "manage") {
			return assistance.FairComplaintLink(d.Subject.ID)
		}
	}
	return ""
}

// DeadlineTitle is a deadline's name in the page's language: the rule's
// own Chinese name, or the English name of its kind.
func (p *Page) DeadlineTitle(d deadline.Deadline) string {
	if p.Lang != "en" {
		return d.Title
	}
	id := "deadline.kind." + d.Kind
	if s := p.T(id); s != id {
		return s
	}
	return d.Title
}

// DueIn says how far an open deadline is: "in 3 working days", "due
// today", "overdue by 2 days", or "passed 2 days ago" for a deadline that
// is not the organisation's own duty; "" for a closed one and for any
// deadline of a finished case, which no longer runs, but the follow-up of
// its agreement's performance (Deadline.FollowUp). It counts on the
// calendar the deadline service uses.
func (p *Page) DueIn(d deadline.Deadline) string {
	if p.cal == nil || !d.Running() {
		return ""
	}
	cd := deadline.CountdownOn(p.cal, d, p.Now())
	switch {
	case cd.Overdue:
		return p.T("deadline.overdue", "N", cd.DaysOverdue)
	case cd.Passed:
		return p.T("deadline.passed", "N", cd.DaysOverdue)
	case cd.Today:
		return p.T("deadline.due_today")
	case cd.WorkingDays >= 0:
		return p.T("deadline.working_days_left", "N", cd.WorkingDays, "Days", cd.Days)
	}
	return p.T("days.left", "N", cd.Days)
}

// DeadlineBadge is the text of a deadline's status badge: how a closed
// one ended; for an open one of a finished case, that it no longer runs;
// "overdue" only for an organisation's own deadline that ran out
// (Deadline.Overdue), "passed" for any other that did.
func (p *Page) DeadlineBadge(d deadline.Deadline) string {
	now := p.Now()
	switch {
	case d.Status != deadline.Open:
		return p.T("deadline.status." + string(d.Status))
	case d.CaseFinished() && !d.FollowUp():
		return p.T("deadline.case_finished")
	case d.Overdue(now):
		return p.T("deadline.overdue_badge")
	case d.Passed(now):
		return p.T("deadline.passed_badge")
	}
	return p.T("deadline.status.open")
}

// DeadlineClass colours a deadline's status badge; the text always says
// the status. Red only for an organisation's own deadline overdue or
// missed; amber for a party's time limit or a follow-up that passed.
func (p *Page) DeadlineClass(d deadline.Deadline) string {
	switch {
	case d.Overdue(p.Now()), d.Status == deadline.Missed:
		return "bad"
	case d.Status == deadline.Met:
		return "ok"
	case d.Status != deadline.Open, d.CaseFinished() && !d.FollowUp(), d.Information():
		return ""
	case d.Passed(p.Now()):
		return "warn"
	}
	return "info"
}

// dutyTag is the label and explanation of a deadline's duty, translated.
type dutyTag struct{ Label, Hint string }

// DutyTag says whose time limit a deadline is when it is not the
// organisation's own (docs/law.md §1): a party's, for information, a
// follow-up; nil for the organisation's own.
func (p *Page) DutyTag(d deadline.Deadline) *dutyTag {
	switch d.Duty {
	case deadline.DutyParty:
		return &dutyTag{p.T("deadline.duty_party"), p.T("deadline.duty_party_hint")}
	case deadline.DutyInformation:
		return &dutyTag{p.T("deadline.duty_information"), p.T("deadline.duty_information_hint")}
	case deadline.DutySoft:
		return &dutyTag{p.T("deadline.duty_soft"), p.T("deadline.duty_soft_hint")}
	}
	return nil
}

// CaseFinished reports whether a case in status s is finished (settled,
// failed, withdrawn, rejected, closed): its dates no longer count down and
// nothing of it is ever overdue.
func (p *Page) CaseFinished(s domain.CaseStatus) bool { return deadline.CaseFinished(string(s)) }

// deadlineRoutes registers the deadline list.
func (s *Server) deadlineRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/deadlines", s.handleDeadlines, in)
}
