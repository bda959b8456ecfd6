package cases_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Case numbers are given at acceptance (受理, docs/design.md §4); before
// it an application carries its registration number only. A rejected or
// withdrawn application therefore uses up no case number, and the case
// numbers issued stay gapless under concurrent acceptances.

// accept accepts case c as gulou's director.
func (fx *fixture) accept(c domain.Case) (domain.Case, error) {
	return fx.svc.Accept(fx.as("director.gulou"), c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
}

func TestCaseNumbers_GivenAtAcceptance(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")

	first := fx.submit("clerk.gulou", intake(gulou))
	if first.Number != "" || first.RegistrationNumber != "（2026）鼓知调登字第0001号" || first.Seq != 1 || first.Ref() != first.RegistrationNumber {
		t.Fatalf("a registered application: number %q, registration %q, seq %d", first.Number, first.RegistrationNumber, first.Seq)
	}
	if n := fx.count("SELECT count(*) FROM case_counters"); n != 0 {
		t.Fatalf("filing moved a case counter")
	}
	// Rejected and withdrawn applications consume no case number.
	rejected := fx.submit("clerk.gulou", intake(gulou))
	if _, err := fx.svc.Reject(fx.as("director.gulou"), rejected.ID, cases.ReasonInput{Version: rejected.Version,
		Reason: "不属于本委员会受理范围", Route: domain.RouteLitigation}); err != nil {
		t.Fatal(err)
	}
	withdrawn := fx.submit("clerk.gulou", intake(gulou))
	if _, err := fx.svc.Withdraw(fx.as("clerk.gulou"), withdrawn.ID, cases.ReasonInput{Version: withdrawn.Version,
		Reason: "申请人撤回申请"}); err != nil {
		t.Fatal(err)
	}
	third := fx.submit("clerk.gulou", intake(gulou))
	if third.RegistrationNumber != "（2026）鼓知调登字第0004号" {
		t.Fatalf("fourth registration %q", third.RegistrationNumber)
	}
	acc, err := fx.accept(third)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Number != "（2026）鼓知调字第0001号" || acc.RegistrationNumber != third.RegistrationNumber {
		t.Fatalf("the first case accepted: number %q registration %q, want the first case number", acc.Number, acc.RegistrationNumber)
	}
	if acc, err = fx.accept(first); err != nil || acc.Number != "（2026）鼓知调字第0002号" {
		t.Fatalf("second acceptance: %q %v", acc.Number, err)
	}
	if n := fx.count("SELECT count(*) FROM cases WHERE number <> '' AND id IN (?, ?)", rejected.ID, withdrawn.ID); n != 0 {
		t.Errorf("a rejected or withdrawn application has a case number")
	}
	// The timeline and the audit name the number given.
	if n := fx.count(`SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'accept' AND detail->'after'->>'number' = ?`,
		third.ID, "（2026）鼓知调字第0001号"); n != 1 {
		t.Errorf("the accept event does not record the number")
	}

	// Reassigning keeps both numbers.
	moved := fx.submit("clerk.gulou", intake(gulou))
	if moved, err = fx.accept(moved); err != nil {
		t.Fatal(err)
	}
	re, err := fx.svc.Reassign(fx.as("director.city"), moved.ID, cases.ReassignInput{Version: moved.Version, OrgID: fx.org("cangshan"),
		Reason: "鼓楼调委会调解员均与当事人存在利害关系"})
	if err != nil || re.Number != moved.Number || re.RegistrationNumber != moved.RegistrationNumber || re.Number != "（2026）鼓知调字第0003号" {
		t.Fatalf("reassigned: %q %q (was %q %q) %v", re.Number, re.RegistrationNumber, moved.Number, moved.RegistrationNumber, err)
	}

	// Lists and search find a case by either number.
	for _, q := range []string{"鼓知调登字第0001号", "（2026）鼓知调字第0002号", "登字第0004"} {
		items, _, err := fx.svc.List(fx.as("director.gulou"), cases.ListFilter{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		want := first.ID
		if strings.Contains(q, "0004") {
			want = third.ID
		}
		if len(items) != 1 || items[0].ID != want {
			t.Errorf("search %q: %+v", q, items)
		}
	}
	items, _, err := fx.svc.List(fx.as("director.gulou"), cases.ListFilter{Statuses: []domain.CaseStatus{domain.StatusRejected}})
	if err != nil || len(items) != 1 || items[0].Number != "" || items[0].RegistrationNumber != "（2026）鼓知调登字第0002号" {
		t.Errorf("the rejected application in the list: %+v %v", items, err)
	}
}

// TestCaseNumbers_ConcurrentAcceptsGapless: acceptances of one committee
// racing each other, a third of them failing after the number was taken
// (a trigger on the timeline makes them fail), leave the case numbers
// 1..n.
func TestCaseNumbers_ConcurrentAcceptsGapless(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	fx.exec(`CREATE FUNCTION test_fail_accept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.action = 'accept' AND (SELECT summary FROM cases WHERE id = NEW.case_id) LIKE '%FAIL:accept%' THEN
		RAISE EXCEPTION 'injected failure accepting';
	END IF;
	RETURN NEW;
END $$`)
	fx.exec(`CREATE TRIGGER test_fail_accept BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION test_fail_accept()`)
	const n = 24
	var filed []domain.Case
	for i := range n {
		in := intake(gulou)
		if i%3 == 0 {
			in.Summary += " FAIL:accept"
		}
		filed = append(filed, fx.submit("clerk.gulou", in))
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		ok     int
		failed int
	)
	for i, c := range filed {
		wg.Go(func() {
			_, err := fx.accept(c)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && i%3 != 0:
				ok++
			case err != nil && i%3 == 0 && strings.Contains(err.Error(), "injected failure"):
				failed++
			default:
				t.Errorf("accept %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok != n-n/3 || failed != n/3 {
		t.Fatalf("%d accepted, %d failed", ok, failed)
	}
	var seqs []int
	if err := fx.db.Raw("SELECT number_seq FROM cases WHERE org_id = ? AND number <> '' ORDER BY number_seq", gulou).Scan(&seqs).Error; err != nil {
		t.Fatal(err)
	}
	gapless(t, seqs, int(fx.count("SELECT last_no FROM case_counters WHERE org_id = ?", gulou)))
	if len(seqs) != ok {
		t.Errorf("%d numbers for %d acceptances", len(seqs), ok)
	}
	if m := fx.count("SELECT count(*) FROM cases WHERE summary LIKE '%FAIL:accept%' AND number <> ''"); m != 0 {
		t.Errorf("%d failed acceptances kept a number", m)
	}
}
