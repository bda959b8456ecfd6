// Package benchseed fills a database with a large, realistic case load for
// the performance targets of docs/design.md §13 ("a case list page over 1,000,000
// cases answers within 2x of the same raw SQL"), and holds what the
// `ipmediate bench` command and the Go benchmarks share: the list
// scenarios, the capture of the SQL the service issues, and valid intake
// input.
//
// Seed writes with PostgreSQL COPY straight into the indexed tables, 50,000
// cases per transaction, bypassing the service (a million intakes through
// Submit would take hours and measure nothing the list needs). The rows are
// what the workflow would have produced: gapless case numbers per committee
// and year with case_counters kept in step, statuses that depend on the
// case's age, the timestamps and outcome of each status, two parties and
// one IP right per case, and mediator assignments for every case that
// reached mediation. Personal data columns hold placeholder ciphertexts.
//
// The demo organisations and users (internal/seed) must be in place first.
package benchseed

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// BatchSize is the number of cases written per transaction, and the
// granularity of progress reports.
const BatchSize = 50_000

// Span is how far back the seeded cases' filing dates reach.
const Span = 3 * 365 * 24 * time.Hour

// committeeShare is how the cases spread over the demo committees (per
// mille): the city centre's districts file most.
var committeeShare = []struct {
	Code  string
	Share int
}{
	{"gulou", 200}, {"cangshan", 150}, {"jinan", 120}, {"city", 100}, {"fuqing", 100},
	{"minhou", 90}, {"mawei", 80}, {"changle", 80}, {"fz-software-mediation", 80},
}

// Case statuses, sources and dispute types with their shares.
var (
	statuses = []string{"submitted", "accepted", "rejected", "mediating", "settled", "failed", "withdrawn", "closed"}
	// statusByAge: a case filed in the last two weeks is mostly waiting or
	// in mediation; one older than a year is almost always finished.
	statusByAge = []struct {
		MaxAge  time.Duration
		Weights []int
	}{
		{2 * 24 * time.Hour, []int{80, 10, 2, 7, 0, 0, 1, 0}},
		{14 * 24 * time.Hour, []int{45, 20, 5, 25, 0, 0, 5, 0}},
		{60 * 24 * time.Hour, []int{3, 7, 7, 45, 20, 10, 8, 0}},
		{365 * 24 * time.Hour, []int{0, 0, 6, 3, 10, 5, 6, 70}},
		{1 << 62, []int{0, 0, 8, 0, 1, 1, 7, 83}},
	}
	sources       = []string{"direct", "court_delegated", "court_entrusted", "office_referred", "assistance_referred", "exhibition", "association"}
	sourceWeights = []int{45, 15, 10, 8, 7, 8, 7}
	disputeTypes  = []string{"patent_infringement", "trademark_infringement", "copyright_infringement", "trade_secret",
		"unfair_competition", "ownership", "licensing_contract", "other"}
	disputeWeights = []int{30, 25, 20, 5, 8, 4, 5, 3}
	failRoutes     = []string{"litigation", "arbitration", "administrative_adjudication", "none"}
)

// beijing is China Standard Time: case numbers count the year in Beijing,
// as intake does.
var beijing = time.FixedZone("CST", 8*3600)

// CaseNumber formats a case number exactly as intake does:
// （2025）鼓知调字第0123号.
func CaseNumber(year int, shortCode string, seq int) string {
	return fmt.Sprintf("（%d）%s字第%04d号", year, shortCode, seq)
}

// RegistrationNumber formats a registration number exactly as intake
// does: （2025）鼓知调登字第0123号. A generated case is registered and
// numbered with the same year and sequence, as the cases filed before
// numbers were given at acceptance were (migration 0012).
func RegistrationNumber(year int, shortCode string, seq int) string {
	return fmt.Sprintf("（%d）%s登字第%04d号", year, shortCode, seq)
}

