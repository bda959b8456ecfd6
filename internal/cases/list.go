package cases

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// List limits.
const (
	defaultListLimit = 50
	maxListLimit     = 200
)

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
	if v.empty() {
		return nil, "", domain.Errorf(domain.EFORBIDDEN, "you may not list cases")
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = defaultListLimit
	case limit > maxListLimit:
		limit = maxListLimit
	}
	// A mediator asking for their own cases by id is asking for "mine".
	mine := f.Mine || f.MediatorID == a.UserID
	where, args := v.listScope(mine)
	q := s.db.WithContext(ctx).Table("cases").
		Select(`cases.id, cases.number, cases.org_id, orgs.name_zh AS org_name, cases.status, cases.source,
cases.dispute_type, cases.mediation_due_at, cases.repeat_infringer, cases.created_at, cases.version`).
		Joins("JOIN orgs ON orgs.id = cases.org_id").
		Where(where, args...)
	if mine {
		q = q.Where("cases.id IN (SELECT cm.case_id FROM case_mediators cm WHERE cm.user_id = ? AND cm.removed_at IS NULL)", a.UserID)
	}
	if f.MediatorID != 0 && !mine {
		q = q.Where("cases.id IN (SELECT cm.case_id FROM case_mediators cm WHERE cm.user_id = ? AND cm.removed_at IS NULL)", f.MediatorID)
	}
	if f.OrgID != 0 {
		q = q.Where("cases.org_id = ?", f.OrgID)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		q = q.Where("cases.status IN ?", st)
	}
	if f.DisputeType != "" {
		q = q.Where("cases.dispute_type = ?", string(f.DisputeType))
	}
	if f.Source != "" {
		q = q.Where("cases.source = ?", string(f.Source))
	}
	if f.RegionCode != "" {
		q = q.Where("cases.region_code = ?", f.RegionCode)
	}
	if !f.From.IsZero() {
		q = q.Where("cases.created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("cases.created_at < ?", f.To)
	}
	if qs := strings.TrimSpace(f.Q); qs != "" {
		sql, qargs := searchCondition(qs)
		q = q.Where(sql, qargs...)
	}
	if f.Cursor != "" {
		last, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", domain.Invalid(domain.FieldError{Field: "cursor", Message: "validation.cursor"})
		}
		q = q.Where("cases.id < ?", last)
	}
	// Rows are scanned by hand: GORM's reflective scanning cost as much
	// CPU as the rest of the call together.
	rows, err := q.Order("cases.id DESC").Limit(limit + 1).Rows()
	if err != nil {
		return nil, "", fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	items := make([]ListItem, 0, limit+1)
	for rows.Next() {
		var it ListItem
		if err := rows.Scan(&it.ID, &it.Number, &it.OrgID, &it.OrgName, &it.Status, &it.Source, &it.DisputeType,
			&it.MediationDueAt, &it.RepeatInfringer, &it.CreatedAt, &it.Version); err != nil {
			return nil, "", fmt.Errorf("list cases: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list cases: %w", err)
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = encodeCursor(items[len(items)-1].ID)
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
// one query. Names of natural persons are masked for a viewer who sees the
// case only for oversight.
func (s *Service) fillNames(ctx context.Context, v viewer, items []ListItem, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT ON (case_id, role) case_id, role, kind, name
FROM case_parties WHERE case_id IN ? AND role IN ('applicant', 'respondent')
ORDER BY case_id, role, position, id`, ids).Rows()
	if err != nil {
		return fmt.Errorf("list cases: party names: %w", err)
	}
	defer rows.Close()
	byCase := make(map[int64]int, len(items))
	for i, it := range items {
		byCase[it.ID] = i
	}
	full := v.queueOrgs()
	for rows.Next() {
		var (
			caseID           int64
			role, kind, name string
		)
		if err := rows.Scan(&caseID, &role, &kind, &name); err != nil {
			return fmt.Errorf("list cases: party names: %w", err)
		}
		i := byCase[caseID]
		if kind == string(domain.PartyPerson) && v.leader && !slices.Contains(full, items[i].OrgID) {
			name = domain.MaskName(name)
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

// searchCondition matches a case by its number (any part of it: people
// type "第0012号" or just "0012"; the trigram index serves it), a
// party's name (substring, served by the trigram index) or an IP right's
// number (exact, in each kind's canonical spelling). The alternatives are
// one set of ids computed from three indexes, which the planner joins to
// the page rather than probing three sub-queries for every case walked.
func searchCondition(q string) (string, []any) {
	like := escapeLike(q)
	numbers := []string{q}
	for _, n := range []string{domain.NormalizePatentNumber(q), domain.NormalizeTrademarkRegNumber(q), domain.NormalizeCopyrightRegNumber(q)} {
		if n != "" && !slices.Contains(numbers, n) {
			numbers = append(numbers, n)
		}
	}
	return `cases.id IN (
SELECT c.id FROM cases c WHERE c.number LIKE ?
UNION SELECT cp.case_id FROM case_parties cp WHERE cp.name ILIKE ?
UNION SELECT cr.case_id FROM case_rights cr WHERE cr.number IN ?)`, []any{"%" + like + "%", "%" + like + "%", numbers}
}

// escapeLike escapes LIKE's wildcards so that a search for "50%" looks for
// the text, not for anything starting with 50.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func encodeCursor(id int64) string {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(id))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 8 {
		return 0, errors.New("bad cursor")
	}
	id := int64(binary.BigEndian.Uint64(b))
	if id <= 0 {
		return 0, errors.New("bad cursor")
	}
	return id, nil
}
