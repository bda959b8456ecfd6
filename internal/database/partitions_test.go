package database_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// partitionOf names the partition that holds the audit row of chain and
// seq.
func partitionOf(t *testing.T, db *gorm.DB, chain string, seq int64) string {
	t.Helper()
	var p string
	if err := db.Raw(`SELECT tableoid::regclass::text FROM audit_log WHERE chain = ? AND seq = ?`, chain, seq).Scan(&p).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

// appendAt appends one audit row of org's chain at the instant at.
func appendAt(t *testing.T, db *gorm.DB, org int64, at time.Time) {
	t.Helper()
	l := audit.New(db, func() time.Time { return at })
	if err := l.Append(context.Background(), nil, audit.Entry{OrgID: &org, Action: "case.read", ObjectType: "case", ObjectID: "1"}); err != nil {
		t.Fatal(err)
	}
}

func verifyAudit(t *testing.T, db *gorm.DB) audit.Report {
	t.Helper()
	rep, err := audit.New(db, nil).Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("audit chain broken: %s", rep.Broken)
	}
	return rep
}

func TestPartitions_YearsAreMadeAheadAndTheChainVerifiesAcrossThem(t *testing.T) {
	db := testenv.DB(t)
	ctx := context.Background()
	at := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, calendar.Beijing)
	}

	// As the application does at start, on its clock.
	if _, err := database.EnsurePartitions(ctx, db, testenv.Instant); err != nil {
		t.Fatal(err)
	}
	rep, err := database.EnsurePartitions(ctx, db, at(2031, 6, 1, 9, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := "case_events_2031 case_events_2032 audit_log_2031 audit_log_2032"
	if got := strings.Join(rep.Made, " "); got != want {
		t.Fatalf("made %q, want %q", got, want)
	}
	if rep, err := database.EnsurePartitions(ctx, db, at(2031, 6, 1, 9, 0)); err != nil || len(rep.Made) != 0 {
		t.Fatalf("a second run made %v (err %v), want nothing", rep.Made, err)
	}

	// One chain across four partitions: the year's boundary is Beijing's
	// midnight, not UTC's, and a year without a partition lands in the
	// default one.
	rows := []struct {
		at   time.Time
		want string
	}{
		{testenv.Instant, "audit_log_2026"},
		{at(2031, 12, 31, 23, 30), "audit_log_2031"},
		{at(2032, 1, 1, 0, 30), "audit_log_2032"},
		{at(2040, 5, 1, 8, 0), "audit_log_default"},
	}
	for i, r := range rows {
		appendAt(t, db, 7, r.at)
		if got := partitionOf(t, db, "org:7", int64(i+1)); got != r.want {
			t.Errorf("row %d at %s is in %s, want %s", i+1, r.at, got, r.want)
		}
	}
	if rep := verifyAudit(t, db); rep.Rows != len(rows) {
		t.Errorf("verify checked %d rows, want %d", rep.Rows, len(rows))
	}

	// 2040's audit rows sit in the default partition: its partition is not
	// made (PostgreSQL would refuse it) and the rows are reported; the case
	// events of 2040 have none there and get theirs.
	rep, err = database.EnsurePartitions(ctx, db, at(2040, 3, 1, 9, 0))
	if err != nil {
		t.Fatal(err)
	}
	want = "case_events_2040 case_events_2041 audit_log_2041"
	if got := strings.Join(rep.Made, " "); got != want || rep.InDefault["audit_log"] != 1 || rep.InDefault["case_events"] != 0 {
		t.Fatalf("made %q with %v in default, want %q with one audit row", got, rep.InDefault, want)
	}
	verifyAudit(t, db)

	// Every partition keeps the parent's guards: the row guards are
	// cloned, the TRUNCATE guard is made with the partition.
	for _, q := range []string{
		`UPDATE audit_log_2031 SET actor_name = 'someone else'`,
		`DELETE FROM audit_log_2032`,
		`TRUNCATE audit_log_2032`,
		`TRUNCATE audit_log_default`,
		`TRUNCATE audit_log_2026`,
	} {
		if err := db.Exec(q).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", q, err)
		}
	}
	var guards int64
	db.Raw(`SELECT count(*) FROM pg_trigger WHERE tgname = 'case_events_archived_guard' AND tgrelid = 'case_events_2040'::regclass`).Scan(&guards)
	if guards != 1 {
		t.Errorf("case_events_2040 has %d archived-case guards, want 1", guards)
	}
	if _, err := database.EnsurePartitions(ctx, db, at(1999, 1, 1, 0, 0)); err == nil {
		t.Error("a year before 2000 must be refused")
	}
}

