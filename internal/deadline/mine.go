package deadline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// MineFilter narrows Mine.
type MineFilter struct {
	// Status is the deadlines' status; "" means open.
	Status Status
	// OrgID keeps only one responsible organisation's deadlines.
	OrgID int64
	// ClosedFrom, ClosedTo bound the day a deadline was met, missed or
	// cancelled (closed_at); To exclusive. The statistics link their
	// figures of deadlines met and missed to lists so filtered.
	ClosedFrom, ClosedTo time.Time
	Cursor               string
	Limit                int // default 50, max 200
}

// Mine lists the actor's deadlines, a page at a time (keyset on the due
// time and id; the second result is the next page's cursor, "" on the
// last page):
//
//   - those the actor is responsible for (the first assigned mediator of a
//     case is responsible for its deadlines);
//   - for a mediator, those of every case they are an active mediator of;
//   - for a committee's director or clerk, every deadline of the
//     committee, and for a city-level director those of the committees
//     they supervise.
//
// Information deadlines (the parties' window to apply for judicial
// confirmation) are nobody's own and never listed; nor are the open
// deadlines of a finished case (settled, failed, withdrawn, rejected,
// closed), which no longer run for anyone on the staff, except the
// performance date of a settled or closed case's agreement: following up
// its performance is the mediator's task (Deadline.FollowUp).
//
// Open deadlines come overdue first (the longest overdue first), then the
// soonest due; closed ones (Status met, missed, cancelled or lapsed) the
// latest first. Each role counts only where casbin grants it deadline:read.
// EFORBIDDEN for an actor who may read no deadline (the system
// administrator, an enterprise user: they see their case's dates on the
// case itself); EINVALID naming status or cursor.
func (s *Service) Mine(ctx context.Context, f MineFilter) ([]Deadline, string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	status := f.Status
	if status == "" {
		status = Open
	}
	if !status.Valid() {
		return nil, "", domain.Invalid(domain.FieldError{Field: "status", Message: "validation.status"})
	}
	where, args, ok := s.scope(a)
	if !ok {
		return nil, "", domain.Errorf(domain.EFORBIDDEN, "you may not read deadlines")
	}
	limit := keyset.Limit(f.Limit)
	asc := status == Open
	q := s.db.WithContext(ctx).Table("deadlines").
		Select("deadlines.*, coalesce(cases.number, '') AS case_number, coalesce(cases.status, '') AS case_status").
		Joins("LEFT JOIN cases ON cases.id = deadlines.case_id").
		Where(where, args...).Where("deadlines.status = ?", status)
	if status == Open {
		q = q.Where("(cases.id IS NULL OR cases.status NOT IN ? OR (deadlines.kind = ? AND cases.status IN ?))",
			finishedCaseStatuses, KindPerformance, followUpCaseStatuses)
	}
	if f.OrgID != 0 {
		q = q.Where("deadlines.org_id = ?", f.OrgID)
	}
	if !f.ClosedFrom.IsZero() {
		q = q.Where("deadlines.closed_at >= ?", f.ClosedFrom)
	}
	if !f.ClosedTo.IsZero() {
		q = q.Where("deadlines.closed_at < ?", f.ClosedTo)
	}
	if f.Cursor != "" {
		due, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", domain.Invalid(domain.FieldError{Field: "cursor", Message: "validation.cursor"})
		}
		if asc {
			q = q.Where("(deadlines.due_at, deadlines.id) > (?, ?)", due, id)
		} else {
			q = q.Where("(deadlines.due_at, deadlines.id) < (?, ?)", due, id)
		}
	}
	if asc {
		q = q.Order("deadlines.due_at, deadlines.id")
	} else {
		q = q.Order("deadlines.due_at DESC, deadlines.id DESC")
	}
	var rows []row
	if err := q.Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list deadlines: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = encodeCursor(last.DueAt, last.ID)
	}
	out := make([]Deadline, len(rows))
	for i, r := range rows {
		out[i] = r.toDeadline()
	}
	return out, next, nil
}

// CanList reports whether the actor may list deadlines at all (Mine would
// not be EFORBIDDEN).
func (s *Service) CanList(a *domain.Actor) bool {
	_, _, ok := s.scope(a)
	return ok
}

