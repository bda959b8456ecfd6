package cases_test

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// BenchmarkSubmit files cases with one committee, one after another (each
// intake waits for the previous one's counter row), and with every
// committee at once.
func BenchmarkSubmit(b *testing.B) {
	fx := newFixture(b)
	b.Run("one-committee", func(b *testing.B) {
		ctx := fx.as("sme1")
		in := intake(fx.org("gulou"))
		for b.Loop() {
			if _, err := fx.svc.Submit(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel-committees", func(b *testing.B) {
		ctx := fx.as("sme1")
		var ins []cases.IntakeInput
		for _, code := range []string{"city", "gulou", "cangshan", "jinan", "mawei", "changle", "fuqing", "minhou"} {
			ins = append(ins, intake(fx.org(code)))
		}
		var next atomic.Int64
		// Four clients per CPU, like pgbench -c 8 on two cores, so that
		// the database, not the benchmark, is what waits.
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				in := ins[int(next.Add(1))%len(ins)]
				if _, err := fx.svc.Submit(ctx, in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// benchCases is how many cases BenchmarkList seeds into one committee: a
// committee's docket of a few years. The list at a million cases is
// BenchmarkListMillion's.
const benchCases = 5000

// seedCases writes n cases with two parties each into the committee by
// SQL, every third one after intake assigned to mediator.
func seedCases(b *testing.B, fx *fixture, org, mediator int64, n int) {
	b.Helper()
	fx.exec(`INSERT INTO cases (org_id, registration_number, number, number_year, number_seq, year, seq, region_code, source, dispute_type, summary, status, version, created_at, updated_at)
SELECT ?, '（2025）鼓知调登字第' || lpad(g::text, 7, '0') || '号', '（2025）鼓知调字第' || lpad(g::text, 7, '0') || '号', 2025, g, 2025, g, '350102', 'direct', 'patent_infringement', '批量案件',
       (ARRAY['submitted','accepted','mediating','settled','closed'])[1 + g % 5], 1,
       now() - (? - g) * interval '1 second', now()
FROM generate_series(1, ?) g`, org, n, n)
	fx.exec(`INSERT INTO case_parties (case_id, position, role, kind, name)
SELECT id, 0, 'applicant', 'organisation', '申请企业' || id FROM cases WHERE org_id = ?
UNION ALL
SELECT id, 1, 'respondent', 'person', '被申请人' || id FROM cases WHERE org_id = ?`, org, org)
	fx.exec(`INSERT INTO case_mediators (case_id, user_id, assigned_at)
SELECT id, ?, now() FROM cases WHERE org_id = ? AND status <> 'submitted' AND id % 3 = 0`, mediator, org)
	fx.exec("ANALYZE")
}

// BenchmarkList pages through a committee's cases as different viewers,
// next to the raw SQL of the director's first page for comparison.
func BenchmarkList(b *testing.B) {
	fx := newFixture(b)
	gulou := fx.org("gulou")
	seedCases(b, fx, gulou, fx.userID("mediator1.gulou"), benchCases)
	director := fx.as("director.gulou")
	_, deep, err := fx.svc.List(director, cases.ListFilter{Limit: 200})
	if err != nil {
		b.Fatal(err)
	}
	tests := []struct {
		name string
		who  string
		f    cases.ListFilter
	}{
		{"director", "director.gulou", cases.ListFilter{}},
		{"director-page-2", "director.gulou", cases.ListFilter{Cursor: deep}},
		{"director-status", "director.gulou", cases.ListFilter{Statuses: []domain.CaseStatus{domain.StatusMediating}}},
		{"city-director", "director.city", cases.ListFilter{}},
		{"leader", "leader", cases.ListFilter{}},
		{"mediator-mine", "mediator1.gulou", cases.ListFilter{Mine: true}},
		{"search-party", "director.gulou", cases.ListFilter{Q: "申请企业42"}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			ctx := fx.as(tt.who)
			for b.Loop() {
				items, _, err := fx.svc.List(ctx, tt.f)
				if err != nil || len(items) == 0 {
					b.Fatalf("%d items, %v", len(items), err)
				}
			}
		})
	}
	// The same two statements as the director's page, through
	// database/sql without GORM: the baseline of docs/design.md §13 ("within 2x
	// of the same raw SQL").
	b.Run("raw-sql", func(b *testing.B) {
		sqlDB, err := fx.db.DB()
		if err != nil {
			b.Fatal(err)
		}
		ctx := b.Context()
		for b.Loop() {
			rows, err := sqlDB.QueryContext(ctx, `SELECT c.id, c.number, c.org_id, o.name_zh, c.status, c.source, c.dispute_type,
c.mediation_due_at, c.repeat_infringer, c.created_at, c.version
FROM cases c JOIN orgs o ON o.id = c.org_id WHERE c.org_id IN ($1) ORDER BY c.id DESC LIMIT 51`, gulou)
			if err != nil {
				b.Fatal(err)
			}
			var ids []any
			for rows.Next() {
				var it cases.ListItem
				if err := rows.Scan(&it.ID, &it.Number, &it.OrgID, &it.OrgName, &it.Status, &it.Source, &it.DisputeType,
					&it.MediationDueAt, &it.RepeatInfringer, &it.CreatedAt, &it.Version); err != nil {
					b.Fatal(err)
				}
				ids = append(ids, it.ID)
			}
			rows.Close()
			ph := make([]string, len(ids[:50]))
			for i := range ph {
				ph[i] = "$" + strconv.Itoa(i+1)
			}
			rows, err = sqlDB.QueryContext(ctx, `SELECT DISTINCT ON (case_id, role) case_id, role, kind, name
FROM case_parties WHERE case_id IN (`+strings.Join(ph, ",")+`) AND role IN ('applicant', 'respondent')
ORDER BY case_id, role, position, id`, ids[:50]...)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var (
					id               int64
					role, kind, name string
				)
				if err := rows.Scan(&id, &role, &kind, &name); err != nil {
					b.Fatal(err)
				}
			}
			rows.Close()
		}
	})
}
