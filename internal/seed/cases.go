package seed

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/association"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/warning"
)

// CaseDeps are what the demo cases are seeded with. The demo cases are
// filed and worked through services of the seeder's own, built by
// Services exactly as the application builds its own (internal/app) but
// on the seeder's clock: the seeder sets the clock to the moment of each
// step, so that filing dates, acceptances, assignments, sessions and
// sign-offs spread over the past four months in a believable order, on
// working days, and every timeline event is written by the service itself
// as the right demo user. The audit log and the notifications keep the
// application's clock: their rows say when the seed wrote them, and the
// reminders of the deadlines still open are planned from now, as for any
// deadline planned late.
type CaseDeps struct {
	DB *gorm.DB
	// Services builds the capability services on the clock now.
	Services func(now func() time.Time) Services
	// Now is the application's clock: the demo is dated back from its
	// reading (nil: the wall clock).
	Now func() time.Time
}

// Services are the capability services the seeder works through.
type Services struct {
	Credit     *credit.Service
	Warnings   *warning.Service
	Cases      *cases.Service
	Referrals  *referral.Service
	Assistance *assistance.Service
	// Recordations is the customs recordation register.
	Recordations *recordation.Service
	// Associations keeps the demo association's members.
	Associations *association.Service
}

// WithCases makes Run seed the demo dispute cases too, after the users.
func (s *Seeder) WithCases(d CaseDeps) *Seeder {
	if d.Now == nil {
		d.Now = clock.Wall
	}
	s.caseDeps = &d
	return s
}

// demoCreditCode is the respondent with a credit record (docs/design.md §9), so
// that the repeat-infringer flag shows on its case.
var demoCreditCode = creditCode("91350582MA2Y6PA3L")

// demoCreditDocument is the number of the decision behind the demo's
// credit record.
const demoCreditDocument = "榕市监处罚〔2025〕312号"

// seedCases files and works every demo case that is not in the database
// yet. A demo case is recognised by its summary, which is unique among the
// demo cases and never changes after intake; a case whose summary exists is
// skipped, so a second run changes nothing.
func (s *Seeder) seedCases(ctx context.Context, orgIDs map[string]int64, res *Result) error {
	began := time.Now() // how long seeding takes, in real time
	d := s.caseDeps
	start := d.Now()
	db := d.DB.WithContext(ctx)
	demo := demoCases()

	summaries := make([]string, len(demo))
	for i, c := range demo {
		summaries[i] = c.summary
	}
	var existing []string
	if err := db.Raw("SELECT summary FROM cases WHERE summary IN ?", summaries).Scan(&existing).Error; err != nil {
		return fmt.Errorf("seed cases: look for existing demo cases: %w", err)
	}

	// The market regulator's officer records the demo's credit record.
	usernames := map[string]bool{"enforcement.fz-amr": true, "association.fz-software": true, "sme1": true, "sme2": true}
	for _, c := range demo {
		usernames[c.filer] = true
		for _, role := range []string{"director", "clerk", "mediator1", "mediator2"} {
			usernames[role+"."+c.org] = true
		}
	}
	var users []struct {
		ID       int64
		Username string
	}
	if err := db.Raw("SELECT id, username FROM users WHERE username IN ?", sortedKeys(usernames)).Scan(&users).Error; err != nil {
		return fmt.Errorf("seed cases: load demo users: %w", err)
	}
	clk := &seedClock{}
	r := &caseRunner{
		svc:     d.Services(clk.now).Cases,
		clock:   clk,
		cal:     newWorkCalendar(start),
		db:      d.DB,
		seeder:  s,
		orgs:    orgIDs,
		userIDs: map[string]int64{},
		actors:  map[string]*domain.Actor{},
	}
	for _, u := range users {
		r.userIDs[u.Username] = u.ID
	}

	// The credit record must exist, in effect, before its respondent's
	// case is filed: recorded by the market regulator from its final
	// decision, served with the decision, and in effect once the
	// objection period ran out with no objection (the worker's sweep,
	// run here on the seeder's clock).
	var recorded int64
	if err := db.Raw(`SELECT count(*) FROM credit_records WHERE credit_code = ? AND document_number = ?`,
		demoCreditCode, demoCreditDocument).Scan(&recorded).Error; err != nil {
		return fmt.Errorf("seed credit record: %w", err)
	}
	if recorded == 0 {
		creditClock := &seedClock{t: start.AddDate(0, -2, 0)}
		cr := d.Services(creditClock.now).Credit
		amr, err := r.as(ctx, "enforcement.fz-amr")
		if err != nil {
			return err
		}
		if err := db.Transaction(func(tx *gorm.DB) error {
			_, err := cr.RecordTx(amr, tx, credit.Input{SubjectKind: "organisation",
				Name: "晋江市恒步鞋业有限公司", CreditCode: demoCreditCode, SourceKind: credit.SourceEnforcement,
				DocumentNumber: demoCreditDocument, Source: "福州市市场监督管理局行政处罚决定书",
				Finding:   "故意侵犯注册商标专用权：生产、销售侵犯他人注册商标专用权的运动鞋，被福州市市场监督管理局没收侵权商品并处罚款人民币8万元",
				DecidedOn: calendar.Date{Year: 2025, Month: time.September, Day: 18}, Final: true, Severity: credit.SeveritySerious,
				DisplayMonths: 36, NoticeMethod: "decision", OrgID: orgIDs["fz-amr"]})
			return err
		}); err != nil {
			return fmt.Errorf("seed credit record: %w", err)
		}
		creditClock.t = start.AddDate(0, -1, 0)
		if _, err := cr.Settle(ctx); err != nil {
			return fmt.Errorf("seed credit record: %w", err)
		}
	}

	// File in chronological order, so that case numbers and ids follow the
	// filing dates within each committee.
	order := make([]int, len(demo))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(demo[b].filed, demo[a].filed); c != 0 {
			return c
		}
		return cmp.Compare(demo[a].hour, demo[b].hour)
	})
	for _, i := range order {
		c := &demo[i]
		if slices.Contains(existing, c.summary) {
			continue
		}
		if err := r.run(ctx, c); err != nil {
			return fmt.Errorf("seed demo case %s: %w", c.key, err)
		}
		res.CasesCreated++
	}
	res.Cases = len(demo)
	s.log.InfoContext(ctx, "demo cases seeded", "cases", res.Cases, "created", res.CasesCreated,
		"elapsed_ms", time.Since(began).Milliseconds())
	if svc := d.Services(clk.now).Associations; svc != nil {
		clk.t = start
		if err := s.seedAssociation(ctx, r, svc); err != nil {
			return err
		}
	}
	if err := s.seedReferrals(ctx, orgIDs); err != nil {
		return err
	}
	return s.seedWarnings(ctx, db, d.Services(d.Now).Warnings)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// seedClock is the case service's clock while seeding: the moment of the
// step being taken.
type seedClock struct{ t time.Time }

func (c *seedClock) now() time.Time { return c.t }

// beijing is China Standard Time (no daylight saving time).
var beijing = time.FixedZone("CST", 8*3600)

// workCalendar counts working days back from today (Beijing): day(1) is
// the last working day before today. Weekends and the fixed-date public
// holidays (New Year's Day, Labour Day week, National Day week) are
// skipped; the lunar holidays are not, which a demo can live with.
type workCalendar struct {
	today time.Time
	days  []time.Time
}

func newWorkCalendar(now time.Time) *workCalendar {
	y, m, d := now.In(beijing).Date()
	return &workCalendar{today: time.Date(y, m, d, 0, 0, 0, 0, beijing)}
}

func workingDay(t time.Time) bool {
	switch {
	case t.Weekday() == time.Saturday || t.Weekday() == time.Sunday:
		return false
	case t.Month() == time.January && t.Day() == 1,
		t.Month() == time.May && t.Day() <= 5,
		t.Month() == time.October && t.Day() <= 7:
		return false
	}
	return true
}

// day returns the n-th working day before today (n >= 1), at midnight.
func (c *workCalendar) day(n int) time.Time {
	for len(c.days) < n {
		d := c.today
		if len(c.days) > 0 {
			d = c.days[len(c.days)-1]
		}
		d = d.AddDate(0, 0, -1)
		for !workingDay(d) {
			d = d.AddDate(0, 0, -1)
		}
		c.days = append(c.days, d)
	}
	return c.days[n-1]
}

// at returns hour:minute (Beijing) on the n-th working day before today.
func (c *workCalendar) at(n, hour, minute int) time.Time {
	return c.day(n).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// caseRunner drives demo cases through the case service.
type caseRunner struct {
	svc     *cases.Service
	clock   *seedClock
	cal     *workCalendar
	db      *gorm.DB
	seeder  *Seeder
	orgs    map[string]int64
	userIDs map[string]int64
	actors  map[string]*domain.Actor
}

// caseRun is one demo case while it is driven.
type caseRun struct {
	c       *demoCase
	id      int64
	version int
	parties []int64  // party ids by position
	active  []string // active mediators' keys, in assignment order
	due     *time.Time
	last    time.Time // the latest moment written so far
	// objected is the mediator of the pending objection.
	objected string
	status   domain.CaseStatus
}

func (run *caseRun) update(c domain.Case) {
	run.version = c.Version
	run.due = c.MediationDueAt
	run.status = c.Status
}

// username resolves a step's actor key: "filer", or a committee role
// (director, clerk, mediator1, mediator2) of the case's committee.
func (run *caseRun) username(key string) string {
	if key == "filer" {
		return run.c.filer
	}
	return key + "." + run.c.org
}

// as returns ctx acting as the demo user username.
func (r *caseRunner) as(ctx context.Context, username string) (context.Context, error) {
	a, ok := r.actors[username]
	if !ok {
		id, ok := r.userIDs[username]
		if !ok {
			return nil, fmt.Errorf("demo user %s is missing", username)
		}
		var err error
		if a, err = r.seeder.users.Actor(ctx, id); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", username, err)
		}
		r.actors[username] = a
	}
	return domain.WithActor(ctx, a), nil
}

func (r *caseRunner) userID(username string) (int64, error) {
	id, ok := r.userIDs[username]
	if !ok {
		return 0, fmt.Errorf("demo user %s is missing", username)
	}
	return id, nil
}

// run files c and takes its steps.
func (r *caseRunner) run(ctx context.Context, c *demoCase) error {
	if c.filed < 1 {
		return fmt.Errorf("filed %d working days ago: must be at least 1", c.filed)
	}
	orgID, ok := r.orgs[c.org]
	if !ok {
		return fmt.Errorf("unknown committee %s", c.org)
	}
	filed := r.cal.at(c.filed, c.hour, 0)
	r.clock.t = filed
	actx, err := r.as(ctx, c.filer)
	if err != nil {
		return err
	}
	cs, err := r.svc.Submit(actx, cases.IntakeInput{
		OrgID: orgID, Source: c.source, CourtProcedure: c.procedure, DisputeType: c.dispute, Summary: c.summary, Claims: c.claims,
		ClaimAmountFen: c.amountYuan * 100, ExternalRef: c.externalRef(filed), Parties: c.parties, Rights: c.rights,
	})
	if err != nil {
		return err
	}
	run := &caseRun{c: c, id: cs.ID, last: filed}
	run.update(cs)
	if err := r.db.WithContext(ctx).Raw("SELECT id FROM case_parties WHERE case_id = ? ORDER BY position, id", cs.ID).
		Scan(&run.parties).Error; err != nil {
		return fmt.Errorf("load parties: %w", err)
	}
	for i, st := range c.steps {
		if err := r.step(ctx, run, st); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, st.kind, err)
		}
	}
	return nil
}

// at sets the service clock to t after checking that t follows what the
// case has recorded so far.
func (r *caseRunner) at(run *caseRun, t time.Time, what string) error {
	if !t.After(run.last) {
		return fmt.Errorf("%s at %s is not after the case's previous step at %s", what, t.Format(time.RFC3339), run.last.Format(time.RFC3339))
	}
	r.clock.t = t
	run.last = t
	return nil
}

// after checks that a moment the step records (a consent, a session, a
// signature) follows the case's previous step, without moving the clock.
func after(run *caseRun, t time.Time, what string) error {
	if !t.After(run.last) {
		return fmt.Errorf("%s at %s is not after the case's previous step at %s", what, t.Format(time.RFC3339), run.last.Format(time.RFC3339))
	}
	return nil
}

