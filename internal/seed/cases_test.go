package seed_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// wantStatuses are the demo cases per status.
var wantStatuses = map[domain.CaseStatus]int{
	domain.StatusSubmitted:      4,
	domain.StatusAccepted:       3,
	domain.StatusRejected:       2,
	domain.StatusMediating:      8,
	domain.StatusAgreementDraft: 2, // agreements awaiting signatures
	domain.StatusSettled:        3, // agreements in effect
	domain.StatusFailed:         3,
	domain.StatusWithdrawn:      2,
	domain.StatusClosed:         6, // 4 after settlement, 2 after failure
}

func TestDemoCases(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	ctx := context.Background()
	db := a.DB

	count := func(sql string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.Raw(sql, args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	statuses := func() map[domain.CaseStatus]int {
		t.Helper()
		var rows []struct {
			Status string
			N      int
		}
		if err := db.Raw("SELECT status, count(*) AS n FROM cases GROUP BY status").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		out := map[domain.CaseStatus]int{}
		for _, r := range rows {
			out[domain.CaseStatus(r.Status)] = r.N
		}
		return out
	}

	got := statuses()
	for _, s := range domain.CaseStatuses {
		if got[s] == 0 {
			t.Errorf("no demo case is %s", s)
		}
	}

	// The demo's industries and risk warnings: the tea warning reached
	// the tea enterprise, the association's reached the software one.
	if n := count("SELECT count(*) FROM org_industries oi JOIN orgs o ON o.id = oi.org_id WHERE o.code = 'ent-sme2' AND oi.industry = 'tea'"); n != 1 {
		t.Errorf("ent-sme2 chose tea %d times", n)
	}
	for title, ent := range map[string]string{"关于境外电商平台批量投诉我市茶叶品牌的风险提示": "ent-sme2", "软件著作权批量维权诉讼风险提示": "ent-sme1"} {
		if n := count(`SELECT count(*) FROM risk_warnings w JOIN risk_warning_recipients r ON r.warning_id = w.id
JOIN orgs o ON o.id = r.org_id WHERE w.title = ? AND w.status = 'published' AND o.code = ?`, title, ent); n != 1 {
			t.Errorf("warning %q reached %s %d times", title, ent, n)
		}
	}
	if !maps.Equal(got, wantStatuses) {
		t.Errorf("cases per status = %v, want %v", got, wantStatuses)
	}

	t.Run("committees", func(t *testing.T) {
		var rows []struct {
			Code string
			N    int
		}
		if err := db.Raw("SELECT o.code, count(*) AS n FROM cases c JOIN orgs o ON o.id = c.org_id GROUP BY o.code").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		per := map[string]int{}
		for _, r := range rows {
			per[r.Code] = r.N
		}
		for _, code := range []string{"city", "gulou", "cangshan", "jinan", "mawei", "changle", "fuqing", "minhou"} {
			if per[code] == 0 {
				t.Errorf("committee %s has no demo case", code)
			}
			if code != "gulou" && per[code] >= per["gulou"] {
				t.Errorf("most cases should be at gulou: %v", per)
			}
		}
	})

	t.Run("sources", func(t *testing.T) {
		for _, src := range []domain.CaseSource{domain.SourceDirect, domain.SourceExhibition, domain.SourceAssociation,
			domain.SourceAssistance, domain.SourceCourtDelegated, domain.SourceCourtEntrusted, domain.SourceOfficeReferred} {
			if count("SELECT count(*) FROM cases WHERE source = ?", src) == 0 {
				t.Errorf("no demo case from source %s", src)
			}
		}
		if n := count("SELECT count(*) FROM cases WHERE source IN ('court_delegated', 'court_entrusted') AND external_ref !~ '^（[0-9]{4}）闽[0-9]{2,4}民'"); n != 0 {
			t.Errorf("%d court cases without a court reference", n)
		}
	})

	t.Run("workflow details", func(t *testing.T) {
		checks := []struct {
			what string
			sql  string
			min  int64
		}{
			{"mediating with a declared mediator and sessions",
				"SELECT count(*) FROM cases c WHERE status = 'mediating' AND EXISTS (SELECT 1 FROM case_sessions s WHERE s.case_id = c.id) AND EXISTS (SELECT 1 FROM case_mediators m WHERE m.case_id = c.id AND m.declared_at IS NOT NULL AND m.removed_at IS NULL)", 3},
			{"mediating with an undeclared mediator",
				"SELECT count(*) FROM cases c WHERE status = 'mediating' AND EXISTS (SELECT 1 FROM case_mediators m WHERE m.case_id = c.id AND m.declared_at IS NULL AND m.removed_at IS NULL)", 1},
			{"pending objection", "SELECT count(*) FROM case_objections o JOIN cases c ON c.id = o.case_id WHERE o.status = 'pending' AND c.status = 'mediating'", 1},
			{"upheld objection", "SELECT count(*) FROM case_objections WHERE status = 'upheld'", 1},
			{"extension", "SELECT count(*) FROM case_events WHERE action = 'extend'", 1},
			{"sessions in person", "SELECT count(*) FROM case_sessions WHERE mode = 'in_person'", 1},
			{"sessions by video", "SELECT count(*) FROM case_sessions WHERE mode = 'video'", 1},
			{"sessions by phone", "SELECT count(*) FROM case_sessions WHERE mode = 'phone'", 1},
			{"draft agreements awaiting signatures", "SELECT count(*) FROM cases c JOIN case_agreements g ON g.case_id = c.id WHERE c.status = 'agreement_draft' AND g.effective_at IS NULL", 2},
			{"settled in effect", "SELECT count(*) FROM cases c JOIN case_agreements g ON g.case_id = c.id WHERE c.status = 'settled' AND g.effective_at IS NOT NULL", 3},
			{"failed with a route", "SELECT count(*) FROM cases WHERE status = 'failed' AND suggested_route <> ''", 3},
			{"closed after settlement with performance noted", "SELECT count(*) FROM cases WHERE status = 'closed' AND outcome = 'settled' AND closing_note <> ''", 4},
			{"closed after failure", "SELECT count(*) FROM cases WHERE status = 'closed' AND outcome = 'failed' AND suggested_route <> '' AND closing_note <> ''", 2},
			{"repeat infringer", "SELECT count(*) FROM cases WHERE repeat_infringer", 1},
			{"person parties", "SELECT count(*) FROM case_parties WHERE kind = 'person' AND id_number_hash <> ''", 5},
			// The demo association (docs/design.md §15): both SMEs are
			// members, sme1 with its consent standing.
			{"association members", "SELECT count(*) FROM association_members am JOIN orgs a ON a.id = am.association_org_id WHERE a.code = 'fz-software' AND am.status = 'active'", 2},
			{"association consent", "SELECT count(*) FROM association_members am JOIN orgs m ON m.id = am.member_org_id WHERE m.code = 'ent-sme1' AND am.consent_at IS NOT NULL", 1},
		}
		for _, c := range checks {
			if n := count(c.sql); n < c.min {
				t.Errorf("%s: %d, want at least %d", c.what, n, c.min)
			}
		}
		if n := count("SELECT count(*) FROM cases WHERE status = 'mediating' AND mediation_due_at < ?", a.Clock.Now()); n != 0 {
			t.Errorf("%d mediating demo cases are overdue", n)
		}
	})

	// A fresh demo shows a living office: something due in the coming
	// week, nothing of the committees' overdue by months (a settled case
	// closed as performed has its follow-up recorded).
	t.Run("a living office", func(t *testing.T) {
		now := a.Clock.Now()
		if n := count("SELECT count(*) FROM deadlines WHERE status = 'open' AND due_at BETWEEN ? AND ?", now, now.AddDate(0, 0, 7)); n == 0 {
			t.Error("no open deadline falls due in the coming week")
		}
		// (An information window, such as the parties' 30 days to apply for
		// judicial confirmation, lapses; it is never overdue.)
		if n := count("SELECT count(*) FROM deadlines WHERE status = 'open' AND duty <> 'information' AND due_at < ?", now.AddDate(0, 0, -30)); n != 0 {
			type row struct {
				Kind, Title, Status string
				DueAt               time.Time
				CaseID              *int64
			}
			var rows []row
			db.Raw("SELECT d.kind, d.title, c.status, d.due_at, d.case_id FROM deadlines d LEFT JOIN cases c ON c.id = d.case_id WHERE d.status = 'open' AND d.duty <> 'information' AND d.due_at < ?", now.AddDate(0, 0, -30)).Scan(&rows)
			t.Errorf("%d open deadlines are overdue by more than 30 days: %+v", n, rows)
		}
		if n := count(`SELECT count(*) FROM cases c WHERE status = 'closed' AND outcome = 'settled'
AND NOT EXISTS (SELECT 1 FROM case_performance p WHERE p.case_id = c.id AND p.result = 'performed')`); n != 0 {
			t.Errorf("%d cases closed after settlement have no performance follow-up", n)
		}
	})

	t.Run("effective agreements are fully signed", func(t *testing.T) {
		var ids []int64
		if err := db.Raw("SELECT g.id FROM case_agreements g JOIN cases c ON c.id = g.case_id WHERE g.effective_at IS NOT NULL AND c.status IN ('settled', 'closed')").
			Scan(&ids).Error; err != nil {
			t.Fatal(err)
		}
		if len(ids) != 7 {
			t.Errorf("effective agreements = %d, want 7", len(ids))
		}
		for _, id := range ids {
			missing := count(`SELECT
  (SELECT count(*) FROM case_parties p JOIN case_agreements g ON g.case_id = p.case_id WHERE g.id = ?
     AND NOT EXISTS (SELECT 1 FROM agreement_signoffs s WHERE s.agreement_id = g.id AND s.party_id = p.id))
+ (SELECT count(*) FROM case_mediators m JOIN case_agreements g ON g.case_id = m.case_id WHERE g.id = ? AND m.removed_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM agreement_signoffs s WHERE s.agreement_id = g.id AND s.user_id = m.user_id))
+ (SELECT CASE WHEN EXISTS (SELECT 1 FROM agreement_signoffs s WHERE s.agreement_id = ? AND s.signer_kind = 'seal') THEN 0 ELSE 1 END)`,
				id, id, id)
			if missing != 0 {
				t.Errorf("agreement %d is effective with %d signatures missing", id, missing)
			}
			if n := count("SELECT count(*) FROM case_agreements g WHERE g.id = ? AND g.effective_at = (SELECT max(signed_at) FROM agreement_signoffs WHERE agreement_id = g.id)", id); n != 1 {
				t.Errorf("agreement %d: effective_at is not the last signature", id)
			}
		}
		if n := count("SELECT count(*) FROM cases c JOIN case_agreements g ON g.case_id = c.id WHERE c.status = 'closed' AND g.effective_at IS NULL"); n != 0 {
			t.Errorf("%d closed cases with an agreement not in effect", n)
		}
	})

	t.Run("timestamps", func(t *testing.T) {
		// The seeder dates the demo back from the app's clock: ages and
		// "the future" are read on it, not on the wall clock.
		now := a.Clock.Now()
		var oldest time.Time
		if err := db.Raw("SELECT min(created_at) FROM cases").Scan(&oldest).Error; err != nil {
			t.Fatal(err)
		}
		if age := now.Sub(oldest); age < 90*24*time.Hour || age > 150*24*time.Hour {
			t.Errorf("the oldest demo case is %v old, want about four months", age.Round(time.Hour))
		}
		for _, c := range []struct{ what, sql string }{
			{"case events in the future", "SELECT count(*) FROM case_events WHERE at > ?"},
			{"cases filed in the future", "SELECT count(*) FROM cases WHERE created_at > ?"},
			{"sessions held in the future", "SELECT count(*) FROM case_sessions WHERE held_at > ?"},
			{"signatures in the future", "SELECT count(*) FROM agreement_signoffs WHERE signed_at > ?"},
			{"consent in the future", "SELECT count(*) FROM cases WHERE respondent_consent_at > ?"},
		} {
			if n := count(c.sql, now); n != 0 {
				t.Errorf("%s: %d", c.what, n)
			}
		}
		for _, c := range []struct{ what, sql string }{
			{"consent before filing", "SELECT count(*) FROM cases WHERE respondent_consent_at <= created_at"},
			{"sessions before assignment", "SELECT count(*) FROM case_sessions s JOIN case_mediators m ON m.case_id = s.case_id WHERE s.held_at < m.assigned_at AND m.user_id = s.recorded_by"},
			{"signatures before the agreement", "SELECT count(*) FROM agreement_signoffs s JOIN case_agreements g ON g.id = s.agreement_id WHERE s.signed_at <= g.created_at"},
			{"events out of order", "SELECT count(*) FROM case_events e JOIN case_events f ON f.case_id = e.case_id AND f.id > e.id WHERE f.at < e.at"},
			{"events before filing", "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE e.at < c.created_at"},
			{"numbers out of filing order", "SELECT count(*) FROM cases c JOIN cases d ON d.org_id = c.org_id AND d.year = c.year AND d.seq > c.seq WHERE d.created_at < c.created_at"},
		} {
			if n := count(c.sql); n != 0 {
				t.Errorf("%s: %d", c.what, n)
			}
		}
	})

	rep, err := a.Audit.Verify(ctx, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("audit chain after the demo seed: %+v %v", rep, err)
	}
	if n := count("SELECT count(*) FROM audit_log WHERE object_type = 'case'"); n < count("SELECT count(*) FROM case_events WHERE action NOT IN ('repeat_infringer', 'agreement_effective') AND action NOT LIKE 'referral\\_%'") {
		t.Errorf("case actions without audit rows: %d audit rows", n)
	}

	// The demo's customs recordations: the one the customs referral
	// names, and one ending within months with its reminder.
	if n := count(`SELECT count(*) FROM customs_recordations r JOIN deadlines d ON d.subject_type = 'customs_recordation'
AND d.subject_id = r.id AND d.status = 'open' AND d.duty = 'party' WHERE r.valid_until < ?::date`, calendar.DateOf(a.Clock.Now()).AddMonths(6).String()); n != 1 {
		t.Errorf("%d demo recordations end within six months, want 1", n)
	}
	if n := count("SELECT count(*) FROM customs_recordations WHERE number = 'T2020-41235'"); n != 1 {
		t.Error("the recordation the demo customs referral names is not in the register")
	}

	t.Run("second run changes nothing", func(t *testing.T) {
		tables := []string{"cases", "case_parties", "case_rights", "case_mediators", "case_objections", "case_sessions",
			"case_agreements", "agreement_signoffs", "case_events", "credit_records", "customs_recordations", "audit_log", "users", "orgs"}
		before := map[string]int64{}
		for _, tb := range tables {
			before[tb] = count("SELECT count(*) FROM " + tb)
		}
		res, err := a.SeedWithCases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.CasesCreated != 0 || res.Cases != 33 {
			t.Errorf("second run: cases %d, created %d", res.Cases, res.CasesCreated)
		}
		for _, tb := range tables {
			if n := count("SELECT count(*) FROM " + tb); n != before[tb] {
				t.Errorf("%s: %d rows after the second run, %d before", tb, n, before[tb])
			}
		}
		if got := statuses(); !maps.Equal(got, wantStatuses) {
			t.Errorf("cases per status after the second run = %v", got)
		}
		if rep, err := a.Audit.Verify(ctx, nil); err != nil || !rep.OK() {
			t.Errorf("audit chain after the second run: %+v %v", rep, err)
		}
	})
}

// TestDemoCasesTiming reports how long filing and working the demo cases
// takes on top of the plain demo seed (every test using WithDemoCases pays
// it).
func TestDemoCasesTiming(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo())
	start := time.Now()
	res, err := a.SeedWithCases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d demo cases in %v", res.CasesCreated, time.Since(start).Round(time.Millisecond))
	if res.CasesCreated != res.Cases || res.Cases == 0 {
		t.Errorf("first run created %d of %d cases", res.CasesCreated, res.Cases)
	}
}
