package cases_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Registration numbers are gapless per committee and year (docs/design.md
// §4): the number is taken from the counter row inside the intake
// transaction, so an intake that fails at any later step gives it back.
// (Case numbers, given at acceptance, are tested in
// numbers_accept_test.go.) These tests make
// intakes fail at every step after the number is taken, by a database
// error that a trigger raises where the case's summary asks for it, and
// check that the numbers that remain run 1..n.

// failSteps are the tables intake writes after taking the number; a
// summary containing "FAIL:<table>" makes the insert into that table
// fail.
var failSteps = []string{"cases", "case_parties", "case_rights", "case_events", "audit_log"}

// injectIntakeFailures installs the triggers that fail an intake at the
// step its summary names. They are AFTER triggers: intake writes the case
// and its rows in one statement, and only at its end does a row's
// trigger see the case's summary.
func (fx *fixture) injectIntakeFailures() {
	fx.t.Helper()
	fx.exec(`CREATE FUNCTION test_fail_intake() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	s text;
	-- A partition (audit_log_2026, case_events_default) stands for its table.
	tbl text := regexp_replace(TG_TABLE_NAME, '_([0-9]{4}|default)$', '');
BEGIN
	IF tbl = 'cases' THEN
		s := NEW.summary;
	ELSIF tbl = 'audit_log' THEN
		IF NEW.object_type = 'case' THEN
			SELECT summary INTO s FROM cases WHERE id::text = NEW.object_id;
		END IF;
	ELSE
		SELECT summary INTO s FROM cases WHERE id = NEW.case_id;
	END IF;
	IF s LIKE '%FAIL:' || tbl || '%' THEN
		RAISE EXCEPTION 'injected failure writing %', tbl;
	END IF;
	RETURN NEW;
END $$`)
	for _, table := range failSteps {
		fx.exec(fmt.Sprintf(`CREATE TRIGGER test_fail_intake AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION test_fail_intake()`, table))
	}
}

// seqs returns the registration sequence numbers of a committee's cases
// of the year, sorted, and its counter.
func (fx *fixture) seqs(org int64) ([]int, int) {
	fx.t.Helper()
	var seqs []int
	if err := fx.db.Raw("SELECT seq FROM cases WHERE org_id = ? ORDER BY seq", org).Scan(&seqs).Error; err != nil {
		fx.t.Fatal(err)
	}
	return seqs, int(fx.count("SELECT coalesce(max(last_no), 0) FROM registration_counters WHERE org_id = ?", org))
}

// gapless fails the test unless seqs are exactly 1..counter.
func gapless(t testing.TB, seqs []int, counter int) {
	t.Helper()
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("sequence numbers are not 1..%d: %v", len(seqs), seqs)
		}
	}
	if counter != len(seqs) {
		t.Fatalf("counter = %d for %d cases %v: a failed intake kept its number", counter, len(seqs), seqs)
	}
}

