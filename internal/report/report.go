// Package report is the annual work report (年度工作情况报告) every member
// unit of the city's IP leading group sends its office by 20 December
// (the work plan, section 四(四); docs/design.md §10).
//
// An organisation owes a report when its type is one of those configured
// (Deps.OwedBy: by default the mediation committees, the courts, customs,
// the enforcement bodies, the assistance centre and the industry
// associations). Its members who hold report:submit draft it: the year's
// figures come from the statistics (its cases for a committee, its
// referrals for everyone), the four text sections are theirs to write —
// 工作开展情况, 主要成效和经验, 存在的问题, 下一步工作计划. A draft is saved
// as often as they like; submitting freezes the figures and records
// whether it came after the due time (20 December 24:00 in Beijing, the
// annual_report rule). The leadership office (report:review) sees the
// year's board — who submitted, on time or late, who has not — and
// returns a report for revision with a comment (the unit is told; it
// edits and submits again) or accepts it, after which it is final. It
// compiles the city's summary from the accepted reports.
//
// Each step is one transaction that locks the report, checks the version
// the client saw, writes the change, a history row, the notifications and
// the audit row. Reminders of the report stop once it is submitted
// (internal/notify checks the report when a reminder falls due).
//
// Errors are *domain.Error: EINVALID naming the field, ENOTFOUND for an
// organisation or report the actor may not see, EFORBIDDEN for a step the
// actor may not take, ECONFLICT for a step the state does not allow now
// or a stale version.
package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// Status is where a report stands.
type Status string

// Statuses. Missing is no row yet (the board's word for a unit that has
// not started).
const (
	Missing   Status = "missing"
	Draft     Status = "draft"
	Submitted Status = "submitted"
	Returned  Status = "returned"
	Accepted  Status = "accepted"
)

// Statuses lists the statuses in the order of the board's filters.
var Statuses = []Status{Missing, Draft, Submitted, Returned, Accepted}

// Actions are the steps of a report's history (annual_report_events).
var Actions = []string{"save", "submit", "return", "accept"}

// Editable reports whether the unit may still change the report.
func (s Status) Editable() bool { return s == Missing || s == Draft || s == Returned }

// Sections are the report's four texts.
type Sections struct {
	Work     string `json:"work"`     // 工作开展情况
	Results  string `json:"results"`  // 主要成效和经验
	Problems string `json:"problems"` // 存在的问题
	Plans    string `json:"plans"`    // 下一步工作计划
}

// SectionFields are the field names of the sections, in order.
var SectionFields = []string{"work", "results", "problems", "plans"}

// Get returns the section named by field.
func (s Sections) Get(field string) string {
	switch field {
	case "work":
		return s.Work
	case "results":
		return s.Results
	case "problems":
		return s.Problems
	case "plans":
		return s.Plans
	}
	return ""
}

// maxSection bounds one section (a long report is a few thousand
// characters; this leaves room without inviting a pasted book).
const maxSection = 20000

// Figures are the year's figures of a unit: the cases of a committee
// (Cases, with Duration) and the referrals it sent or received by kind.
// They are computed while the report is a draft and frozen when it is
// submitted.
type Figures struct {
	Committee bool           `json:"committee"`
	Cases     stats.Line     `json:"cases"`
	Duration  stats.Duration `json:"duration"`
	// Deadlines are the committee's deadlines met and missed in the year
	// (closed in it), as on /stats.
	Deadlines stats.Kept           `json:"deadlines"`
	Referrals []referral.KindStats `json:"referrals"`
	Computed  time.Time            `json:"computed_at"`
}

// Org is the organisation a report belongs to.
type Org struct {
	ID     int64
	Code   string
	Type   domain.OrgType
	NameZH string
	NameEN string
}

// Name is the organisation's name in lang.
func (o Org) Name(lang string) string {
	if lang == "en" && o.NameEN != "" {
		return o.NameEN
	}
	return o.NameZH
}

