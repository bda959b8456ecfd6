package benchseed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Statement is one SQL statement as the service sent it to PostgreSQL:
// GORM's final text (with $n placeholders) and its bound values.
type Statement struct {
	SQL  string
	Args []any
}

type recorderKey struct{}

type recorder struct {
	mu    sync.Mutex
	stmts []Statement
}

var (
	installMu sync.Mutex
	installed = map[*gorm.DB]bool{}
)

// InstallCapture registers GORM callbacks on db that record every query a
// context made by Capture runs; other contexts pay one context lookup.
// Installing twice on the same db is a no-op.
func InstallCapture(db *gorm.DB) error {
	installMu.Lock()
	defer installMu.Unlock()
	if installed[db] {
		return nil
	}
	cb := func(tx *gorm.DB) {
		if tx.Statement == nil || tx.Statement.Context == nil {
			return
		}
		rec, ok := tx.Statement.Context.Value(recorderKey{}).(*recorder)
		// A dry run is a sub-query being rendered into its statement
		// (Table("(?)", sub)): part of a statement, not one sent.
		if !ok || tx.Error != nil || tx.DryRun {
			return
		}
		rec.mu.Lock()
		rec.stmts = append(rec.stmts, Statement{SQL: tx.Statement.SQL.String(), Args: slices.Clone(tx.Statement.Vars)})
		rec.mu.Unlock()
	}
	// Find and First go through the query callbacks; Scan and Raw(…).Scan
	// through the row callbacks.
	if err := db.Callback().Query().After("gorm:query").Register("benchseed:capture_query", cb); err != nil {
		return fmt.Errorf("install capture: %w", err)
	}
	if err := db.Callback().Row().After("gorm:row").Register("benchseed:capture_row", cb); err != nil {
		return fmt.Errorf("install capture: %w", err)
	}
	installed[db] = true
	return nil
}

// Capture returns a context that records the statements run with it, and
// a function returning them.
func Capture(ctx context.Context) (context.Context, func() []Statement) {
	rec := &recorder{}
	return context.WithValue(ctx, recorderKey{}, rec), func() []Statement {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return slices.Clone(rec.stmts)
	}
}