// Count returns the number of cases in the database.
func Count(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&n); err != nil {
		return 0, fmt.Errorf("count cases: %w", err)
	}
	return n, nil
}

// Seed adds n cases to the database behind db (a pgx stdlib pool, as
// internal/database opens), calling progress (if not nil) after every
// BatchSize cases with the number written so far. It ends with VACUUM
// ANALYZE of the case tables, so that plans and timings are those of a
// database in steady state. Each batch is one transaction: an interrupted
// Seed leaves whole batches, and running it again adds to them.
func Seed(ctx context.Context, db *sql.DB, n int, progress func(done int)) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bench seed: %w", err)
	}
	defer c.Close()
	return c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("bench seed: need a pgx stdlib connection, got %T", dc)
		}
		return SeedConn(ctx, sc.Conn(), n, progress)
	})
}

// SeedConn is Seed on a pgx connection.
func SeedConn(ctx context.Context, conn *pgx.Conn, n int, progress func(done int)) error {
	if n <= 0 {
		return nil
	}
	e, err := loadEnv(ctx, conn)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	g := &generator{env: e, now: now, start: now.Add(-Span), step: Span / time.Duration(n),
		r: rand.New(rand.NewPCG(uint64(now.UnixNano()), 0x69706d6564696174))}
	g.ciphers = cipherPool(g.r, 4096)
	g.companies = companyPool(g.r, 30_000)
	for done := 0; done < n; {
		k := min(BatchSize, n-done)
		if err := g.batch(ctx, conn, done, k); err != nil {
			return fmt.Errorf("bench seed: cases %d to %d: %w", done+1, done+k, err)
		}
		done += k
		if progress != nil {
			progress(done)
		}
	}
	for _, t := range []string{"cases", "case_parties", "case_rights", "case_mediators", "case_counters", "registration_counters",
		"case_tallies", "case_right_tallies", "case_open_tallies", "case_open_right_tallies"} {
		if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) "+t); err != nil {
			return fmt.Errorf("bench seed: vacuum %s: %w", t, err)
		}
	}
	return nil
}

// committee is a handling organisation with its demo staff.
type committee struct {
	ID, Clerk, Director int64
	Code, Short, Region string
	Mediators           []int64
}

type enterprise struct {
	ID, User         int64
	Name, CreditCode string
}

type env struct {
	committees []committee
	weights    []int
	total      int
	liaisons   []int64 // court liaisons: the submitters of court cases
	assistance int64   // the assistance officer
	sme        []enterprise
}

// loadEnv looks up the demo organisations and users by code and username.
func loadEnv(ctx context.Context, conn *pgx.Conn) (*env, error) {
	e := &env{}
	users := map[string]int64{}
	rows, err := conn.Query(ctx, "SELECT username, id FROM users WHERE active")
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		users[u] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	type orgRow struct {
		ID                  int64
		Short, Region, Name string
		Credit              string
	}
	orgs := map[string]orgRow{}
	rows, err = conn.Query(ctx, "SELECT code, id, short_code, region_code, name_zh, coalesce(credit_code, '') FROM orgs WHERE active")
	if err != nil {
		return nil, fmt.Errorf("load orgs: %w", err)
	}
	for rows.Next() {
		var code string
		var o orgRow
		if err := rows.Scan(&code, &o.ID, &o.Short, &o.Region, &o.Name, &o.Credit); err != nil {
			return nil, err
		}
		orgs[code] = o
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load orgs: %w", err)
	}
	var missing []string
	for _, cs := range committeeShare {
		o, ok := orgs[cs.Code]
		if !ok || o.Short == "" {
			missing = append(missing, "org "+cs.Code)
			continue
		}
		c := committee{ID: o.ID, Code: cs.Code, Short: o.Short, Region: o.Region,
			Clerk: users["clerk."+cs.Code], Director: users["director."+cs.Code]}
		for _, m := range []string{"mediator1.", "mediator2."} {
			if id, ok := users[m+cs.Code]; ok {
				c.Mediators = append(c.Mediators, id)
			}
		}
		if c.Clerk == 0 || c.Director == 0 || len(c.Mediators) == 0 {
			missing = append(missing, "staff of "+cs.Code)
			continue
		}
		e.committees = append(e.committees, c)
		e.weights = append(e.weights, cs.Share)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the demo data is missing (%s): seed it first (ipmediate seed)", strings.Join(missing, ", "))
	}
	e.total = sum(e.weights)
	for _, u := range []string{"liaison.gulou-court", "liaison.mawei-court", "liaison.fz-court"} {
		if id, ok := users[u]; ok {
			e.liaisons = append(e.liaisons, id)
		}
	}
	e.assistance = users["assistance.fz"]
	for _, s := range []struct{ Org, User string }{{"ent-sme1", "sme1"}, {"ent-sme2", "sme2"}} {
		o, ok := orgs[s.Org]
		if u := users[s.User]; ok && u != 0 && o.Credit != "" {
			e.sme = append(e.sme, enterprise{ID: o.ID, User: u, Name: o.Name, CreditCode: o.Credit})
		}
	}
	return e, nil
}

