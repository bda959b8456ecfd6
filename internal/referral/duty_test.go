package referral_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/referral"
)

// reminded is who the pending reminders of a referral's deadline of kind
// go to (usernames, sorted) and whether any of them is an escalation.
func (fx *fixture) reminded(referralID int64, kind string) (users []string, escalates bool) {
	fx.t.Helper()
	var rows []struct {
		Username string
		Topic    string
	}
	if err := fx.app.DB.Raw(`SELECT u.username, r.topic FROM reminders r JOIN deadlines d ON d.id = r.deadline_id
JOIN users u ON u.id = r.recipient_user_id
WHERE d.subject_type = 'referral' AND d.subject_id = ? AND d.kind = ? AND r.status = 'pending' ORDER BY u.username`,
		referralID, kind).Scan(&rows).Error; err != nil {
		fx.t.Fatal(err)
	}
	for _, r := range rows {
		if r.Topic == "deadline:escalate" {
			escalates = true
		}
		if !slices.Contains(users, r.Username) {
			users = append(users, r.Username)
		}
	}
	return users, escalates
}

func (fx *fixture) duty(referralID int64, kind string) string {
	fx.t.Helper()
	var d string
	if err := fx.app.DB.Raw(`SELECT duty FROM deadlines WHERE subject_type = 'referral' AND subject_id = ? AND kind = ?`,
		referralID, kind).Scan(&d).Error; err != nil {
		fx.t.Fatal(err)
	}
	return d
}

func customsFields(mode string) map[string]any {
	return map[string]any{"mode": mode, "goods": "侵犯“闽光”商标权的茶叶 300 箱", "port": "福州长乐国际机场", "declaration_number": "350120260000123456",
		"recordation_number": "T2019-12345", "guarantee_amount_fen": 10_000_000}
}

// TestCustoms_PartyDeadlinesRemindTheRightHolder: the 20 working days to
// bring the court's assistance notice (art. 24(1)) and the 3 working days
// to answer an ex officio notice (art. 16) bind the right holder: its SME
// users and whoever referred the matter are reminded, customs is not, and
// nothing escalates.
func TestCustoms_PartyDeadlinesRemindTheRightHolder(t *testing.T) {
	fx := newFixture(t)
	cust := fx.as("customs.fz")
	fx.recordation("T2019-12345", "ent-sme1", "2019-05-10", "2099-05-10")

	// On application, referred by the assistance centre for sme1's
	// application.
	r := fx.send("assistance.fz", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
		ApplicationID: fx.application(), Fields: raw(customsFields("on_application"))})
	r = fx.ok(fx.svc.Accept(cust, r.ID, referral.AcceptInput{Version: r.Version,
		Fields: raw(map[string]any{"detained_at": fx.now().Add(-time.Hour)})}))
	if d := fx.duty(r.ID, "customs_court_notice"); d != "party" {
		t.Errorf("court notice duty = %q, want party", d)
	}
	users, escalates := fx.reminded(r.ID, "customs_court_notice")
	if !slices.Contains(users, "sme1") || !slices.Contains(users, "assistance.fz") || slices.Contains(users, "customs.fz") || escalates {
		t.Errorf("court notice reminded %v (escalates %v), want sme1 and assistance.fz, not customs, no escalation", users, escalates)
	}

	// Ex officio, for a committee's case whose applicant is sme1's
	// enterprise: the notice comes first, the detention after it.
	c := fx.fileCase("gulou")
	// The applicant party is sme1's enterprise, linked to the case (as when
	// the SME filed it itself).
	fx.exec(`UPDATE case_parties SET org_id = ? WHERE case_id = ? AND role = 'applicant'`, fx.org("ent-sme1"), c.ID)
	r = fx.send("director.gulou", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
		CaseID: ptr(c.ID), Fields: raw(customsFields("ex_officio"))})
	notified, detained := fx.now().Add(-2*time.Hour).Truncate(time.Second), fx.now().Add(-time.Hour).Truncate(time.Second)
	_, err := fx.svc.Accept(cust, r.ID, referral.AcceptInput{Version: r.Version,
		Fields: raw(map[string]any{"detained_at": notified, "notified_at": detained})})
	wantField(t, err, "fields.notified_at") // notified after the detention
	r = fx.ok(fx.svc.Accept(cust, r.ID, referral.AcceptInput{Version: r.Version,
		Fields: raw(map[string]any{"detained_at": detained, "notified_at": notified})}))
	answer := fx.deadlines("referral", r.ID)["customs_answer"]
	if answer.EventAt == nil || !answer.EventAt.Equal(notified) {
		t.Errorf("answer period runs from %v, want the notice %s", answer.EventAt, notified)
	}
	if d := fx.duty(r.ID, "customs_answer"); d != "party" {
		t.Errorf("answer duty = %q, want party", d)
	}
	users, escalates = fx.reminded(r.ID, "customs_answer")
	if !slices.Contains(users, "sme1") || !slices.Contains(users, "director.gulou") || slices.Contains(users, "customs.fz") || escalates {
		t.Errorf("answer reminded %v (escalates %v), want sme1 and director.gulou, not customs, no escalation", users, escalates)
	}
	if got := fx.notified("deadline_party_set", r.ID); !slices.Contains(got, "sme1") {
		t.Errorf("the right holder was not told of its time limit: %v", got)
	}
	// Customs' own periods stay customs' duty, escalated when missed.
	if _, escalates := fx.reminded(r.ID, "customs_investigate"); !escalates || fx.duty(r.ID, "customs_investigate") != "organisation" {
		t.Errorf("the investigation period is customs' own duty and escalates")
	}
}

// TestCriminal_PoliceDecisionEscalatesSoftly: the police's 3 days to
// decide on filing are shown and reminded to the officer who received
// the transfer, but never escalated to directors as overdue.
func TestCriminal_PoliceDecisionEscalatesSoftly(t *testing.T) {
	fx := newFixture(t)
	r := fx.send("enforcement.fz-amr", referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: fx.org("fz-psb"),
		Fields: raw(map[string]any{"offence": "假冒注册商标罪", "items": "假冒“闽光”商标茶叶 1200 盒", "decided_at": fx.now().Add(-2 * time.Hour)})})
	r = fx.ok(fx.svc.Receive(fx.as("enforcement.fz-psb"), r.ID, referral.ReceiveInput{Version: r.Version}))
	if d := fx.duty(r.ID, "police_decision"); d != "soft" {
		t.Errorf("police decision duty = %q, want soft", d)
	}
	// Its follow-up after the due time goes to the same officer, never to
	// the directors: every reminder, stage or follow-up, names only them.
	users, followUp := fx.reminded(r.ID, "police_decision")
	if !followUp || !slices.Equal(users, []string{"enforcement.fz-psb"}) {
		t.Errorf("police decision reminded %v (follow-up %v), want the receiving officer only, with a follow-up", users, followUp)
	}
}
