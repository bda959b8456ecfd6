package web_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// BenchmarkCasePage serves the case page of a mediated case with 200
// timeline events and 50 documents to its director, through the whole
// HTTP stack on the loopback (session, authorization, the case's reads,
// the template), and reports the median and p95 of the server's answer
// time as the client measures it. Run:
//
//	go test ./internal/web -run '^$' -bench CasePage -benchtime 300x
//
// The case's rows are read by case id, so the page's cost depends on its
// own events and documents, not on the size of the docket; the figures
// and the method are in docs/benchmarks.md.
func BenchmarkCasePage(b *testing.B) {
	r := apptest.Start(b, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 100000 }))
	a := r.App
	org := apptest.Scalar[int64](b, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	cv, err := a.Cases.Submit(apptest.As(b, a, "sme1"), cases.IntakeInput{OrgID: org, Source: domain.SourceDirect,
		DisputeType: domain.DisputeTrademark, Summary: "被申请人在网店销售假冒申请人注册商标的茶叶。", Claims: "停止侵权。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某某", IDNumber: "11010519491231002X", Phone: "13912345678"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}}})
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		b.Helper()
		if err := a.DB.Exec(q, args...).Error; err != nil {
			b.Fatal(err)
		}
	}
	// Fill up to 200 events and 50 documents (metadata rows: the page
	// lists documents, it does not read their bytes).
	id := cv.ID
	exec(fmt.Sprintf(`INSERT INTO case_events (case_id, at, actor_name, action, detail)
SELECT %d, now() - (200 - g) * interval '1 minute', '王调解', 'note', jsonb_build_object('note', '第' || g || '次沟通记录')
FROM generate_series(1, 200 - (SELECT count(*) FROM case_events WHERE case_id = %d)::int) g`, id, id))
	exec(fmt.Sprintf(`INSERT INTO documents (case_id, kind, file_name, size_bytes, content_type, sha256, storage_key, uploaded_at)
SELECT %d, 'evidence', '证据' || g || '.pdf', 1024 * g, 'application/pdf', encode(sha256(g::text::bytea), 'hex'), 'bench/%d/' || g, now()
FROM generate_series(1, 50) g`, id, id))
	exec("ANALYZE")
	c := webLogin(b, r, "director.gulou", demoPassword)
	url := fmt.Sprintf("%s/cases/%d", r.URL, cv.ID)
	get := func() time.Duration {
		start := time.Now()
		res, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("case page: %d", res.StatusCode)
		}
		return time.Since(start)
	}
	for range 10 {
		get() // warm the caches and the connection
	}
	var took []time.Duration
	for b.Loop() {
		took = append(took, get())
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}
