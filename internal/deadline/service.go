package deadline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// RecomputeHook is told, inside RecomputeProvisional's transaction, that
// an open deadline's due time changed (before and after), so that the
// capability owning the subject can keep its own copy in step (the case's
// mediation_due_at).
type RecomputeHook func(ctx context.Context, tx *gorm.DB, before, after Deadline) error

// ChangeHook is told, inside the transaction of the change, of every
// deadline opened, moved, closed, handed to another responsible user or
// recomputed, as it is after the change: the reminders of docs/design.md §6
// (internal/notify) are planned in that same transaction.
type ChangeHook func(ctx context.Context, tx *gorm.DB, d Deadline) error

// ErrNotOpen is returned by MoveTx when the subject has no open deadline
// of the kind.
var ErrNotOpen = errors.New("no open deadline of this kind")

// Service keeps deadlines. It is safe for concurrent use.
type Service struct {
	db    *gorm.DB
	cal   *calendar.Calendar
	rules calendar.Rules
	authz Authorizer
	now   func() time.Time
	log   *slog.Logger

	mu      sync.RWMutex
	hooks   map[string]RecomputeHook
	changes map[string]ChangeHook
}

// Deps are the deadline service's collaborators. Calendar and Rules are
// required; Now and Log may be left out (the wall clock, no log). DB and
// Authz may be left out only by a caller that computes due times and
// never keeps a deadline (the deadline command's calculator).
type Deps struct {
	DB       *gorm.DB
	Calendar *calendar.Calendar
	Rules    calendar.Rules
	Authz    Authorizer
	Now      func() time.Time
	Log      *slog.Logger
}

// NewService returns a Service. A missing calendar is a wiring mistake:
// NewService panics naming it.
func NewService(d Deps) *Service {
	domain.RequireDeps("deadline.NewService", map[string]bool{"Calendar": d.Calendar == nil})
	if d.Now == nil {
		d.Now = clock.Wall
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, cal: d.Calendar, rules: d.Rules, authz: d.Authz, now: d.Now, log: d.Log,
		hooks: map[string]RecomputeHook{}, changes: map[string]ChangeHook{}}
}

var defaults struct {
	once  sync.Once
	cal   *calendar.Calendar
	rules calendar.Rules
	err   error
}

// Defaults returns the calendar and rules embedded in the binary
// (configs/holidays, configs/deadlines.yaml), loaded once.
func Defaults() (*calendar.Calendar, calendar.Rules, error) {
	defaults.once.Do(func() {
		defaults.cal, defaults.err = calendar.LoadDefault()
		if defaults.err == nil {
			defaults.rules, defaults.err = calendar.LoadDefaultRules()
		}
	})
	return defaults.cal, defaults.rules, defaults.err
}

// Calendar returns the working-day calendar the service computes with.
func (s *Service) Calendar() *calendar.Calendar { return s.cal }

// Rules returns every deadline rule, sorted by id.
func (s *Service) Rules() []calendar.Rule { return s.rules.All() }

// RuleSet returns the rules the service computes with.
func (s *Service) RuleSet() calendar.Rules { return s.rules }

// Rule returns the rule with the given id.
func (s *Service) Rule(id string) (calendar.Rule, bool) { return s.rules.Rule(id) }

// OnRecompute registers (or replaces) the hook named name.
func (s *Service) OnRecompute(name string, h RecomputeHook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[name] = h
}

// OnChange registers (or replaces) the change hook named name.
func (s *Service) OnChange(name string, h ChangeHook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes[name] = h
}