type generator struct {
	*env
	r               *rand.Rand
	now, start      time.Time
	step            time.Duration
	ciphers         []string
	companies       []company
	cases           []caseRec
	parties, rights [][]any
	mediators       [][]any
	counters        map[counterKey]int
	countersTouched map[counterKey]bool
}

type counterKey struct {
	Org  int64
	Year int
}

// caseRec is one generated cases row, in the column order of caseColumns.
type caseRec []any

var (
	caseColumns = []string{"id", "org_id", "number", "year", "seq", "region_code", "source", "dispute_type", "summary",
		"claims", "claim_amount_fen", "status", "respondent_consent_at", "mediation_due_at", "repeat_infringer", "outcome",
		"outcome_reason", "suggested_route", "closing_note", "submitted_by", "applicant_org_id", "external_ref", "version",
		"created_at", "updated_at", "accepted_at", "closed_at", "court_procedure", "registration_number", "number_year", "number_seq",
		"outcome_at"}
	partyColumns = []string{"case_id", "position", "role", "kind", "name", "id_number_enc", "id_number_hash", "credit_code",
		"phone_enc", "address_enc", "is_sme", "org_id", "agent_name", "agent_phone_enc", "agent_license", "repeat_infringer",
		"phones_hashed"}
	rightColumns    = []string{"case_id", "position", "kind", "number", "title", "holder", "valid_from", "valid_to"}
	mediatorColumns = []string{"case_id", "user_id", "assigned_at", "assigned_by", "declared_at", "declaration", "removed_at"}
)

