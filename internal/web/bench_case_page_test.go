package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
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
	r, cv := benchCase(b, "sme1")
	a := r.App
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
	benchPage(b, webLogin(b, r, "director.gulou", demoPassword), fmt.Sprintf("%s/cases/%d", r.URL, cv.ID), "证据50.pdf", "王调解")
}

// benchCase starts the application with the demo data and files a case
// at 鼓楼 as who (an SME user or a clerk).
func benchCase(b *testing.B, who string) (*apptest.Running, domain.Case) {
	b.Helper()
	r := apptest.Start(b, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 100000 }))
	a := r.App
	org := apptest.Scalar[int64](b, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	cv, err := a.Cases.Submit(apptest.As(b, a, who), teaIntake(org))
	if err != nil {
		b.Fatal(err)
	}
	return r, cv
}

// benchPage times GET url with client c (after ten warm-up requests) for
// each iteration of b, and reports the median and the p95 in ms. The
// page must show each of want, so that the figures are of the full page.
func benchPage(b *testing.B, c *http.Client, url string, want ...string) {
	b.Helper()
	_, body := webGet(b, c, url)
	for _, w := range want {
		if !strings.Contains(body, w) {
			b.Fatalf("%s does not show %q", url, w)
		}
	}
	get := func() time.Duration {
		start := time.Now()
		res, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", url, res.StatusCode)
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

// BenchmarkReferralPage serves the page of a referral to market
// regulation (enforcement) of a mediated case to its receiver: the
// referral carries 200 events of its own and 50 attached documents, and
// its case 200 timeline events. Through the whole HTTP stack as
// BenchmarkCasePage. Run:
//
//	go test ./internal/web -run '^$' -bench ReferralPage -benchtime 300x
func BenchmarkReferralPage(b *testing.B) {
	r, cv := benchCase(b, "clerk.gulou")
	a := r.App
	org := cv.OrgID
	amr := apptest.Scalar[int64](b, a, "SELECT id FROM orgs WHERE code = 'fz-amr'")
	director := apptest.As(b, a, "director.gulou")
	var err error
	if cv, err = a.Cases.Accept(director, cv.ID, cases.AcceptInput{Version: cv.Version, ConsentAt: a.Clock.Now().Add(-time.Hour)}); err != nil {
		b.Fatal(err)
	}
	m1 := apptest.Scalar[int64](b, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	if cv, err = a.Cases.Assign(director, cv.ID, cases.AssignInput{Version: cv.Version, MediatorIDs: []int64{m1}}); err != nil {
		b.Fatal(err)
	}
	resp := apptest.Scalar[int64](b, a, "SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", cv.ID)
	fields, _ := json.Marshal(map[string]any{"grounds": "repeat_infringement", "facts": "再次销售侵权产品", "party_id": resp})
	ref, err := a.Referrals.Send(director, referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: amr, CaseID: &cv.ID, Fields: fields})
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		b.Helper()
		if err := a.DB.Exec(q, args...).Error; err != nil {
			b.Fatal(err)
		}
	}
	exec(`INSERT INTO referral_events (referral_id, at, actor_name, org_id, action, detail)
SELECT ?, now() - (200 - g) * interval '1 minute', '王调解', ?, 'note', jsonb_build_object('note', '第' || g || '次沟通')
FROM generate_series(1, 200 - (SELECT count(*) FROM referral_events WHERE referral_id = ?)::int) g`, ref.ID, org, ref.ID)
	exec(`INSERT INTO case_events (case_id, at, actor_name, action, detail)
SELECT ?, now() - (200 - g) * interval '1 minute', '王调解', 'note', jsonb_build_object('note', '第' || g || '次沟通记录')
FROM generate_series(1, 200 - (SELECT count(*) FROM case_events WHERE case_id = ?)::int) g`, cv.ID, cv.ID)
	exec(`INSERT INTO documents (case_id, referral_id, kind, file_name, size_bytes, content_type, sha256, storage_key, uploaded_at)
SELECT ?, ?, 'evidence', '移送材料' || g || '.pdf', 1024 * g, 'application/pdf', encode(sha256(g::text::bytea), 'hex'), 'bench/r' || g, now()
FROM generate_series(1, 50) g`, cv.ID, ref.ID)
	exec("ANALYZE")
	benchPage(b, webLogin(b, r, "enforcement.fz-amr", demoPassword), fmt.Sprintf("%s/referrals/%d", r.URL, ref.ID), "移送材料50.pdf", "王调解")
}
