package notify_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// TestPlanTx_JudicialConfirmationNotice: when the window to apply for
// judicial confirmation opens, the users of the case's enterprise party
// are told, once, that they may apply, by when and to which court (a
// patent dispute: the court with jurisdiction over patent cases in
// Fuzhou); the committee's mediator gets no "your deadline" message and
// no reminder.
func TestPlanTx_JudicialConfirmationNotice(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	s := notifytest.NewService(t, db, notifytest.Options(t, clock.Fixed(notifytest.Beijing(2026, 3, 10, 10, 0)).Now))
	sme := f.Org(t, "enterprise")
	smeUser := f.User(t, "applicant", sme)
	caseID := insertCase(t, db, f.OrgID, "（2026）测知调字第0001号", "settled")
	if err := db.Exec(`INSERT INTO case_parties (case_id, role, kind, name, org_id) VALUES (?, 'applicant', 'organisation', '某科技有限公司', ?)`,
		caseID, sme).Error; err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.Raw(`INSERT INTO deadlines (subject_type, subject_id, org_id, case_id, kind, rule_id, title, due_at, duty, responsible_user_id)
VALUES ('case', ?, ?, ?, 'judicial_confirmation', 'judicial_confirmation.apply', '申请司法确认调解协议的期限', ?, 'information', ?) RETURNING id`,
		caseID, f.OrgID, caseID, notifytest.EndOf(2026, 4, 9), f.Mediator).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	plan(t, s, db, id)
	plan(t, s, db, id) // planned again: the same notice, delivered once (its dedup key)
	var msgs []struct {
		UserID   int64
		Court    string
		Number   string
		DedupKey string
	}
	if err := db.Raw(`SELECT (payload->>'user_id')::bigint AS user_id, payload->'params'->>'Court' AS court, payload->'params'->>'Number' AS number,
	payload->>'dedup_key' AS dedup_key
FROM outbox WHERE topic = 'notify:send' ORDER BY id`).Scan(&msgs).Error; err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		t.Fatal("nobody was told of the window")
	}
	for _, m := range msgs {
		if m.UserID != smeUser || m.Court != "福州市中级人民法院（福州知识产权法庭）" || m.Number != "（2026）测知调字第0001号" || m.DedupKey != msgs[0].DedupKey {
			t.Errorf("message %+v: want the notice to the SME user %d naming the intermediate court, one dedup key", m, smeUser)
		}
	}
	if kinds := outboxKinds(t, db); kinds[0] != "judicial_confirmation_notice" {
		t.Errorf("messages %v, want the notice only", kinds)
	}
	if got := planned(t, db, id); len(got) != 0 {
		t.Errorf("reminders of the window: %+v, want none", got)
	}
}

// insertCase writes a bare case row of the committee (a registration
// number too, where the schema has one).
func insertCase(t *testing.T, db *gorm.DB, orgID int64, number, status string) int64 {
	t.Helper()
	var reg bool
	if err := db.Raw(`SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'cases' AND column_name = 'registration_number')`).
		Scan(&reg).Error; err != nil {
		t.Fatal(err)
	}
	cols, vals, args := "org_id, number, year, seq, source, dispute_type, summary, status", "?, ?, 2026, 1, 'direct', 'patent_infringement', '摘要', ?",
		[]any{orgID, number, status}
	if reg {
		// The schema that numbers a case on acceptance keeps the number's
		// sequence and year apart.
		cols, vals, args = cols+", registration_number, number_seq, number_year", vals+", ?, ?, 2026", append(args, number+"登", 1)
	}
	var id int64
	if err := db.Raw("INSERT INTO cases ("+cols+") VALUES ("+vals+") RETURNING id", args...).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}