// batch writes cases first+1 … first+k of this run in one transaction.
func (g *generator) batch(ctx context.Context, conn *pgx.Conn, first, k int) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit: no-op
	// Intake increments registration_counters and acceptance
	// case_counters under a row lock; holding the tables in EXCLUSIVE mode
	// keeps a concurrent intake or acceptance from taking a number this
	// batch is about to use (it waits for the commit, then continues after
	// the batch's numbers). A generated case takes the same sequence for
	// both numbers, after the higher of the two counters.
	if _, err := tx.Exec(ctx, "LOCK TABLE case_counters, registration_counters IN EXCLUSIVE MODE"); err != nil {
		return err
	}
	g.counters = map[counterKey]int{}
	g.countersTouched = map[counterKey]bool{}
	rows, err := tx.Query(ctx, `SELECT org_id, year, max(last_no) FROM (SELECT org_id, year, last_no FROM case_counters
UNION ALL SELECT org_id, year, last_no FROM registration_counters) c GROUP BY org_id, year`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var key counterKey
		var last int
		if err := rows.Scan(&key.Org, &key.Year, &last); err != nil {
			return err
		}
		g.counters[key] = last
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Ids come from the sequence, as inserts would take them, so that
	// the parties and rights can name their case.
	var ids []int64
	if err := tx.QueryRow(ctx, "SELECT array_agg(nextval('cases_id_seq')) FROM generate_series(1, $1)", k).Scan(&ids); err != nil {
		return fmt.Errorf("reserve case ids: %w", err)
	}
	slices.Sort(ids)

	g.cases = g.cases[:0]
	g.parties, g.rights, g.mediators = g.parties[:0], g.rights[:0], g.mediators[:0]
	for j := 0; j < k; j++ {
		g.genCase(ids[j], first+j)
	}
	// The statistics' counts (migrations 0022 and 0044) are kept by triggers a row
	// at a time; for a batch they are written at once after the copies.
	if _, err := tx.Exec(ctx, "SET LOCAL ipmediate.bulk = 'on'"); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "cases", caseColumns, len(g.cases), func(i int) []any { return g.cases[i] }); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "case_parties", partyColumns, len(g.parties), func(i int) []any { return g.parties[i] }); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "case_rights", rightColumns, len(g.rights), func(i int) []any { return g.rights[i] }); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "case_mediators", mediatorColumns, len(g.mediators), func(i int) []any { return g.mediators[i] }); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SELECT case_tallies_add($1), case_duration_tallies_add($1)", ids); err != nil {
		return fmt.Errorf("count the cases: %w", err)
	}
	var orgs []int64
	var years, lasts []int32
	for key := range g.countersTouched {
		orgs = append(orgs, key.Org)
		years = append(years, int32(key.Year))
		lasts = append(lasts, int32(g.counters[key]))
	}
	for _, counters := range []string{"case_counters", "registration_counters"} {
		if _, err := tx.Exec(ctx, `INSERT INTO `+counters+` AS c (org_id, year, last_no)
SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[])
ON CONFLICT (org_id, year) DO UPDATE SET last_no = GREATEST(c.last_no, EXCLUDED.last_no)`, orgs, years, lasts); err != nil {
			return fmt.Errorf("update %s: %w", counters, err)
		}
	}
	return tx.Commit(ctx)
}

func copyRows(ctx context.Context, tx pgx.Tx, table string, cols []string, n int, row func(int) []any) error {
	i := 0
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		i++
		return row(i - 1), nil
	}))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

// within returns a time after t, at most max later and never after now.
func (g *generator) within(t time.Time, minD, maxD time.Duration) time.Time {
	limit := g.now.Sub(t)
	if limit <= 0 {
		return t
	}
	maxD = min(maxD, limit)
	minD = min(minD, maxD)
	d := minD
	if maxD > minD {
		d += time.Duration(g.r.Int64N(int64(maxD - minD)))
	}
	return t.Add(d).Truncate(time.Microsecond)
}

const day = 24 * time.Hour

