package credit

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// ListFilter selects records.
type ListFilter struct {
	Statuses []Status
	// Shown: only the records displayed today (in effect, within their
	// display period).
	Shown      bool
	SourceKind SourceKind
	// RecordedFrom, RecordedTo bound the day recorded (created_at):
	// [from, to).
	RecordedFrom, RecordedTo time.Time
	// Q matches the subject's name or credit code.
	Q      string
	Cursor string
	Limit  int
}

// listColumns are a list row's columns.
const listColumns = `credit_records.*, coalesce(o.name_zh, '') AS org_name`

type listRow struct {
	Row     row `gorm:"embedded"`
	OrgName string
}

// List returns a page of the records the actor reads, newest first.
// EFORBIDDEN for an actor who reads none; EINVALID naming status,
// source_kind or cursor.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Record, string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	v := s.viewerOf(a)
	if v.none() {
		return nil, "", domain.Errorf(domain.EFORBIDDEN, "you may not read credit records")
	}
	where, args := v.where()
	q := s.d.DB.WithContext(ctx).Table("credit_records").Select(listColumns).
		Joins("LEFT JOIN orgs o ON o.id = credit_records.org_id").Where(where, args...)
	var fe domain.Fields
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			if !x.Valid() {
				fe.Add("status", "validation.status")
			}
			st[i] = string(x)
		}
		q = q.Where("credit_records.status IN ?", st)
	}
	if f.Shown {
		q = q.Where(ShownSQL, s.today().String())
	}
	if f.SourceKind != "" {
		valid := false
		for _, k := range SourceKinds {
			valid = valid || k == f.SourceKind
		}
		if !valid {
			fe.Add("source_kind", "validation.one_of", "Values", "enforcement, court, customs, agreement_refusal")
		}
		q = q.Where("credit_records.source_kind = ?", string(f.SourceKind))
	}
	if !f.RecordedFrom.IsZero() {
		q = q.Where("credit_records.created_at >= ?", f.RecordedFrom)
	}
	if !f.RecordedTo.IsZero() {
		q = q.Where("credit_records.created_at < ?", f.RecordedTo)
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(t) + "%"
		q = q.Where("(credit_records.name LIKE ? OR credit_records.credit_code = ?)", like, domain.NormalizeCreditCode(t))
	}
	if f.Cursor != "" {
		last, err := keyset.DecodeID(f.Cursor)
		if err != nil {
			fe.Add("cursor", "validation.cursor")
		}
		q = q.Where("credit_records.id < ?", last)
	}
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	limit := keyset.Limit(f.Limit)
	var rows []listRow
	if err := q.Order("credit_records.id DESC").Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, "", fmtErr("list", err)
	}
	rows, next := keyset.Page(rows, limit, func(r listRow) int64 { return r.Row.ID })
	out := make([]Record, len(rows))
	for i, r := range rows {
		out[i] = r.Row.toRecord(r.OrgName)
	}
	return out, next, nil
}

// Get returns a record with its history, its deadlines and the steps the
// actor may take now. ENOTFOUND outside the actor's scope.
func (s *Service) Get(ctx context.Context, id int64) (View, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return View{}, err
	}
	v := s.viewerOf(a)
	db := s.d.DB.WithContext(ctx)
	r, ok, err := load(ctx, db, id, false)
	if err != nil {
		return View{}, err
	}
	if !ok || !v.sees(r) {
		return View{}, notFound()
	}
	name, err := orgName(ctx, db, r.OrgID)
	if err != nil {
		return View{}, err
	}
	out := View{Record: r.toRecord(name), Body: v.isBody(r), Subject: v.isSubject(r), Allowed: []Action{}}
	if rf := repairFrom(r); rf != nil {
		d := rf.String()
		out.RepairFrom = &d
	}
	var evs []struct {
		At         time.Time
		ActorName  string
		Action     string
		FromStatus string
		ToStatus   string
		Detail     string
	}
	if err := db.Raw(`SELECT at, actor_name, action, from_status, to_status, detail::text AS detail
FROM credit_record_events WHERE record_id = ? ORDER BY id`, id).Scan(&evs).Error; err != nil {
		return View{}, fmtErr("events", err)
	}
	for _, e := range evs {
		ev := Event{At: e.At, ActorName: e.ActorName, Action: e.Action, FromStatus: Status(e.FromStatus), ToStatus: Status(e.ToStatus)}
		if e.Detail != "" && e.Detail != "{}" {
			if err := json.Unmarshal([]byte(e.Detail), &ev.Detail); err != nil {
				return View{}, fmtErr("event detail", err)
			}
		}
		out.Events = append(out.Events, ev)
	}
	if out.Deadlines, err = s.d.Deadlines.ForSubjectTx(ctx, db, Subject(id)); err != nil {
		return View{}, err
	}
	now := s.clock()
	for _, act := range Actions {
		if v.may(r, act) && stateAllows(r, act) && timeAllows(r, act, now) {
			out.Allowed = append(out.Allowed, act)
		}
	}
	return out, nil
}

// stateAllows reports whether r's status allows act.
func stateAllows(r row, act Action) bool {
	for _, st := range from[act] {
		if r.status() == st {
			return true
		}
	}
	return false
}

// timeAllows reports whether act is in its time at now: an objection
// within the objection period, a repair application once the shortest
// display has passed (Step refuses either out of time, naming reason).
func timeAllows(r row, act Action, now time.Time) bool {
	switch act {
	case ActionObject:
		return r.ObjectionDue == nil || now.Before(*r.ObjectionDue)
	case ActionApplyRepair:
		rf := repairFrom(r)
		return rf != nil && !calendar.DateOf(now).Before(*rf)
	}
	return true
}

// Stats counts the records of [from, to): recorded in the period, and by
// status now, for a reader of every record (ok false for anyone else).
// Each figure is the count of the list with the matching filters.
type Stats struct {
	Recorded int
	// ByStatus: the records recorded in the period, by their status now.
	ByStatus map[Status]int
	// Shown: the records displayed today, whenever recorded.
	Shown int
}

// Stats answers the period's figures (see Stats).
func (s *Service) Stats(ctx context.Context, from, to time.Time) (Stats, bool, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Stats{}, false, err
	}
	if !s.viewerOf(a).all {
		return Stats{}, false, nil
	}
	var rows []struct {
		Status string
		N      int
	}
	db := s.d.DB.WithContext(ctx)
	if err := db.Raw(`SELECT status, count(*) AS n FROM credit_records WHERE created_at >= ? AND created_at < ? GROUP BY status`,
		from, to).Scan(&rows).Error; err != nil {
		return Stats{}, false, fmtErr("statistics", err)
	}
	out := Stats{ByStatus: map[Status]int{}}
	for _, r := range rows {
		out.ByStatus[Status(r.Status)] = r.N
		out.Recorded += r.N
	}
	if err := db.Raw(`SELECT count(*) FROM credit_records WHERE `+ShownSQL, s.today().String()).Scan(&out.Shown).Error; err != nil {
		return Stats{}, false, fmtErr("statistics", err)
	}
	return out, true, nil
}

// Today is the service's Beijing day (for a page that links the shown list).
func (s *Service) Today() calendar.Date { return s.today() }