// changed runs the change hooks, in the order of their names, for each
// deadline.
func (s *Service) changed(ctx context.Context, tx *gorm.DB, ds ...Deadline) error {
	s.mu.RLock()
	names := make([]string, 0, len(s.changes))
	for n := range s.changes {
		names = append(names, n)
	}
	slices.Sort(names)
	hooks := make([]ChangeHook, len(names))
	for i, n := range names {
		hooks[i] = s.changes[n]
	}
	s.mu.RUnlock()
	for _, d := range ds {
		for _, h := range hooks {
			if err := h(ctx, tx, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// clock returns the time as PostgreSQL stores it (UTC, microseconds).
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Calculation is the answer of Calculate.
type Calculation struct {
	Rule  calendar.Rule
	Event time.Time
	calendar.Result
}

// Calculate computes when rule ruleID is due for an event at from,
// storing nothing. EINVALID names rule (missing or unknown) or from
// (missing, or in a year the calendar cannot answer for).
func (s *Service) Calculate(ruleID string, from time.Time) (Calculation, error) {
	var f domain.Fields
	ruleID = strings.TrimSpace(ruleID)
	r, ok := s.rules.Rule(ruleID)
	switch {
	case ruleID == "":
		f.Add("rule", "validation.required")
	case !ok:
		f.Add("rule", "validation.deadline_rule")
	}
	if from.IsZero() {
		f.Add("from", "validation.required")
	}
	if err := f.Err(); err != nil {
		return Calculation{}, err
	}
	res, err := s.cal.Apply(r, from)
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return Calculation{}, domain.Invalid(domain.FieldError{Field: "from", Message: "validation.calendar_range",
				Params: map[string]any{"First": calendar.FirstProvisionalYear, "Last": calendar.LastYear}})
		}
		return Calculation{}, err
	}
	return Calculation{Rule: r, Event: from, Result: res}, nil
}

// eventLayouts are the forms of an event time ParseEventTime accepts.
var eventLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00",
	"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

// ParseEventTime reads an event time as the calculator's callers write
// it: RFC 3339 with an offset, with or without seconds
// (2026-09-28T10:00:00+08:00, 2026-09-28T10:00+08:00), or a Beijing
// local time (2026-09-28T10:00, the form of an HTML datetime-local input),
// or a Beijing date (2026-09-28, read as 00:00). A "+" that a query string
// turned into a space is put back. The error says what was expected.
func ParseEventTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("no time given")
	}
	try := []string{s}
	// 2026-09-28T10:00:00 08:00: an unescaped "+" in a URL query.
	if i := strings.LastIndexByte(s, ' '); i > 10 && strings.Contains(s[:i], "T") {
		try = append(try, s[:i]+"+"+s[i+1:])
	}
	for _, v := range try {
		for _, layout := range eventLayouts {
			if t, err := time.ParseInLocation(layout, v, calendar.Beijing); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write 2026-09-28T10:00:00+08:00, 2026-09-28T10:00 (Beijing time) or 2026-09-28", s)
}

// OpenTx opens a deadline inside the caller's transaction tx. With a rule
// and no fixed Due, the due time is computed from the event by the
// calendar, and the deadline is provisional when the calendar was. ECONFLICT
// when the subject already has an open deadline of the kind.
func (s *Service) OpenTx(ctx context.Context, tx *gorm.DB, sp Spec) (Deadline, error) {
	at := sp.Now
	if at.IsZero() {
		at = s.clock()
	}
	at = dbTime(at)
	r := row{SubjectType: string(sp.Subject.Type), SubjectID: sp.Subject.ID, OrgID: sp.OrgID, CaseID: sp.CaseID,
		Kind: sp.Kind, Title: sp.Title, Basis: sp.Basis, Explanation: sp.Explanation, Status: string(Open),
		ResponsibleUserID: sp.Responsible, CreatedAt: at, UpdatedAt: at, Duty: string(sp.Duty), Version: 1}
	switch {
	case sp.Subject.ID <= 0 || sp.Subject.Type == "":
		return Deadline{}, fmt.Errorf("open deadline: no subject")
	case sp.OrgID <= 0:
		return Deadline{}, fmt.Errorf("open deadline: no responsible organisation")
	case !kindPattern.MatchString(sp.Kind):
		return Deadline{}, fmt.Errorf("open deadline: kind %q is not a lower-case word", sp.Kind)
	}
	if sp.RuleID != "" {
		rule, ok := s.rules.Rule(sp.RuleID)
		if !ok {
			return Deadline{}, fmt.Errorf("open deadline: unknown rule %q", sp.RuleID)
		}
		r.RuleID = rule.ID
		if r.Duty == "" {
			r.Duty = string(rule.Duty)
		}
		if r.Title == "" {
			r.Title = rule.Name
		}
		if r.Basis == "" {
			r.Basis = rule.Basis
		}
		if sp.Due.IsZero() {
			res, err := s.cal.Apply(rule, sp.Event)
			if err != nil {
				return Deadline{}, fmt.Errorf("open %s deadline: %w", sp.Kind, err)
			}
			ev := dbTime(sp.Event)
			r.EventAt, r.DueAt, r.Provisional = &ev, dbTime(res.Due), res.Provisional
			if r.Explanation == "" {
				r.Explanation = res.Explanation
			}
		}
	}
	if !sp.Due.IsZero() {
		r.DueAt = dbTime(sp.Due)
		if !sp.Event.IsZero() {
			ev := dbTime(sp.Event)
			r.EventAt = &ev
		}
	}
	if r.DueAt.IsZero() {
		return Deadline{}, fmt.Errorf("open %s deadline: neither a rule nor a due time", sp.Kind)
	}
	if r.Duty == "" {
		r.Duty = string(DutyOrganisation)
	}
	if !Duty(r.Duty).Valid() {
		return Deadline{}, fmt.Errorf("open %s deadline: unknown duty %q", sp.Kind, r.Duty)
	}
	if strings.TrimSpace(r.Title) == "" {
		return Deadline{}, fmt.Errorf("open %s deadline: no title", sp.Kind)
	}
	if r.RuleID == RuleJudicialConfirmationApply && r.CaseID != nil {
		// Where the parties apply, should they wish to (docs/law.md §1).
		court, err := ConfirmationCourtTx(ctx, tx, *r.CaseID)
		if err != nil {
			return Deadline{}, err
		}
		r.Explanation = strings.TrimRight(r.Explanation, "\n") + "\n" + courtLine + court.Text() + "。依据：" + court.Basis + "。"
	}
	if sp.ExtendedFrom != nil {
		ef := dbTime(*sp.ExtendedFrom)
		r.ExtendedFrom = &ef
	}
	if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Deadline{}, domain.Errorf(domain.ECONFLICT, "an open %s deadline already exists", sp.Kind)
		}
		return Deadline{}, fmt.Errorf("open %s deadline: %w", sp.Kind, err)
	}
	d := r.toDeadline()
	return d, s.changed(ctx, tx, d)
}

