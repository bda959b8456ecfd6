package assistance_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func goodFairComplaint(respondent string) assistance.FairComplaintInput {
	return assistance.FairComplaintInput{Infringement: true, ComplainantName: "福州闽光软件科技有限公司",
		RightKind: domain.RightTrademark, RightNumber: "12345678", RightTitle: "闽光", RightProof: "商标注册证第12345678号复印件",
		RespondentName: respondent, Booth: "3号馆 A-12", Summary: "展位展出的软件包装使用与“闽光”近似的标识。"}
}

// staffFair puts username on fair-518's station, as the centre.
func (fx *fixture) staffFair(username string) {
	fx.t.Helper()
	if err := fx.svc.SetStationStaff(fx.as("assistance.fz"), "fair-518", fx.userID(username), true); err != nil {
		fx.t.Fatal(err)
	}
}

// escalation is the send time of the pending escalation of the complaint's
// transfer deadline (zero when none is pending).
func (fx *fixture) escalation(id int64) time.Time {
	fx.t.Helper()
	var at []time.Time
	if err := fx.app.DB.Raw(`SELECT r.send_at FROM reminders r JOIN deadlines d ON d.id = r.deadline_id
WHERE d.subject_type = 'fair_complaint' AND d.subject_id = ? AND r.topic = 'deadline:escalate' AND r.status = 'pending'
ORDER BY r.send_at`, id).Scan(&at).Error; err != nil {
		fx.t.Fatal(err)
	}
	if len(at) == 0 {
		return time.Time{}
	}
	return at[0]
}

