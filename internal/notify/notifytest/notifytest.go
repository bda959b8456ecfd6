// Package notifytest builds what tests of reminders need on a real test
// database: a committee with its director and a mediator, deadlines, due
// reminders in bulk, and a notify.Service with the
// embedded calendar and message catalogs.
package notifytest

import (
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/i18n"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/testenv"
	webfs "github.com/ipmediate/ipmediate/web"
)

// MoveTo moves the test clock c forward to t, failing the test if t lies
// before c's reading.
func MoveTo(t testing.TB, c *clock.Clock, to time.Time) {
	t.Helper()
	if err := c.AdvanceTo(to); err != nil {
		t.Fatal(err)
	}
}

// Beijing returns the instant y-m-d h:min in Beijing time.
func Beijing(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Beijing)
}

// EndOf returns 24:00 Beijing time of the day y-m-d, the due instant of
// a period whose last day it is.
func EndOf(y int, m time.Month, d int) time.Time { return calendar.NewDate(y, m, d).End() }

var (
	textsOnce sync.Once
	texts     *i18n.Translator
	textsErr  error
	calOnce   sync.Once
	cal       *calendar.Calendar
	calErr    error
)

// Texts returns the message catalogs of web/i18n.
func Texts(t testing.TB) notify.Texts {
	t.Helper()
	textsOnce.Do(func() {
		sub, err := fs.Sub(webfs.FS, "i18n")
		if err != nil {
			textsErr = err
			return
		}
		texts, textsErr = i18n.NewTranslator(sub)
	})
	if textsErr != nil {
		t.Fatal(textsErr)
	}
	return texts
}

// Calendar returns the embedded working-day calendar.
func Calendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	calOnce.Do(func() { cal, calErr = calendar.LoadDefault() })
	if calErr != nil {
		t.Fatal(calErr)
	}
	return cal
}

// Options returns the default options (stages before_3wd, before_1wd,
// due_day at 09:00; annual reports by directors and leaders) on clock
// now (nil: a clock started at testenv.Instant).
func Options(t testing.TB, now func() time.Time) notify.Options {
	t.Helper()
	stages, err := notify.ParseStages([]string{"before_3wd", "before_1wd", "due_day"})
	if err != nil {
		t.Fatal(err)
	}
	if now == nil {
		now = testenv.Clock().Now
	}
	return notify.Options{
		Calendar: Calendar(t), Stages: stages, SendTime: notify.ClockTime{Hour: 9},
		AnnualFrom:  calendar.NewDate(2000, time.December, 1),
		AnnualDue:   calendar.NewDate(2000, time.December, 20),
		AnnualRoles: []domain.Role{domain.RoleDirector, domain.RoleLeader},
		Texts:       Texts(t), BaseURL: "http://ipmediate.test", Now: now,
	}
}