// Event is one step of a report's history.
type Event struct {
	Action  string // save, submit, return, accept
	UserID  int64
	User    string
	Comment string
	At      time.Time
}

// Report is one organisation's report of a year as the actor sees it.
type Report struct {
	ID      int64 // 0: nothing saved yet
	Org     Org
	Year    int
	Status  Status
	Version int
	Sections
	Figures     Figures
	DueAt       time.Time
	SubmittedAt *time.Time
	Late        bool
	DecidedAt   *time.Time
	// Comment is the office's comment when it returned the report.
	Comment string
	History []Event
	// CanEdit: the actor may save and submit it now; CanReview: the
	// actor may return or accept it now.
	CanEdit, CanReview bool
}

// Authorizer is the slice of internal/authz the service needs.
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Notifier queues a message to a user inside the caller's transaction.
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// CaseFigures are the statistics of committees without authorization
// (stats.Service).
type CaseFigures interface {
	OrgReport(ctx context.Context, orgs []int64, p stats.Period) (stats.Report, error)
	Overdue(ctx context.Context, orgs []int64) (map[int64]int, error)
}

// ReferralFigures are the referral statistics of organisations without
// authorization (referral.Service).
type ReferralFigures interface {
	StatsOf(ctx context.Context, orgs []int64, from, to time.Time) ([]referral.KindStats, error)
}

// Deps are the service's collaborators; all are required.
type Deps struct {
	DB        *gorm.DB
	Authz     Authorizer
	Audit     Auditor
	Notify    Notifier
	Cases     CaseFigures
	Referrals ReferralFigures
	// OwedBy are the types of organisation that owe a report.
	OwedBy []domain.OrgType
	// Due is the day (month and day; the year is ignored) the report is
	// due, from the annual_report rule: due at that day's end in Beijing.
	Due calendar.Date
	Now func() time.Time
	Log *slog.Logger
}

// Service implements the annual report use cases.
type Service struct {
	d Deps
}

// DefaultOwedBy are the organisation types that owe a report unless
// configured otherwise.
var DefaultOwedBy = []domain.OrgType{domain.OrgMediationCommittee, domain.OrgCourt, domain.OrgCustoms,
	domain.OrgEnforcement, domain.OrgAssistanceCenter, domain.OrgIndustryAssoc}

// New returns the service; it refuses a missing collaborator, naming it.
func New(d Deps) (*Service, error) {
	for name, missing := range map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil, "Audit": d.Audit == nil,
		"Notify": d.Notify == nil, "Cases": d.Cases == nil, "Referrals": d.Referrals == nil} {
		if missing {
			return nil, fmt.Errorf("report.New: %s is required", name)
		}
	}
	if len(d.OwedBy) == 0 {
		d.OwedBy = DefaultOwedBy
	}
	if d.Due.IsZero() {
		d.Due = calendar.NewDate(2000, time.December, 20)
	}
	if d.Now == nil {
		d.Now = clock.Wall
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}, nil
}

// OwedBy are the organisation types that owe a report.
func (s *Service) OwedBy() []domain.OrgType { return slices.Clone(s.d.OwedBy) }

// DueAt is when the report of year is due: the end of the due day.
func (s *Service) DueAt(year int) time.Time {
	return calendar.NewDate(year, s.d.Due.Month, s.d.Due.Day).End()
}

// now is the time as PostgreSQL stores it.
func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// ThisYear is the year whose report is being written now: the current
// year in Beijing (in January the past year's report is still reachable
// by its year).
func (s *Service) ThisYear() int { return calendar.DateOf(s.d.Now()).Year }

// checkYear refuses a year outside the table's bounds or in the future.
func (s *Service) checkYear(year int) error {
	if year < 2000 || year > s.ThisYear() {
		return domain.Invalid(domain.FieldError{Field: "year", Message: "validation.report_year"})
	}
	return nil
}