func TestCaseNumbers_FailedIntakesLeaveNoGaps(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.injectIntakeFailures()
	gulou := fx.org("gulou")
	failing := func(step string) cases.IntakeInput {
		in := intake(gulou)
		in.Summary += " FAIL:" + step
		return in
	}

	t.Run("each step, one at a time", func(t *testing.T) {
		fx := fx.with(t)
		fx.submit("clerk.gulou", intake(gulou))
		for _, step := range failSteps {
			_, err := fx.svc.Submit(fx.as("clerk.gulou"), failing(step))
			if err == nil || !strings.Contains(err.Error(), "injected failure writing "+step) {
				t.Fatalf("intake failing at %s: %v", step, err)
			}
			fx.submit("clerk.gulou", intake(gulou))
		}
		seqs, counter := fx.seqs(gulou)
		if len(seqs) != 1+len(failSteps) {
			t.Fatalf("%d cases", len(seqs))
		}
		gapless(t, seqs, counter)
		if n := fx.count("SELECT count(*) FROM cases WHERE summary LIKE '%FAIL:%'"); n != 0 {
			t.Errorf("%d failed intakes left a case", n)
		}
	})

	t.Run("invalid input found late keeps no number", func(t *testing.T) {
		fx := fx.with(t)
		before, bc := fx.seqs(gulou)
		in := intake(gulou)
		in.Parties[1].Role = "witness"
		in.Rights[0].Number = "201710601862.4"
		_, err := fx.svc.Submit(fx.as("clerk.gulou"), in)
		wantCode(t, err, domain.EINVALID)
		after, ac := fx.seqs(gulou)
		if !slices.Equal(before, after) || bc != ac {
			t.Errorf("an invalid intake moved the numbers: %v/%d -> %v/%d", before, bc, after, ac)
		}
	})

	// Another capability files inside its own transaction (a court's
	// delegation accepted, an assistance application opened as a case)
	// and fails after the case is filed, or rolls back to a savepoint
	// around it and carries on: the number goes back either way.
	t.Run("the caller's transaction fails after filing", func(t *testing.T) {
		fx := fx.with(t)
		ctx := fx.as("director.gulou")
		later := errors.New("a later step of the referral failed")
		var filed domain.Case
		err := fx.db.Transaction(func(tx *gorm.DB) error {
			var err error
			if filed, err = fx.svc.SubmitInternal(ctx, tx, intake(gulou)); err != nil {
				return err
			}
			return later
		})
		if !errors.Is(err, later) || filed.Seq == 0 {
			t.Fatalf("got %v, case %+v", err, filed)
		}
		err = fx.db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Transaction(func(sp *gorm.DB) error {
				if _, err := fx.svc.SubmitInternal(ctx, sp, intake(gulou)); err != nil {
					return err
				}
				return later
			}); !errors.Is(err, later) {
				return fmt.Errorf("savepoint: %w", err)
			}
			return nil // the outer transaction commits
		})
		if err != nil {
			t.Fatal(err)
		}
		c := fx.submit("clerk.gulou", intake(gulou))
		seqs, counter := fx.seqs(gulou)
		gapless(t, seqs, counter)
		if c.Seq != len(seqs) {
			t.Errorf("next number %d, want %d", c.Seq, len(seqs))
		}
	})

	t.Run("concurrent intakes, a third failing at some step", func(t *testing.T) {
		fx := fx.with(t)
		cangshan := fx.org("cangshan")
		const n = 45
		var (
			wg         sync.WaitGroup
			mu         sync.Mutex
			ok, failed int
		)
		for i := range n {
			wg.Go(func() {
				in := intake(cangshan)
				if i%3 == 0 {
					in.Summary += " FAIL:" + failSteps[(i/3)%len(failSteps)]
				}
				_, err := fx.svc.Submit(fx.as("clerk.cangshan"), in)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && i%3 != 0:
					ok++
				case err != nil && i%3 == 0 && strings.Contains(err.Error(), "injected failure"):
					failed++
				default:
					t.Errorf("intake %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if ok != n-n/3 || failed != n/3 {
			t.Fatalf("%d filed, %d failed", ok, failed)
		}
		seqs, counter := fx.seqs(cangshan)
		if len(seqs) != ok {
			t.Fatalf("%d cases for %d intakes", len(seqs), ok)
		}
		gapless(t, seqs, counter)
	})
}

// TestCaseNumbers_ReassignMovesANumberAway: the only way a committee's
// list of the year's registration numbers gets a gap is a case moved to
// another committee (reassign), which keeps its number: the committee's own
// cases then skip it, while the numbers issued under its short code stay
// gapless and the other committee's counter does not move.
func TestCaseNumbers_ReassignMovesANumberAway(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou, cangshan := fx.org("gulou"), fx.org("cangshan")
	var made []domain.Case
	for range 3 {
		made = append(made, fx.submit("clerk.gulou", intake(gulou)))
	}
	if _, err := fx.svc.Reassign(fx.as("director.city"), made[1].ID, cases.ReassignInput{Version: made[1].Version, OrgID: cangshan,
		Reason: "鼓楼调委会调解员均与当事人存在利害关系"}); err != nil {
		t.Fatal(err)
	}
	if seqs, _ := fx.seqs(gulou); !slices.Equal(seqs, []int{1, 3}) {
		t.Errorf("gulou's own cases have the numbers %v, want 1 and 3", seqs)
	}
	var issued []int
	if err := fx.db.Raw("SELECT seq FROM cases WHERE registration_number LIKE ? ORDER BY seq", "%鼓知调登字%").Scan(&issued).Error; err != nil {
		t.Fatal(err)
	}
	gapless(t, issued, int(fx.count("SELECT last_no FROM registration_counters WHERE org_id = ?", gulou)))
	if n := fx.count("SELECT count(*) FROM registration_counters WHERE org_id = ?", cangshan); n != 0 {
		t.Errorf("the receiving committee's counter moved")
	}
}
