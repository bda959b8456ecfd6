package cases_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/cases"
)

// searchAlphabet mixes what names and numbers hold: common CJK characters
// (some shared with the case numbers), Latin letters in both cases,
// digits, full-width and ASCII punctuation, spaces and LIKE's own
// metacharacters.
var searchAlphabet = []rune("张三华为科技甲乙鼓知调字第号（）AaBbXx129 -.%_\\·")

// randomName returns a name of 1 to 8 characters of searchAlphabet, with
// runs of a repeated character now and then.
func randomName(r *rand.Rand) string {
	for {
		var b strings.Builder
		n := 1 + r.IntN(8)
		for utf8.RuneCountInString(b.String()) < n {
			c := searchAlphabet[r.IntN(len(searchAlphabet))]
			b.WriteRune(c)
			if r.IntN(6) == 0 {
				b.WriteRune(c)
			}
		}
		if name := strings.TrimSpace(b.String()); name != "" {
			return name
		}
	}
}

// listAll follows the cursors of a search to its last page.
func (fx *fixture) listAll(ctx context.Context, q string) []int64 {
	fx.t.Helper()
	var out []int64
	cursor := ""
	for {
		items, next, err := fx.svc.List(ctx, cases.ListFilter{Q: q, Limit: 200, Cursor: cursor})
		if err != nil {
			fx.t.Fatalf("list q=%q: %v", q, err)
		}
		out = append(out, ids(items)...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

// TestCaseService_List_SearchMatchesSubstring compares the search with a
// plain substring scan, in Go, of the names and numbers it covers: a case
// matches iff a party's name contains the term (Latin letters in either
// case) or its number or registration number contains it (exactly). Terms
// of one and two characters go through the gram indexes (0035), longer
// ones through the trigram indexes; both must give the same answer as the
// scan.
func TestCaseService_List_SearchMatchesSubstring(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	director := fx.as("director.gulou")
	r := rand.New(rand.NewPCG(35, 2026))

	type searchable struct {
		number, registration string
		names                []string
	}
	made := map[int64]*searchable{}
	// The committee's short code changes twice along the way, to codes
	// with Latin letters, digits and a dot, so that the numbers hold
	// pieces a term of such characters can match (the gate of migration
	// 0047), among them one that no committee's code holds any more.
	codes := map[int]string{10: "鼓A.1调", 20: "Xx9-调"}
	for i := range 30 {
		if code, ok := codes[i]; ok {
			fx.exec("UPDATE orgs SET short_code = ? WHERE id = ?", code, gulou)
		}
		c := fx.submit("clerk.gulou", intake(gulou))
		if i%3 == 0 {
			// Some cases are accepted, and take a case number too.
			if _, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()}); err != nil {
				t.Fatal(err)
			}
		}
		s := &searchable{}
		if err := fx.db.Raw("SELECT number FROM cases WHERE id = ?", c.ID).Scan(&s.number).Error; err != nil {
			t.Fatal(err)
		}
		if err := fx.db.Raw("SELECT registration_number FROM cases WHERE id = ?", c.ID).Scan(&s.registration).Error; err != nil {
			t.Fatal(err)
		}
		// The parties' names as intake wrote them are replaced (written as
		// a correction would), and a third party is added to some.
		for _, id := range fx.partyIDs(c.ID) {
			name := randomName(r)
			fx.exec("UPDATE case_parties SET name = ? WHERE id = ?", name, id)
			s.names = append(s.names, name)
		}
		if r.IntN(2) == 0 {
			name := randomName(r)
			fx.exec(`INSERT INTO case_parties (case_id, position, role, kind, name) VALUES (?, 9, 'third_party', 'organisation', ?)`, c.ID, name)
			s.names = append(s.names, name)
		}
		made[c.ID] = s
	}

	terms := []string{
		// every character alone, LIKE's metacharacters among them
		"张", "三", "华", "为", "科", "技", "甲", "乙", "鼓", "第", "号", "（", "）",
		"A", "a", "B", "x", "1", "9", "-", ".", "%", "_", `\`, "·",
		// pairs: repeated characters, mixed scripts and case, punctuation
		"张张", "aa", "AA", "Aa", "aB", "张a", "A张", "1号", "（2", "第0", "%a", "a%", "_张", "张_", `\%`, "%%", "__", "9-", ". ",
		"华为", "科技", "甲乙", "无关", "Zz",
		// longer terms (trigram path), for the same comparison
		"华为科", "张三a", "调字第", "AaBb", "a%b", "第00",
		// pieces of the changed short codes, and terms no piece holds
		"A.1", "鼓A", ".1调", "Xx9", "x9-调", "9-", "A.2", "Xx8", "鼓A.1调登", "调登",
	}
	// Terms at the boundaries of actual names: first and last one and two
	// characters.
	for _, s := range made {
		for _, name := range s.names {
			rs := []rune(name)
			terms = append(terms, string(rs[:1]), string(rs[len(rs)-1:]))
			if len(rs) >= 2 {
				terms = append(terms, string(rs[:2]), string(rs[len(rs)-2:]))
			}
		}
	}
	slices.Sort(terms)
	terms = slices.Compact(terms)

	for _, term := range terms {
		q := strings.TrimSpace(term)
		if q == "" {
			continue
		}
		var want []int64
		for id, s := range made {
			match := strings.Contains(s.number, q) || strings.Contains(s.registration, q)
			for _, name := range s.names {
				match = match || strings.Contains(strings.ToLower(name), strings.ToLower(q))
			}
			if match {
				want = append(want, id)
			}
		}
		var got []int64
		for _, id := range fx.listAll(director, q) {
			if made[id] != nil {
				got = append(got, id)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("q=%q: list found %v, a substring scan %v", q, got, want)
		}
	}
}

// TestCaseService_List_ShortTermsUseGramIndexes checks in the plan of the
// list's own statement that a one- and a two-character term are looked up
// in the gram indexes: on a party table big enough for the planner to
// prefer the index by cost, and, for the numbers, with sequential scans
// priced out (the test database holds few cases), which shows that the
// statement's expression is the indexed one.
func TestCaseService_List_ShortTermsUseGramIndexes(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	c := fx.submit("clerk.gulou", intake(gulou))
	sqlDB := manyNames(t, fx, c.ID)
	one := string(rune(19968 + (5*7919)%20000))
	two := one + string(rune(19968+(5*104729)%20000))

	plan := func(t *testing.T, q string, noSeqScan bool) string {
		t.Helper()
		ctx, stmts := benchseed.Capture(fx.as("director.gulou"))
		items, _, err := fx.svc.List(ctx, cases.ListFilter{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ids(items), c.ID) {
			t.Fatalf("q=%q: case %d not found in %v", q, c.ID, ids(items))
		}
		return explainSearch(t, sqlDB, stmts(), "search_term_grams", noSeqScan)
	}
	for _, q := range []string{one, two} {
		t.Run(q, func(t *testing.T) {
			if p := plan(t, q, false); !strings.Contains(p, "case_parties_name_grams_idx") {
				t.Errorf("q=%q: the names are not looked up in case_parties_name_grams_idx:\n%s", q, p)
			}
			if p := plan(t, q, true); !strings.Contains(p, "cases_numbers_grams_idx") {
				t.Errorf("q=%q: the numbers are not looked up in cases_numbers_grams_idx:\n%s", q, p)
			}
		})
	}
}

// TestCaseService_List_ShortTermsSearchTheNewestIDsInTheIndex: a term of
// one character searched over the newest ids first (searchNewest) asks
// the gram index for the bound on the case id too (0045), so that only
// the rows of those cases are read from the table.
//
// Not parallel: it narrows the first span of ids (a package variable).
func TestCaseService_List_ShortTermsSearchTheNewestIDsInTheIndex(t *testing.T) {
	fx := newFixture(t)
	gulou := fx.org("gulou")
	// Older cases, so that the newest ids are a part of them.
	for range 8 {
		fx.submit("clerk.gulou", intake(gulou))
	}
	c := fx.submit("clerk.gulou", intake(gulou))
	sqlDB := manyNames(t, fx, c.ID)
	defer cases.SetSearchSpan(1)()
	one := string(rune(19968 + (5*7919)%20000))
	ctx, stmts := benchseed.Capture(fx.as("director.gulou"))
	items, _, err := fx.svc.List(ctx, cases.ListFilter{Q: one})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(items), c.ID) {
		t.Fatalf("q=%q: case %d not found in %v", one, c.ID, ids(items))
	}
	p := explainSearch(t, sqlDB, stmts(), "cp.case_id >= ", false)
	bounded := false
	for _, line := range strings.Split(p, "\n") {
		bounded = bounded || strings.Contains(line, "Index Cond") && strings.Contains(line, "case_id >=")
	}
	if !strings.Contains(p, "case_parties_name_grams_idx") || !bounded {
		t.Errorf("the names of the newest cases are not looked up by gram and case id in case_parties_name_grams_idx:\n%s", p)
	}
}

// manyNames gives case caseID 30,000 parties named by two pseudo-random
// CJK characters and a suffix (any one character is held by a handful of
// rows), gathers the planner's statistics, and installs the statement
// capture; it returns the database handle for EXPLAIN.
func manyNames(t *testing.T, fx *fixture, caseID int64) *sql.DB {
	t.Helper()
	fx.exec(`INSERT INTO case_parties (case_id, position, role, kind, name)
SELECT ?, 10 + i, 'third_party', 'organisation',
       chr(19968 + ((i::bigint * 7919) % 20000)::int) || chr(19968 + ((i::bigint * 104729) % 20000)::int) || '有限公司'
FROM generate_series(1, 30000) AS i`, caseID)
	fx.exec("ANALYZE case_parties")
	fx.exec("ANALYZE cases")
	if err := benchseed.InstallCapture(fx.db); err != nil {
		t.Fatal(err)
	}
	sqlDB, err := fx.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB
}

// explainSearch is the plan of the first of stmts (captured from List)
// whose SQL holds marker, without sequential scans when noSeqScan.
func explainSearch(t *testing.T, sqlDB *sql.DB, stmts []benchseed.Statement, marker string, noSeqScan bool) string {
	t.Helper()
	i := slices.IndexFunc(stmts, func(st benchseed.Statement) bool { return strings.Contains(st.SQL, marker) })
	if i < 0 {
		t.Fatalf("no statement holds %q among the %d the list ran", marker, len(stmts))
	}
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if noSeqScan {
		if _, err := conn.ExecContext(context.Background(), "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer func() { _, _ = conn.ExecContext(context.Background(), "RESET enable_seqscan") }()
	}
	rows, err := conn.QueryContext(context.Background(), "EXPLAIN "+stmts[i].SQL, stmts[i].Args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