func (r *caseRunner) step(ctx context.Context, run *caseRun, st step) error {
	daysAgo := run.c.filed - st.d
	if daysAgo < 1 {
		return fmt.Errorf("lies %d working days after filing, which is not in the past", st.d)
	}
	t := r.cal.at(daysAgo, st.h, st.m)
	actorKey := st.who
	switch st.kind {
	case stepAccept, stepReject, stepAssign, stepDecide, stepExtend, stepClose:
		actorKey = "director"
	case stepObject:
		actorKey = "clerk"
	}
	var (
		cs  domain.Case
		err error
	)
	if st.kind == stepSign {
		return r.sign(ctx, run, st, t)
	}
	actx, err := r.as(ctx, run.username(actorKey))
	if err != nil {
		return err
	}
	switch st.kind {
	case stepAccept:
		consent := t.Add(-2 * time.Hour)
		if err := after(run, consent, "consent"); err != nil {
			return err
		}
		if err := r.at(run, t, "accept"); err != nil {
			return err
		}
		cs, err = r.svc.Accept(actx, run.id, cases.AcceptInput{Version: run.version, ConsentAt: consent, ConsentNote: st.text})
	case stepReject:
		if err := r.at(run, t, "reject"); err != nil {
			return err
		}
		cs, err = r.svc.Reject(actx, run.id, cases.ReasonInput{Version: run.version, Reason: st.text, Route: st.route})
	case stepAssign:
		ids, err := r.mediatorIDs(run, st.keys)
		if err != nil {
			return err
		}
		if err := r.at(run, t, "assign"); err != nil {
			return err
		}
		if cs, err = r.svc.Assign(actx, run.id, cases.AssignInput{Version: run.version, MediatorIDs: ids}); err != nil {
			return err
		}
		run.active = append(run.active, st.keys...)
	case stepDeclare, stepRecuse:
		if err := r.at(run, t, "declaration"); err != nil {
			return err
		}
		statement := st.text
		if st.kind == stepDeclare && statement == "" {
			statement = noConflictStatement
		}
		if cs, err = r.svc.Declare(actx, run.id, cases.DeclareInput{Version: run.version, NoConflict: st.kind == stepDeclare,
			Statement: statement}); err != nil {
			return err
		}
		if st.kind == stepRecuse {
			run.active = slices.DeleteFunc(run.active, func(k string) bool { return k == st.who })
		}
	case stepObject:
		mid, err := r.userID(run.username(st.mediator))
		if err != nil {
			return err
		}
		if st.party >= len(run.parties) {
			return fmt.Errorf("no party %d", st.party)
		}
		if err := r.at(run, t, "objection"); err != nil {
			return err
		}
		if cs, err = r.svc.Object(actx, run.id, cases.ObjectInput{Version: run.version, MediatorID: mid,
			PartyID: run.parties[st.party], Reason: st.text}); err != nil {
			return err
		}
		run.objected = st.mediator
	case stepDecide:
		var objID int64
		if err := r.db.WithContext(ctx).Raw("SELECT id FROM case_objections WHERE case_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1",
			run.id).Scan(&objID).Error; err != nil {
			return fmt.Errorf("find the pending objection: %w", err)
		}
		if objID == 0 {
			return fmt.Errorf("no pending objection to decide")
		}
		ids, err := r.mediatorIDs(run, st.keys)
		if err != nil {
			return err
		}
		if err := r.at(run, t, "decision"); err != nil {
			return err
		}
		if cs, err = r.svc.DecideObjection(actx, run.id, cases.DecideObjectionInput{Version: run.version, ObjectionID: objID,
			Uphold: st.uphold, Reason: st.text, Replacements: ids}); err != nil {
			return err
		}
		if st.uphold {
			run.active = slices.DeleteFunc(run.active, func(k string) bool { return k == run.objected })
			run.active = append(run.active, st.keys...)
		}
		run.objected = ""
	case stepSession:
		held := t.Add(-2 * time.Hour)
		if err := after(run, held, "session"); err != nil {
			return err
		}
		if err := r.at(run, t, "session record"); err != nil {
			return err
		}
		in := cases.SessionInput{Version: run.version, HeldAt: held, Mode: st.session.mode, Place: st.session.place,
			Attendees: st.session.attendees, Minutes: st.session.minutes, NextSteps: st.session.next}
		if st.session.nextDays > 0 {
			next := held.AddDate(0, 0, st.session.nextDays)
			for !workingDay(next.In(beijing)) {
				next = next.AddDate(0, 0, 1)
			}
			in.NextSessionAt = &next
		}
		cs, err = r.svc.LogSession(actx, run.id, in)
	case stepExtend:
		if run.due == nil {
			return fmt.Errorf("extend: the case has no due date")
		}
		if err := r.at(run, t, "extension"); err != nil {
			return err
		}
		cs, err = r.svc.Extend(actx, run.id, cases.ExtendInput{Version: run.version, NewDueAt: run.due.AddDate(0, 0, st.days),
			Reason: st.text, ApplicantConsent: true, RespondentConsent: true})
	case stepSettle:
		if err := r.at(run, t, "settlement"); err != nil {
			return err
		}
		a := st.agreement
		in := cases.AgreementInput{Version: run.version, Facts: a.facts, DisputedMatters: a.disputed,
			Responsibilities: a.responsibilities, Terms: a.terms, PerformanceMethod: a.method, AmountFen: a.amountYuan * 100}
		if a.dueDays > 0 {
			in.PerformanceDue = t.In(beijing).AddDate(0, 0, a.dueDays).Format("2006-01-02")
		}
		cs, err = r.svc.Settle(actx, run.id, in)
	case stepFail:
		if err := r.at(run, t, "failure"); err != nil {
			return err
		}
		cs, err = r.svc.Fail(actx, run.id, cases.FailInput{Version: run.version, Reason: st.text, Route: st.route})
	case stepWithdraw:
		if err := r.at(run, t, "withdrawal"); err != nil {
			return err
		}
		cs, err = r.svc.Withdraw(actx, run.id, cases.ReasonInput{Version: run.version, Reason: st.text})
	case stepClose:
		// A settled case is closed once its agreement was performed: the
		// follow-up is recorded first (it ends the performance date's
		// reminder, People's Mediation Law art. 31), a minute before.
		if run.status == domain.StatusSettled {
			if err := r.at(run, t.Add(-time.Minute), "performance follow-up"); err != nil {
				return err
			}
			cs, err = r.svc.RecordPerformance(actx, run.id, cases.PerformanceInput{Version: run.version, Result: domain.PerformancePerformed,
				PerformedOn: t.In(beijing).Format("2006-01-02"), Note: st.text})
			if err != nil {
				return fmt.Errorf("performance follow-up: %w", err)
			}
			run.update(cs)
		}
		if err := r.at(run, t, "closing"); err != nil {
			return err
		}
		cs, err = r.svc.Close(actx, run.id, cases.CloseInput{Version: run.version, Note: st.text})
	default:
		return fmt.Errorf("unknown step kind %q", st.kind)
	}
	if err != nil {
		return err
	}
	run.update(cs)
	return nil
}