// genCase generates case number i of this run (0-based, in filing order)
// with id, its parties, right and mediators.
func (g *generator) genCase(id int64, i int) {
	r := g.r
	created := g.start.Add(g.step*time.Duration(i) + time.Duration(r.Int64N(max(int64(g.step), 1)))).Truncate(time.Microsecond)
	if created.After(g.now) {
		created = g.now
	}
	c := g.committees[weighted(r, g.weights, g.total)]
	year := created.In(beijing).Year()
	key := counterKey{c.ID, year}
	g.counters[key]++
	g.countersTouched[key] = true
	seq := g.counters[key]

	age := g.now.Sub(created)
	var sw []int
	for _, b := range statusByAge {
		if age < b.MaxAge {
			sw = b.Weights
			break
		}
	}
	status := statuses[weighted(r, sw, 100)]
	source := sources[weighted(r, sourceWeights, 100)]
	dtype := disputeTypes[weighted(r, disputeWeights, 100)]

	var sme *enterprise
	if len(g.sme) > 0 && r.IntN(1000) < 4 { // 0.4%: the demo SMEs file online
		sme = &g.sme[r.IntN(len(g.sme))]
		source = "direct"
	}
	submittedBy := c.Clerk
	externalRef := ""
	var procedure any
	mediationDays := 30
	if source == "court_entrusted" {
		// 委托调解: 15 days under the ordinary procedure, 7 under the
		// simplified one.
		procedure, mediationDays = "ordinary", 15
		if r.IntN(2) == 0 {
			procedure, mediationDays = "simplified", 7
		}
	}
	switch {
	case sme != nil:
		submittedBy = sme.User
	case (source == "court_delegated" || source == "court_entrusted") && len(g.liaisons) > 0:
		submittedBy = g.liaisons[r.IntN(len(g.liaisons))]
		externalRef = fmt.Sprintf("（%d）闽01%02d民诉前调%d号", year, r.IntN(30), 1+r.IntN(9000))
	case source == "assistance_referred" && g.assistance != 0:
		submittedBy = g.assistance
	}

	// The workflow's timestamps, each after the previous one.
	var (
		consentAt, acceptedAt, dueAt, closedAt any
		// outcomeAt: when the decision giving the outcome was made (the
		// statistics count settled and failed cases by it).
		outcomeAt                           any
		outcome, outcomeReason, route, note string
		assignedAt                          time.Time
		mediated                            bool
	)
	updated := created
	version := int32(1)
	accept := func() {
		a := g.within(created, 2*time.Hour, 7*day)
		consentAt, acceptedAt, updated = g.within(created, 0, a.Sub(created)), a, a
		version++
	}
	assign := func() {
		a := acceptedAt.(time.Time)
		assignedAt = g.within(a, time.Hour, 3*day)
		dueAt, updated, mediated = assignedAt.AddDate(0, 0, mediationDays), assignedAt, true
		version += 1 + int32(r.IntN(3)) // sessions logged
	}
	decide := func(o string) {
		updated = g.within(assignedAt, day, 40*day)
		outcome, outcomeAt = o, updated
		version++
		if o == "failed" {
			route = failRoutes[r.IntN(len(failRoutes))]
			outcomeReason = "双方对赔偿数额分歧较大，未能达成一致。"
		}
	}
	switch status {
	case "accepted":
		accept()
	case "rejected":
		updated = g.within(created, time.Hour, 7*day)
		outcome, outcomeReason, outcomeAt = "rejected", "纠纷不属于本委员会受理范围，已告知申请人向有管辖权的机构申请。", updated
		version++
	case "mediating":
		accept()
		assign()
	case "settled":
		accept()
		assign()
		decide("settled")
	case "failed":
		accept()
		assign()
		decide("failed")
	case "withdrawn":
		switch r.IntN(3) {
		case 1:
			accept()
		case 2:
			accept()
			assign()
		}
		updated = g.within(updated, time.Hour, 20*day)
		outcome, outcomeReason, outcomeAt = "withdrawn", "双方已自行和解，申请人申请撤回。", updated
		version++
	case "closed":
		accept()
		assign()
		if r.IntN(10) < 7 {
			decide("settled")
			note = "调解协议已履行完毕。"
		} else {
			decide("failed")
			note = "当事人已向人民法院提起诉讼。"
		}
		closed := g.within(updated, day, 30*day)
		closedAt, updated = closed, closed
		version++
	}

	repeat := r.IntN(50) == 0
	var applicantOrg any
	if sme != nil {
		applicantOrg = sme.ID
	}
	g.cases = append(g.cases, caseRec{
		id, c.ID, CaseNumber(year, c.Short, seq), int32(year), int32(seq), c.Region, source, dtype, summaries[dtype],
		pick(r, claimTexts), int64(1_000_000 + r.IntN(500_000_000)), status, consentAt, dueAt, repeat, outcome,
		outcomeReason, route, note, submittedBy, applicantOrg, externalRef, version,
		created, updated, acceptedAt, closedAt, procedure, RegistrationNumber(year, c.Short, seq), int32(year), int32(seq),
		outcomeAt,
	})

	// Parties: the applicant (an enterprise mostly) and the respondent.
	var applicantName string
	if sme != nil {
		applicantName = sme.Name
		g.parties = append(g.parties, g.party(id, 0, "applicant", "organisation", sme.Name, sme.CreditCode, true, sme.ID, false))
	} else if r.IntN(4) > 0 {
		co := g.companies[r.IntN(len(g.companies))]
		applicantName = co.Name
		g.parties = append(g.parties, g.party(id, 0, "applicant", "organisation", co.Name, co.CreditCode, r.IntN(10) < 6, nil, false))
	} else {
		applicantName = personName(r)
		g.parties = append(g.parties, g.party(id, 0, "applicant", "person", applicantName, "", false, nil, false))
	}
	if r.IntN(5) < 3 {
		// Respondents repeat more than applicants: a skewed pick from
		// the first part of the pool.
		co := g.companies[r.IntN(1+r.IntN(len(g.companies)))]
		g.parties = append(g.parties, g.party(id, 1, "respondent", "organisation", co.Name, co.CreditCode, false, nil, repeat))
	} else {
		g.parties = append(g.parties, g.party(id, 1, "respondent", "person", personName(r), "", false, nil, repeat))
	}

	// The IP right in dispute.
	kind, number := rightFor(r, dtype)
	from := time.Date(2008+r.IntN(17), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	years := 10
	switch kind {
	case "invention_patent":
		years = 20
	case "design_patent":
		years = 15
	case "copyright", "software_copyright":
		years = 50
	}
	var validFrom, validTo any
	if kind != "trade_secret" {
		validFrom, validTo = from, from.AddDate(years, 0, -1)
	}
	g.rights = append(g.rights, []any{id, int32(0), kind, number, pick(r, titles[kind]), applicantName, validFrom, validTo})

	// Mediators of every case that reached mediation: one mostly, both
	// sometimes, and now and then one who withdrew (回避) and was
	// replaced.
	if mediated {
		first := r.IntN(len(c.Mediators))
		declared := g.within(assignedAt, time.Hour, 2*day)
		switch x := r.IntN(100); {
		case x < 2 && len(c.Mediators) > 1:
			other := c.Mediators[1-first]
			g.mediators = append(g.mediators,
				[]any{id, c.Mediators[first], assignedAt, c.Director, nil, "与被申请人存在利害关系，申请回避。", declared},
				[]any{id, other, declared, c.Director, g.within(declared, time.Hour, 2*day), "本人与本案当事人无利害关系。", nil})
		case x < 10 && len(c.Mediators) > 1:
			for _, m := range c.Mediators[:2] {
				g.mediators = append(g.mediators, []any{id, m, assignedAt, c.Director, declared, "本人与本案当事人无利害关系。", nil})
			}
		default:
			g.mediators = append(g.mediators, []any{id, c.Mediators[first], assignedAt, c.Director, declared, "本人与本案当事人无利害关系。", nil})
		}
	}
}

// party returns one case_parties row.
func (g *generator) party(caseID int64, pos int32, role, kind, name, credit string, sme bool, orgID any, repeat bool) []any {
	r := g.r
	idEnc, hash := "", ""
	if kind == "person" {
		idEnc, hash = pick(r, g.ciphers), idHash(r)
	}
	agent, agentPhone, license := "", "", ""
	if role == "applicant" && r.IntN(5) < 2 {
		agent, agentPhone, license = pick(r, lawyers)+"律师", pick(r, g.ciphers), fmt.Sprintf("135012%011d", r.Int64N(100_000_000_000))
	}
	// The phones' blind index (migration 0040) stays empty: the pool's
	// ciphertexts decrypt to nothing, and a row marked hashed is one the
	// application's start-up backfill does not try to decrypt.
	return []any{caseID, pos, role, kind, name, idEnc, hash, credit, pick(r, g.ciphers), pick(r, g.ciphers), sme, orgID,
		agent, agentPhone, license, repeat, true}
}
