package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// deadlineOut is the JSON form of a deadline. Times are given in Beijing
// time, the time the law counts in.
type deadlineOut struct {
	ID                int64      `json:"id"`
	SubjectType       string     `json:"subject_type"`
	SubjectID         int64      `json:"subject_id"`
	OrgID             int64      `json:"org_id"`
	CaseID            *int64     `json:"case_id"`
	CaseNumber        string     `json:"case_number"`
	Kind              string     `json:"kind"`
	RuleID            string     `json:"rule_id"`
	Title             string     `json:"title"`
	EventAt           *time.Time `json:"event_at"`
	DueAt             time.Time  `json:"due_at"`
	LastDay           string     `json:"last_day"`
	Basis             string     `json:"basis"`
	Explanation       string     `json:"explanation"`
	Provisional       bool       `json:"provisional"`
	Status            string     `json:"status"`
	Overdue           bool       `json:"overdue"`
	ResponsibleUserID *int64     `json:"responsible_user_id"`
	ExtendedFrom      *time.Time `json:"extended_from"`
	ClosedAt          *time.Time `json:"closed_at"`
	Version           int        `json:"version"`
}

func inBeijing(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.In(calendar.Beijing)
	return &v
}

func deadlineJSON(d deadline.Deadline, now time.Time) deadlineOut {
	return deadlineOut{ID: d.ID, SubjectType: string(d.Subject.Type), SubjectID: d.Subject.ID, OrgID: d.OrgID,
		CaseID: d.CaseID, CaseNumber: d.CaseNumber, Kind: d.Kind, RuleID: d.RuleID, Title: d.Title,
		EventAt: inBeijing(d.EventAt), DueAt: d.DueAt.In(calendar.Beijing), LastDay: d.LastDay().String(),
		Basis: d.Basis, Explanation: d.Explanation, Provisional: d.Provisional, Status: string(d.Status),
		Overdue: d.Overdue(now), ResponsibleUserID: d.ResponsibleUserID, ExtendedFrom: inBeijing(d.ExtendedFrom),
		ClosedAt: inBeijing(d.ClosedAt), Version: d.Version}
}

func deadlinesJSON(ds []deadline.Deadline, now time.Time) []deadlineOut {
	out := make([]deadlineOut, 0, len(ds))
	for _, d := range ds {
		out = append(out, deadlineJSON(d, now))
	}
	return out
}

// calculationOut is the JSON of GET /api/v1/deadlines/calculate.
type calculationOut struct {
	RuleID           string    `json:"rule_id"`
	RuleName         string    `json:"rule_name"`
	From             time.Time `json:"from"`
	Limit            int       `json:"limit"`
	Unit             string    `json:"unit"`
	DueAt            time.Time `json:"due_at"`
	LastDay          string    `json:"last_day"`
	NominalLastDay   string    `json:"nominal_last_day"`
	Extended         bool      `json:"extended"`
	Provisional      bool      `json:"provisional"`
	ProvisionalYears []int     `json:"provisional_years"`
	Basis            string    `json:"basis"`
	Explanation      string    `json:"explanation"`
}

func calculationJSON(c deadline.Calculation) calculationOut {
	years := c.ProvisionalYears
	if years == nil {
		years = []int{}
	}
	return calculationOut{RuleID: c.Rule.ID, RuleName: c.Rule.Name, From: c.Event.In(calendar.Beijing), Limit: c.Rule.Limit,
		Unit: string(c.Rule.Unit), DueAt: c.Due.In(calendar.Beijing), LastDay: c.LastDay.String(),
		NominalLastDay: c.Nominal.String(), Extended: c.Extended, Provisional: c.Provisional, ProvisionalYears: years,
		Basis: c.Basis, Explanation: c.Explanation}
}

// calculate reads rule and from (the query of the API and of the page's
// calculator form) and computes; bad input is a field error naming the
// parameter.
func (s *Server) calculate(rule, from string) (deadline.Calculation, error) {
	var t time.Time
	if from != "" {
		var err error
		if t, err = deadline.ParseEventTime(from); err != nil {
			var fe domain.Fields
			if rule == "" {
				fe.Add("rule", "validation.required")
			} else if _, ok := s.deps.Deadlines.Rule(rule); !ok {
				fe.Add("rule", "validation.deadline_rule")
			}
			fe.Add("from", "validation.datetime")
			return deadline.Calculation{}, fe.Err()
		}
	}
	return s.deps.Deadlines.Calculate(rule, t)
}

// apiDeadlineCalculate answers when a rule's period runs out for an event:
// the due time, the last day, the legal basis, whether a provisional
// calendar was used and how the date was reached. Any signed-in user.
func (s *Server) apiDeadlineCalculate(c echo.Context) error {
	res, err := s.calculate(c.QueryParam("rule"), c.QueryParam("from"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, calculationJSON(res))
}

// mineFilter reads the "my deadlines" filters shared by the page and the
// API.
func mineFilter(c echo.Context) (deadline.MineFilter, error) {
	var fe domain.Fields
	f := deadline.MineFilter{Status: deadline.Status(c.QueryParam("status")), Cursor: c.QueryParam("cursor")}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "validation.status")
	}
	readDays(c.QueryParams(), &fe, dayBound{"closed_from", &f.ClosedFrom, false}, dayBound{"closed_to", &f.ClosedTo, true})
	for _, k := range []string{"org_id", "limit"} {
		v := c.QueryParam(k)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fe.Add(k, "validation.number")
			continue
		}
		if k == "org_id" {
			f.OrgID = n
		} else {
			f.Limit = int(n)
		}
	}
	return f, fe.Err()
}

// apiDeadlineList is the actor's deadlines: overdue first, then the
// soonest (deadline.Service.Mine).
func (s *Server) apiDeadlineList(c echo.Context) error {
	f, err := mineFilter(c)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Deadlines.Mine(ctxOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": deadlinesJSON(items, s.now()), "next_cursor": next})
}

func (s *Server) apiDeadlineRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/deadlines", s.apiDeadlineList, in)
	g.GET("/deadlines/calculate", s.apiDeadlineCalculate, in)
}