func (r *caseRunner) mediatorIDs(run *caseRun, keys []string) ([]int64, error) {
	ids := make([]int64, len(keys))
	for i, k := range keys {
		id, err := r.userID(run.username(k))
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// sign records the signatures of a signing meeting at t: they were made
// from half an hour before t, a minute or two apart, and are recorded one
// after the other from t on. A party's signature is recorded by the first
// active mediator, a mediator's by themself, the seal by the clerk.
func (r *caseRunner) sign(ctx context.Context, run *caseRun, st step, t time.Time) error {
	type signer struct {
		kind, method, by string
		party            int64
		user             string
	}
	if len(run.active) == 0 {
		return fmt.Errorf("no active mediator to record the signatures")
	}
	var signers []signer
	for _, w := range st.keys {
		switch {
		case w == "parties":
			for _, p := range run.parties {
				signers = append(signers, signer{kind: "party", method: st.method, by: run.active[0], party: p})
			}
		case w == "mediators":
			for _, m := range run.active {
				signers = append(signers, signer{kind: "mediator", method: st.method, by: m, user: m})
			}
		case w == "seal":
			signers = append(signers, signer{kind: "seal", method: "seal", by: "clerk"})
		case strings.HasPrefix(w, "p"):
			n, err := strconv.Atoi(w[1:])
			if err != nil || n >= len(run.parties) {
				return fmt.Errorf("bad signer %q", w)
			}
			signers = append(signers, signer{kind: "party", method: st.method, by: run.active[0], party: run.parties[n]})
		default:
			signers = append(signers, signer{kind: "mediator", method: st.method, by: w, user: w})
		}
	}
	first := t.Add(-30 * time.Minute)
	if err := after(run, first, "signature"); err != nil {
		return err
	}
	for i, sg := range signers {
		actx, err := r.as(ctx, run.username(sg.by))
		if err != nil {
			return err
		}
		in := cases.SignoffInput{Version: run.version, SignerKind: sg.kind, PartyID: sg.party, Method: sg.method,
			SignedAt: first.Add(time.Duration(2*i) * time.Minute)}
		if sg.user != "" {
			if in.UserID, err = r.userID(run.username(sg.user)); err != nil {
				return err
			}
		}
		if err := r.at(run, t.Add(time.Duration(i)*time.Minute), "signature record"); err != nil {
			return err
		}
		cs, err := r.svc.Signoff(actx, run.id, in)
		if err != nil {
			return fmt.Errorf("sign-off %d (%s): %w", i+1, sg.kind, err)
		}
		run.update(cs)
	}
	return nil
}

// noConflictStatement is a mediator's usual 回避 declaration.
const noConflictStatement = "本人已查阅本案当事人及其代理人情况，与本案当事人、代理人均无利害关系，不存在应当回避的情形，承诺依法、公正调解并保守调解秘密。"

// demoCase is one demo dispute: who files it with which committee, how
// many working days ago, the intake, and the steps taken since.
type demoCase struct {
	key        string // names the case in errors
	org        string // handling committee
	filer      string // username
	filed      int    // working days before today
	hour       int    // hour of filing (Beijing)
	source     domain.CaseSource
	procedure  domain.CourtProcedure // court-entrusted cases: the court's procedure
	dispute    domain.DisputeType
	summary    string // unique among the demo cases: the idempotency key
	claims     string
	amountYuan int64
	// ref is the external reference; {year} becomes the filing year,
	// {expo518} and {expo618} the year of the last 5·18 海交会 and 6·18
	// 项目成果交易会 before filing.
	ref     string
	parties []cases.PartyInput
	rights  []cases.RightInput
	steps   []step
}

func (c *demoCase) externalRef(filed time.Time) string {
	if c.ref == "" {
		return ""
	}
	return strings.NewReplacer(
		"{year}", strconv.Itoa(filed.In(beijing).Year()),
		"{expo518}", strconv.Itoa(lastYearOf(filed, time.May, 18)),
		"{expo618}", strconv.Itoa(lastYearOf(filed, time.June, 18)),
	).Replace(c.ref)
}

// lastYearOf returns the year of the last month/day on or before t.
func lastYearOf(t time.Time, m time.Month, d int) int {
	b := t.In(beijing)
	y := b.Year()
	if b.Before(time.Date(y, m, d, 0, 0, 0, 0, beijing)) {
		y--
	}
	return y
}

type stepKind string

const (
	stepAccept   stepKind = "accept"
	stepReject   stepKind = "reject"
	stepAssign   stepKind = "assign"
	stepDeclare  stepKind = "declare"
	stepRecuse   stepKind = "recuse"
	stepObject   stepKind = "object"
	stepDecide   stepKind = "decide_objection"
	stepSession  stepKind = "session"
	stepExtend   stepKind = "extend"
	stepSettle   stepKind = "settle"
	stepSign     stepKind = "signoff"
	stepFail     stepKind = "fail"
	stepWithdraw stepKind = "withdraw"
	stepClose    stepKind = "close"
)

// step is one action on a demo case, d working days after filing at h:m
// (Beijing). who is the acting user's key where the kind does not fix it.
type step struct {
	kind      stepKind
	d, h, m   int
	who       string
	text      string
	keys      []string // mediators (assign, replacements) or signers
	mediator  string   // objection
	party     int      // objection: party position
	uphold    bool
	days      int // extension
	route     domain.FailRoute
	method    string
	session   *sessionSpec
	agreement *agreementSpec
}

type sessionSpec struct {
	mode                            domain.SessionMode
	place, attendees, minutes, next string
	nextDays                        int // next session so many days later; 0: none
}

type agreementSpec struct {
	facts, disputed, responsibilities, terms, method string
	amountYuan                                       int64 // the money the terms settle
	dueDays                                          int   // performance due so many days after settling; 0: none
}

func accept(d, h int, note string) step { return step{kind: stepAccept, d: d, h: h, text: note} }
func reject(d, h int, route domain.FailRoute, reason string) step {
	return step{kind: stepReject, d: d, h: h, text: reason, route: route}
}
func assign(d, h int, mediators ...string) step {
	return step{kind: stepAssign, d: d, h: h, keys: mediators}
}

// declare records a no-conflict declaration; an empty statement is the
// usual one.
func declare(d, h int, mediator, statement string) step {
	return step{kind: stepDeclare, d: d, h: h, who: mediator, text: statement}
}

// recuse is a mediator declaring a conflict and leaving the case.
func recuse(d, h int, mediator, statement string) step {
	return step{kind: stepRecuse, d: d, h: h, who: mediator, text: statement}
}

// object is a party's objection to a mediator, recorded by the clerk.
func object(d, h, party int, mediator, reason string) step {
	return step{kind: stepObject, d: d, h: h, party: party, mediator: mediator, text: reason}
}
func decide(d, h int, uphold bool, reason string, replacements ...string) step {
	return step{kind: stepDecide, d: d, h: h, uphold: uphold, text: reason, keys: replacements}
}

// session logs a session held two hours before d/h, by mediator.
func session(d, h int, mediator string, s sessionSpec) step {
	return step{kind: stepSession, d: d, h: h, who: mediator, session: &s}
}
func extend(d, h, days int, reason string) step {
	return step{kind: stepExtend, d: d, h: h, days: days, text: reason}
}
func settle(d, h int, mediator string, a agreementSpec) step {
	return step{kind: stepSettle, d: d, h: h, who: mediator, agreement: &a}
}

// sign records signatures: "parties", "mediators", "seal", a party "p0",
// "p1" … or a mediator "mediator1".
func sign(d, h int, method string, who ...string) step {
	return step{kind: stepSign, d: d, h: h, method: method, keys: who}
}
func fail(d, h int, mediator string, route domain.FailRoute, reason string) step {
	return step{kind: stepFail, d: d, h: h, who: mediator, route: route, text: reason}
}
func withdraw(d, h int, who, reason string) step {
	return step{kind: stepWithdraw, d: d, h: h, who: who, text: reason}
}
func closeCase(d, h int, note string) step { return step{kind: stepClose, d: d, h: h, text: note} }

// allSigners are the signers that make an agreement effective.
var allSigners = []string{"parties", "mediators", "seal"}

// Identifier helpers. The demo identifiers are fictitious; their check
// characters are computed with the validators the intake uses, so that
// they are well-formed without being anyone's real number.

const creditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCode completes the 17 characters of a unified social credit code
// (GB 32100) with its check character.
func creditCode(body string) string {
	for i := range len(creditCodeAlphabet) {
		if c := body + creditCodeAlphabet[i:i+1]; domain.ValidCreditCode(c) {
			return c
		}
	}
	panic("seed: no check character makes a valid credit code of " + body)
}

// residentID builds a resident identity number (GB 11643) from the area
// code, the date of birth (YYYYMMDD) and the 3-digit sequence number.
func residentID(area, birth, seq string) string {
	for _, c := range "0123456789X" {
		if id := area + birth + seq + string(c); domain.ValidResidentID(id) {
			return id
		}
	}
	panic("seed: no check character makes a valid resident ID of " + area + birth + seq)
}

// patentNo completes a 12-digit patent application number body with its
// mod-11 check character.
func patentNo(body string) string {
	for _, c := range "0123456789X" {
		if n := body + "." + string(c); domain.ValidPatentApplicationNumber(n) {
			return n
		}
	}
	panic("seed: no check character makes a valid patent application number of " + body)
}

// Party and right constructors.

func company(role domain.PartyRole, name, code, phone, address string) cases.PartyInput {
	return cases.PartyInput{Role: role, Kind: domain.PartyOrganisation, Name: name, CreditCode: code, Phone: phone,
		Address: address, IsSME: true}
}

func person(role domain.PartyRole, name, id, phone, address string) cases.PartyInput {
	return cases.PartyInput{Role: role, Kind: domain.PartyPerson, Name: name, IDNumber: id, Phone: phone, Address: address}
}

func withAgent(p cases.PartyInput, name, phone, license string) cases.PartyInput {
	p.AgentName, p.AgentPhone, p.AgentLicense = name, phone, license
	return p
}

func right(kind domain.RightKind, number, title, holder, from, to string) cases.RightInput {
	return cases.RightInput{Kind: kind, Number: number, Title: title, Holder: holder, ValidFrom: from, ValidTo: to}
}

const (
	applicant  = domain.PartyApplicant
	respondent = domain.PartyRespondent
	inPerson   = domain.ModeInPerson
	video      = domain.ModeVideo
	phone      = domain.ModePhone
)

// demoCases returns the demo disputes: 33 cases over the eight committees
// (most at Gulou), in every state of the workflow.
func demoCases() []demoCase {
	// Recurring parties.
	minguang := withAgent(company(applicant, "福州闽光软件科技有限公司", "91350100MA34A1B2CU", "13905912468",
		"福州市鼓楼区软件大道89号福州软件园A区12号楼"), "陈立峰", "13960812345", "13501201510348216")
	rongcheng := company(applicant, "福州榕城茶业有限公司", "91350102MA2YK7Q8DR", "13859076632", "福州市鼓楼区五四路158号环球广场9层")
	xingyun := company(applicant, "福州星云智联信息技术有限公司", creditCode("91350102MA32F8N6X"), "15005917723",
		"福州市鼓楼区工业路523号福州大学科技园3号楼")
	xiangyun := company(applicant, "福州香韵茉莉花茶有限公司", creditCode("91350104MA2XR3K41"), "13799406651",
		"福州市仓山区城门镇胪雷村茉莉花产业园8号")
	buyun := company(applicant, "福州步云鞋业有限公司", creditCode("91350104MA31B7C2Y"), "18650738812",
		"福州市仓山区金山工业区浦上园B区7号")
	tianhuang := company(applicant, "福州田黄阁寿山石雕刻艺术有限公司", creditCode("91350111MA33H5T0W"), "15880216639",
		"福州市晋安区寿山乡寿山村石雕街16号")
	haiyu := company(applicant, "福州海渔渔具有限公司", creditCode("91350105MA34C9D1K"), "13600821957",
		"福州市马尾区快安延伸区江滨东大道108号")
	jinlun := company(applicant, "福州长乐锦纶纺织有限公司", creditCode("91350112MA2YQ4W8F"), "18159016624",
		"福州市长乐区金峰镇锦江工业区12号")

	return []demoCase{
		// ── Closed after settlement ─────────────────────────────────────
		{
			key: "gulou-erp-source-code", org: "gulou", filer: "sme1", filed: 84, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeCopyright, amountYuan: 300000,
			summary: "申请人系“闽光ERP进销存管理系统V3.0”计算机软件著作权人。申请人原技术人员离职后入职被申请人，被申请人随后向福州地区多家商贸企业销售的“易联云进销存”软件，其数据库结构、核心模块源代码与申请人软件高度近似，经比对相同代码行占比超过70%。申请人认为被申请人侵犯其计算机软件著作权。",
			claims:  "1. 被申请人立即停止复制、销售侵权软件；2. 被申请人赔偿经济损失及维权合理开支共计人民币30万元。",
			parties: []cases.PartyInput{minguang,
				company(respondent, "福州易联网络科技有限公司", creditCode("91350102MA31XQ7T5"), "13950233817", "福州市鼓楼区湖东路168号宏利大厦15层")},
			rights: []cases.RightInput{right(domain.RightSoftwareCopyr, "2021SR0123456", "闽光ERP进销存管理系统V3.0", "福州闽光软件科技有限公司", "2021-03-15", "")},
			steps: []step{
				accept(2, 15, "经电话联系，被申请人法定代表人赵国栋表示同意通过调解解决纠纷。"),
				assign(3, 10, "mediator1"),
				declare(3, 14, "mediator1", ""),
				session(8, 16, "mediator1", sessionSpec{mode: inPerson, place: "鼓楼区知识产权纠纷调解委员会第一调解室",
					attendees: "申请人委托代理人陈立峰律师、技术总监林晓峰；被申请人法定代表人赵国栋、技术负责人郭鹏",
					minutes:   "调解员告知双方调解的自愿、保密原则及各自权利义务。申请人陈述了权利基础及源代码比对情况，出示了软件著作权登记证书及第三方鉴定机构出具的代码比对意见。被申请人承认部分模块系离职员工带入，但主张其已自行重写大部分代码。双方同意由被申请人在一周内提交现行版本源代码供比对。",
					next:      "被申请人提交现行版本源代码；调解员组织双方技术人员比对后再行调解。", nextDays: 6}),
				session(14, 15, "mediator1", sessionSpec{mode: video, place: "腾讯会议视频调解（会议号 862 317 504）",
					attendees: "申请人委托代理人陈立峰律师、技术总监林晓峰；被申请人法定代表人赵国栋、技术负责人郭鹏",
					minutes:   "双方技术人员确认被申请人现行版本中仍有库存管理、报表两个模块与申请人软件实质相同。被申请人同意停止销售相关版本并为已售客户替换升级；双方就赔偿数额分歧较大（申请人30万元，被申请人10万元）。调解员从侵权持续时间、销售数量及类案判赔情况进行了释法说理。",
					next:      "双方各自考虑赔偿方案，约定下次面对面调解。"}),
				settle(20, 10, "mediator1", agreementSpec{
					facts:            "被申请人在其销售的“易联云进销存”软件中使用了与申请人“闽光ERP进销存管理系统V3.0”（登记号2021SR0123456）实质相同的库存管理、报表模块源代码，已向福州地区商贸企业销售23套。",
					disputed:         "被申请人的行为是否侵犯申请人计算机软件著作权，以及赔偿数额。",
					responsibilities: "被申请人未经许可复制、销售包含申请人软件代码的产品，应承担停止侵害、赔偿损失的责任；申请人对赔偿数额作出适当让步。",
					terms:            "一、被申请人自本协议生效之日起停止复制、销售含有涉案代码的软件，并于三十日内为已售23家客户替换为不含涉案代码的版本；二、被申请人赔偿申请人经济损失及合理开支共计人民币16万元；三、申请人放弃其他请求；四、双方对本次纠纷及调解内容负有保密义务。",
					amountYuan:       160000,
					method:           "赔偿款由被申请人于本协议生效之日起十五日内一次性转账支付至申请人指定的银行账户；替换升级完成后由被申请人向申请人出具书面说明，申请人有权抽查。",
					dueDays:          30}),
				sign(20, 11, "handwritten", allSigners...),
				closeCase(45, 10, "被申请人已于约定期限内一次性支付赔偿款人民币16万元，并提交了23家客户替换升级完成的书面说明，申请人抽查3家客户后确认无误。协议已全部履行完毕，结案。"),
			},
		},
		{
			key: "gulou-xingyun-mini-program", org: "gulou", filer: "clerk.gulou", filed: 78, hour: 9,
			source: domain.SourceAssociation, dispute: domain.DisputeTrademark, amountYuan: 50000, ref: "榕软协知调转〔{year}〕5号",
			summary: "申请人系第35678912号“星云智联”注册商标权利人，核定使用于第42类软件开发等服务。被申请人未经许可，在其运营的微信小程序“星云智联点餐”及宣传海报中突出使用“星云智联”字样，为餐饮商户提供点餐系统服务，易使相关公众误认为与申请人存在关联。福州市软件行业协会接到申请人投诉后转交本委员会调解。",
			claims:  "1. 被申请人停止在小程序名称及宣传中使用“星云智联”标识；2. 赔偿经济损失人民币5万元。",
			parties: []cases.PartyInput{xingyun,
				person(respondent, "郑立新", residentID("350102", "19860314", "031"), "13805912301", "福州市鼓楼区东街街道八一七北路")},
			rights: []cases.RightInput{right(domain.RightTrademark, "35678912", "星云智联（第42类）", "福州星云智联信息技术有限公司", "2019-08-07", "2029-08-06")},
			steps: []step{
				accept(3, 14, "被申请人通过电话向本委员会表示愿意参加调解。"),
				assign(4, 9, "mediator2"),
				declare(4, 11, "mediator2", ""),
				session(9, 16, "mediator2", sessionSpec{mode: phone, place: "电话调解",
					attendees: "申请人知识产权专员吴敏；被申请人郑立新",
					minutes:   "调解员分别与双方电话沟通。被申请人表示小程序名称系随意取名，不知道申请人的注册商标，同意更名，但认为其小程序仅服务十余家商户、获利很少，不同意赔偿5万元。申请人表示如对方尽快更名，赔偿数额可以协商。",
					next:      "被申请人提出更名方案及赔偿意向后，调解员拟定协议草案。"}),
				settle(12, 10, "mediator2", agreementSpec{
					facts:            "被申请人在其运营的“星云智联点餐”微信小程序名称及宣传海报中使用“星云智联”字样，为14家餐饮商户提供点餐服务。",
					disputed:         "被申请人的使用行为是否构成商标侵权及赔偿数额。",
					responsibilities: "被申请人的使用行为易导致相关公众混淆，应停止使用并赔偿损失；申请人同意降低赔偿请求。",
					terms:            "一、被申请人于本协议生效之日起七日内将小程序更名为不含“星云”“智联”字样的名称，并销毁含有该标识的宣传物料；二、被申请人赔偿申请人人民币8000元；三、申请人不再就此追究被申请人其他责任。",
					amountYuan:       8000,
					method:           "赔偿款于本协议生效之日起十日内通过银行转账一次性支付；更名完成后被申请人将截图发送申请人确认。",
					dueDays:          10}),
				sign(12, 15, "electronic", allSigners...),
				closeCase(30, 10, "被申请人已将小程序更名为“食趣点餐”并销毁旧宣传物料，赔偿款人民币8000元已于约定期限内付清，申请人确认履行完毕，结案。"),
			},
		},
		{
			key: "city-cnc-patent", org: "city", filer: "liaison.fz-court", filed: 80, hour: 10,
			source: domain.SourceCourtDelegated, dispute: domain.DisputePatent, amountYuan: 1200000, ref: "（{year}）闽01民诉前调87号",
			summary: "申请人系“一种数控机床刀具磨损自动补偿装置”发明专利权人。申请人发现被申请人生产、销售的JG-850型立式加工中心采用了与涉案专利权利要求1至3相同的技术方案，遂向福州市中级人民法院起诉。法院经征得双方同意，在立案前委派本委员会进行调解。",
			claims:  "1. 被申请人停止制造、销售侵权产品；2. 赔偿经济损失人民币120万元。",
			parties: []cases.PartyInput{
				withAgent(company(applicant, "福州金山数控设备有限公司", creditCode("91350104MA2XU5R3A"), "13709587421", "福州市仓山区金山工业区金洲北路26号"),
					"黄文杰", "13906010258", "13501201210562183"),
				withAgent(company(respondent, "福州精工机械制造有限公司", creditCode("91350121MA31E4G7H"), "13859012376", "福州市闽侯县青口镇东南汽车城工业园9号"),
					"林慧", "15959106637", "13501201610879342")},
			rights: []cases.RightInput{right(domain.RightInvention, patentNo("201910123456"), "一种数控机床刀具磨损自动补偿装置", "福州金山数控设备有限公司", "2019-02-18", "2039-02-17")},
			steps: []step{
				accept(2, 15, "经福州市中级人民法院委派，双方当事人均书面同意接受调解。"),
				assign(3, 10, "mediator1", "mediator2"),
				declare(3, 14, "mediator1", ""),
				declare(4, 9, "mediator2", ""),
				session(8, 16, "mediator1", sessionSpec{mode: inPerson, place: "福州市知识产权纠纷调解委员会调解室",
					attendees: "申请人委托代理人黄文杰律师、总工程师；被申请人委托代理人林慧律师、技术部经理",
					minutes:   "两名调解员共同主持。申请人陈述了专利权利要求及侵权比对意见；被申请人主张其产品的补偿装置采用公知技术，并提交了一篇外文期刊文献作为现有技术抗辩证据。调解员建议双方各自委托技术人员对现有技术抗辩进行分析。",
					next:      "双方于一周内提交技术分析意见；必要时邀请技术专家提供咨询。", nextDays: 7}),
				session(15, 16, "mediator2", sessionSpec{mode: inPerson, place: "福州市知识产权纠纷调解委员会调解室",
					attendees: "申请人委托代理人黄文杰律师、总工程师；被申请人委托代理人林慧律师、技术部经理；特邀技术专家（福州大学机械工程学院）",
					minutes:   "特邀专家认为被申请人提交的文献未公开涉案专利权利要求1中的磨损量实时反馈特征，现有技术抗辩成立的可能性较低。被申请人表示愿意以专利许可的方式解决纠纷。",
					next:      "双方就许可费数额及支付方式各自提出方案。", nextDays: 7}),
				extend(20, 10, 30, "双方正在协商专利实施许可的具体条款，需履行内部审批程序，经双方当事人同意延长调解期限三十日。"),
				session(22, 15, "mediator1", sessionSpec{mode: video, place: "“榕知调”线上视频调解室",
					attendees: "申请人委托代理人黄文杰律师；被申请人委托代理人林慧律师",
					minutes:   "双方就许可方式达成初步一致：被申请人取得涉案专利普通实施许可，支付许可费并补偿此前的实施行为。分歧在于总额（申请人要求90万元，被申请人提出50万元）。调解员结合产品销量及行业许可费率提出60万元的调解建议。",
					next:      "双方在五个工作日内答复调解建议。"}),
				settle(28, 10, "mediator1", agreementSpec{
					facts:            "被申请人此前制造、销售的JG-850型立式加工中心采用了涉案发明专利的技术方案，累计销售86台。",
					disputed:         "被申请人的产品是否落入涉案专利保护范围；被申请人的现有技术抗辩能否成立；赔偿及许可费数额。",
					responsibilities: "被申请人未经许可实施涉案专利，应当承担相应的民事责任；申请人同意以许可方式解决，并对此前实施行为的赔偿数额作出让步。",
					terms:            "一、申请人许可被申请人以普通许可方式实施涉案发明专利，许可期限至专利权期限届满时止，许可范围限于JG系列立式加工中心；二、被申请人支付许可使用费及此前实施行为的补偿金共计人民币60万元；三、双方另行签订专利实施许可合同并向国家知识产权局备案；四、申请人不再就本纠纷向人民法院起诉。",
					amountYuan:       600000,
					method:           "款项分两期支付：本协议生效之日起十日内支付人民币30万元，三十日内支付剩余人民币30万元；专利实施许可合同于本协议生效之日起十日内签订。",
					dueDays:          30}),
				sign(30, 10, "handwritten", allSigners...),
				closeCase(55, 15, "双方已签订专利实施许可合同并完成备案，被申请人已按期支付两期款项共计人民币60万元。调解结果已函告福州市中级人民法院，结案。"),
			},
		},
		{
			key: "fuqing-guangbing", org: "fuqing", filer: "clerk.fuqing", filed: 56, hour: 9,
			source: domain.SourceDirect, dispute: domain.DisputeTrademark, amountYuan: 20000,
			summary: "申请人系第19876543号“玉融”注册商标权利人，核定使用于第30类光饼、糕点等商品。被申请人在其经营的副食品店销售外包装印有“玉融光饼”字样的光饼，该产品并非申请人生产，包装与申请人产品高度近似。",
			claims:  "1. 停止销售侵权产品；2. 赔偿经济损失人民币2万元。",
			parties: []cases.PartyInput{
				company(applicant, "福清市玉融食品有限公司", creditCode("91350181MA31M2P7R"), "13959128864", "福清市融城镇清荣大道玉融工业园3号"),
				person(respondent, "何秀英", residentID("350181", "19780211", "042"), "13609519247", "福清市音西街道福清一中路段")},
			rights: []cases.RightInput{right(domain.RightTrademark, "19876543", "玉融（第30类）", "福清市玉融食品有限公司", "2017-06-14", "2027-06-13")},
			steps: []step{
				accept(1, 15, "被申请人到委员会当面表示同意调解。"),
				assign(2, 9, "mediator1"),
				declare(2, 10, "mediator1", ""),
				session(5, 11, "mediator1", sessionSpec{mode: inPerson, place: "福清市知识产权纠纷调解委员会调解室",
					attendees: "申请人销售经理陈志华；被申请人何秀英",
					minutes:   "被申请人承认所售光饼系从一家小作坊进货，不知道侵犯他人商标，已停止销售，剩余库存约40袋。申请人表示理解被申请人系小本经营，主要诉求是停止销售并提供进货来源。被申请人同意提供供货人信息。",
					next:      "当场拟定调解协议。"}),
				settle(5, 14, "mediator1", agreementSpec{
					facts:            "被申请人在其经营的副食品店销售非申请人生产的“玉融光饼”产品，剩余库存约40袋。",
					disputed:         "赔偿数额及侵权产品的处理。",
					responsibilities: "被申请人销售侵犯注册商标专用权的商品，应停止销售；鉴于其能提供供货来源线索且经营规模小，申请人同意减少赔偿。",
					terms:            "一、被申请人立即停止销售侵权产品，剩余库存当场交申请人封存销毁；二、被申请人向申请人提供侵权产品供货人的名称、地址及进货凭证；三、被申请人赔偿申请人人民币3000元；四、申请人放弃其他请求。",
					amountYuan:       3000,
					method:           "赔偿款于协议签订当日以现金方式支付，申请人出具收条。"}),
				sign(5, 15, "handwritten", allSigners...),
				closeCase(20, 10, "被申请人已当场支付赔偿款人民币3000元，侵权库存已销毁，供货人线索已由申请人转交福清市市场监督管理局查处。协议履行完毕，结案。"),
			},
		},

		// ── Closed after failure ────────────────────────────────────────
		{
			key: "gulou-parking-trade-secret", org: "gulou", filer: "clerk.gulou", filed: 62, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeTradeSecret, amountYuan: 800000,
			summary: "被申请人王志强原系申请人销售总监，与申请人签订有保密协议及竞业限制协议。其离职后入职被申请人福州云帆信息技术有限公司，申请人发现云帆公司随即与申请人的9家停车场客户签约，报价方案与申请人内部报价数据库高度一致。申请人认为二被申请人侵犯其商业秘密。",
			claims:  "1. 二被申请人停止使用申请人的客户名单及报价信息；2. 二被申请人连带赔偿经济损失人民币80万元。",
			parties: []cases.PartyInput{
				withAgent(company(applicant, "福州海峡数字科技有限公司", creditCode("91350102MA2YB8K5E"), "13860641275", "福州市鼓楼区铜盘路软件大道89号C区21号楼"),
					"郑晓东", "13705073318", "13501201110457729"),
				person(respondent, "王志强", residentID("350104", "19900722", "015"), "15280123469", "福州市仓山区上渡街道"),
				company(respondent, "福州云帆信息技术有限公司", creditCode("91350102MA33W2T6C"), "13950408852", "福州市鼓楼区五一北路171号新都会花园广场18层")},
			rights: []cases.RightInput{right(domain.RightTradeSecret, "", "智慧停车平台客户名单及报价数据库、计费模块源代码", "福州海峡数字科技有限公司", "", "")},
			steps: []step{
				accept(3, 15, "二被申请人均书面同意调解。"),
				assign(5, 10, "mediator1"),
				declare(5, 14, "mediator1", ""),
				session(10, 16, "mediator1", sessionSpec{mode: inPerson, place: "鼓楼区知识产权纠纷调解委员会第一调解室",
					attendees: "申请人委托代理人郑晓东律师、副总经理；被申请人王志强；被申请人福州云帆信息技术有限公司总经理",
					minutes:   "申请人出示了保密协议、客户名单数据库截图及云帆公司与客户签订的合同。被申请人王志强否认带走任何资料，称客户系其多年积累的个人关系；云帆公司称系客户主动联系。双方对商业秘密是否成立分歧明显。",
					next:      "请申请人补充证明客户名单秘密性及所采取保密措施的证据。", nextDays: 8}),
				session(18, 15, "mediator1", sessionSpec{mode: video, place: "腾讯会议视频调解（会议号 735 204 918）",
					attendees: "申请人委托代理人郑晓东律师；被申请人王志强；被申请人福州云帆信息技术有限公司总经理",
					minutes:   "申请人补充提交了数据库访问权限记录及王志强离职前批量导出数据的日志。被申请人仅愿意支付5万元补偿且不承认侵权；申请人坚持要求确认侵权并赔偿不低于50万元。双方差距过大，均表示不再接受调解方案。",
					next:      "双方明确表示不同意继续调解。"}),
				fail(25, 10, "mediator1", domain.RouteLitigation, "双方对商业秘密是否成立及赔偿数额分歧过大，经两次调解未能达成协议，被申请人明确表示不再接受调解。建议申请人通过诉讼途径解决。"),
				closeCase(40, 10, "申请人已向福州市中级人民法院提起侵害商业秘密纠纷诉讼，本委员会已出具调解终止通知书，结案。"),
			},
		},
		{
			key: "jinan-lotus-carving", org: "jinan", filer: "clerk.jinan", filed: 68, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeCopyright, amountYuan: 150000,
			summary: "申请人系寿山石雕作品《荷塘清趣》的著作权人，该作品已在福建省版权局登记。被申请人系寿山乡个体雕刻艺人，申请人发现其在网络直播间销售的多件寿山石雕，构图、荷叶造型及鹭鸶布局与涉案作品基本一致。",
			claims:  "1. 停止复制、销售侵权石雕作品；2. 赔偿经济损失人民币15万元；3. 在直播间公开致歉。",
			parties: []cases.PartyInput{tianhuang,
				person(respondent, "林永春", residentID("350111", "19720905", "057"), "13515011846", "福州市晋安区寿山乡九峰村")},
			rights: []cases.RightInput{right(domain.RightCopyright, "闽作登字-2022-F-00012345", "寿山石雕《荷塘清趣》", "福州田黄阁寿山石雕刻艺术有限公司", "2022-04-11", "")},
			steps: []step{
				accept(2, 15, "被申请人在寿山乡人民调解委员会协助联系后同意调解。"),
				assign(3, 10, "mediator2"),
				declare(3, 14, "mediator2", ""),
				session(8, 12, "mediator2", sessionSpec{mode: inPerson, place: "晋安区寿山乡人民调解委员会调解室（巡回调解）",
					attendees: "申请人法定代表人；被申请人林永春及其子林涛",
					minutes:   "被申请人认为荷塘、鹭鸶是寿山石雕的传统题材，其作品系自行创作，不构成侵权；申请人指出双方作品在鹭鸶姿态、荷叶翻卷方向等独创性表达上完全一致。调解员释明了思想与表达的区分。被申请人拒绝赔偿及致歉，仅同意不再雕刻同款作品。",
					next:      "申请人表示将考虑其他维权途径。"}),
				fail(14, 10, "mediator2", domain.RouteNone, "被申请人不承认侵权，拒绝赔偿及致歉，双方无法达成一致；申请人表示暂不采取诉讼等其他维权措施。"),
				closeCase(30, 11, "申请人书面表示接受被申请人不再雕刻同款作品的承诺，暂不采取诉讼等其他维权途径，结案。"),
			},
		},

		// ── Failed ──────────────────────────────────────────────────────
		{
			key: "gulou-xiangyun-online-shop", org: "gulou", filer: "liaison.gulou-court", filed: 40, hour: 14,
			source: domain.SourceCourtDelegated, dispute: domain.DisputeTrademark, amountYuan: 100000, ref: "（{year}）闽0102民诉前调1234号",
			summary: "申请人系第41234567号“香韵”注册商标权利人，核定使用于第30类茶叶商品。被申请人在某电商平台开设网店，销售标注“香韵茉莉花茶”的茶叶产品，累计销量逾3000件。申请人向福州市鼓楼区人民法院起诉，法院在立案前委派本委员会调解。",
			claims:  "1. 停止销售侵权产品并下架相关链接；2. 赔偿经济损失人民币10万元。",
			parties: []cases.PartyInput{xiangyun,
				company(respondent, "福州宏达电子商务有限公司", creditCode("91350102MA34D6F2M"), "18906017735", "福州市鼓楼区温泉街道东大路36号花开富贵大厦11层")},
			rights: []cases.RightInput{right(domain.RightTrademark, "41234567", "香韵（第30类）", "福州香韵茉莉花茶有限公司", "2020-04-21", "2030-04-20")},
			steps: []step{
				accept(2, 15, "经鼓楼区人民法院委派，被申请人书面同意接受调解。"),
				assign(3, 10, "mediator1"),
				declare(3, 15, "mediator1", ""),
				session(7, 15, "mediator1", sessionSpec{mode: video, place: "腾讯会议视频调解（会议号 419 286 357）",
					attendees: "申请人总经理；被申请人运营负责人",
					minutes:   "被申请人称其销售的茶叶系从茶农处采购，“香韵”仅为描述茶叶香气的用语，属于正当使用。申请人认为被申请人将“香韵”置于商品名称最前端并放大显示，属于商标性使用。被申请人已下架相关链接，但不同意赔偿。",
					next:      "调解员分别做双方工作，约定电话沟通赔偿方案。", nextDays: 5}),
				session(12, 16, "mediator1", sessionSpec{mode: phone, place: "电话调解",
					attendees: "申请人总经理；被申请人运营负责人",
					minutes:   "被申请人最高仅同意赔偿5000元，申请人最低要求6万元，双方差距较大，申请人表示希望通过诉讼确认侵权。",
					next:      "终止调解，退回人民法院。"}),
				fail(15, 10, "mediator1", domain.RouteLitigation, "双方就是否构成商标性使用及赔偿数额分歧较大，未能达成调解协议。本案系人民法院委派调解，建议依法转入诉讼程序。"),
			},
		},
		{
			key: "mawei-fishing-reel", org: "mawei", filer: "clerk.mawei", filed: 50, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputePatent, amountYuan: 200000,
			summary: "申请人系“一种防缠绕海钓渔轮”实用新型专利权人，国家知识产权局出具的专利权评价报告结论为全部权利要求具备新颖性和创造性。被申请人经营的渔具商行大量销售与专利技术方案相同的HX-6000型渔轮，并向马尾、连江等地渔民批发。",
			claims:  "1. 停止销售侵权渔轮；2. 赔偿经济损失人民币20万元。",
			parties: []cases.PartyInput{haiyu, func() cases.PartyInput {
				p := person(respondent, "杨建国（福清市海之星渔具商行）", residentID("350181", "19650312", "019"), "13705912684", "福清市龙田镇海滨路88号")
				p.CreditCode = creditCode("92350181MA2Y7U3X1")
				return p
			}()},
			rights: []cases.RightInput{right(domain.RightUtilityModel, patentNo("202122034567"), "一种防缠绕海钓渔轮", "福州海渔渔具有限公司", "2021-08-20", "2031-08-19")},
			steps: []step{
				accept(2, 14, "被申请人电话表示同意调解。"),
				assign(2, 16, "mediator1"),
				declare(3, 9, "mediator1", ""),
				session(6, 15, "mediator1", sessionSpec{mode: inPerson, place: "马尾区知识产权纠纷调解委员会调解室",
					attendees: "申请人法定代表人、技术员；被申请人杨建国",
					minutes:   "被申请人称其渔轮系从广东厂家进货，提供了部分进货单据，主张合法来源抗辩，同意停止销售，但不同意赔偿。申请人要求被申请人提供供货厂家的完整信息并赔偿。被申请人拒绝提供厂家信息。",
					next:      "申请人表示将请求行政机关处理。"}),
				fail(12, 10, "mediator1", domain.RouteAdministrative, "被申请人同意停止销售，但拒绝提供供货来源、拒绝赔偿，双方未能达成协议。建议申请人向福州市市场监督管理局（知识产权局）请求处理专利侵权纠纷（行政裁决）。"),
			},
		},
		{
			key: "changle-lace-pattern", org: "changle", filer: "clerk.changle", filed: 30, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeOwnership, amountYuan: 260000,
			summary: "申请人委托被申请人设计“海浪”系列蕾丝面料花型并支付了设计费，双方委托设计合同未明确约定著作权归属。被申请人随后将该花型以自己名义进行作品登记，并向其他面料厂商授权使用。申请人认为其应享有该花型的著作权或至少有权独占使用。",
			claims:  "1. 确认“海浪”系列花型著作权归申请人所有；2. 被申请人停止向第三方授权使用；3. 赔偿经济损失人民币26万元。",
			parties: []cases.PartyInput{jinlun,
				company(respondent, "福州市长乐区恒泰织造有限公司", creditCode("91350112MA32N5L7P"), "13860602418", "福州市长乐区松下镇首祉村工业区")},
			rights: []cases.RightInput{right(domain.RightCopyright, "闽作登字-2023-F-00034567", "蕾丝面料花型《海浪》系列", "福州市长乐区恒泰织造有限公司（登记）", "2023-05-26", "")},
			steps: []step{
				accept(3, 15, "被申请人书面同意调解。"),
				assign(4, 10, "mediator2"),
				declare(4, 11, "mediator2", ""),
				session(9, 15, "mediator2", sessionSpec{mode: inPerson, place: "长乐区知识产权纠纷调解委员会调解室",
					attendees: "申请人副总经理、设计部经理；被申请人法定代表人",
					minutes:   "被申请人认为委托合同未约定著作权归属，依照著作权法的规定著作权属于受托人，申请人仅可在约定使用范围内免费使用。申请人认为设计费已包含著作权转让对价。经查，双方委托设计合同第十二条约定“因本合同发生的争议提交福州仲裁委员会仲裁”，被申请人表示愿意依约通过仲裁解决。",
					next:      "调解员建议双方依合同约定申请仲裁。"}),
				fail(13, 10, "mediator2", domain.RouteArbitration, "双方对委托作品著作权归属各执己见，未能达成协议。双方合同约定有仲裁条款，建议依约向福州仲裁委员会申请仲裁。"),
			},
		},

		// ── Settled, agreement in effect ────────────────────────────────
		{
			key: "cangshan-tea-set-design", org: "cangshan", filer: "clerk.cangshan", filed: 28, hour: 10,
			source: domain.SourceExhibition, dispute: domain.DisputePatent, amountYuan: 180000, ref: "{expo518}年海交会知识产权投诉站第017号",
			summary: "申请人系“茶具（青花缠枝莲）”外观设计专利权人。申请人在5·18海交会期间发现被申请人展位展出、接受订货的一款青花茶具与涉案外观设计整体视觉效果无实质性差异，遂向展会知识产权投诉站投诉，被申请人当场撤下展品。展会后双方自行协商赔偿未果，申请人申请调解。",
			claims:  "1. 停止制造、销售、许诺销售侵权茶具；2. 赔偿经济损失人民币18万元。",
			parties: []cases.PartyInput{
				company(applicant, "福州闽瓷陶瓷工艺品有限公司", creditCode("91350121MA2Y8E6L3"), "13599078213", "福州市闽侯县荆溪镇关西工业区6号"),
				company(respondent, "福州瓷韵贸易有限公司", creditCode("91350104MA33R7B4K"), "18060753319", "福州市仓山区建新镇金工路15号")},
			rights: []cases.RightInput{right(domain.RightDesign, patentNo("202230345678"), "茶具（青花缠枝莲）", "福州闽瓷陶瓷工艺品有限公司", "2022-05-10", "2037-05-09")},
			steps: []step{
				accept(1, 15, "被申请人书面同意调解。"),
				assign(2, 10, "mediator1"),
				declare(2, 14, "mediator1", ""),
				session(5, 16, "mediator1", sessionSpec{mode: inPerson, place: "仓山区知识产权纠纷调解委员会调解室",
					attendees: "申请人总经理；被申请人法定代表人及销售主管",
					minutes:   "被申请人承认展出的茶具系向一家瓷厂定制，订货300套，已售出约120套。被申请人同意停止销售并提供厂家信息，但认为18万元赔偿过高。经调解员释法说理，被申请人同意赔偿4万元，申请人表示可以接受。",
					next:      "调解员起草调解协议，约定签署时间。"}),
				settle(8, 10, "mediator1", agreementSpec{
					facts:            "被申请人在海交会上展出并接受订货的青花茶具与申请人涉案外观设计专利整体视觉效果无实质性差异，此前已销售约120套，库存约180套。",
					disputed:         "赔偿数额及库存侵权产品的处理。",
					responsibilities: "被申请人许诺销售、销售侵权产品，应承担停止侵害、赔偿损失的责任。",
					terms:            "一、被申请人立即停止许诺销售、销售涉案茶具，库存约180套于本协议生效之日起十日内在申请人见证下销毁；二、被申请人向申请人书面提供涉案茶具生产厂家的名称及联系方式；三、被申请人赔偿申请人经济损失人民币4万元；四、被申请人今后不在任何展会上展出侵犯申请人外观设计专利权的产品。",
					amountYuan:       40000,
					method:           "赔偿款于本协议生效之日起三十日内分两次支付，每次人民币2万元，汇入申请人对公账户。",
					dueDays:          30}),
				sign(8, 11, "handwritten", allSigners...),
			},
		},
		{
			key: "gulou-rongcheng-packaging", org: "gulou", filer: "sme2", filed: 22, hour: 9,
			source: domain.SourceDirect, dispute: domain.DisputeTrademark, amountYuan: 30000,
			summary: "申请人系第23456781号“榕城茉香”注册商标权利人，核定使用于第30类茶叶商品。被申请人在台江区茶叶市场经营的茶叶商行销售的茉莉花茶，外包装使用“榕城茉香”字样及与申请人产品近似的白底绿色茉莉花图案。",
			claims:  "1. 停止销售侵权产品，销毁侵权包装；2. 赔偿经济损失人民币3万元。",
			parties: []cases.PartyInput{rongcheng, func() cases.PartyInput {
				p := person(respondent, "陈德福（福州市台江区德福茶叶商行）", residentID("350103", "19690517", "013"), "13559183027", "福州市台江区五一中路茶叶市场B区21号")
				p.CreditCode = creditCode("92350103MA2Y3N8U5")
				return p
			}()},
			rights: []cases.RightInput{right(domain.RightTrademark, "23456781", "榕城茉香（第30类）", "福州榕城茶业有限公司", "2018-11-28", "2028-11-27")},
			steps: []step{
				accept(2, 15, "被申请人到委员会表示同意调解。"),
				assign(3, 9, "mediator2"),
				declare(3, 10, "mediator2", ""),
				session(6, 11, "mediator2", sessionSpec{mode: inPerson, place: "鼓楼区知识产权纠纷调解委员会第二调解室",
					attendees: "申请人市场部经理黄美玲；被申请人陈德福",
					minutes:   "被申请人承认包装系向印刷厂订制，共印制2000个，已使用约800个。被申请人表示愿意停止使用、销毁剩余包装并赔礼道歉，请求降低赔偿数额。申请人同意在被申请人当场签署协议并按期付款的前提下接受1.2万元赔偿。",
					next:      "当场制作调解协议书。"}),
				settle(6, 14, "mediator2", agreementSpec{
					facts:            "被申请人销售的茉莉花茶使用印有“榕城茉香”字样及近似茉莉花图案的包装，共印制包装2000个，已使用约800个。",
					disputed:         "被申请人的行为是否侵犯申请人注册商标专用权及赔偿数额。",
					responsibilities: "被申请人在同类商品上使用与申请人注册商标相同的标识，应承担停止侵害、赔偿损失的责任。",
					terms:            "一、被申请人立即停止使用“榕城茉香”标识及近似包装，剩余包装约1200个于本协议生效之日起五日内交申请人销毁；二、被申请人赔偿申请人人民币1.2万元；三、被申请人保证今后不再侵犯申请人注册商标专用权，如再次侵权，自愿支付违约金人民币5万元。",
					amountYuan:       12000,
					method:           "赔偿款分三期支付：本协议生效之日起十日内支付4000元，此后每满三十日支付4000元，汇入申请人对公账户。",
					dueDays:          70}),
				sign(6, 15, "handwritten", allSigners...),
			},
		},
		{
			key: "mawei-beidou-firmware", org: "mawei", filer: "liaison.mawei-court", filed: 18, hour: 10,
			source: domain.SourceCourtEntrusted, procedure: domain.ProcedureOrdinary, dispute: domain.DisputeCopyright, amountYuan: 450000, ref: "（{year}）闽0105民初2345号",
			summary: "申请人系“渔船北斗定位监控终端嵌入式软件V2.1”著作权人。被申请人生产的渔船监控终端所载固件与申请人软件存在大量相同代码及相同的版权信息字符串。申请人已向福州市马尾区人民法院起诉，法院立案后经双方同意委托本委员会调解。",
			claims:  "1. 停止复制、销售侵权软件及搭载该软件的终端；2. 赔偿经济损失人民币45万元。",
			parties: []cases.PartyInput{
				withAgent(company(applicant, "福州海峡物联科技有限公司", creditCode("91350105MA33K7U2N"), "13809506271", "福州市马尾区江滨东大道68号中国（福州）物联网产业孵化中心"),
					"刘振宇", "13600859931", "13501201310238846"),
				company(respondent, "福州智渔科技有限公司", creditCode("91350105MA32H6Y9T"), "15159614408", "福州市马尾区儒江西路60号")},
			rights: []cases.RightInput{right(domain.RightSoftwareCopyr, "2022SR0987654", "渔船北斗定位监控终端嵌入式软件V2.1", "福州海峡物联科技有限公司", "2022-06-30", "")},
			steps: []step{
				accept(1, 15, "经马尾区人民法院委托，双方当事人均同意调解。"),
				assign(1, 16, "mediator1"),
				declare(2, 9, "mediator1", ""),
				session(4, 16, "mediator1", sessionSpec{mode: video, place: "“榕知调”线上视频调解室",
					attendees: "申请人委托代理人刘振宇律师；被申请人总经理、研发总监",
					minutes:   "被申请人承认其研发人员曾参考申请人的早期演示代码，但称不清楚代码的授权范围。申请人指出涉案软件从未开源。双方同意委托第三方鉴定机构进行固件代码比对。",
					next:      "第三方比对结果出具后现场调解。", nextDays: 4}),
				session(8, 15, "mediator1", sessionSpec{mode: inPerson, place: "马尾区知识产权纠纷调解委员会调解室",
					attendees: "申请人委托代理人刘振宇律师、技术总监；被申请人总经理、研发总监",
					minutes:   "第三方比对报告显示被申请人固件与申请人软件相同代码占比约62%。被申请人同意重写相关模块并赔偿；双方就赔偿数额达成一致意见。",
					next:      "起草调解协议；申请人收款后向人民法院申请撤诉。"}),
				settle(10, 10, "mediator1", agreementSpec{
					facts:            "被申请人生产的渔船监控终端所载固件与申请人“渔船北斗定位监控终端嵌入式软件V2.1”相同代码占比约62%，已销售终端约1500台。",
					disputed:         "被申请人是否侵犯申请人计算机软件著作权及赔偿数额。",
					responsibilities: "被申请人未经许可复制申请人软件代码用于其产品，应承担停止侵害、赔偿损失的责任。",
					terms:            "一、被申请人自本协议生效之日起停止销售搭载涉案固件的终端，并于六十日内完成固件重写，重写后的固件经第三方比对不含申请人软件代码；二、被申请人赔偿申请人经济损失及合理开支共计人民币20万元；三、申请人在收到全部赔偿款后向马尾区人民法院申请撤诉。",
					method:           "赔偿款于本协议生效之日起二十日内一次性支付至申请人对公账户。",
					dueDays:          20}),
				sign(11, 10, "handwritten", allSigners...),
			},
		},

		// ── Settled, awaiting signatures ────────────────────────────────
		{
			key: "gulou-fangxiang-illustrations", org: "gulou", filer: "clerk.gulou", filed: 20, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeCopyright, amountYuan: 60000,
			summary: "申请人系《三坊七巷·坊巷印象》系列插画（共12幅）的著作权人。被申请人未经许可，将其中6幅插画印制在帆布袋、明信片、冰箱贴等旅游文创商品上，在南后街门店及网店销售。",
			claims:  "1. 停止生产、销售侵权商品；2. 赔偿经济损失人民币6万元。",
			parties: []cases.PartyInput{
				company(applicant, "福州三坊七巷文创有限公司", creditCode("91350102MA2XU6T9B"), "13788901542", "福州市鼓楼区南后街衣锦坊6号"),
				company(respondent, "福州闽都印象文化传播有限公司", creditCode("91350102MA31P4R8E"), "15806028734", "福州市鼓楼区杨桥东路12号")},
			rights: []cases.RightInput{right(domain.RightCopyright, "闽作登字-2021-F-00045678", "《三坊七巷·坊巷印象》系列插画", "福州三坊七巷文创有限公司", "2021-09-03", "")},
			steps: []step{
				accept(2, 15, "被申请人电话表示同意调解。"),
				assign(3, 10, "mediator1"),
				declare(3, 11, "mediator1", ""),
				session(8, 15, "mediator1", sessionSpec{mode: video, place: "腾讯会议视频调解（会议号 508 633 172）",
					attendees: "申请人法定代表人；被申请人总经理",
					minutes:   "被申请人称插画系从网络图库下载，误以为可以免费商用。申请人出示了作品登记证书及创作底稿。被申请人同意下架商品，希望以购买授权的方式继续使用部分插画。",
					next:      "双方协商授权使用方案及赔偿数额。", nextDays: 6}),
				session(14, 15, "mediator1", sessionSpec{mode: inPerson, place: "鼓楼区知识产权纠纷调解委员会第一调解室",
					attendees: "申请人法定代表人；被申请人总经理",
					minutes:   "双方就以往侵权赔偿及今后授权使用达成一致：被申请人赔偿2万元，并以每年1.5万元取得其中4幅插画在旅游纪念品上的非独占使用许可。",
					next:      "起草调解协议，双方签署后加盖委员会印章。"}),
				settle(16, 10, "mediator1", agreementSpec{
					facts:            "被申请人未经许可将申请人《三坊七巷·坊巷印象》系列插画中的6幅印制在帆布袋、明信片、冰箱贴等商品上销售。",
					disputed:         "赔偿数额及今后的授权使用条件。",
					responsibilities: "被申请人未经许可复制、发行申请人作品，应承担停止侵害、赔偿损失的责任。",
					terms:            "一、被申请人立即下架含有涉案6幅插画的商品；二、被申请人赔偿申请人经济损失人民币2万元；三、申请人许可被申请人在旅游纪念品上非独占使用其中4幅插画，许可期限一年，许可费人民币1.5万元，双方另行签订许可合同；四、被申请人在使用时以显著方式为申请人署名。",
					method:           "赔偿款及许可费于本协议生效之日起十五日内一次性支付至申请人对公账户。",
					dueDays:          15}),
				sign(16, 11, "handwritten", "p0", "mediator1"),
			},
		},
		{
			key: "jinan-beifeng-tea", org: "jinan", filer: "assistance.fz", filed: 15, hour: 10,
			source: domain.SourceAssistance, dispute: domain.DisputeTrademark, amountYuan: 80000, ref: "榕知援转〔{year}〕031号",
			summary: "申请人系第46789012号“北峰高山”注册商标权利人，核定使用于第30类茶叶商品。被申请人在其线下门店及直播间销售的绿茶产品上使用“北峰高山云雾”字样。申请人向福州市知识产权维权援助中心申请维权援助，援助中心将纠纷转交本委员会调解。",
			claims:  "1. 停止使用“北峰高山”字样；2. 赔偿经济损失人民币8万元。",
			parties: []cases.PartyInput{
				company(applicant, "福州市晋安区北峰茶叶专业合作社", creditCode("93350111MA2Y5C7K3"), "13950256917", "福州市晋安区日溪乡日溪村"),
				company(respondent, "福州茗都茶业有限公司", creditCode("91350111MA34E8H2D"), "18965788023", "福州市晋安区福马路568号")},
			rights: []cases.RightInput{right(domain.RightTrademark, "46789012", "北峰高山（第30类）", "福州市晋安区北峰茶叶专业合作社", "2021-01-14", "2031-01-13")},
			steps: []step{
				accept(2, 15, "被申请人书面同意调解。"),
				assign(3, 10, "mediator1"),
				declare(3, 11, "mediator1", ""),
				session(7, 15, "mediator1", sessionSpec{mode: inPerson, place: "晋安区知识产权纠纷调解委员会调解室",
					attendees: "申请人理事长；被申请人总经理；福州市知识产权维权援助中心工作人员（列席）",
					minutes:   "被申请人称“北峰”系地名，其使用属于对产地的描述。调解员指出被申请人茶叶产地并非北峰片区，且“北峰高山”整体作为商品名称使用，易导致混淆。被申请人同意更改商品名称，并愿意给予一定补偿。",
					next:      "调解员根据双方意见起草调解协议。"}),
				settle(13, 10, "mediator1", agreementSpec{
					facts:            "被申请人在其线下门店及直播间销售的绿茶产品上使用“北峰高山云雾”字样，所售茶叶产地并非北峰片区。",
					disputed:         "被申请人的使用是否属于对产地的正当描述及赔偿数额。",
					responsibilities: "被申请人将与申请人注册商标相同的文字作为商品名称使用，易导致混淆，应停止使用并赔偿损失。",
					terms:            "一、被申请人于本协议生效之日起十日内停止在商品、包装及直播宣传中使用“北峰高山”字样；二、被申请人赔偿申请人经济损失人民币2.5万元；三、申请人放弃其他请求。",
					method:           "赔偿款于本协议生效之日起二十日内一次性支付至申请人账户。",
					dueDays:          20}),
			},
		},

		// ── Mediating ───────────────────────────────────────────────────
		{
			key: "gulou-erp-cracked-installs", org: "gulou", filer: "sme1", filed: 12, hour: 9,
			source: domain.SourceDirect, dispute: domain.DisputeCopyright, amountYuan: 360000,
			summary: "申请人发现被申请人在为客户提供IT外包服务过程中，为福州地区12家客户安装了未经授权的“闽光ERP进销存管理系统V3.0”破解版本，并收取安装维护费用。",
			claims:  "1. 停止复制、安装破解软件，协助客户卸载或购买正版；2. 赔偿经济损失人民币36万元。",
			parties: []cases.PartyInput{minguang,
				company(respondent, "福州天码网络科技有限公司", creditCode("91350102MA33C5N1W"), "13905021876", "福州市鼓楼区华林路201号")},
			rights: []cases.RightInput{right(domain.RightSoftwareCopyr, "2021SR0123456", "闽光ERP进销存管理系统V3.0", "福州闽光软件科技有限公司", "2021-03-15", "")},
			steps: []step{
				accept(2, 15, "被申请人书面同意调解。"),
				assign(3, 10, "mediator1"),
				declare(3, 14, "mediator1", ""),
				session(8, 15, "mediator1", sessionSpec{mode: inPerson, place: "鼓楼区知识产权纠纷调解委员会第一调解室",
					attendees: "申请人委托代理人陈立峰律师、技术总监林晓峰；被申请人总经理",
					minutes:   "被申请人承认为部分客户安装了来源不明的软件版本，但称不清楚系破解版。申请人出示了软件加密锁被破解的技术分析报告及客户现场取证材料。被申请人同意协助客户购买正版，申请人表示愿意给予正版化客户优惠价格。",
					next:      "被申请人核实涉及的客户清单；下次调解协商赔偿数额。", nextDays: 7}),
			},
		},
		{
			key: "gulou-buyun-shoes", org: "gulou", filer: "clerk.gulou", filed: 10, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeTrademark, amountYuan: 150000,
			summary: "申请人系第28765432号“步云”注册商标权利人，核定使用于第25类鞋类商品。申请人在福州多家鞋店发现标有“步云”商标的运动鞋，经查系被申请人生产并批发供货。",
			claims:  "1. 停止生产、销售侵权鞋类商品；2. 赔偿经济损失人民币15万元。",
			parties: []cases.PartyInput{buyun,
				withAgent(company(respondent, "晋江市恒步鞋业有限公司", demoCreditCode, "13859501736", "福建省晋江市陈埭镇鞋都路166号"),
					"许志明", "13906059127", "13505201410672258")},
			rights: []cases.RightInput{right(domain.RightTrademark, "28765432", "步云（第25类）", "福州步云鞋业有限公司", "2018-03-07", "2028-03-06")},
			steps: []step{
				accept(2, 15, "被申请人委托代理人来函表示同意调解。"),
				assign(3, 10, "mediator2"),
				declare(3, 11, "mediator2", ""),
				session(6, 16, "mediator2", sessionSpec{mode: phone, place: "电话调解",
					attendees: "申请人法定代表人；被申请人委托代理人许志明律师",
					minutes:   "调解员与被申请人委托代理人电话沟通。被申请人承认向福州鞋店供应过印有“步云”字样的运动鞋，称系客户定制要求，愿意停止生产，但要求申请人撤回对其下游鞋店的投诉。调解员告知被申请人其存在侵权行政处罚记录，提示其重复侵权的法律后果。",
					next:      "约定面对面调解，被申请人提交生产及销售数量记录。", nextDays: 5}),
			},
		},
		{
			key: "gulou-product-photos", org: "gulou", filer: "sme2", filed: 9, hour: 10,
			source: domain.SourceAssociation, dispute: domain.DisputeCopyright, amountYuan: 40000, ref: "榕茶协维〔{year}〕12号",
			summary: "申请人为宣传其茉莉花茶产品委托摄影师拍摄了系列产品照片，并依约取得著作权。被申请人在其网店商品详情页中使用了其中15张照片销售其他品牌茶叶。福州市茶业协会接到申请人投诉后转交本委员会调解。",
			claims:  "1. 删除侵权照片；2. 赔偿经济损失人民币4万元。",
			parties: []cases.PartyInput{rongcheng,
				company(respondent, "福州闽茶汇电子商务有限公司", creditCode("91350102MA34H9K3R"), "18705910462", "福州市鼓楼区福飞路128号")},
			rights: []cases.RightInput{right(domain.RightCopyright, "闽作登字-2024-G-00008765", "“榕城茉香”茉莉花茶产品系列摄影作品", "福州榕城茶业有限公司", "2024-03-18", "")},
			steps: []step{
				accept(1, 15, "被申请人客服负责人电话同意调解。"),
				assign(2, 10, "mediator1", "mediator2"),
				declare(2, 14, "mediator1", ""),
				declare(2, 15, "mediator2", ""),
				object(4, 10, 1, "mediator2", "被申请人提出：调解员刘芳曾在申请人举办的茶文化推广活动中担任主持人，与申请人存在业务往来，可能影响公正调解，申请其回避。"),
			},
		},
		{
			key: "cangshan-jasmine-scenting", org: "cangshan", filer: "clerk.cangshan", filed: 26, hour: 10,
			source: domain.SourceExhibition, dispute: domain.DisputePatent, amountYuan: 500000, ref: "{expo618}年6·18知识产权投诉第009号",
			summary: "申请人系“一种茉莉花茶连续窨制装置及窨制方法”发明专利权人。在6·18项目成果交易会上，被申请人展出并推介的“智能连续窨花机”采用了与涉案专利相同的窨制工艺和装置结构。申请人向展会知识产权投诉站投诉后，双方同意由本委员会调解。",
			claims:  "1. 停止制造、许诺销售、销售侵权窨花机；2. 赔偿经济损失人民币50万元。",
			parties: []cases.PartyInput{xiangyun,
				company(respondent, "福州茗韵茶叶机械有限公司", creditCode("91350104MA32K8W5F"), "13696839214", "福州市仓山区盖山镇齐安路756号")},
			rights: []cases.RightInput{right(domain.RightInvention, patentNo("202011087654"), "一种茉莉花茶连续窨制装置及窨制方法", "福州香韵茉莉花茶有限公司", "2020-09-23", "2040-09-22")},
			steps: []step{
				accept(3, 15, "被申请人书面同意调解。"),
				assign(4, 10, "mediator1"),
				declare(4, 14, "mediator1", ""),
				object(6, 10, 0, "mediator1", "申请人提出：调解员徐强与被申请人法定代表人系大学同学且长期保持联系，申请其回避。"),
				decide(7, 10, true, "经核实，调解员徐强与被申请人法定代表人系同学关系且近期有往来，为保证调解公正，决定其回避，改派调解员孙丽。", "mediator2"),
				declare(7, 15, "mediator2", ""),
				session(12, 15, "mediator2", sessionSpec{mode: inPerson, place: "仓山区知识产权纠纷调解委员会调解室",
					attendees: "申请人总经理、技术顾问；被申请人法定代表人、总工程师",
					minutes:   "申请人演示了专利窨制工艺流程；被申请人承认其设备采用多层连续窨制结构，但主张其温湿度控制方式与专利不同。双方同意委托技术鉴定机构进行技术比对。",
					next:      "技术比对意见出具后继续调解。", nextDays: 9}),
				extend(19, 10, 30, "涉案窨花机技术比对需委托专业机构出具意见，经双方当事人同意，延长调解期限三十日。"),
				session(21, 15, "mediator2", sessionSpec{mode: video, place: "“榕知调”线上视频调解室",
					attendees: "申请人总经理；被申请人法定代表人",
					minutes:   "技术比对初步意见认为被申请人设备落入涉案专利权利要求1、2的保护范围。被申请人表示愿意停止销售现有型号并协商专利许可，双方就许可费计算方式交换了意见。",
					next:      "双方在下次调解前提交许可费方案。", nextDays: 7}),
			},
		},
		{
			key: "city-fishball-packaging", org: "city", filer: "clerk.city", filed: 14, hour: 10,
			source: domain.SourceOfficeReferred, dispute: domain.DisputeUnfairCompetition, amountYuan: 200000, ref: "榕市监知转〔{year}〕18号",
			summary: "申请人生产的“老榕树”牌福州鱼丸在本地具有较高知名度，其红白相间的包装装潢已使用多年。被申请人生产的鱼丸使用了与申请人高度近似的包装装潢，并在包装显著位置标注“老榕味”字样。福州市市场监督管理局在处理投诉过程中，经双方同意将纠纷转交本委员会调解。",
			claims:  "1. 停止使用近似包装装潢及“老榕味”字样；2. 赔偿经济损失人民币20万元。",
			parties: []cases.PartyInput{
				company(applicant, "福州老榕树食品有限公司", creditCode("91350100MA2XW3J6H"), "13805007419", "福州市晋安区鼓山镇福兴投资区福兴大道36号"),
				company(respondent, "福州榕味坊食品有限公司", creditCode("91350111MA33T2Q8N"), "15960123857", "福州市晋安区新店镇秀峰路211号")},
			rights: []cases.RightInput{right(domain.RightTrademark, "39876521", "老榕树（第29类）", "福州老榕树食品有限公司", "2019-12-21", "2029-12-20")},
			steps: []step{
				accept(2, 15, "双方当事人均书面同意调解。"),
				assign(3, 10, "mediator1"),
				recuse(3, 15, "mediator1", "本人配偶在被申请人处担任财务人员，与本案存在利害关系，申请回避，退出本案调解。"),
				assign(4, 9, "mediator2"),
				declare(4, 10, "mediator2", ""),
				session(9, 15, "mediator2", sessionSpec{mode: inPerson, place: "福州市知识产权纠纷调解委员会调解室",
					attendees: "申请人副总经理、法务；被申请人法定代表人",
					minutes:   "申请人出示了包装装潢的使用证据、销售数据及获奖证明。被申请人同意更换包装，但要求给予三个月的过渡期以消化库存包装；申请人同意设置过渡期，但要求缩短为一个月。",
					next:      "被申请人提交新包装设计稿供申请人确认。", nextDays: 7}),
			},
		},
		{
			key: "fuqing-gift-box-design", org: "fuqing", filer: "clerk.fuqing", filed: 6, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputePatent, amountYuan: 120000,
			summary: "申请人系“食品包装盒（光饼礼盒）”外观设计专利权人。被申请人生产并向福清本地糕饼店销售的光饼礼盒与涉案外观设计在整体形状、开窗位置和图案布局上基本相同。",
			claims:  "1. 停止制造、销售侵权包装盒；2. 赔偿经济损失人民币12万元。",
			parties: []cases.PartyInput{
				company(applicant, "福清市鑫源塑料制品有限公司", creditCode("91350181MA33F6D2L"), "13859122648", "福清市宏路街道融侨经济技术开发区"),
				company(respondent, "福清市利达塑胶制品有限公司", creditCode("91350181MA31K9C5Q"), "13799170825", "福清市阳下街道洪宽工业村")},
			rights: []cases.RightInput{right(domain.RightDesign, patentNo("202330567890"), "食品包装盒（光饼礼盒）", "福清市鑫源塑料制品有限公司", "2023-07-12", "2038-07-11")},
			steps: []step{
				accept(2, 15, "被申请人书面同意调解。"),
				assign(3, 10, "mediator1"),
				declare(4, 9, "mediator1", ""),
			},
		},
		{
			key: "mawei-lure-design", org: "mawei", filer: "clerk.mawei", filed: 4, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputePatent, amountYuan: 50000,
			summary: "申请人系“仿生路亚饵（沙丁鱼）”外观设计专利权人。被申请人在马尾区琅岐镇经营的渔具店及其短视频账号中销售的仿生路亚饵与涉案外观设计几乎相同，售价不足申请人产品的三分之一。",
			claims:  "1. 停止销售侵权路亚饵；2. 赔偿经济损失人民币5万元。",
			parties: []cases.PartyInput{haiyu,
				person(respondent, "吴振鹏", residentID("350105", "19930818", "035"), "18259017346", "福州市马尾区琅岐镇海屿村")},
			rights: []cases.RightInput{right(domain.RightDesign, patentNo("202430123987"), "仿生路亚饵（沙丁鱼）", "福州海渔渔具有限公司", "2024-03-15", "2039-03-14")},
			steps: []step{
				accept(1, 15, "被申请人电话表示同意调解。"),
				assign(2, 10, "mediator2"),
			},
		},
		{
			key: "minhou-brake-disc-royalties", org: "minhou", filer: "clerk.minhou", filed: 16, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeLicensing, amountYuan: 380000,
			summary: "申请人系“一种汽车制动盘散热结构”发明专利权人，与被申请人签订了专利实施独占许可合同，约定被申请人按产品销售额的3%支付许可使用费。申请人认为被申请人少报销售额，近两年少付许可使用费约38万元；被申请人则主张部分产品未使用涉案专利。",
			claims:  "1. 被申请人补付许可使用费人民币38万元；2. 被申请人提供许可期间完整销售台账供审计。",
			parties: []cases.PartyInput{
				person(applicant, "黄振宇", residentID("350121", "19750108", "039"), "13906012743", "福州市闽侯县上街镇大学城学府南路"),
				company(respondent, "福州青口汽车零部件有限公司", creditCode("91350121MA34J5T8U"), "13600857214", "福州市闽侯县青口镇青口投资区东南大道12号")},
			rights: []cases.RightInput{right(domain.RightInvention, patentNo("201811456789"), "一种汽车制动盘散热结构", "黄振宇", "2018-05-09", "2038-05-08")},
			steps: []step{
				accept(3, 15, "被申请人书面同意调解。"),
				assign(4, 10, "mediator1"),
				declare(4, 11, "mediator1", ""),
				session(10, 15, "mediator1", sessionSpec{mode: inPerson, place: "闽侯县知识产权纠纷调解委员会调解室（甘蔗街道）",
					attendees: "申请人黄振宇；被申请人财务总监、技术部经理",
					minutes:   "被申请人提交了两年的销售台账，主张其中XP系列制动盘采用的是另一种散热结构，不应计入许可费基数。申请人不认可。双方同意共同委托会计师事务所对台账进行专项审计，并由技术专家对XP系列产品进行技术比对。",
					next:      "双方协商确定审计机构。", nextDays: 3}),
				session(13, 16, "mediator1", sessionSpec{mode: phone, place: "电话调解",
					attendees: "申请人黄振宇；被申请人财务总监",
					minutes:   "调解员与双方电话确认审计机构及费用分担方式：由双方共同选定福州一家会计师事务所，审计费用各半承担。",
					next:      "审计报告出具后组织第三次调解。"}),
			},
		},

		// ── Accepted ────────────────────────────────────────────────────
		{
			key: "gulou-canteen-software-ownership", org: "gulou", filer: "clerk.gulou", filed: 4, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeOwnership,
			summary: "申请人委托被申请人（自由职业开发者）开发“智慧食堂管理平台”并支付了全部开发费用。被申请人交付后，以个人名义办理了该软件的著作权登记，并要求申请人另行支付授权费。双方就软件著作权归属发生争议。",
			claims:  "1. 确认“星云智联智慧食堂管理平台V1.0”著作权归申请人所有；2. 被申请人配合办理著作权登记变更手续。",
			parties: []cases.PartyInput{xingyun,
				person(respondent, "刘明辉", residentID("350105", "19920403", "051"), "15980612853", "福州市马尾区马尾镇君竹路")},
			rights: []cases.RightInput{right(domain.RightSoftwareCopyr, "2024SR0234567", "星云智联智慧食堂管理平台V1.0", "刘明辉（登记）", "2024-07-02", "")},
			steps: []step{
				accept(2, 15, "被申请人电话同意调解。"),
			},
		},
		{
			key: "jinan-tianhuang-trade-name", org: "jinan", filer: "clerk.jinan", filed: 5, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeUnfairCompetition, amountYuan: 50000,
			summary: "被申请人在晋安区寿山石交易市场经营的店铺招牌及商品标签上使用“田黄阁精品石雕”字样，销售树脂仿制的寿山石雕工艺品，申请人认为其行为构成擅自使用他人有一定影响的企业字号及商标侵权。",
			claims:  "1. 停止使用“田黄阁”字样，更换店铺招牌；2. 赔偿经济损失人民币5万元。",
			parties: []cases.PartyInput{tianhuang,
				person(respondent, "郑宝珠", residentID("350111", "19810929", "068"), "13655012847", "福州市晋安区岳峰镇寿山石交易市场二期15号")},
			rights: []cases.RightInput{right(domain.RightTrademark, "31245678", "田黄阁（第20类）", "福州田黄阁寿山石雕刻艺术有限公司", "2018-09-14", "2028-09-13")},
			steps: []step{
				accept(3, 14, "被申请人到委员会表示同意调解。"),
			},
		},
		{
			key: "changle-minjin-tags", org: "changle", filer: "clerk.changle", filed: 3, hour: 10,
			source: domain.SourceCourtDelegated, dispute: domain.DisputeTrademark, amountYuan: 100000, ref: "（{year}）闽0112民诉前调456号",
			summary: "申请人系第50123456号“闽锦”注册商标权利人，核定使用于第24类纺织面料。被申请人在其销售的经编面料吊牌上使用“闽锦面料”字样。申请人向福州市长乐区人民法院起诉，法院在立案前委派本委员会调解。",
			claims:  "1. 停止使用“闽锦”字样；2. 赔偿经济损失人民币10万元。",
			parties: []cases.PartyInput{jinlun,
				company(respondent, "福州市长乐区织锦纺织品贸易有限公司", creditCode("91350112MA34A7M3K"), "13509318826", "福州市长乐区吴航街道郑和中路")},
			rights: []cases.RightInput{right(domain.RightTrademark, "50123456", "闽锦（第24类）", "福州长乐锦纶纺织有限公司", "2022-02-07", "2032-02-06")},
			steps: []step{
				accept(2, 15, "经长乐区人民法院委派，被申请人书面同意调解。"),
			},
		},

		// ── Submitted ───────────────────────────────────────────────────
		{
			key: "gulou-wms-exhibition", org: "gulou", filer: "sme1", filed: 2, hour: 10,
			source: domain.SourceExhibition, dispute: domain.DisputeCopyright, amountYuan: 200000, ref: "{expo618}年6·18知识产权投诉第023号",
			summary: "申请人在6·18项目成果交易会上发现被申请人展示的“鹏程云仓”仓储管理系统，其操作界面、业务流程及部分报表格式与申请人“闽光智慧仓储WMS系统V2.0”高度相似。申请人当场向展会知识产权投诉站投诉，会后双方协商未果，申请人申请调解。",
			claims:  "1. 停止复制、发行涉案软件；2. 赔偿经济损失人民币20万元。",
			parties: []cases.PartyInput{minguang,
				company(respondent, "福州鹏程软件有限公司", creditCode("91350102MA32W8E4A"), "13950318264", "福州市鼓楼区软件大道89号福州软件园F区6号楼")},
			rights: []cases.RightInput{right(domain.RightSoftwareCopyr, "2023SR0456789", "闽光智慧仓储WMS系统V2.0", "福州闽光软件科技有限公司", "2023-02-20", "")},
		},
		{
			key: "gulou-yantai-hill-photos", org: "gulou", filer: "liaison.gulou-court", filed: 1, hour: 15,
			source: domain.SourceCourtDelegated, dispute: domain.DisputeCopyright, amountYuan: 30000, ref: "（{year}）闽0102民诉前调2345号",
			summary: "申请人系《福州烟台山夜景》《闽江两岸》等8幅摄影作品的作者。被申请人在其门店菜单、灯箱广告及公众号推文中使用了上述作品，未署名也未支付报酬。申请人向福州市鼓楼区人民法院起诉，法院在立案前委派本委员会调解。",
			claims:  "1. 停止使用涉案摄影作品；2. 赔偿经济损失人民币3万元。",
			parties: []cases.PartyInput{
				person(applicant, "张海燕", residentID("350102", "19880625", "026"), "13763829015", "福州市鼓楼区温泉街道"),
				company(respondent, "福州闽江宴餐饮管理有限公司", creditCode("91350102MA31G5H7X"), "18605912237", "福州市鼓楼区江滨西大道100号")},
			rights: []cases.RightInput{right(domain.RightCopyright, "闽作登字-2023-G-00023456", "《福州烟台山夜景》等摄影作品", "张海燕", "2023-08-09", "")},
		},
		{
			key: "fuqing-haizhiyun-seafood", org: "fuqing", filer: "clerk.fuqing", filed: 2, hour: 11,
			source: domain.SourceDirect, dispute: domain.DisputeTrademark, amountYuan: 30000,
			summary: "申请人系第37891234号“海之韵”注册商标权利人，核定使用于第29类鱼制食品。被申请人在福清市海口镇经营的海产品店销售标注“海之韵”字样的紫菜、鱼干礼盒，该产品并非申请人生产。",
			claims:  "1. 停止销售侵权商品；2. 赔偿经济损失人民币3万元。",
			parties: []cases.PartyInput{
				company(applicant, "福清市海之韵水产食品有限公司", creditCode("91350181MA2YF3P6N"), "13559110472", "福清市三山镇海城路8号"),
				person(respondent, "林秀珍", residentID("350181", "19850312", "046"), "15060702381", "福清市海口镇海口街")},
			rights: []cases.RightInput{right(domain.RightTrademark, "37891234", "海之韵（第29类）", "福清市海之韵水产食品有限公司", "2020-01-28", "2030-01-27")},
		},
		{
			key: "city-rongbao-toys", org: "city", filer: "assistance.fz", filed: 1, hour: 10,
			source: domain.SourceAssistance, dispute: domain.DisputeCopyright, amountYuan: 80000, ref: "榕知援转〔{year}〕047号",
			summary: "申请人系动漫形象“榕宝”的著作权人，该形象以福州市树榕树为原型创作。被申请人未经许可生产、销售“榕宝”毛绒玩具及钥匙扣，在多个景区商店铺货。申请人向福州市知识产权维权援助中心申请援助，援助中心将纠纷转交本委员会调解。",
			claims:  "1. 停止生产、销售侵权玩具；2. 赔偿经济损失人民币8万元。",
			parties: []cases.PartyInput{
				company(applicant, "福州榕树下动漫设计有限公司", creditCode("91350102MA33N7R2W"), "13799305518", "福州市鼓楼区铜盘路29号"),
				company(respondent, "福州童趣玩具有限公司", creditCode("91350104MA34F5B8C"), "15859027364", "福州市仓山区城门镇林浦路18号")},
			rights: []cases.RightInput{right(domain.RightCopyright, "国作登字-2022-F-00876543", "动漫形象“榕宝”", "福州榕树下动漫设计有限公司", "2022-10-17", "")},
		},

		// ── Rejected ────────────────────────────────────────────────────
		{
			key: "gulou-door-lock-in-court", org: "gulou", filer: "clerk.gulou", filed: 30, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputePatent, amountYuan: 100000,
			summary: "申请人认为被申请人生产的智能门锁使用了其“一种智能门锁指纹识别模组”实用新型专利技术，请求调解。经审查，申请人已就同一纠纷向福州市中级人民法院提起诉讼且法院已经受理。",
			claims:  "1. 停止侵权；2. 赔偿经济损失人民币10万元。",
			parties: []cases.PartyInput{
				company(applicant, "福州天宇智能科技有限公司", creditCode("91350102MA2XP8C4D"), "13960752281", "福州市鼓楼区洪山园路68号"),
				company(respondent, "福州联创电子有限公司", creditCode("91350104MA31T6W2B"), "13906916745", "福州市仓山区浦上大道216号")},
			rights: []cases.RightInput{right(domain.RightUtilityModel, patentNo("202020876543"), "一种智能门锁指纹识别模组", "福州天宇智能科技有限公司", "2020-06-11", "2030-06-10")},
			steps: []step{
				reject(2, 15, domain.RouteLitigation, "申请人已就同一纠纷向福州市中级人民法院提起诉讼，人民法院已经受理。人民法院已经受理的纠纷，人民调解委员会不再受理调解，建议申请人在诉讼中申请诉讼调解。"),
			},
		},
		{
			key: "minhou-olive-refused", org: "minhou", filer: "clerk.minhou", filed: 20, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeTrademark, amountYuan: 20000,
			summary: "申请人系第42345678号“榕青”注册商标权利人，核定使用于第29类腌制水果等商品。被申请人在闽侯县甘蔗街道经营的食品店销售标有“榕青”字样的蜜饯橄榄。",
			claims:  "1. 停止销售侵权商品；2. 赔偿经济损失人民币2万元。",
			parties: []cases.PartyInput{
				company(applicant, "福州闽侯榕青橄榄食品有限公司", creditCode("91350121MA32B6Q9E"), "13600856247", "福州市闽侯县白沙镇联坑村"),
				person(respondent, "陈志坚", residentID("350121", "19770520", "012"), "13960911584", "福州市闽侯县甘蔗街道昙石山中大道")},
			rights: []cases.RightInput{right(domain.RightTrademark, "42345678", "榕青（第29类）", "福州闽侯榕青橄榄食品有限公司", "2020-06-07", "2030-06-06")},
			steps: []step{
				reject(5, 15, domain.RouteAdministrative, "经本委员会工作人员多次联系，被申请人明确表示拒绝调解。依照《中华人民共和国人民调解法》第十七条的规定，当事人一方明确拒绝调解的，不得调解，本委员会不予受理，建议申请人通过行政投诉或诉讼途径维护权益。"),
			},
		},

		// ── Withdrawn ───────────────────────────────────────────────────
		{
			key: "gulou-rongcheng-title-keywords", org: "gulou", filer: "sme2", filed: 25, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputeTrademark, amountYuan: 30000,
			summary: "被申请人在其电商店铺的茉莉花茶商品标题中使用“榕城茉香同款”等字样进行引流，申请人认为其行为侵犯“榕城茉香”注册商标专用权并构成不正当竞争。",
			claims:  "1. 删除商品标题中的“榕城茉香”字样；2. 赔偿经济损失人民币3万元。",
			parties: []cases.PartyInput{rongcheng,
				company(respondent, "福州鼓岭云雾茶业有限公司", creditCode("91350102MA32R4U6H"), "18950423617", "福州市鼓楼区西洪路528号")},
			rights: []cases.RightInput{right(domain.RightTrademark, "23456781", "榕城茉香（第30类）", "福州榕城茶业有限公司", "2018-11-28", "2028-11-27")},
			steps: []step{
				withdraw(2, 11, "filer", "被申请人已主动删除相关商品标题中的“榕城茉香”字样并向申请人致歉，双方已自行和解，申请人撤回调解申请。"),
			},
		},
		{
			key: "cangshan-sole-design-withdrawn", org: "cangshan", filer: "clerk.cangshan", filed: 45, hour: 10,
			source: domain.SourceDirect, dispute: domain.DisputePatent, amountYuan: 150000,
			summary: "申请人系“鞋底（步云轻跑）”外观设计专利权人。被申请人生产的一款休闲运动鞋鞋底花纹与涉案外观设计相近似，申请人请求调解。",
			claims:  "1. 停止制造、销售侵权鞋；2. 赔偿经济损失人民币15万元。",
			parties: []cases.PartyInput{buyun,
				company(respondent, "福州金港鞋业有限公司", creditCode("91350104MA33E2K7U"), "13859089524", "福州市仓山区金港路72号")},
			rights: []cases.RightInput{right(domain.RightDesign, patentNo("202130765432"), "鞋底（步云轻跑）", "福州步云鞋业有限公司", "2021-04-08", "2036-04-07")},
			steps: []step{
				accept(2, 15, "被申请人书面同意调解。"),
				assign(3, 10, "mediator2"),
				declare(3, 11, "mediator2", ""),
				session(8, 15, "mediator2", sessionSpec{mode: phone, place: "电话调解",
					attendees: "申请人法定代表人；被申请人总经理",
					minutes:   "被申请人表示该款鞋底已停产，愿意与申请人洽谈外观设计专利实施许可，用于其下一季新品。申请人同意双方先行自行协商许可条件。",
					next:      "双方自行协商许可合同，一周后反馈。"}),
				withdraw(12, 10, "clerk", "双方在调解员主持下自行协商，已签订外观设计专利实施许可合同，申请人申请撤回调解申请。"),
			},
		},
	}
}