// lockOpen locks the open deadline of kind of subject, or returns
// ErrNotOpen.
func lockOpen(ctx context.Context, tx *gorm.DB, subject Subject, kind string) (row, error) {
	var r row
	err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("subject_type = ? AND subject_id = ? AND kind = ? AND status = ?", subject.Type, subject.ID, kind, Open).
		Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row{}, ErrNotOpen
	}
	if err != nil {
		return row{}, fmt.Errorf("lock %s deadline: %w", kind, err)
	}
	return r, nil
}

// MoveTx moves the open deadline of kind of subject to due inside tx (an
// extension): the original due time is kept in ExtendedFrom (the first
// one, however often it moves), the deadline is no longer provisional (a
// decided date, not a computed one) and note replaces the explanation. It
// returns the deadline before and after, or ErrNotOpen. The caller checks
// that the new due time is acceptable.
func (s *Service) MoveTx(ctx context.Context, tx *gorm.DB, subject Subject, kind string, due time.Time, note string, at time.Time) (Deadline, Deadline, error) {
	if at.IsZero() {
		at = s.clock()
	}
	r, err := lockOpen(ctx, tx, subject, kind)
	if err != nil {
		return Deadline{}, Deadline{}, err
	}
	before := r.toDeadline()
	if r.ExtendedFrom == nil {
		old := r.DueAt
		r.ExtendedFrom = &old
	}
	r.DueAt, r.Provisional, r.Explanation = dbTime(due), false, note
	r.UpdatedAt, r.Version = dbTime(at), r.Version+1
	if err := tx.WithContext(ctx).Model(&row{}).Where("id = ?", r.ID).Updates(map[string]any{
		"due_at": r.DueAt, "provisional": false, "explanation": note, "extended_from": r.ExtendedFrom,
		"updated_at": r.UpdatedAt, "version": r.Version,
	}).Error; err != nil {
		return Deadline{}, Deadline{}, fmt.Errorf("move %s deadline: %w", kind, err)
	}
	after := r.toDeadline()
	return before, after, s.changed(ctx, tx, after)
}

// CloseTx ends the open deadlines of subject inside tx: those of kind, or
// every open one when kind is "". Met becomes Missed for a deadline that
// had already run out at at (Lapsed for an information deadline, which
// nobody could miss); Cancelled and Missed are taken as given. It returns
// the deadlines closed (none is not an error).
func (s *Service) CloseTx(ctx context.Context, tx *gorm.DB, subject Subject, kind string, status Status, at time.Time) ([]Deadline, error) {
	return s.CloseDoneTx(ctx, tx, subject, kind, status, at, at)
}