// Reviewer reports whether the actor reads every report and decides on
// them (the leadership office).
func (s *Service) Reviewer(a *domain.Actor) bool {
	if a == nil {
		return false
	}
	for _, m := range a.Memberships {
		if s.d.Authz.Can(a.UserID, m.OrgID, "report", "review") {
			return true
		}
	}
	return false
}

// Units are the organisations whose report the actor writes: those of a
// type that owes one in which the actor holds report:submit.
func (s *Service) Units(a *domain.Actor) []int64 {
	var out []int64
	if a == nil {
		return nil
	}
	for _, m := range a.Memberships {
		if slices.Contains(s.d.OwedBy, m.OrgType) && s.d.Authz.Can(a.UserID, m.OrgID, "report", "submit") &&
			!slices.Contains(out, m.OrgID) {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// row is a stored report.
type row struct {
	ID          int64
	OrgID       int64
	Year        int
	Status      Status
	Work        string
	Results     string
	Problems    string
	Plans       string
	Figures     []byte
	DueAt       time.Time
	SubmittedAt *time.Time
	SubmittedBy *int64
	Late        bool
	DecidedAt   *time.Time
	DecidedBy   *int64
	Comment     string
	Version     int
}

// org loads an organisation that owes reports, or ENOTFOUND.
func (s *Service) org(ctx context.Context, db *gorm.DB, id int64) (Org, error) {
	var o Org
	err := db.WithContext(ctx).Raw(`SELECT id, code, type, name_zh, name_en FROM orgs WHERE id = ? AND type IN ?`,
		id, s.d.OwedBy).Scan(&o).Error
	if err != nil {
		return Org{}, fmt.Errorf("report organisation %d: %w", id, err)
	}
	if o.ID == 0 {
		return Org{}, domain.NotFound("organisation")
	}
	return o, nil
}

// see decides what the actor may do with org's reports: ENOTFOUND when
// neither its unit nor the office.
func (s *Service) see(a *domain.Actor, orgID int64) (unit, reviewer bool, err error) {
	unit = slices.Contains(s.Units(a), orgID)
	reviewer = s.Reviewer(a)
	if !unit && !reviewer {
		return false, false, domain.NotFound("annual_report")
	}
	return unit, reviewer, nil
}

// Get returns org's report of year with its history and, while it is
// still being written, the figures as of now.
func (s *Service) Get(ctx context.Context, orgID int64, year int) (Report, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Report{}, err
	}
	if err := s.checkYear(year); err != nil {
		return Report{}, err
	}
	unit, reviewer, err := s.see(a, orgID)
	if err != nil {
		return Report{}, err
	}
	db := s.d.DB.WithContext(ctx)
	o, err := s.org(ctx, db, orgID)
	if err != nil {
		return Report{}, err
	}
	var r row
	if err := db.Raw(`SELECT * FROM annual_reports WHERE org_id = ? AND year = ?`, orgID, year).Scan(&r).Error; err != nil {
		return Report{}, fmt.Errorf("annual report: %w", err)
	}
	out, err := s.view(ctx, db, o, year, r)
	if err != nil {
		return Report{}, err
	}
	out.CanEdit = unit && out.Status.Editable()
	out.CanReview = reviewer && out.Status == Submitted
	return out, nil
}

// view builds a report from its row (ID 0: none yet).
func (s *Service) view(ctx context.Context, db *gorm.DB, o Org, year int, r row) (Report, error) {
	out := Report{ID: r.ID, Org: o, Year: year, Status: Missing, DueAt: s.DueAt(year)}
	if r.ID != 0 {
		out.Status, out.Version, out.DueAt = r.Status, r.Version, r.DueAt
		out.Sections = Sections{Work: r.Work, Results: r.Results, Problems: r.Problems, Plans: r.Plans}
		out.SubmittedAt, out.Late, out.DecidedAt, out.Comment = r.SubmittedAt, r.Late, r.DecidedAt, r.Comment
		var hist []Event
		if err := db.Raw(`SELECT e.action, e.user_id, coalesce(nullif(u.display_name, ''), u.username) AS "user", e.comment, e.at
FROM annual_report_events e JOIN users u ON u.id = e.user_id WHERE e.report_id = ? ORDER BY e.id`, r.ID).Scan(&hist).Error; err != nil {
			return Report{}, fmt.Errorf("annual report history: %w", err)
		}
		out.History = hist
	}
	if len(r.Figures) > 0 && (out.Status == Submitted || out.Status == Accepted || out.Status == Returned) {
		if err := json.Unmarshal(r.Figures, &out.Figures); err != nil {
			return Report{}, fmt.Errorf("annual report figures: %w", err)
		}
		if out.Status != Returned {
			return out, nil
		}
	}
	f, err := s.figures(ctx, o, year)
	if err != nil {
		return Report{}, err
	}
	out.Figures = f
	return out, nil
}

// figures computes o's figures of year as of now.
func (s *Service) figures(ctx context.Context, o Org, year int) (Figures, error) {
	p := stats.Year(year)
	f := Figures{Committee: o.Type == domain.OrgMediationCommittee, Computed: s.now()}
	if f.Committee {
		r, err := s.d.Cases.OrgReport(ctx, []int64{o.ID}, p)
		if err != nil {
			return Figures{}, err
		}
		f.Cases, f.Duration, f.Deadlines = r.Total, r.Duration, r.Deadlines
	}
	refs, err := s.d.Referrals.StatsOf(ctx, []int64{o.ID}, p.From, p.To)
	if err != nil {
		return Figures{}, err
	}
	for _, k := range refs {
		if k.Sent+k.Received+k.Open+k.Completed > 0 {
			f.Referrals = append(f.Referrals, k)
		}
	}
	return f, nil
}

// Input is what the unit sends: the sections and the version it saw (0
// for a report not yet saved).
type Input struct {
	Version int
	Sections
}

func (in Input) check(complete bool) (Sections, error) {
	var f domain.Fields
	if in.Version < 0 {
		f.Add("version", "validation.invalid")
	}
	out := Sections{
		Work:     f.Text("work", in.Work, complete, maxSection),
		Results:  f.Text("results", in.Results, complete, maxSection),
		Problems: f.Text("problems", in.Problems, complete, maxSection),
		Plans:    f.Text("plans", in.Plans, complete, maxSection),
	}
	return out, f.Err()
}

// Save keeps the unit's draft (creating the report on the first save).
// A submitted or accepted report cannot be saved (ECONFLICT).
func (s *Service) Save(ctx context.Context, orgID int64, year int, in Input) (Report, error) {
	return s.write(ctx, orgID, year, in, false)
}

// Submit saves the sections, all four required, and submits the report
// to the leadership office: the figures are frozen, the time and whether
// it came late are recorded, the office is told.
func (s *Service) Submit(ctx context.Context, orgID int64, year int, in Input) (Report, error) {
	return s.write(ctx, orgID, year, in, true)
}

func (s *Service) write(ctx context.Context, orgID int64, year int, in Input, submit bool) (Report, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Report{}, err
	}
	if err := s.checkYear(year); err != nil {
		return Report{}, err
	}
	unit, _, err := s.see(a, orgID)
	if err != nil {
		return Report{}, err
	}
	if !unit {
		return Report{}, domain.Errorf(domain.EFORBIDDEN, "only the organisation writes its annual report")
	}
	sec, err := in.check(submit)
	if err != nil {
		return Report{}, err
	}
	o, err := s.org(ctx, s.d.DB, orgID)
	if err != nil {
		return Report{}, err
	}
	action := "save"
	if submit {
		action = "submit"
	}
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now()
		// The first save creates the row; concurrent first saves meet on
		// the unique key and the loser sees a stale version.
		if in.Version == 0 {
			// Version 0 until the write below makes it 1.
			res := tx.Exec(`INSERT INTO annual_reports (org_id, year, due_at, version, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)
ON CONFLICT (org_id, year) DO NOTHING`, orgID, year, s.DueAt(year), now, now)
			if res.Error != nil {
				return fmt.Errorf("create annual report: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return staleVersion()
			}
		}
		r, err := lock(tx, orgID, year)
		if err != nil {
			return err
		}
		if in.Version != 0 && r.Version != in.Version {
			return staleVersion()
		}
		if !r.Status.Editable() {
			return domain.Errorf(domain.ECONFLICT, "the annual report is %s and can no longer be changed", r.Status)
		}
		set := map[string]any{"work": sec.Work, "results": sec.Results, "problems": sec.Problems, "plans": sec.Plans,
			"version": gorm.Expr("version + 1"), "updated_at": now}
		detail := map[string]any{"year": year}
		if submit {
			f, err := s.figures(ctx, o, year)
			if err != nil {
				return err
			}
			js, err := json.Marshal(f)
			if err != nil {
				return err
			}
			late := !now.Before(r.DueAt)
			set["status"], set["figures"], set["submitted_at"], set["submitted_by"], set["late"] = Submitted, js, now, a.UserID, late
			set["decided_at"], set["decided_by"] = nil, nil
			detail["late"], detail["resubmission"] = late, r.Status == Returned
		}
		if err := tx.Table("annual_reports").Where("id = ?", r.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("write annual report: %w", err)
		}
		if err := addEvent(tx, r.ID, action, a.UserID, "", now); err != nil {
			return err
		}
		if submit {
			if err := s.tellOffice(ctx, tx, o, year, "annual_report_submitted"); err != nil {
				return err
			}
		}
		return s.auditStep(ctx, tx, r, "annual_report."+action, detail)
	})
	if err != nil {
		return Report{}, err
	}
	return s.Get(ctx, orgID, year)
}

