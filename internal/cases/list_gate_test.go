package cases

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/testenv"
)

// TestNumberRunsGate_KeepsTheSearchOffParallelWorkers: with parallel
// plans made as cheap as they can be, a SELECT gated by numberRunsGate
// is planned without a Gather and evaluates the gate once, as a one-time
// filter; the same SELECT gated by 0047's inline EXISTS is planned with
// one (which is what launched workers before a closed gate at 5,000,000
// cases, docs/benchmarks.md).
func TestNumberRunsGate_KeepsTheSearchOffParallelWorkers(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t)
	plan := func(gate string) string {
		t.Helper()
		var lines []string
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, set := range []string{"parallel_setup_cost = 0", "parallel_tuple_cost = 0",
				"min_parallel_table_scan_size = 0", "min_parallel_index_scan_size = 0", "max_parallel_workers_per_gather = 2"} {
				if err := tx.Exec("SET LOCAL " + set).Error; err != nil {
					return err
				}
			}
			return tx.Raw("EXPLAIN SELECT c.id FROM cases c WHERE "+gate+" AND c.number LIKE ?", "郝鑫", "%郝鑫%").Scan(&lines).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	inline := plan("EXISTS (SELECT 1 FROM case_number_runs WHERE strpos(run, ?) > 0)")
	if !strings.Contains(inline, "Gather") {
		t.Fatalf("the inline gate is planned without parallel workers even at no cost; the test cannot tell:\n%s", inline)
	}
	gated := plan(numberRunsGate)
	if strings.Contains(gated, "Gather") {
		t.Errorf("the gated search is planned with parallel workers:\n%s", gated)
	}
	if !strings.Contains(gated, "One-Time Filter: number_runs_hold(") {
		t.Errorf("the gate is not a one-time filter:\n%s", gated)
	}
}