// scope is the actor's "my deadlines" condition on deadlines; ok is false
// when no role of theirs may read deadlines.
func (s *Service) scope(a *domain.Actor) (string, []any, bool) {
	if a == nil {
		return "", nil, false
	}
	var (
		staff       []int64
		enterprises []int64
		mediator    bool
		oversight   bool
		permitted   bool
	)
	add := func(id int64) {
		if !slices.Contains(staff, id) {
			staff = append(staff, id)
		}
	}
	for _, m := range a.Memberships {
		if s.authz != nil && !s.authz.Can(a.UserID, m.OrgID, "deadline", "read") {
			continue
		}
		permitted = true
		// What the role reaches beyond the deadlines the user answers for
		// (domain.Role.Reach; internal/domain/role.go).
		r := m.Role.Reach(domain.ObjectDeadline)
		if r.Has(domain.ReachOrg) {
			add(m.OrgID)
		}
		if r.Has(domain.ReachSupervised) {
			for _, id := range a.Supervised {
				add(id)
			}
		}
		if r.Has(domain.ReachAssigned) {
			mediator = true
		}
		if r.Has(domain.ReachAll) {
			oversight = true
		}
		if r.Has(domain.ReachPartyTo) {
			enterprises = append(enterprises, m.OrgID)
		}
	}
	if !permitted {
		return "", nil, false
	}
	// What an enterprise must know of: the periods that bind it (duty
	// party: the customs periods of the right holder) and its rights
	// (duty information: the window to apply for judicial confirmation)
	// on its cases, on the referrals made for its applications and on its
	// customs recordations (their validity, held by the enterprise), and
	// every deadline of its assistance applications (the supplement).
	var sme string
	var smeArgs []any
	if len(enterprises) > 0 {
		sme = `((deadlines.duty IN ('party', 'information') AND (
  deadlines.case_id IN (SELECT p.case_id FROM case_parties p WHERE p.org_id IN ?)
  OR deadlines.case_id IN (SELECT c.id FROM cases c WHERE c.applicant_org_id IN ?)
  OR (deadlines.subject_type = 'referral' AND deadlines.subject_id IN (SELECT r.id FROM referrals r
      JOIN assistance_applications aa ON aa.id = r.application_id WHERE aa.applicant_org_id IN ?))
  OR (deadlines.subject_type = 'customs_recordation' AND deadlines.org_id IN ?)))
 OR (deadlines.subject_type = 'application' AND deadlines.subject_id IN (SELECT aa.id FROM assistance_applications aa WHERE aa.applicant_org_id IN ?)))`
		smeArgs = []any{enterprises, enterprises, enterprises, enterprises, enterprises}
	}
	if oversight {
		// The leadership office oversees every organisation's deadlines
		// (docs/design.md §14), read-only.
		where := "deadlines.duty <> 'information'"
		if sme != "" {
			where = "(" + where + " OR " + sme + ")"
		}
		return where, smeArgs, true
	}
	parts := []string{"deadlines.responsible_user_id = ?"}
	args := []any{a.UserID}
	if mediator {
		parts = append(parts, "deadlines.case_id IN (SELECT cm.case_id FROM case_mediators cm WHERE cm.user_id = ? AND cm.removed_at IS NULL)")
		args = append(args, a.UserID)
	}
	if len(staff) > 0 {
		parts = append(parts, "deadlines.org_id IN ?")
		args = append(args, staff)
	}
	where := "((" + strings.Join(parts, " OR ") + ") AND deadlines.duty <> 'information')"
	if sme != "" {
		where = "(" + where + " OR " + sme + ")"
		args = append(args, smeArgs...)
	}
	return where, args, true
}

// encodeCursor continues a list of deadlines after (due, id).
func encodeCursor(due time.Time, id int64) string { return keyset.Encode(due.UnixMicro(), id) }

func decodeCursor(c string) (time.Time, int64, error) {
	keys, err := keyset.Decode(c, 2)
	if err != nil || keys[1] <= 0 {
		return time.Time{}, 0, keyset.ErrMalformed
	}
	return time.UnixMicro(keys[0]).UTC(), keys[1], nil
}

// finishedCaseStatuses are the statuses CaseFinished reports.
var finishedCaseStatuses = []string{"settled", "failed", "withdrawn", "rejected", "closed"}

// Countdown says how far an open deadline is from now, for lists: "in N
// working days", "due today", "overdue by N days".
type Countdown struct {
	// Overdue: the deadline has run out and was its organisation's own
	// duty (Deadline.Overdue); DaysOverdue is the number of calendar days
	// from its last day to today (1 on the day after).
	Overdue     bool
	DaysOverdue int
	// Passed: a deadline of another duty (party, information, soft) has
	// run out: it is not overdue, and DaysOverdue counts as for Overdue.
	Passed bool
	// Today: the last day is today.
	Today bool
	// WorkingDays is the number of working days after today up to and
	// including the last day; -1 when too far to count (over a year) or
	// the calendar cannot answer.
	WorkingDays int
	// Days is the number of calendar days from today to the last day.
	Days int
}

// countLimit bounds the working-day count of a countdown.
const countLimit = 400

// Countdown computes the countdown of d at now with the service's
// calendar. A closed deadline has the zero Countdown.
func (s *Service) Countdown(d Deadline, now time.Time) Countdown { return CountdownOn(s.cal, d, now) }

// CountdownOn computes the countdown of d at now with the calendar cal. A
// closed deadline, and any deadline of a finished case but the follow-up
// of its agreement's performance, has the zero Countdown: nothing runs
// any more.
func CountdownOn(cal *calendar.Calendar, d Deadline, now time.Time) Countdown {
	if !d.Running() {
		return Countdown{}
	}
	today, last := calendar.DateOf(now), d.LastDay()
	days := int(last.Start().Sub(today.Start()).Hours() / 24)
	switch {
	case !now.Before(d.DueAt) && !d.Overdue(now):
		return Countdown{Passed: true, DaysOverdue: max(-days, 0), Days: days}
	case !now.Before(d.DueAt):
		return Countdown{Overdue: true, DaysOverdue: max(-days, 0), Days: days}
	case days <= 0:
		return Countdown{Today: true}
	case days > countLimit:
		return Countdown{Days: days, WorkingDays: -1}
	}
	n := 0
	for day := today.AddDays(1); !day.After(last); day = day.AddDays(1) {
		info, err := cal.Day(day)
		if err != nil {
			return Countdown{Days: days, WorkingDays: -1}
		}
		if info.IsWorkday() {
			n++
		}
	}
	return Countdown{Days: days, WorkingDays: n}
}
