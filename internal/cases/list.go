package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// SMEApplicantSQL is the condition that a case (cases.*) has an applicant
// marked as a small or medium-sized enterprise; the statistics count with
// the same condition.
const SMEApplicantSQL = `EXISTS (SELECT 1 FROM case_parties sp WHERE sp.case_id = cases.id AND sp.role = 'applicant' AND sp.is_sme)`

// List returns the cases the actor may see, newest first, narrowed by f,
// a page at a time: the second result is the cursor of the next page, ""
// on the last. Pagination is by keyset on the case id (never OFFSET) and
// there is no total count, so every page costs the same on a million
// cases. EFORBIDDEN when the actor has no case scope at all (the system
// administrator, roles that read cases only through referrals);
// EINVALID for a malformed cursor.
func (s *Service) List(ctx context.Context, f ListFilter) ([]ListItem, string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	v := s.viewerOf(a)
	if v.blind() {
		return nil, "", domain.Errorf(domain.EFORBIDDEN, "you may not list cases")
	}
	limit := keyset.Limit(f.Limit)
	// A mediator asking for their own cases by id is asking for "mine".
	mine := f.Mine || f.MediatorID == a.UserID
	where, args := v.listScope(mine)
	// A case seen only through a referral is listed without the
	// committee's mediation period (restrictToDisclosure).
	whole, wargs := v.wholeView(mine)
	// A list narrowed to a filing period is ordered by filing time (then
	// id): a committee's page is then read off cases_org_created_idx,
	// where walking the committee by id would pass every case filed
	// since the period's end first. Ids follow filing order, so "newest
	// first" means the same either way, bar cases filed in the same
	// instant by concurrent intakes.
	byDate := !f.From.IsZero() || !f.To.IsZero()
	base := s.reads.Read(ctx).Table("cases")
	if join, jargs, ok := v.listIDs(); ok {
		base = base.Joins(join, jargs...)
	} else {
		base = base.Where(where, args...)
	}
	if mine {
		base = base.Where("cases.id IN (SELECT cm.case_id FROM case_mediators cm WHERE cm.user_id = ? AND cm.removed_at IS NULL)", a.UserID)
	}
	if f.MediatorID != 0 && !mine {
		base = base.Where("cases.id IN (SELECT cm.case_id FROM case_mediators cm WHERE cm.user_id = ? AND cm.removed_at IS NULL)", f.MediatorID)
	}
	if f.OrgID != 0 {
		base = base.Where("cases.org_id = ?", f.OrgID)
	}
	if f.PendingObjection {
		base = base.Where("cases.id IN (SELECT o.case_id FROM case_objections o WHERE o.status = 'pending')")
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		base = base.Where("cases.status IN ?", st)
	}
	if f.DisputeType != "" {
		base = base.Where("cases.dispute_type = ?", string(f.DisputeType))
	}
	if f.Source != "" {
		base = base.Where("cases.source = ?", string(f.Source))
	}
	if f.RegionCode != "" {
		base = base.Where("cases.region_code = ?", f.RegionCode)
	}
	if !f.From.IsZero() {
		base = base.Where("cases.created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		base = base.Where("cases.created_at < ?", f.To)
	}
	if f.Outcome != "" {
		base = base.Where("cases.outcome = ?", f.Outcome)
	}
	if !f.OutcomeFrom.IsZero() {
		base = base.Where("cases.outcome_at >= ?", f.OutcomeFrom)
	}
	if !f.OutcomeTo.IsZero() {
		base = base.Where("cases.outcome_at < ?", f.OutcomeTo)
	}
	if f.RightKind != "" {
		base = base.Where("cases.id IN (SELECT r.case_id FROM case_rights r WHERE r.kind = ?)", string(f.RightKind))
	}
	if f.SMEApplicant {
		base = base.Where(SMEApplicantSQL)
	}
	order := "cases.id DESC"
	if byDate {
		order = "cases.created_at DESC, cases.id DESC"
	}
	var below int64 // the cursor's case id: the page lies below it
	if f.Cursor != "" {
		if byDate {
			keys, err := keyset.Decode(f.Cursor, 2)
			if err != nil || keys[1] <= 0 {
				return nil, "", domain.Invalid(domain.FieldError{Field: "cursor", Message: "validation.cursor"})
			}
			base = base.Where("(cases.created_at, cases.id) < (?, ?)", time.UnixMicro(keys[0]), keys[1])
		} else {
			last, err := keyset.DecodeID(f.Cursor)
			if err != nil {
				return nil, "", domain.Invalid(domain.FieldError{Field: "cursor", Message: "validation.cursor"})
			}
			base = base.Where("cases.id < ?", last)
			below = last
		}
	}
	// base is reused by the search's steps: each use starts a new
	// statement from it, so this follows the last condition of base.
	base = base.Session(&gorm.Session{})
	page := func(from *gorm.DB) ([]ListItem, error) {
		q := from.Select(`cases.id, cases.number, cases.registration_number, cases.org_id, orgs.name_zh AS org_name, cases.status, cases.source,
cases.dispute_type, CASE WHEN `+whole+` THEN cases.mediation_due_at END, cases.repeat_infringer, cases.created_at, cases.version`, wargs...).
			Joins("JOIN orgs ON orgs.id = cases.org_id")
		// Rows are scanned by hand: GORM's reflective scanning cost as
		// much CPU as the rest of the call together.
		rows, err := q.Order(order).Limit(limit + 1).Rows()
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		defer rows.Close()
		items := make([]ListItem, 0, limit+1)
		for rows.Next() {
			var it ListItem
			if err := rows.Scan(&it.ID, &it.Number, &it.RegistrationNumber, &it.OrgID, &it.OrgName, &it.Status, &it.Source, &it.DisputeType,
				&it.MediationDueAt, &it.RepeatInfringer, &it.CreatedAt, &it.Version); err != nil {
				return nil, fmt.Errorf("list cases: %w", err)
			}
			it.RepeatInfringer = it.RepeatInfringer && seesCreditFlag(a, it.OrgID)
			items = append(items, it)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		return items, nil
	}
	var items []ListItem
	qs := strings.TrimSpace(f.Q)
	switch {
	case qs == "":
		items, err = page(base)
	default:
		done := false
		if !byDate && utf8.RuneCountInString(qs) > maxGramTerm && !numberHead(qs) {
			// A term matching many cases (a common fragment of company
			// names) is tested case by case on the newest cases of the
			// list first: a window of the list's first searchWindow
			// cases, with the search as a condition on each. When the
			// window holds a full page of matches, they are the page
			// (every later match is older than the whole window);
			// otherwise the term is sparse and the sets of matching ids
			// below answer.
			sql, sargs := v.searchRow(qs)
			window := s.reads.Read(ctx).Table("(?) AS cases", base.Select("cases.*").Order(order).Limit(searchWindow))
			if items, err = page(window.Where(sql, sargs...)); err == nil && len(items) > limit {
				done = true
			}
		}
		if !done && err == nil && !byDate && utf8.RuneCountInString(qs) <= maxGramTerm {
			items, done, err = s.searchNewest(ctx, v, base, page, qs, below, limit)
		}
		if !done && err == nil {
			join, jargs := v.searchJoin(qs, 0)
			items, err = page(base.Joins(join, jargs...))
		}
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := items[len(items)-1]
		if byDate {
			next = keyset.Encode(last.CreatedAt.UnixMicro(), last.ID)
		} else {
			next = keyset.ID(last.ID)
		}
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if err := s.fillNames(ctx, v, items, ids); err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// fillNames sets the first applicant's and respondent's names of a page in
// one query, as the case page shows them to the viewer (Get): a name the
// viewer does not read in clear (clearNames) is masked for the leader's
// oversight (natural persons) and left out for a viewer whose referrals
// do not disclose the parties.
func (s *Service) fillNames(ctx context.Context, v viewer, items []ListItem, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	clear, cargs := v.clearNames()
	if clear == "" {
		clear = "TRUE"
	}
	args := append(append([]any{}, cargs...), ids)
	rows, err := s.reads.Read(ctx).Raw(`SELECT DISTINCT ON (cp.case_id, cp.role) cp.case_id, cp.role, cp.kind, cp.name, `+clear+` AS clear
FROM case_parties cp JOIN cases ON cases.id = cp.case_id WHERE cp.case_id IN ? AND cp.role IN ('applicant', 'respondent')
ORDER BY cp.case_id, cp.role, cp.position, cp.id`, args...).Rows()
	if err != nil {
		return fmt.Errorf("list cases: party names: %w", err)
	}
	defer rows.Close()
	byCase := make(map[int64]int, len(items))
	for i, it := range items {
		byCase[it.ID] = i
	}
	for rows.Next() {
		var (
			caseID           int64
			role, kind, name string
			inClear          bool
		)
		if err := rows.Scan(&caseID, &role, &kind, &name, &inClear); err != nil {
			return fmt.Errorf("list cases: party names: %w", err)
		}
		i := byCase[caseID]
		switch {
		case inClear:
		case v.leader:
			name = domain.MaskName(name)
		default:
			continue
		}
		if role == string(domain.PartyApplicant) {
			items[i].Applicant = name
		} else {
			items[i].Respondent = name
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list cases: party names: %w", err)
	}
	return nil
}

// The list applies exactly the disclosure the case page applies (Get,
// restrictToDisclosure, partyView), in SQL so that a search never matches
// what the viewer could not read on the page:
//
//   - the case number, committee, status, type and dates: whoever sees
//     the case;
//   - the parties' names: in clear to those who handle the case, its
//     parties, and the filer's court or centre; to the leader's office
//     only organisations' names (natural persons' are masked); to a
//     viewer who sees the case only through referrals, only when one of
//     those referrals (not declined) discloses the parties;
//   - the IP rights: to all but a viewer who sees the case only through
//     referrals none of which discloses the rights.
//
// The conditions are on a row of "cases" and, for names, the party row
// "cp"; "" means the condition holds for every case in the viewer's
// scope.

// clearNames is the condition under which the viewer reads the name of
// party cp of a case in clear.
func (v viewer) clearNames() (string, []any) {
	direct, args := v.directParts(false, false)
	if v.leader {
		return orParts(append([]string{"cp.kind <> 'person'"}, direct...)), args
	}
	return v.disclosedOr(direct, args, "parties")
}

// readableRights is the condition under which the viewer reads the IP
// rights of a case.
func (v viewer) readableRights() (string, []any) {
	if v.leader {
		return "", nil
	}
	direct, args := v.directParts(false, false)
	return v.disclosedOr(direct, args, "rights")
}

// disclosedOr is, for a viewer who may see cases through referrals, the
// condition that they see the case whole (direct, or filed by their
// organisation) or that a referral of the case at one of their
// organisations, not declined, discloses part; "" for anyone else, whose
// whole scope is direct or filed.
func (v viewer) disclosedOr(direct []string, args []any, part string) (string, []any) {
	if len(v.referred) == 0 {
		return "", nil
	}
	parts := slices.Clone(direct)
	wp, wa := v.wholeParts()
	parts, args = append(parts, wp...), append(args, wa...)
	parts = append(parts, `EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = cases.id AND r.status <> 'declined'
AND (r.receiver_org_id IN ? OR r.sender_org_id IN ?) AND coalesce((r.disclosure->>'`+part+`')::boolean, false))`)
	args = append(args, v.referred, v.referred)
	return orParts(parts), args
}

// searchJoin is the join that keeps the cases matching q: by their
// number or registration number (any part of either: people type
// "第0012号" or just "0012"; the trigram indexes serve them, the prefix
// btrees of 0039 the head of a number), a party's name (substring, served
// by the trigram index) or an IP right's number (exact, in each kind's
// canonical spelling). The alternatives are
// one set of ids computed from three indexes, joined to the page in
// descending order rather than probed by three sub-queries for every case
// walked: the planner can then probe the cases by id, newest first, and
// stop at the end of the page (郝 over a million cases: 17 ms against
// 63 ms for "cases.id IN (…)", which probed all 7,297 matching cases).
// A name or a right matches only where the viewer reads it in clear
// (clearNames, readableRights): a search must not confirm what the page
// masks or withholds. For the leader's office a name search therefore
// finds organisations by name, natural persons only in cases it also
// handles; anyone finds any case they see by its number.
//
// A term of one or two characters has no trigram, so the trigram indexes
// cannot serve it; such a term is first looked up in the gram indexes of
// migration 0035 (every character and pair of characters of the names and
// numbers: a text containing the term holds its grams), and the LIKE or
// ILIKE test then decides exactly as for a longer term.
//
// With from > 0 (a term of one or two characters only) the gram indexes
// are asked for the cases with an id of at least from: they hold the
// case id beside the grams (0045), so only those rows are read.
func (v viewer) searchJoin(q string, from int64) (string, []any) {
	like := "%" + escapeLike(q) + "%"
	numbersGrams, namesGrams := "", ""
	name, number, registration := "cp.name", "c.number", "c.registration_number"
	var gramArgs []any
	if utf8.RuneCountInString(q) <= maxGramTerm {
		numbersGrams = numbersGramsSQL + " @> search_term_grams(?) AND "
		namesGrams = "search_grams(cp.name) @> search_term_grams(?) AND "
		gramArgs = []any{q}
		if from > 0 {
			numbersGrams += "c.id >= ? AND "
			namesGrams += "cp.case_id >= ? AND "
			gramArgs = append(gramArgs, from)
		}
		// The substring tests are written so that no trigram index
		// matches them: in a generic plan (the driver prepares the
		// statement) the planner does not see that the term is too short
		// for trigrams, and it would AND the gram index with a scan of
		// the whole trigram index (0.9 s on 200,000 names, measured).
		name, number, registration = "(cp.name || '')", "(c.number || '')", "(c.registration_number || '')"
	}
	numbers := rightNumbers(q)
	args := append(append([]any{}, gramArgs...), like, like)
	args = append(append(args, gramArgs...), like)
	names := "SELECT cp.case_id FROM case_parties cp WHERE " + namesGrams + name + " ILIKE ?"
	if cond, cargs := v.clearNames(); cond != "" {
		names = "SELECT cp.case_id FROM case_parties cp JOIN cases ON cases.id = cp.case_id WHERE " + namesGrams + name + " ILIKE ? AND " + cond
		args = append(args, cargs...)
	}
	args = append(args, numbers)
	rights := "SELECT cr.case_id FROM case_rights cr WHERE cr.number IN ?"
	if cond, rargs := v.readableRights(); cond != "" {
		rights = "SELECT cr.case_id FROM case_rights cr JOIN cases ON cases.id = cr.case_id WHERE cr.number IN ? AND " + cond
		args = append(args, rargs...)
	}
	numbersSQL := `SELECT c.id FROM cases c WHERE c.number LIKE ?
UNION SELECT c.id FROM cases c WHERE c.registration_number LIKE ?`
	if numbersGrams == "" && numberHead(q) {
		// The head of a number: a prefix match on the btrees of 0039,
		// plus the full substring match on the numbers that hold a "（"
		// beyond their first character (a partial index, normally
		// empty). A number containing q, which starts with "（", either
		// starts with q or holds that "（" further in, so the three sets
		// together are exactly the numbers containing q. The LIKE
		// arguments above are replaced: prefix, prefix, then the
		// substring pattern twice.
		prefix := escapeLike(q) + "%"
		args[len(gramArgs)], args[len(gramArgs)+1] = prefix, prefix
		args = slices.Insert(args, len(gramArgs)+2, any(like), any(like))
		numbersSQL = `SELECT c.id FROM cases c WHERE c.number LIKE ?
UNION SELECT c.id FROM cases c WHERE c.registration_number LIKE ?
UNION SELECT c.id FROM cases c WHERE ` + innerParenSQL + ` AND (c.number LIKE ? OR c.registration_number LIKE ?)`
	}
	if numbersGrams != "" {
		numbersSQL = `SELECT c.id FROM cases c WHERE ` + numbersGrams + `(` + number + ` LIKE ? OR ` + registration + ` LIKE ?)`
	}
	if outsideFrame(q) {
		// No number can hold the term unless a piece of one does
		// (migration 0047). The gate is computed once, before the
		// SELECT's index is read, and a closed gate reads nothing. Its
		// argument goes before each gated SELECT's own: the numbers'
		// arguments are the first len(gramArgs)+2, one LIKE each for two
		// SELECTs, or the grams and both LIKEs for one.
		k := len(gramArgs) + 2
		head := []any{q, args[0], q, args[1]}
		if numbersGrams != "" {
			head = append([]any{q}, args[:k]...)
		}
		numbersSQL = strings.ReplaceAll(numbersSQL, "FROM cases c WHERE ", "FROM cases c WHERE "+numberRunsGate+" AND ")
		args = append(head, args[k:]...)
	}
	return `JOIN (SELECT u.id FROM (
` + numbersSQL + `
UNION ` + names + `
UNION ` + rights + `) u (id) ORDER BY u.id DESC) s ON s.id = cases.id`, args
}

// searchNewest answers a search for a term of one or two characters from
// the newest cases first, for the list in id order (newest first) below
// the id below (0: from the newest case): the sets of matching ids of
// searchJoin are computed over the ids of at least top − span only, and
// when the cases matching there (with every other filter of the list)
// fill more than a page, they are the page, since every other match is
// older than all of them. Otherwise the span grows to twice what the
// matches found suggest a page needs, until it would cover a quarter of
// the ids; then, or when the first span held no match (a rare term,
// which the unbounded sets answer cheaply), done is false and the caller
// searches all cases. At 5,000,000 cases 郝 is held by 37,401; a page
// is found among some 3,000 of the newest (docs/benchmarks.md).
func (s *Service) searchNewest(ctx context.Context, v viewer, base *gorm.DB, page func(*gorm.DB) ([]ListItem, error),
	q string, below int64, limit int) ([]ListItem, bool, error) {
	top := below
	if top == 0 {
		if err := s.reads.Read(ctx).Raw("SELECT coalesce(max(id), 0) + 1 FROM cases").Scan(&top).Error; err != nil {
			return nil, false, fmt.Errorf("list cases: %w", err)
		}
	}
	for span := searchSpan; span < top/4; {
		from := top - span
		join, jargs := v.searchJoin(q, from)
		got, err := page(base.Where("cases.id >= ?", from).Joins(join, jargs...))
		if err != nil || len(got) > limit {
			return got, err == nil, err
		}
		if len(got) == 0 {
			break
		}
		span = span * int64(2*(limit+1)) / int64(len(got))
	}
	return nil, false, nil
}

// searchSpan is the first span of ids searchNewest searches. A variable
// for the tests.
var searchSpan int64 = 16384

// searchRow is searchJoin as a test on one row of "cases", for the
// window of newest cases that List searches first: the numbers tested on
// the row, a party's name and an IP right's number probed by case id
// (case_parties_case_idx, case_rights_case_idx). The same matches as
// searchJoin, under the same disclosure.
func (v viewer) searchRow(q string) (string, []any) {
	like := "%" + escapeLike(q) + "%"
	numbers := rightNumbers(q)
	args := []any{like, like, like}
	// The names are tested by an aggregate over the case's parties, not
	// by EXISTS: the planner may turn an EXISTS into a hashed set of
	// every matching party in the table (55,967 rows and 144 ms for
	// 软件科技 over a million cases, measured), which is what the window
	// is there to avoid.
	names := "coalesce((SELECT bool_or(cp.name ILIKE ?) FROM case_parties cp WHERE cp.case_id = cases.id"
	if cond, cargs := v.clearNames(); cond != "" {
		names += " AND " + cond
		args = append(args, cargs...)
	}
	names += "), false"
	args = append(args, numbers)
	rights := "EXISTS (SELECT 1 FROM case_rights cr WHERE cr.case_id = cases.id AND cr.number IN ?"
	if cond, rargs := v.readableRights(); cond != "" {
		rights += " AND " + cond
		args = append(args, rargs...)
	}
	return "(cases.number LIKE ? OR cases.registration_number LIKE ? OR " + names + ") OR " + rights + "))", args
}

// rightNumbers are q and its canonical spellings as each kind of IP
// right's number, which a right's number must equal.
func rightNumbers(q string) []string {
	numbers := []string{q}
	for _, n := range []string{domain.NormalizePatentNumber(q), domain.NormalizeTrademarkRegNumber(q), domain.NormalizeCopyrightRegNumber(q)} {
		if n != "" && !slices.Contains(numbers, n) {
			numbers = append(numbers, n)
		}
	}
	return numbers
}

// searchWindow is how many of a list's newest cases List searches one by
// one before it computes the sets of matching ids (searchJoin): a
// term matching at least one case in searchWindow/(page size + 1) is
// answered from the window. A variable for the tests.
var searchWindow = 1000

// numberHead reports whether a search term is matched as the head of a
// case or registration number (searchJoin): it starts with the "（"
// that every number starts with (（2025）鼓知调字第0123号) and is longer
// than a gram term.
func numberHead(q string) bool {
	return strings.HasPrefix(q, "（") && utf8.RuneCountInString(q) > maxGramTerm
}

// innerParenSQL is the predicate of cases_number_inner_paren_idx (0039):
// a number or registration number of the row "c" holds a "（" beyond its
// first character. It must stay the indexed predicate for the index to
// serve.
const innerParenSQL = `(strpos(substr(c.number, 2), '（') > 0 OR strpos(substr(c.registration_number, 2), '（') > 0)`

// numberFrame are the characters that frame the pieces of a case or
// registration number: （2026）鼓知调字第0001号, （2026）鼓知调登字第0001号.
const numberFrame = "（）字第登号"

// outsideFrame reports whether q holds no character of numberFrame and
// some character other than a digit. Such a term lies, if in a number at
// all, inside one piece between frame characters that also holds a
// character other than a digit: a piece case_number_runs keeps
// (migration 0047).
func outsideFrame(q string) bool {
	if strings.ContainsAny(q, numberFrame) {
		return false
	}
	return strings.ContainsFunc(q, func(r rune) bool { return r < '0' || r > '9' })
}

// numberRunsGate holds when a piece of some number holds the term given
// as its argument; when it does not, no number does. The function
// (migration 0048) is the EXISTS over case_number_runs of 0047 marked
// PARALLEL UNSAFE: written inline, the planner ran a gated scan in
// parallel workers at 5,000,000 cases and paid their start before the
// gate closed.
const numberRunsGate = "number_runs_hold(?)"

// maxGramTerm is the longest term (in characters) looked up in the gram
// indexes; a longer one has trigrams, which serve it better.
const maxGramTerm = 2

// numbersGramsSQL is the expression of cases_numbers_grams_idx (0035) on
// the row "c"; it must stay the indexed expression for the index to serve.
const numbersGramsSQL = `search_grams(c.number || E'\n' || c.registration_number)`

// escapeLike escapes LIKE's wildcards so that a search for "50%" looks for
// the text, not for anything starting with 50.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