// TestPartitions_MigrationConvertsAnExistingDatabase rolls migration 0043
// back on a database with the demo's cases, adds rows of a year no
// partition would be made for by default, and applies it again: every row
// keeps its id, content and hash, lands in its year's partition, the chain
// verifies and new rows continue the ids.
func TestPartitions_MigrationConvertsAnExistingDatabase(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	ctx := context.Background()
	sqlDB, err := a.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	m, err := database.NewMigrator(sqlDB)
	if err != nil {
		t.Fatal(err)
	}
	// Down to 0042, the last migration before the partitions.
	if _, err := m.DownTo(ctx, 42); err != nil {
		t.Fatal(err)
	}
	kind := func(table string) string {
		return apptest.Scalar[string](t, a, `SELECT relkind::text FROM pg_class WHERE oid = ?::regclass`, table)
	}
	if kind("audit_log") != "r" || kind("case_events") != "r" {
		t.Fatal("after rolling back 0043 the tables must be plain tables")
	}
	old := time.Date(2019, 7, 1, 9, 0, 0, 0, calendar.Beijing)
	// A chain of its own (no demo organisation has this id), so that
	// the 2019 row is its first.
	const org = 990007
	appendAt(t, a.DB, org, old)
	caseID := apptest.Scalar[int64](t, a, `SELECT min(id) FROM cases WHERE archived_at IS NULL`)
	if err := a.DB.Exec(`INSERT INTO case_events (case_id, at, action) VALUES (?, ?, 'note')`, caseID, old).Error; err != nil {
		t.Fatal(err)
	}
	const digest = `SELECT md5(string_agg(id::text || ':' || hash, ',' ORDER BY id)) || count(*) FROM audit_log`
	const events = `SELECT md5(string_agg(id::text || ':' || case_id || ':' || at || ':' || action || detail::text, ',' ORDER BY id)) || count(*) FROM case_events`
	auditBefore, eventsBefore := apptest.Scalar[string](t, a, digest), apptest.Scalar[string](t, a, events)
	lastEvent := apptest.Scalar[int64](t, a, `SELECT max(id) FROM case_events`)
	if lastEvent == 0 {
		t.Fatal("the demo cases have no events")
	}

	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if kind("audit_log") != "p" || kind("case_events") != "p" {
		t.Fatal("after 0043 both tables must be partitioned")
	}
	if got := apptest.Scalar[string](t, a, digest); got != auditBefore {
		t.Errorf("audit rows changed in the conversion: %s, were %s", got, auditBefore)
	}
	if got := apptest.Scalar[string](t, a, events); got != eventsBefore {
		t.Errorf("case events changed in the conversion: %s, were %s", got, eventsBefore)
	}
	if got := partitionOf(t, a.DB, "org:990007", 1); got != "audit_log_2019" {
		t.Errorf("the 2019 audit row is in %s, want audit_log_2019", got)
	}
	if got := apptest.Scalar[string](t, a, `SELECT tableoid::regclass::text FROM case_events WHERE at = ?`, old); got != "case_events_2019" {
		t.Errorf("the 2019 event is in %s, want case_events_2019", got)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM case_events_default`) + apptest.Scalar[int64](t, a, `SELECT count(*) FROM audit_log_default`); n != 0 {
		t.Errorf("%d rows in the default partitions after the conversion, want 0", n)
	}
	verifyAudit(t, a.DB)

	// The application goes on writing: a new event takes the next id.
	if err := a.DB.Exec(`INSERT INTO case_events (case_id, at, action) VALUES (?, ?, 'note')`, caseID, testenv.Instant).Error; err != nil {
		t.Fatal(err)
	}
	if got := apptest.Scalar[int64](t, a, `SELECT max(id) FROM case_events`); got != lastEvent+1 {
		t.Errorf("the next event has id %d, want %d", got, lastEvent+1)
	}
	appendAt(t, a.DB, org, testenv.Instant)
	verifyAudit(t, a.DB)
}