func staleVersion() error {
	return domain.Errorf(domain.ECONFLICT, "the annual report was changed by someone else; reload it and try again")
}

func lock(tx *gorm.DB, orgID int64, year int) (row, error) {
	var r row
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Table("annual_reports").
		Where("org_id = ? AND year = ?", orgID, year).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row{}, domain.NotFound("annual_report")
	}
	if err != nil {
		return row{}, fmt.Errorf("lock annual report: %w", err)
	}
	return r, nil
}

func addEvent(tx *gorm.DB, id int64, action string, user int64, comment string, at time.Time) error {
	if err := tx.Exec(`INSERT INTO annual_report_events (report_id, action, user_id, comment, at) VALUES (?, ?, ?, ?, ?)`,
		id, action, user, comment, at).Error; err != nil {
		return fmt.Errorf("annual report history: %w", err)
	}
	return nil
}

func (s *Service) auditStep(ctx context.Context, tx *gorm.DB, r row, action string, detail map[string]any) error {
	org := r.OrgID
	return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: action, ObjectType: "annual_report",
		ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail})
}

// Link is the page of org's report of year.
func Link(orgID int64, year int) string {
	return "/reports/annual/" + strconv.Itoa(year) + "/" + strconv.FormatInt(orgID, 10)
}

// tellOffice tells every member of the leadership office that reviews
// reports.
func (s *Service) tellOffice(ctx context.Context, tx *gorm.DB, o Org, year int, kind string) error {
	var users []struct{ UserID, OrgID int64 }
	if err := tx.Raw(`SELECT DISTINCT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
JOIN orgs g ON g.id = m.org_id AND g.active WHERE g.type = ? ORDER BY m.user_id`, domain.OrgLeadershipOffice).Scan(&users).Error; err != nil {
		return fmt.Errorf("leadership office members: %w", err)
	}
	var ids []int64
	for _, u := range users {
		if s.d.Authz.Can(u.UserID, u.OrgID, "report", "review") && !slices.Contains(ids, u.UserID) {
			ids = append(ids, u.UserID)
		}
	}
	return s.tell(ctx, tx, ids, o, year, kind, "")
}