// RunRaw executes stmts on conn one after the other, as the service did,
// decoding every value of every row (the service scans them into
// structs), and returns the rows read.
func RunRaw(ctx context.Context, conn *pgx.Conn, stmts []Statement) (int, error) {
	n := 0
	for _, st := range stmts {
		rows, err := conn.Query(ctx, st.SQL, st.Args...)
		if err != nil {
			return n, err
		}
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				rows.Close()
				return n, err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Explain returns EXPLAIN (ANALYZE, BUFFERS) of st with its values.
func Explain(ctx context.Context, conn *pgx.Conn, st Statement) (string, error) {
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+st.SQL, st.Args...)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}

// Inline renders st with its values in place of the placeholders, for
// reading and for pasting into psql (not for execution by programs).
func Inline(st Statement) string {
	s := st.SQL
	for i := len(st.Args); i >= 1; i-- {
		var v string
		switch a := st.Args[i-1].(type) {
		case string:
			v = "'" + strings.ReplaceAll(a, "'", "''") + "'"
		case time.Time:
			v = "'" + a.UTC().Format(time.RFC3339Nano) + "'"
		case nil:
			v = "NULL"
		default:
			v = fmt.Sprint(a)
		}
		s = strings.ReplaceAll(s, fmt.Sprintf("$%d", i), v)
	}
	return s
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of ds, nearest
// rank; ds is sorted in place.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(p/100*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// Scenario is one case list request: who asks and with which filter.
type Scenario struct {
	Name   string // stable, used as the sub-benchmark name
	Label  string // for people: what it stands for
	User   string
	Filter cases.ListFilter
	Actor  *domain.Actor
}

// Context returns ctx acting as the scenario's user.
func (s Scenario) Context(ctx context.Context) context.Context { return domain.WithActor(ctx, s.Actor) }

// Probes are search terms taken from the seeded data of one committee, so
// that every search finds something.
type Probes struct {
	NumberPrefix string // a case number up to its first three digits
	PartyName    string // a company that is a party to some cases
	IPNumber     string // a patent application number in dispute
	BroadTerm    string // a name fragment shared by many companies
	// One- and two-character terms, which have no trigram: a surname held
	// by about 1% of the natural persons, and a given name of two
	// characters held by a few in ten thousand.
	OneChar, TwoChars string
}

// PickProbes chooses the probes among the cases of committee orgCode filed
// around the middle of the seeded period.
func PickProbes(ctx context.Context, db *gorm.DB, orgCode string) (Probes, error) {
	p := Probes{BroadTerm: "软件科技", OneChar: "郝", TwoChars: "郝鑫"}
	var orgID int64
	if err := db.WithContext(ctx).Raw("SELECT id FROM orgs WHERE code = ?", orgCode).Scan(&orgID).Error; err != nil || orgID == 0 {
		return p, fmt.Errorf("probes: committee %s not found (%v)", orgCode, err)
	}
	var pivot struct {
		ID     int64
		Number string
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, number FROM cases WHERE org_id = ?
AND id <= (SELECT (min(id) + max(id)) / 2 FROM cases) ORDER BY id DESC LIMIT 1`, orgID).Scan(&pivot).Error; err != nil {
		return p, fmt.Errorf("probes: %w", err)
	}
	if pivot.ID == 0 {
		return p, fmt.Errorf("probes: committee %s has no cases: seed them first", orgCode)
	}
	// （2025）鼓知调字第0123号 → （2025）鼓知调字第012
	if i := strings.Index(pivot.Number, "第"); i >= 0 {
		digits := strings.TrimSuffix(pivot.Number[i+len("第"):], "号")
		p.NumberPrefix = pivot.Number[:i+len("第")] + digits[:min(3, len(digits))]
	}
	err := db.WithContext(ctx).Raw(`SELECT cp.name FROM cases c JOIN case_parties cp ON cp.case_id = c.id
WHERE c.org_id = ? AND c.id <= ? AND cp.kind = 'organisation' AND cp.org_id IS NULL ORDER BY c.id DESC LIMIT 1`,
		orgID, pivot.ID).Scan(&p.PartyName).Error
	if err != nil {
		return p, fmt.Errorf("probes: %w", err)
	}
	err = db.WithContext(ctx).Raw(`SELECT cr.number FROM cases c JOIN case_rights cr ON cr.case_id = c.id
WHERE c.org_id = ? AND c.id <= ? AND cr.kind = 'invention_patent' ORDER BY c.id DESC LIMIT 1`,
		orgID, pivot.ID).Scan(&p.IPNumber).Error
	if err != nil {
		return p, fmt.Errorf("probes: %w", err)
	}
	if p.NumberPrefix == "" || p.PartyName == "" || p.IPNumber == "" {
		return p, fmt.Errorf("probes: committee %s lacks seeded data (%+v)", orgCode, p)
	}
	return p, nil
}

// Actor returns the demo user username as an actor.
func Actor(ctx context.Context, a *app.App, username string) (*domain.Actor, error) {
	var id int64
	if err := a.DB.WithContext(ctx).Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil {
		return nil, fmt.Errorf("user %s: %w", username, err)
	}
	if id == 0 {
		return nil, fmt.Errorf("user %s not found: seed the demo data first", username)
	}
	return a.Identity.Actor(ctx, id)
}

// ScenarioOptions choose the committee and the depth of the deep page.
type ScenarioOptions struct {
	Org   string // committee code; default gulou
	Depth int    // the page the deep scenario asks for; default 1000
	// Now anchors the date-range scenario; zero means time.Now.
	Now time.Time
}

// Scenarios returns the case list requests measured against the docs/design.md
// §13 target: the committee's queue (first page, and a page Depth deep
// reached by following cursors), a mediator's own cases, status, type,
// mediator and date filters, the three kinds of search and terms of one
// and two characters, and the scopes of the other roles (leader, city
// director, SME, court liaison).
func Scenarios(ctx context.Context, a *app.App, probes Probes, o ScenarioOptions) ([]Scenario, error) {
	if o.Org == "" {
		o.Org = "gulou"
	}
	if o.Depth <= 0 {
		o.Depth = 1000
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	director, mediator := "director."+o.Org, "mediator1."+o.Org
	var mediator2 int64
	if err := a.DB.WithContext(ctx).Raw("SELECT id FROM users WHERE username = ?", "mediator2."+o.Org).Scan(&mediator2).Error; err != nil {
		return nil, err
	}
	if mediator2 == 0 {
		return nil, fmt.Errorf("user mediator2.%s not found: seed the demo data first", o.Org)
	}
	from := time.Date(o.Now.In(beijing).Year()-2, 1, 1, 0, 0, 0, 0, beijing)
	list := []Scenario{
		{Name: "org_queue", Label: "director: committee queue, first page", User: director},
		{Name: "org_queue_deep", Label: fmt.Sprintf("director: queue page %d (cursor)", o.Depth), User: director},
		{Name: "mine", Label: "mediator: my cases", User: mediator, Filter: cases.ListFilter{Mine: true}},
		{Name: "status_mediating", Label: "director: status=mediating", User: director,
			Filter: cases.ListFilter{Statuses: []domain.CaseStatus{domain.StatusMediating}}},
		{Name: "status_submitted", Label: "director: status=submitted", User: director,
			Filter: cases.ListFilter{Statuses: []domain.CaseStatus{domain.StatusSubmitted}}},
		{Name: "dispute_type", Label: "director: type=trade_secret", User: director,
			Filter: cases.ListFilter{DisputeType: domain.DisputeTradeSecret}},
		{Name: "by_mediator", Label: "director: mediator=mediator2", User: director, Filter: cases.ListFilter{MediatorID: mediator2}},
		{Name: "date_range", Label: fmt.Sprintf("director: filed %s..+3 months", from.Format("2006-01-02")), User: director,
			Filter: cases.ListFilter{From: from, To: from.AddDate(0, 3, 0)}},
		{Name: "search_number", Label: "director: q=" + probes.NumberPrefix + "…", User: director, Filter: cases.ListFilter{Q: probes.NumberPrefix}},
		{Name: "search_party", Label: "director: q=" + probes.PartyName, User: director, Filter: cases.ListFilter{Q: probes.PartyName}},
		{Name: "search_ip", Label: "director: q=" + probes.IPNumber, User: director, Filter: cases.ListFilter{Q: probes.IPNumber}},
		{Name: "search_broad", Label: "director: q=" + probes.BroadTerm, User: director, Filter: cases.ListFilter{Q: probes.BroadTerm}},
		{Name: "search_one_char", Label: "director: q=" + probes.OneChar, User: director, Filter: cases.ListFilter{Q: probes.OneChar}},
		{Name: "search_two_chars", Label: "director: q=" + probes.TwoChars, User: director, Filter: cases.ListFilter{Q: probes.TwoChars}},
		{Name: "leader_all", Label: "leader: every case (oversight)", User: "leader"},
		{Name: "city_supervised", Label: "city director: supervised committees", User: "director.city"},
		{Name: "applicant_sme", Label: "SME: own cases", User: "sme1"},
		{Name: "court_liaison", Label: "court liaison: cases it filed", User: "liaison.gulou-court"},
	}
	actors := map[string]*domain.Actor{}
	for i := range list {
		s := &list[i]
		if actors[s.User] == nil {
			act, err := Actor(ctx, a, s.User)
			if err != nil {
				return nil, err
			}
			actors[s.User] = act
		}
		s.Actor = actors[s.User]
	}
	// The deep page: follow the cursors as a client paging would.
	deep := &list[1]
	cursor := ""
	for page := 1; page < o.Depth; page++ {
		_, next, err := a.Cases.List(deep.Context(ctx), cases.ListFilter{Cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("walk to page %d: %w", o.Depth, err)
		}
		if next == "" {
			deep.Label = fmt.Sprintf("director: queue page %d (cursor; the last)", page)
			break
		}
		cursor = next
	}
	deep.Filter.Cursor = cursor
	return list, nil
}

// ErrEmpty is returned by CaptureScenario when the scenario's page is
// empty: a list benchmark over no rows measures nothing.
var ErrEmpty = errors.New("the page is empty")

// CaptureScenario runs s once through the service and returns the
// statements List issued and the number of items on the page.
func CaptureScenario(ctx context.Context, svc *cases.Service, s Scenario) ([]Statement, int, error) {
	cctx, stmts := Capture(s.Context(ctx))
	items, _, err := svc.List(cctx, s.Filter)
	if err != nil {
		return nil, 0, err
	}
	st := stmts()
	if len(st) == 0 {
		return nil, 0, errors.New("no statement captured: call InstallCapture on the service's database first")
	}
	if len(items) == 0 {
		return st, 0, ErrEmpty
	}
	return st, len(items), nil
}
