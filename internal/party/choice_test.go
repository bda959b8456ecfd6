package party_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

func (e *env) userID(username string) int64 {
	e.t.Helper()
	return apptest.Scalar[int64](e.t, e.a, "SELECT id FROM users WHERE username = ?", username)
}

// TestParty_MediatorChoice: the respondent chooses a mediator of the
// committee, then leaves it to the committee; both are kept (latest
// first), on the timeline, in the audit log and in the director's inbox;
// the staff read them. A mediator of another committee, a clerk or an
// over-long note is refused naming the field and writes nothing.
func TestParty_MediatorChoice(t *testing.T) {
	e := newEnv(t)
	caseID, applicant, resp := e.fileCase("gulou")
	ctx := e.signedIn(caseID, resp, respondentPhone)
	m1 := e.userID("mediator1.gulou")

	opts, err := e.a.Party.CommitteeMediators(ctx)
	if err != nil || len(opts) < 2 {
		t.Fatalf("mediators: %+v %v", opts, err)
	}
	for _, o := range opts {
		if o.ID == e.userID("clerk.gulou") || o.ID == e.userID("director.gulou") {
			t.Errorf("%s is offered as a mediator", o.Name)
		}
	}
	for _, tc := range []struct {
		desc  string
		in    party.MediatorChoiceInput
		field string
	}{
		{"another committee's mediator", party.MediatorChoiceInput{MediatorID: e.userID("mediator1.cangshan")}, "mediator_id"},
		{"a clerk", party.MediatorChoiceInput{MediatorID: e.userID("clerk.gulou")}, "mediator_id"},
		{"nobody", party.MediatorChoiceInput{MediatorID: 987654321}, "mediator_id"},
		{"note too long", party.MediatorChoiceInput{MediatorID: m1, Note: strings.Repeat("长", 501)}, "note"},
	} {
		if _, err := e.a.Party.ChooseMediator(ctx, tc.in); code(err) != domain.EINVALID || !slices(domain.InvalidFields(err), tc.field) {
			t.Errorf("%s: %v", tc.desc, err)
		}
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_mediator_choices"); n != 0 {
		t.Fatalf("a refused choice wrote %d rows", n)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'party_mediator_choice'", caseID); n != 0 {
		t.Fatal("a refused choice is on the timeline")
	}

	chose, err := e.a.Party.ChooseMediator(ctx, party.MediatorChoiceInput{MediatorID: m1, Note: "熟悉专利"})
	if err != nil || chose.MediatorID == nil || *chose.MediatorID != m1 {
		t.Fatalf("choose: %+v %v", chose, err)
	}
	if _, err := e.a.Clock.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	left, err := e.a.Party.ChooseMediator(ctx, party.MediatorChoiceInput{})
	if err != nil || left.MediatorID != nil {
		t.Fatalf("leave it to the committee: %+v %v", left, err)
	}
	mine, err := e.a.Party.MyMediatorChoices(ctx)
	if err != nil || len(mine) != 2 || mine[0].ID != left.ID || mine[1].ID != chose.ID || mine[1].Note != "熟悉专利" || mine[1].MediatorName == "" {
		t.Fatalf("history: %+v %v", mine, err)
	}
	if cur, err := e.a.Party.MyMediatorChoice(ctx); err != nil || cur == nil || cur.ID != left.ID {
		t.Errorf("current: %+v %v", cur, err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'party_mediator_choice'", caseID); n != 2 {
		t.Errorf("timeline: %d", n)
	}
	if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM audit_log WHERE action = 'party.mediator_choice' AND actor_id IS NULL
		AND actor_name = ? AND (detail->>'case_id')::bigint = ? AND detail ? 'access_id'`, "party:"+itoa(resp), caseID); n != 2 {
		t.Errorf("audit rows: %d", n)
	}
	link := "/cases/" + itoa(caseID)
	if apptest.Told(t, e.a, "director.gulou", party.NoticeMediatorChoice, link) != 2 {
		t.Error("the director was not told of each choice")
	}
	number := apptest.Scalar[string](t, e.a, "SELECT COALESCE(NULLIF(number, ''), registration_number) FROM cases WHERE id = ?", caseID)
	if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM outbox WHERE topic = 'notify:send' AND payload->>'kind' = ?
		AND payload->'params'->>'Number' = ?`, party.NoticeMediatorChoice, number); n != 2 {
		t.Errorf("the notice does not name the case number %s (%d)", number, n)
	}

	all, err := e.a.Party.MediatorChoices(apptest.As(t, e.a, "director.gulou"), caseID)
	if err != nil || len(all) != 2 {
		t.Fatalf("choices: %+v %v", all, err)
	}
	if latest := party.LatestChoices(all); len(latest) != 1 || latest[0].MediatorID != nil || latest[0].PartyRole != "respondent" {
		t.Errorf("latest: %+v", latest)
	}
	if _, err := e.a.Party.MediatorChoices(apptest.As(t, e.a, "director.cangshan"), caseID); err == nil {
		t.Error("another committee's director reads the choices")
	}

	// The session names its own party: a session claiming another party
	// of the case (or another case) chooses nothing.
	p, _ := domain.PartyFrom(ctx)
	for _, forged := range []*domain.PartyActor{
		{AccessID: p.AccessID, CaseID: caseID, PartyID: applicant, Name: p.Name},
		{AccessID: p.AccessID, CaseID: caseID + 1, PartyID: resp, Name: p.Name},
	} {
		fctx := domain.WithParty(t.Context(), forged)
		if _, err := e.a.Party.ChooseMediator(fctx, party.MediatorChoiceInput{MediatorID: m1}); err == nil {
			t.Errorf("a forged session (%+v) chose", forged)
		}
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_mediator_choices WHERE party_id <> ?", resp); n != 0 {
		t.Error("a choice was recorded for another party")
	}
}

