package cases_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestCaseService_List_MatchesReference compares, on generated data (the
// bench seeder's cases), every page of the lists whose query has a fast
// path of its own with a plain reference query stating what the list
// holds and in which order: the filing-period filter (ordered by filing
// time), a case number's head (a prefix of the numbers, plus numbers
// holding a "（" further in), search terms matching many or few cases
// (the window of newest cases, then the sets of ids), the leader's
// search, which must not find natural persons by name, and the scopes of
// a mediator, an SME and a court liaison.
//
// Not parallel: it narrows the search window (a package variable) so
// that both the window and the fallback answer pages.
func TestCaseService_List_MatchesReference(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	sqlDB, err := fx.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := benchseed.Seed(ctx, sqlDB, 3000, nil); err != nil {
		t.Fatal(err)
	}
	gulou := fx.org("gulou")
	// Two numbers holding a "（" beyond their first character: a substring
	// search for the head of a number finds them, a prefix match alone
	// would not.
	var heads []string
	if err := fx.db.Raw(`SELECT number FROM cases WHERE org_id = ? AND number <> '' ORDER BY id LIMIT 2`, gulou).Scan(&heads).Error; err != nil || len(heads) != 2 {
		t.Fatalf("numbers: %v %v", heads, err)
	}
	fx.exec(`UPDATE cases SET number = '旧' || number WHERE org_id = ? AND number = ?`, gulou, heads[0])
	fx.exec(`UPDATE cases SET registration_number = 'X' || number || registration_number WHERE org_id = ? AND number = ?`, gulou, heads[1])
	// Cases the SME is a linked party of without having filed them.
	fx.exec(`INSERT INTO case_parties (case_id, position, role, kind, name, org_id)
SELECT c.id, 9, 'third_party', 'organisation', '第三人', (SELECT min(org_id) FROM memberships WHERE user_id = ?)
FROM cases c WHERE c.status = 'submitted' AND c.applicant_org_id IS DISTINCT FROM (SELECT min(org_id) FROM memberships WHERE user_id = ?)
ORDER BY c.id LIMIT 5`, fx.userID("sme1"), fx.userID("sme1"))
	// Natural persons among the newest cases whose names contain a term
	// that many companies' names contain: the leader's window must not
	// count them.
	fx.exec(`UPDATE case_parties SET name = '软件科技' || name WHERE kind = 'person'
AND case_id IN (SELECT id FROM cases WHERE status IN ('submitted', 'accepted', 'mediating') ORDER BY id DESC LIMIT 40)`)
	fx.exec("ANALYZE cases")

	var mid struct {
		Number    string
		CreatedAt time.Time
	}
	if err := fx.db.Raw(`SELECT number, created_at FROM cases WHERE org_id = ? AND number <> '' ORDER BY id LIMIT 1 OFFSET 300`, gulou).Scan(&mid).Error; err != nil || mid.Number == "" {
		t.Fatalf("a middle case: %+v %v", mid, err)
	}
	numberHead := strings.TrimSuffix(heads[0], "号")
	numberHead = numberHead[:len(numberHead)-len("1")] // （2025）鼓知调字第000
	var party, ipNumber string
	if err := fx.db.Raw(`SELECT cp.name FROM case_parties cp JOIN cases c ON c.id = cp.case_id
WHERE c.org_id = ? AND cp.kind = 'organisation' AND cp.org_id IS NULL ORDER BY cp.id LIMIT 1 OFFSET 200`, gulou).Scan(&party).Error; err != nil || party == "" {
		t.Fatalf("a party: %q %v", party, err)
	}
	if err := fx.db.Raw(`SELECT cr.number FROM case_rights cr JOIN cases c ON c.id = cr.case_id
WHERE c.org_id = ? AND cr.kind = 'invention_patent' ORDER BY cr.id LIMIT 1`, gulou).Scan(&ipNumber).Error; err != nil || ipNumber == "" {
		t.Fatalf("a patent number: %q %v", ipNumber, err)
	}
	from := mid.CreatedAt.AddDate(0, -2, 0)
	to := mid.CreatedAt.AddDate(0, 1, 0)

	// search is the reference of a search for director.gulou, who reads
	// every name and right of the committee's cases in clear.
	search := func(q string) (string, []any) {
		return `c.org_id = ? AND (strpos(c.number, ?) > 0 OR strpos(c.registration_number, ?) > 0
OR EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND strpos(lower(p.name), lower(?)) > 0)
OR EXISTS (SELECT 1 FROM case_rights r WHERE r.case_id = c.id AND r.number = ?))`, []any{gulou, q, q, q, q}
	}
	type check struct {
		name   string
		user   string
		filter cases.ListFilter
		where  string // on "c"
		args   []any
		byDate bool
	}
	checks := []check{
		{name: "date_range", user: "director.gulou", filter: cases.ListFilter{From: from, To: to},
			where: "c.org_id = ? AND c.created_at >= ? AND c.created_at < ?", args: []any{gulou, from, to}, byDate: true},
		{name: "date_from", user: "director.gulou", filter: cases.ListFilter{From: to},
			where: "c.org_id = ? AND c.created_at >= ?", args: []any{gulou, to}, byDate: true},
		{name: "date_range_status", user: "director.gulou", filter: cases.ListFilter{From: from, To: to.AddDate(1, 0, 0), Statuses: []domain.CaseStatus{domain.StatusClosed}},
			where: "c.org_id = ? AND c.created_at >= ? AND c.created_at < ? AND c.status = 'closed'", args: []any{gulou, from, to.AddDate(1, 0, 0)}, byDate: true},
		{name: "leader_date_range", user: "leader", filter: cases.ListFilter{From: from, To: to},
			where: "c.created_at >= ? AND c.created_at < ?", args: []any{from, to}, byDate: true},
		{name: "mine", user: "mediator1.gulou", filter: cases.ListFilter{Mine: true},
			where: "c.org_id = ? AND EXISTS (SELECT 1 FROM case_mediators m WHERE m.case_id = c.id AND m.user_id = ? AND m.removed_at IS NULL)",
			args:  []any{gulou, fx.userID("mediator1.gulou")}},
		{name: "mediator_all", user: "mediator1.gulou", filter: cases.ListFilter{},
			where: "c.org_id = ? AND EXISTS (SELECT 1 FROM case_mediators m WHERE m.case_id = c.id AND m.user_id = ? AND m.removed_at IS NULL)",
			args:  []any{gulou, fx.userID("mediator1.gulou")}},
		{name: "applicant_sme", user: "sme1", filter: cases.ListFilter{},
			where: `c.applicant_org_id IN (SELECT org_id FROM memberships WHERE user_id = ?)
OR EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND p.org_id IN (SELECT org_id FROM memberships WHERE user_id = ?))`,
			args: []any{fx.userID("sme1"), fx.userID("sme1")}},
		{name: "court_liaison", user: "liaison.gulou-court", filter: cases.ListFilter{},
			where: `c.submitted_by IN (SELECT m.user_id FROM memberships m WHERE m.org_id IN (SELECT org_id FROM memberships WHERE user_id = ?))`,
			args:  []any{fx.userID("liaison.gulou-court")}},
	}
	// The leader's office reads organisations' names in clear and natural
	// persons' masked, so its search finds a person only by number.
	var person string
	if err := fx.db.Raw(`SELECT name FROM case_parties WHERE kind = 'person' AND char_length(name) >= 3 ORDER BY id LIMIT 1`).Scan(&person).Error; err != nil || person == "" {
		t.Fatalf("a person: %q %v", person, err)
	}
	// Terms of one and two characters (the gram indexes, and the newest
	// ids first): common ones, a surname, a digit.
	var surname string
	if err := fx.db.Raw(`SELECT left(name, 1) FROM case_parties WHERE kind = 'person' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 OFFSET 3`).Scan(&surname).Error; err != nil || surname == "" {
		t.Fatalf("a surname: %q %v", surname, err)
	}
	short := []string{"科", "科技", surname, "7", "07"}
	for _, q := range []string{"科", surname} {
		checks = append(checks, check{name: "leader search " + q, user: "leader", filter: cases.ListFilter{Q: q},
			where: `strpos(c.number, ?) > 0 OR strpos(c.registration_number, ?) > 0
OR EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND p.kind <> 'person' AND strpos(lower(p.name), lower(?)) > 0)
OR EXISTS (SELECT 1 FROM case_rights r WHERE r.case_id = c.id AND r.number = ?)`, args: []any{q, q, q, q}})
	}
	for _, q := range []string{"软件科技", person} {
		checks = append(checks, check{name: "leader search " + q, user: "leader", filter: cases.ListFilter{Q: q},
			where: `strpos(c.number, ?) > 0 OR strpos(c.registration_number, ?) > 0
OR EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND p.kind <> 'person' AND strpos(lower(p.name), lower(?)) > 0)
OR EXISTS (SELECT 1 FROM case_rights r WHERE r.case_id = c.id AND r.number = ?)`, args: []any{q, q, q, q}})
	}
	for _, q := range append([]string{numberHead, mid.Number, strings.TrimSuffix(mid.Number, "号"), "（2025）", "软件科技", "科技有限公司", party, ipNumber, "不存在的名称"}, short...) {
		w, a := search(q)
		checks = append(checks, check{name: "search " + q, user: "director.gulou", filter: cases.ListFilter{Q: q}, where: w, args: a})
	}

	// The default window and span, then narrow ones, so that the window,
	// the newest ids and the unbounded sets all answer pages.
	for _, narrow := range [][2]int{{1000, 16384}, {40, 64}} {
		window := narrow[0]
		restore := cases.SetSearchWindow(window)
		restoreSpan := cases.SetSearchSpan(int64(narrow[1]))
		for _, c := range checks {
			t.Run(fmt.Sprintf("%s/window%d", c.name, window), func(t *testing.T) {
				order := "c.id DESC"
				if c.byDate {
					order = "c.created_at DESC, c.id DESC"
				}
				var want []int64
				if err := fx.db.Raw("SELECT c.id FROM cases c WHERE ("+c.where+") ORDER BY "+order, c.args...).Scan(&want).Error; err != nil {
					t.Fatal(err)
				}
				var got []int64
				f := c.filter
				f.Limit = 7
				for pages := 0; ; pages++ {
					items, next, err := fx.svc.List(fx.as(c.user), f)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, ids(items)...)
					if next == "" {
						break
					}
					if pages > 3000 {
						t.Fatal("the cursors do not end")
					}
					f.Cursor = next
				}
				if len(want) == 0 && c.name != "search 不存在的名称" && !strings.HasPrefix(c.name, "leader search") {
					t.Fatalf("the reference finds nothing: the check tests nothing")
				}
				if !slices.Equal(got, want) {
					t.Errorf("list (%d cases) differs from the reference (%d cases)\n got %v\nwant %v", len(got), len(want), head(got), head(want))
				}
			})
		}
		restore()
		restoreSpan()
	}
}

func head(s []int64) []int64 { return s[:min(len(s), 30)] }