// TestFairComplaint_Procedure: the centre puts an association's staff on
// the 5·18 fair's station; they receive an infringement complaint within
// the 24 hours, transfer it to the market regulator (whose officers are
// told), record the respondent's answer, the decision with its measures,
// and close it; every step is an event and an audit row. A later
// complaint against the same respondent is flagged with the first.
func TestFairComplaint_Procedure(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.staffFair("association.fz-software")
	staff := fx.as("association.fz-software")
	if n := fx.count(`SELECT count(*) FROM audit_log WHERE action = 'exhibition.staff_add'`); n != 1 {
		t.Fatalf("staff add audited %d times", n)
	}
	c, err := fx.svc.ReceiveFairComplaint(staff, "fair-518", goodFairComplaint("厦门某信息技术有限公司"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != assistance.FairReceived || c.TransferDue == nil || !c.TransferDue.Equal(fx.clock.Now().Add(24*time.Hour)) {
		t.Fatalf("received: %+v", c)
	}
	if fx.escalation(c.ID).IsZero() {
		t.Error("the transfer deadline has no escalation planned")
	}
	// The deadline's notices name the complaint: the fair and the
	// respondent exhibitor, not only "a deadline".
	if n := fx.count(`SELECT count(*) FROM outbox WHERE topic = 'notify:send' AND payload->'params'->>'FairRespondent' = ?
AND payload->'params'->>'Fair' <> ''`, "厦门某信息技术有限公司"); n == 0 {
		t.Error("no notice of the transfer deadline names the fair and the respondent")
	}
	fx.clock.Set(fx.clock.Now().Add(23 * time.Hour))
	view, err := fx.svc.FairComplaint(staff, c.ID)
	if err != nil || view.Overdue || len(view.Repeat) != 0 || !slices.Contains(view.Allowed, assistance.FairTransfer) {
		t.Fatalf("within 24 hours: overdue %v, repeat %v, allowed %v, %v", view.Overdue, view.Repeat, view.Allowed, err)
	}
	amr := fx.org("fz-amr")
	c, err = fx.svc.FairStep(staff, c.ID, assistance.FairTransfer, assistance.FairStepInput{Version: c.Version, EnforcementOrgID: amr})
	if err != nil || c.Status != assistance.FairTransferred || c.EnforcementOrg == "" {
		t.Fatalf("transfer: %+v %v", c, err)
	}
	if st := fx.count(`SELECT count(*) FROM deadlines WHERE subject_type = 'fair_complaint' AND subject_id = ? AND status = 'met'`, c.ID); st != 1 {
		t.Error("the transfer within 24 hours did not meet its deadline")
	}
	if !fx.escalation(c.ID).IsZero() {
		t.Error("an escalation is still pending after the transfer")
	}
	if fx.notices("enforcement.fz-amr", assistance.NoticeFairTransferred) != 1 {
		t.Error("the market regulator's officer was not told")
	}
	c, err = fx.svc.FairStep(staff, c.ID, assistance.FairAnswer, assistance.FairStepInput{Version: c.Version, NoAnswer: true})
	if err != nil || c.Status != assistance.FairAnswered || !c.NoAnswer {
		t.Fatalf("answer: %+v %v", c, err)
	}
	c, err = fx.svc.FairStep(staff, c.ID, assistance.FairDecide, assistance.FairStepInput{Version: c.Version,
		Decision: assistance.DecisionInfringing, Measures: []string{"removal", "covering"}, Reason: "被投诉展品使用的标识与注册商标近似。"})
	if err != nil || c.Status != assistance.FairDecided || !slices.Equal(c.Measures, []string{"removal", "covering"}) {
		t.Fatalf("decide: %+v %v", c, err)
	}
	c, err = fx.svc.FairStep(staff, c.ID, assistance.FairClose, assistance.FairStepInput{Version: c.Version})
	if err != nil || c.Status != assistance.FairClosed {
		t.Fatalf("close: %+v %v", c, err)
	}
	if n := fx.count(`SELECT count(*) FROM fair_complaint_events WHERE complaint_id = ?`, c.ID); n != 5 {
		t.Errorf("%d events, want 5", n)
	}
	if n := fx.count(`SELECT count(*) FROM audit_log WHERE object_type = 'fair_complaint' AND object_id = ?`, fmt.Sprint(c.ID)); n != 5 {
		t.Errorf("%d audit rows, want 5", n)
	}
	// A stale version is refused.
	if _, err := fx.svc.FairStep(staff, c.ID, assistance.FairClose, assistance.FairStepInput{Version: 1}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a step on a closed complaint: %v", err)
	}

	// The same respondent again, by its name: flagged.
	in := goodFairComplaint("厦门某信息技术有限公司")
	again, err := fx.svc.ReceiveFairComplaint(staff, "fair-518", in)
	if err != nil {
		t.Fatal(err)
	}
	view, err = fx.svc.FairComplaint(staff, again.ID)
	if err != nil || len(view.Repeat) != 1 || view.Repeat[0].ID != c.ID || !view.Repeat[0].Visible {
		t.Fatalf("repeat flag: %+v %v", view.Repeat, err)
	}
	other, err := fx.svc.ReceiveFairComplaint(staff, "fair-518", goodFairComplaint("泉州某贸易有限公司"))
	if err != nil {
		t.Fatal(err)
	}
	if view, _ := fx.svc.FairComplaint(staff, other.ID); len(view.Repeat) != 0 {
		t.Errorf("another respondent is flagged: %+v", view.Repeat)
	}
}

// TestFairComplaint_TransferOverdue: past 24 hours the complaint shows
// overdue, its escalation is due, and a late transfer records the
// deadline as missed.
func TestFairComplaint_TransferOverdue(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	centre := fx.as("assistance.fz")
	c, err := fx.svc.ReceiveFairComplaint(centre, "fair-518", goodFairComplaint("厦门某信息技术有限公司"))
	if err != nil {
		t.Fatal(err)
	}
	esc := fx.escalation(c.ID)
	if esc.IsZero() || esc.Before(*c.TransferDue) {
		t.Fatalf("escalation at %v, due %v", esc, c.TransferDue)
	}
	fx.clock.Set(c.TransferDue.Add(time.Minute))
	list, err := fx.svc.FairComplaints(centre, "fair-518")
	if err != nil || len(list) != 1 || !list[0].Overdue {
		t.Fatalf("past 24 hours: %+v %v", list, err)
	}
	if !fx.clock.Now().After(esc) {
		t.Errorf("the escalation (%v) is not due once overdue (%v)", esc, fx.clock.Now())
	}
	c, err = fx.svc.FairStep(centre, c.ID, assistance.FairTransfer, assistance.FairStepInput{Version: c.Version, EnforcementOrgID: fx.org("fz-amr")})
	if err != nil {
		t.Fatal(err)
	}
	if n := fx.count(`SELECT count(*) FROM deadlines WHERE subject_type = 'fair_complaint' AND subject_id = ? AND status = 'missed'`, c.ID); n != 1 {
		t.Error("a late transfer is not recorded as missed")
	}
}

// TestFairComplaint_RefusedAndInvalid: a user who may staff a station but
// is not on this fair's is refused; a mediator has no station at all; bad
// input names the field and writes nothing.
func TestFairComplaint_RefusedAndInvalid(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	assoc := fx.as("association.fz-software")
	if _, err := fx.svc.ReceiveFairComplaint(assoc, "fair-518", goodFairComplaint("某公司")); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a user not on the station receives: %v", err)
	}
	if _, err := fx.svc.FairComplaints(assoc, "fair-518"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a user not on the station lists: %v", err)
	}
	if _, err := fx.svc.FairComplaints(fx.as("mediator1.gulou"), ""); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a mediator lists: %v", err)
	}
	if err := fx.svc.SetStationStaff(fx.as("association.fz-software"), "fair-518", fx.userID("association.fz-software"), true); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a non-manager staffs a station: %v", err)
	}
	if err := fx.svc.SetStationStaff(fx.as("assistance.fz"), "fair-518", fx.userID("mediator1.gulou"), true); !slices.Contains(fields(err), "user_id") {
		t.Errorf("a mediator put on a station: %v", err)
	}
	centre := fx.as("assistance.fz")
	c, err := fx.svc.ReceiveFairComplaint(centre, "fair-518", goodFairComplaint("厦门某信息技术有限公司"))
	if err != nil {
		t.Fatal(err)
	}
	// Staff see the fair's complaint only while on the station.
	if _, err := fx.svc.FairComplaint(assoc, c.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a user not on the station reads a complaint: %v", err)
	}
	before := fx.count(`SELECT count(*) FROM fair_complaints`)
	for _, tc := range []struct {
		edit  func(*assistance.FairComplaintInput)
		field string
	}{
		{func(in *assistance.FairComplaintInput) { in.ComplainantName = "" }, "complainant_name"},
		{func(in *assistance.FairComplaintInput) { in.RightKind = "deed" }, "right_kind"},
		{func(in *assistance.FairComplaintInput) { in.RightProof = "" }, "right_proof"},
		{func(in *assistance.FairComplaintInput) { in.RespondentCreditCode = "123" }, "respondent_credit_code"},
		{func(in *assistance.FairComplaintInput) { in.Booth = "" }, "booth"},
	} {
		in := goodFairComplaint("某公司")
		tc.edit(&in)
		if _, err := fx.svc.ReceiveFairComplaint(centre, "fair-518", in); !slices.Contains(fields(err), tc.field) {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
	if fx.count(`SELECT count(*) FROM fair_complaints`) != before {
		t.Fatal("a refused complaint was written")
	}
	for _, tc := range []struct {
		act   assistance.FairAction
		in    assistance.FairStepInput
		field string
	}{
		{assistance.FairTransfer, assistance.FairStepInput{Version: c.Version, EnforcementOrgID: fx.org("gulou")}, "enforcement_org_id"},
		{assistance.FairTransfer, assistance.FairStepInput{EnforcementOrgID: fx.org("fz-amr")}, "version"},
	} {
		if _, err := fx.svc.FairStep(centre, c.ID, tc.act, tc.in); !slices.Contains(fields(err), tc.field) {
			t.Errorf("%s: %v, want %s", tc.act, err, tc.field)
		}
	}
	if got, _ := fx.svc.FairComplaint(centre, c.ID); got.Status != assistance.FairReceived || got.Version != c.Version {
		t.Error("a refused step changed the complaint")
	}
	c, _ = fx.svc.FairStep(centre, c.ID, assistance.FairTransfer, assistance.FairStepInput{Version: c.Version, EnforcementOrgID: fx.org("fz-amr")})
	c, _ = fx.svc.FairStep(centre, c.ID, assistance.FairAnswer, assistance.FairStepInput{Version: c.Version, Answer: "我司产品标识系自行设计。"})
	for _, in := range []assistance.FairStepInput{
		{Version: c.Version, Decision: "guilty", Reason: "x"},
		{Version: c.Version, Decision: assistance.DecisionInfringing, Measures: []string{"none"}, Reason: "x"},
		{Version: c.Version, Decision: assistance.DecisionInfringing, Measures: []string{"burn"}, Reason: "x"},
	} {
		if _, err := fx.svc.FairStep(centre, c.ID, assistance.FairDecide, in); len(fields(err)) == 0 {
			t.Errorf("decide %+v accepted: %v", in, err)
		}
	}
}

// TestFairComplaint_Mediation: a complaint that is not about infringement
// has no transfer deadline; with both sides' consent the station files a
// case with source exhibition at a committee, as the fast track does.
func TestFairComplaint_Mediation(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	centre := fx.as("assistance.fz")
	in := goodFairComplaint("福州某贸易有限公司")
	in.Infringement = false
	c, err := fx.svc.ReceiveFairComplaint(centre, "fair-518", in)
	if err != nil || c.TransferDue != nil {
		t.Fatalf("received: %+v %v", c, err)
	}
	if _, err := fx.svc.FairStep(centre, c.ID, assistance.FairTransfer, assistance.FairStepInput{Version: c.Version,
		EnforcementOrgID: fx.org("fz-amr")}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a complaint that is not about infringement transferred: %v", err)
	}
	_, err = fx.svc.FairStep(centre, c.ID, assistance.FairMediate, assistance.FairStepInput{Version: c.Version, ComplainantConsent: true,
		OrgID: fx.org("gulou")})
	if !slices.Contains(fields(err), "respondent_consent") || fx.count(`SELECT count(*) FROM cases WHERE source = 'exhibition'`) != 0 {
		t.Fatalf("mediation without the respondent's consent: %v", err)
	}
	c, err = fx.svc.FairStep(centre, c.ID, assistance.FairMediate, assistance.FairStepInput{Version: c.Version, ComplainantConsent: true,
		RespondentConsent: true, OrgID: fx.org("gulou"), ContactPhone: "13800138000"})
	if err != nil || c.Status != assistance.FairMediation || c.CaseID == nil || c.CaseRef == "" {
		t.Fatalf("mediate: %+v %v", c, err)
	}
	if n := fx.count(`SELECT count(*) FROM cases k JOIN exhibition_complaints e ON e.case_id = k.id
WHERE k.id = ? AND k.source = 'exhibition' AND e.exhibition_code = 'fair-518'`, *c.CaseID); n != 1 {
		t.Error("the case is not an exhibition case of the fair")
	}
	if n := fx.count(`SELECT count(*) FROM deadlines WHERE case_id = ? AND kind = 'first_response'`, *c.CaseID); n != 1 {
		t.Error("the case has no first-response deadline")
	}
}
