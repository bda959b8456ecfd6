package cases_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// queryCounter is a GORM logger that counts the statements it is told
// about: GORM traces every statement it runs, whatever its kind.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) LogMode(logger.LogLevel) logger.Interface { return q }
func (q *queryCounter) Info(context.Context, string, ...any)     {}
func (q *queryCounter) Warn(context.Context, string, ...any)     {}
func (q *queryCounter) Error(context.Context, string, ...any)    {}
func (q *queryCounter) Trace(context.Context, time.Time, func() (string, int64), error) {
	q.n.Add(1)
}

// TestCaseService_GetQueryCount checks that Get costs the same number of
// queries for a small case and for a large one: no query per party,
// session or event.
func TestCaseService_GetQueryCount(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	director := fx.as("director.gulou")
	med := fx.as("mediator1.gulou")
	m1 := fx.userID("mediator1.gulou")

	small := fx.submit("clerk.gulou", intake(gulou))

	in := intake(gulou)
	for i := range 6 {
		in.Parties = append(in.Parties, cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyPerson,
			Name: fmt.Sprintf("被申请人%d", i), IDNumber: residentID(fmt.Sprintf("35010219900101%03d", i)), Phone: "13900003333"})
	}
	in.Rights = append(in.Rights, cases.RightInput{Kind: domain.RightTrademark, Number: "7654321"},
		cases.RightInput{Kind: domain.RightSoftwareCopyr, Number: "2021SR0123456"})
	big := fx.submit("clerk.gulou", in)
	c, err := fx.svc.Accept(director, big.ID, cases.AcceptInput{Version: big.Version, ConsentAt: hourAgo()})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1, fx.userID("mediator2.gulou")}}); err != nil {
		t.Fatal(err)
	}
	if c, err = fx.svc.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if c, err = fx.svc.LogSession(med, c.ID, cases.SessionInput{Version: c.Version, HeldAt: caseClock.Now().Add(-time.Duration(10-i) * time.Hour),
			Mode: domain.ModePhone, Minutes: fmt.Sprintf("第%d次调解", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		fx.exec(`INSERT INTO documents (case_id, kind, file_name, size_bytes, content_type, sha256, storage_key, confidential, uploaded_by)
VALUES (?, 'evidence', ?, 10, 'application/pdf', repeat('a', 64), ?, ?, ?)`, c.ID, fmt.Sprintf("证据%d.pdf", i), fmt.Sprintf("k-%d", i), i == 0, m1)
	}
	if n := fx.count("SELECT count(*) FROM case_events WHERE case_id = ?", c.ID); n < 6 {
		t.Fatalf("only %d events", n)
	}

	counter := &queryCounter{}
	db := fx.db.Session(&gorm.Session{Logger: counter})
	dl := deadline.NewService(deadline.Deps{DB: db, Calendar: fx.app.Deadlines.Calendar(), Rules: fx.app.Deadlines.RuleSet(), Authz: fx.app.Authz,
		Now: caseClock.Now, Log: testenv.Logger(t)})
	svc := cases.NewService(cases.Deps{DB: db, Reads: database.Direct(db), Authz: fx.app.Authz, Audit: fx.app.Audit, PII: fx.app.PII, Deadlines: dl, Notices: fx.app.Notify,
		Now: caseClock.Now, Log: testenv.Logger(t)})
	measure := func(ctx context.Context, id int64) (int64, cases.CaseView) {
		t.Helper()
		before := counter.n.Load()
		v, err := svc.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return counter.n.Load() - before, v
	}
	for _, who := range []string{"director.gulou", "leader", "director.city"} {
		ctx := fx.as(who)
		nSmall, vs := measure(ctx, small.ID)
		nBig, vb := measure(ctx, big.ID)
		if len(vs.Parties) != 2 || len(vb.Parties) != 8 || len(vb.Sessions) != 5 || len(vb.Events) < 6 || len(vb.Rights) != 3 || len(vb.Mediators) != 2 {
			t.Fatalf("%s: big case has %d parties %d sessions %d events %d rights", who, len(vb.Parties), len(vb.Sessions), len(vb.Events), len(vb.Rights))
		}
		if nSmall != nBig {
			t.Errorf("%s: Get issued %d queries for the small case and %d for the big one", who, nSmall, nBig)
		}
		t.Logf("%s: Get = %d queries", who, nBig)
	}

	t.Run("confidential documents", func(t *testing.T) {
		fx := fx.with(t)
		// The leadership office oversees numbers, not files: casbin gives
		// it no document:read, so it sees none (the supervising director
		// reads them all, confidential ones included).
		for who, want := range map[string]int{"director.gulou": 3, "director.city": 3, "leader": 0} {
			v, err := fx.svc.Get(fx.as(who), big.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Documents) != want {
				t.Errorf("%s sees %d documents, want %d", who, len(v.Documents), want)
			}
		}
	})
}