// NewService returns a notify.Service over db with o.
func NewService(t testing.TB, db *gorm.DB, o notify.Options) *notify.Service {
	t.Helper()
	s, err := notify.New(db, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Fixture is a mediation committee with a director and a mediator.
type Fixture struct {
	DB       *gorm.DB
	OrgID    int64
	Director int64
	Mediator int64
}

var seq struct {
	mu sync.Mutex
	n  int
}

func next() int {
	seq.mu.Lock()
	defer seq.mu.Unlock()
	seq.n++
	return seq.n
}

// NewFixture creates a committee, its director and a mediator.
func NewFixture(t testing.TB, db *gorm.DB) *Fixture {
	t.Helper()
	f := &Fixture{DB: db}
	f.OrgID = f.Org(t, "mediation_committee")
	f.Director = f.User(t, "director", f.OrgID)
	f.Mediator = f.User(t, "mediator", f.OrgID)
	return f
}

// Org creates an organisation of the given type.
func (f *Fixture) Org(t testing.TB, typ string) int64 {
	t.Helper()
	n := next()
	var id int64
	credit := any(nil)
	if typ == "enterprise" {
		credit = fmt.Sprintf("91350100TEST%06d", n)
	}
	if err := f.DB.Raw(`INSERT INTO orgs (code, type, name_zh, credit_code) VALUES (?, ?, ?, ?) RETURNING id`,
		fmt.Sprintf("org-%d", n), typ, fmt.Sprintf("测试单位%d", n), credit).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// User creates an active user holding role in org (0: no role).
func (f *Fixture) User(t testing.TB, role string, orgID int64) int64 {
	t.Helper()
	var id int64
	name := fmt.Sprintf("%s.%d", role, next())
	if err := f.DB.Raw(`INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, 'x') RETURNING id`,
		name, name).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	if orgID > 0 {
		f.Grant(t, id, role, orgID)
	}
	return id
}

// Grant gives a user a role in an organisation.
func (f *Fixture) Grant(t testing.TB, userID int64, role string, orgID int64) {
	t.Helper()
	if err := f.DB.Exec(`INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', ?, ?, ?)`,
		fmt.Sprintf("user:%d", userID), role, fmt.Sprintf("org:%d", orgID)).Error; err != nil {
		t.Fatal(err)
	}
}

// Deadline creates an open deadline of the committee due at due;
// responsible may be 0 (none).
func (f *Fixture) Deadline(t testing.TB, title string, due time.Time, responsible int64) int64 {
	t.Helper()
	var resp any
	if responsible > 0 {
		resp = responsible
	}
	var id int64
	if err := f.DB.Raw(`INSERT INTO deadlines (subject_type, subject_id, org_id, kind, title, due_at, responsible_user_id)
VALUES ('org', ?, ?, ?, ?, ?, ?) RETURNING id`, f.OrgID, f.OrgID, fmt.Sprintf("test_%d", next()), title, due, resp).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// DueReminders creates n open deadlines due a month after sendAt, each
// with one pending due_day reminder to the mediator at sendAt, in two
// statements; it returns the first and last reminder id.
func (f *Fixture) DueReminders(t testing.TB, n int, sendAt time.Time) (first, last int64) {
	t.Helper()
	due := sendAt.Add(30 * 24 * time.Hour)
	prefix := fmt.Sprintf("bulk%d_", next())
	err := f.DB.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO deadlines (subject_type, subject_id, org_id, kind, title, due_at, responsible_user_id)
SELECT 'org', ?, ?, ? || g, '批量期限 ' || g, ?, ? FROM generate_series(1, ?) AS g`,
			f.OrgID, f.OrgID, prefix, due, f.Mediator, n).Error; err != nil {
			return err
		}
		return tx.Raw(`WITH ins AS (
	INSERT INTO reminders (deadline_id, org_id, topic, stage, due_at, send_at, recipient_user_id)
	SELECT d.id, d.org_id, 'deadline:remind', 'due_day', d.due_at, ?, ?
	FROM deadlines d WHERE starts_with(d.kind, ?)
	RETURNING id)
SELECT min(id), max(id) FROM ins`, sendAt, f.Mediator, prefix).Row().Scan(&first, &last)
	})
	if err != nil {
		t.Fatal(err)
	}
	return first, last
}

// Tally is what became of the reminders of a test.
type Tally struct {
	Reminders int // rows
	Sent      int // status sent
	Pending   int // pending or enqueued
	// Notifications counts in-app notifications of reminders; Duplicates
	// counts reminders with more than one (there must be none).
	Notifications int
	Duplicates    int
}

// Count tallies the reminders and their notifications.
func Count(t testing.TB, db *gorm.DB) Tally {
	t.Helper()
	var c Tally
	err := db.Raw(`SELECT
	(SELECT count(*) FROM reminders) AS reminders,
	(SELECT count(*) FROM reminders WHERE status = 'sent') AS sent,
	(SELECT count(*) FROM reminders WHERE status IN ('pending', 'enqueued')) AS pending,
	(SELECT count(*) FROM notifications WHERE dedup_key LIKE 'reminder:%') AS notifications,
	(SELECT count(*) FROM (SELECT r.id FROM reminders r JOIN notifications n ON n.dedup_key = 'reminder:' || r.id
		GROUP BY r.id HAVING count(*) > 1) AS d) AS duplicates`).Scan(&c).Error
	if err != nil {
		t.Fatal(err)
	}
	return c
}