// CloseDoneTx is CloseTx for what was done at done but is recorded at at
// (a follow-up records afterwards that the agreement was performed on a
// day): Met becomes Missed only when the deadline had run out at done;
// the deadline is closed at at.
func (s *Service) CloseDoneTx(ctx context.Context, tx *gorm.DB, subject Subject, kind string, status Status, done, at time.Time) ([]Deadline, error) {
	if status == Open || status == Lapsed || !status.Valid() {
		return nil, fmt.Errorf("close deadline: %q is not a final status an action gives", status)
	}
	if at.IsZero() {
		at = s.clock()
	}
	at = dbTime(at)
	if done.IsZero() {
		done = at
	}
	done = dbTime(done)
	sql := `UPDATE deadlines SET status = CASE WHEN ? = 'met' AND due_at <= ?
	THEN CASE WHEN duty = 'information' THEN 'lapsed' ELSE 'missed' END ELSE ? END,
closed_at = ?, updated_at = ?, version = version + 1
WHERE subject_type = ? AND subject_id = ? AND status = 'open'`
	args := []any{string(status), done, string(status), at, at, subject.Type, subject.ID}
	if kind != "" {
		sql += " AND kind = ?"
		args = append(args, kind)
	}
	var rows []row
	if err := tx.WithContext(ctx).Raw(sql+" RETURNING *", args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("close deadlines: %w", err)
	}
	out := make([]Deadline, len(rows))
	for i, r := range rows {
		out[i] = r.toDeadline()
	}
	return out, s.changed(ctx, tx, out...)
}

// SetResponsibleTx makes userID (nil: nobody but the organisation)
// responsible for every open deadline of subject, inside tx: when the
// mediator responsible withdraws or is replaced.
func (s *Service) SetResponsibleTx(ctx context.Context, tx *gorm.DB, subject Subject, userID *int64, at time.Time) error {
	if at.IsZero() {
		at = s.clock()
	}
	var rows []row
	if err := tx.WithContext(ctx).Raw(`UPDATE deadlines SET responsible_user_id = ?, updated_at = ?, version = version + 1
WHERE subject_type = ? AND subject_id = ? AND status = 'open' AND responsible_user_id IS DISTINCT FROM ?
RETURNING *`, userID, dbTime(at), subject.Type, subject.ID, userID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("reassign deadlines: %w", err)
	}
	out := make([]Deadline, len(rows))
	for i, r := range rows {
		out[i] = r.toDeadline()
	}
	return s.changed(ctx, tx, out...)
}

// HandOverTx makes orgID the responsible organisation of every open
// deadline of subject, inside tx: when a case moves to another committee.
// The change hooks run, so reminders and escalations follow the deadline
// to its new organisation.
func (s *Service) HandOverTx(ctx context.Context, tx *gorm.DB, subject Subject, orgID int64, at time.Time) error {
	if at.IsZero() {
		at = s.clock()
	}
	var rows []row
	if err := tx.WithContext(ctx).Raw(`UPDATE deadlines SET org_id = ?, updated_at = ?, version = version + 1
WHERE subject_type = ? AND subject_id = ? AND status = 'open' AND org_id <> ?
RETURNING *`, orgID, dbTime(at), subject.Type, subject.ID, orgID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("hand over deadlines: %w", err)
	}
	out := make([]Deadline, len(rows))
	for i, r := range rows {
		out[i] = r.toDeadline()
	}
	return s.changed(ctx, tx, out...)
}

// ForCase lists every deadline of a case, open ones first by due time,
// then the closed ones. It checks no permission: the case service calls it
// once it has decided that the actor may see the case.
func (s *Service) ForCase(ctx context.Context, caseID int64) ([]Deadline, error) {
	return s.ForCaseTx(ctx, s.db, caseID)
}

// ForCaseTx is ForCase on the given handle (a transaction, or the caller's
// session).
func (s *Service) ForCaseTx(ctx context.Context, db *gorm.DB, caseID int64) ([]Deadline, error) {
	return listDeadlines(db.WithContext(ctx).Where("deadlines.case_id = ?", caseID), fmt.Sprintf("case %d", caseID))
}

// ForSubjectTx lists every deadline about subject (a referral, an
// application), open ones first by due time, then the closed ones. Like
// ForCase it checks no permission: the caller has decided that the actor
// may see the subject.
func (s *Service) ForSubjectTx(ctx context.Context, db *gorm.DB, subject Subject) ([]Deadline, error) {
	return listDeadlines(db.WithContext(ctx).Where("deadlines.subject_type = ? AND deadlines.subject_id = ?", subject.Type, subject.ID),
		fmt.Sprintf("%s %d", subject.Type, subject.ID))
}

func listDeadlines(q *gorm.DB, of string) ([]Deadline, error) {
	var rows []row
	if err := q.Table("deadlines").Select("deadlines.*, coalesce(cases.number, '') AS case_number, coalesce(cases.status, '') AS case_status").
		Joins("LEFT JOIN cases ON cases.id = deadlines.case_id").
		Order("deadlines.status <> 'open', deadlines.due_at, deadlines.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("deadlines of %s: %w", of, err)
	}
	out := make([]Deadline, len(rows))
	for i, r := range rows {
		out[i] = r.toDeadline()
	}
	return out, nil
}