// tellUnit tells the unit's members who write its report.
func (s *Service) tellUnit(ctx context.Context, tx *gorm.DB, o Org, year int, kind, comment string) error {
	var users []int64
	if err := tx.Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? ORDER BY m.user_id`, o.ID).Scan(&users).Error; err != nil {
		return fmt.Errorf("unit members: %w", err)
	}
	var ids []int64
	for _, u := range users {
		if s.d.Authz.Can(u, o.ID, "report", "submit") {
			ids = append(ids, u)
		}
	}
	return s.tell(ctx, tx, ids, o, year, kind, comment)
}

func (s *Service) tell(ctx context.Context, tx *gorm.DB, users []int64, o Org, year int, kind, comment string) error {
	params := map[string]any{"Year": year, "Org": o.NameZH}
	if comment != "" {
		params["Comment"] = comment
	}
	for _, u := range users {
		if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: kind, Params: params, Link: Link(o.ID, year)}); err != nil {
			return err
		}
	}
	return nil
}

// Return sends a submitted report back to its unit for revision with the
// office's comment (required); the unit is told and may edit and submit
// it again.
func (s *Service) Return(ctx context.Context, orgID int64, year int, version int, comment string) (Report, error) {
	return s.decide(ctx, orgID, year, version, Returned, comment)
}

// Accept accepts a submitted report; it is final from then on.
func (s *Service) Accept(ctx context.Context, orgID int64, year int, version int) (Report, error) {
	return s.decide(ctx, orgID, year, version, Accepted, "")
}

func (s *Service) decide(ctx context.Context, orgID int64, year, version int, to Status, comment string) (Report, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Report{}, err
	}
	if err := s.checkYear(year); err != nil {
		return Report{}, err
	}
	_, reviewer, err := s.see(a, orgID)
	if err != nil {
		return Report{}, err
	}
	if !reviewer {
		return Report{}, domain.Errorf(domain.EFORBIDDEN, "only the leadership office returns or accepts annual reports")
	}
	if to == Returned {
		var f domain.Fields
		comment = f.Text("comment", comment, true, maxSection)
		if err := f.Err(); err != nil {
			return Report{}, err
		}
	}
	o, err := s.org(ctx, s.d.DB, orgID)
	if err != nil {
		return Report{}, err
	}
	action, kind := "return", "annual_report_returned"
	if to == Accepted {
		action, kind = "accept", "annual_report_accepted"
	}
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now()
		r, err := lock(tx, orgID, year)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			// The organisation exists (org above); its unit has not begun
			// the report, so there is nothing submitted to decide.
			return domain.Errorf(domain.ECONFLICT, "this organisation has not submitted its %d annual report", year)
		}
		if err != nil {
			return err
		}
		if r.Version != version {
			return staleVersion()
		}
		if r.Status != Submitted {
			return domain.Errorf(domain.ECONFLICT, "only a submitted annual report can be returned or accepted; this one is %s", r.Status)
		}
		set := map[string]any{"status": to, "decided_at": now, "decided_by": a.UserID, "comment": comment,
			"version": gorm.Expr("version + 1"), "updated_at": now}
		if err := tx.Table("annual_reports").Where("id = ?", r.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("decide annual report: %w", err)
		}
		if err := addEvent(tx, r.ID, action, a.UserID, comment, now); err != nil {
			return err
		}
		if err := s.tellUnit(ctx, tx, o, year, kind, comment); err != nil {
			return err
		}
		detail := map[string]any{"year": year}
		if comment != "" {
			detail["comment"] = comment
		}
		return s.auditStep(ctx, tx, r, "annual_report."+action, detail)
	})
	if err != nil {
		return Report{}, err
	}
	return s.Get(ctx, orgID, year)
}