// TestParty_MediatorChoiceOtherCase: a party of another case sees none
// of this case's choices, and its own choice goes to its own case only.
func TestParty_MediatorChoiceOtherCase(t *testing.T) {
	e := newEnv(t)
	caseA, _, respA := e.fileCase("gulou")
	caseB, _, respB := e.fileCase("gulou")
	ctxA := e.signedIn(caseA, respA, respondentPhone)
	if _, err := e.a.Party.ChooseMediator(ctxA, party.MediatorChoiceInput{MediatorID: e.userID("mediator1.gulou")}); err != nil {
		t.Fatal(err)
	}
	ctxB := e.signedIn(caseB, respB, respondentPhone)
	if mine, err := e.a.Party.MyMediatorChoices(ctxB); err != nil || len(mine) != 0 {
		t.Fatalf("the other case's party sees %+v %v", mine, err)
	}
	if _, err := e.a.Party.ChooseMediator(ctxB, party.MediatorChoiceInput{MediatorID: e.userID("mediator2.gulou")}); err != nil {
		t.Fatal(err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_mediator_choices WHERE case_id = ?", caseA); n != 1 {
		t.Errorf("case A has %d choices", n)
	}
}

// TestParty_MediatorChoiceClosed: once the case is assigned a choice is
// ECONFLICT with its message, and nothing is written.
func TestParty_MediatorChoiceClosed(t *testing.T) {
	e := newEnv(t)
	caseID, _, resp := e.fileCase("gulou")
	ctx := e.signedIn(caseID, resp, respondentPhone)
	dir := apptest.As(t, e.a, "director.gulou")
	cv, err := e.a.Cases.Accept(dir, caseID, cases.AcceptInput{Version: 1, ConsentAt: e.a.Clock.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Party.ChooseMediator(ctx, party.MediatorChoiceInput{MediatorID: e.userID("mediator1.gulou")}); err != nil {
		t.Fatalf("an accepted case takes a choice: %v", err)
	}
	if _, err := e.a.Cases.Assign(dir, caseID, cases.AssignInput{Version: cv.Version, MediatorIDs: []int64{e.userID("mediator1.gulou")}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.a.Party.ChooseMediator(ctx, party.MediatorChoiceInput{MediatorID: e.userID("mediator2.gulou")})
	var de *domain.Error
	if code(err) != domain.ECONFLICT || !asErr(err, &de) || de.ID != "party.error.choice_closed" {
		t.Fatalf("a choice after the assignment: %v", err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_mediator_choices WHERE case_id = ?", caseID); n != 1 {
		t.Errorf("%d choices", n)
	}
	st, err := e.a.Party.MediatorChoiceState(ctx)
	if err != nil || st.Open || len(st.Mediators) != 0 || len(st.Choices) != 1 {
		t.Errorf("state: %+v %v", st, err)
	}
}

// TestParty_Attendance: with no session to come, an answer is ECONFLICT;
// with one, a bad answer names the field and writes nothing; the party
// confirms, then says it cannot (with its reason); the director and the
// case's mediator are told naming the case number, it is audited, and
// the staff read the answers.
func TestParty_Attendance(t *testing.T) {
	e := newEnv(t)
	caseID, _, resp := e.fileCase("gulou")
	ctx := e.signedIn(caseID, resp, respondentPhone)
	yes, no := true, false
	_, err := e.a.Party.ConfirmAttendance(ctx, party.AttendanceInput{Attends: &yes})
	var de *domain.Error
	if code(err) != domain.ECONFLICT || !asErr(err, &de) || de.ID != "party.error.no_session" {
		t.Fatalf("no session: %v", err)
	}
	now := e.a.Clock.Now()
	next := now.Add(72 * time.Hour).UTC().Truncate(time.Minute)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE cases SET status = 'mediating' WHERE id = ?`, []any{caseID}},
		{`INSERT INTO case_mediators (case_id, user_id, assigned_at, declared_at, declaration) SELECT ?, id, ?, ?, '无利害关系' FROM users WHERE username = 'mediator1.gulou'`, []any{caseID, now, now}},
		{`INSERT INTO case_sessions (case_id, held_at, mode, minutes) VALUES (?, ?, 'phone', '电话沟通，未定下次时间')`, []any{caseID, now.Add(-2 * time.Hour)}},
	} {
		if err := e.a.DB.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	// A session logged without a next one: nothing to confirm.
	if at, err := e.a.Party.NextSession(ctx); err != nil || at != nil {
		t.Fatalf("no next session: %v %v", at, err)
	}
	if err := e.a.DB.Exec(`INSERT INTO case_sessions (case_id, held_at, mode, minutes, next_session_at) VALUES (?, ?, 'in_person', '第一次调解', ?)`,
		caseID, now.Add(-time.Hour), next).Error; err != nil {
		t.Fatal(err)
	}
	if at, err := e.a.Party.NextSession(ctx); err != nil || at == nil || !at.Equal(next) {
		t.Fatalf("next session %v %v, want %v", at, err, next)
	}
	for _, tc := range []struct {
		desc  string
		in    party.AttendanceInput
		field string
	}{
		{"no answer", party.AttendanceInput{Note: "x"}, "attends"},
		{"cannot, without a reason", party.AttendanceInput{Attends: &no}, "note"},
		{"note too long", party.AttendanceInput{Attends: &yes, Note: strings.Repeat("长", 501)}, "note"},
	} {
		if _, err := e.a.Party.ConfirmAttendance(ctx, tc.in); code(err) != domain.EINVALID || !slices(domain.InvalidFields(err), tc.field) {
			t.Errorf("%s: %v", tc.desc, err)
		}
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM party_attendance"); n != 0 {
		t.Fatalf("a refused answer wrote %d rows", n)
	}
	a1, err := e.a.Party.ConfirmAttendance(ctx, party.AttendanceInput{Attends: &yes})
	if err != nil || !a1.SessionAt.Equal(next) {
		t.Fatalf("attend: %+v %v", a1, err)
	}
	if _, err := e.a.Clock.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	a2, err := e.a.Party.ConfirmAttendance(ctx, party.AttendanceInput{Attends: &no, Note: "当天出差"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := e.a.Party.MyAttendance(ctx)
	if err != nil || len(mine) != 2 || mine[0].ID != a2.ID || mine[0].Attends || mine[0].Note != "当天出差" {
		t.Fatalf("mine: %+v %v", mine, err)
	}
	link := "/cases/" + itoa(caseID)
	for _, u := range []string{"director.gulou", "mediator1.gulou"} {
		if apptest.Told(t, e.a, u, party.NoticeAttends, link) != 1 || apptest.Told(t, e.a, u, party.NoticeAbsent, link) != 1 {
			t.Errorf("%s was not told of each answer", u)
		}
	}
	if apptest.Told(t, e.a, "mediator2.gulou", party.NoticeAbsent, link) != 0 {
		t.Error("a mediator not on the case was told")
	}
	if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM audit_log WHERE action = 'party.attendance' AND actor_name = ?`, "party:"+itoa(resp)); n != 2 {
		t.Errorf("audit rows: %d", n)
	}
	for _, ev := range []string{"party_attends", "party_absent"} {
		if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM case_events WHERE case_id = ? AND action = ?", caseID, ev); n != 1 {
			t.Errorf("timeline %s: %d", ev, n)
		}
	}
	all, err := e.a.Party.AttendanceOf(apptest.As(t, e.a, "mediator1.gulou"), caseID)
	if err != nil || len(all) != 2 {
		t.Fatalf("staff: %+v %v", all, err)
	}
	if latest := party.LatestAttendance(all, &next); len(latest) != 1 || latest[0].Attends {
		t.Errorf("latest: %+v", latest)
	}
	if _, err := e.a.Party.AttendanceOf(apptest.As(t, e.a, "director.cangshan"), caseID); err == nil {
		t.Error("another committee reads the answers")
	}
	// The session is past: nothing more to confirm.
	if _, err := e.a.Clock.Advance(96 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Party.ConfirmAttendance(ctx, party.AttendanceInput{Attends: &yes}); code(err) != domain.ECONFLICT {
		t.Errorf("after the session: %v", err)
	}
}

func asErr(err error, de **domain.Error) bool { return errors.As(err, de) }
