package stats_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// TestReport_AgreesWithItselfAndTheListsWhileCasesMove: four committees
// file, accept, reject and withdraw cases at once while the leadership
// office reads the year's statistics again and again. Every report read
// in the middle of it agrees with itself (the trend's months add up to
// the cases filed, counted by another query: one snapshot), and once the
// committees stop, every figure equals the number of rows of the case
// list it links to.
func TestReport_AgreesWithItselfAndTheListsWhileCasesMove(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo())
	as := func(u string) context.Context { return actingAs(t, a, u) }
	leader := as("leader")
	year := stats.Year(a.Clock.Now().In(time.FixedZone("CST", 8*3600)).Year())

	const perCommittee = 12
	committees := []string{"gulou", "cangshan", "jinan", "mawei"}
	var (
		writers sync.WaitGroup
		done    atomic.Bool
		errs    = make(chan error, len(committees)+1)
	)
	for _, code := range committees {
		clerk, director := as("clerk."+code), as("director."+code)
		var org int64
		a.DB.Raw("SELECT id FROM orgs WHERE code = ?", code).Scan(&org)
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range perCommittee {
				c, err := a.Cases.Submit(clerk, cases.IntakeInput{OrgID: org, Source: domain.SourceDirect,
					DisputeType: domain.DisputeTrademark, Summary: "网店销售假冒注册商标的商品。", Claims: "停止销售。",
					Parties: []cases.PartyInput{{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州某科技有限公司", IsSME: i%2 == 0},
						{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "王某"}},
					Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: fmt.Sprintf("%08d", 10000000+i)}}})
				if err != nil {
					errs <- fmt.Errorf("%s: submit: %w", code, err)
					return
				}
				switch i % 3 {
				case 1:
					_, err = a.Cases.Reject(director, c.ID, cases.ReasonInput{Version: c.Version, Reason: "不属于知识产权纠纷。", Route: domain.RouteLitigation})
				case 2:
					c, err = a.Cases.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: a.Clock.Now().Add(-time.Minute)})
					if err == nil && i%2 == 0 {
						_, err = a.Cases.Withdraw(clerk, c.ID, cases.ReasonInput{Version: c.Version, Reason: "申请人已与对方和解。"})
					}
				}
				if err != nil {
					errs <- fmt.Errorf("%s: case %d: %w", code, c.ID, err)
					return
				}
			}
		}()
	}
	var reads atomic.Int64
	reader := make(chan struct{})
	go func() {
		defer close(reader)
		for !done.Load() {
			r, ok, err := a.Stats.Report(leader, year)
			if err != nil || !ok {
				errs <- fmt.Errorf("report: %v %w", ok, err)
				return
			}
			if err := consistent(r); err != nil {
				errs <- err
				return
			}
			reads.Add(1)
		}
	}()
	writers.Wait()
	done.Store(true)
	<-reader
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	t.Logf("%d reports read while %d cases were filed and moved", reads.Load(), perCommittee*len(committees))
	if reads.Load() < 2 {
		t.Errorf("only %d reports were read while the cases moved", reads.Load())
	}

	// At rest: every figure equals its list.
	r, _, err := a.Stats.Report(leader, year)
	if err != nil {
		t.Fatal(err)
	}
	if err := consistent(r); err != nil {
		t.Fatal(err)
	}
	count := func(f cases.ListFilter) int {
		t.Helper()
		n := 0
		f.Limit = 200
		for {
			items, next, err := a.Cases.List(leader, f)
			if err != nil {
				t.Fatal(err)
			}
			n += len(items)
			if next == "" {
				return n
			}
			f.Cursor = next
		}
	}
	ended := func(outcome string) cases.ListFilter {
		return cases.ListFilter{Outcome: outcome, OutcomeFrom: year.From, OutcomeTo: year.To}
	}
	filed := cases.ListFilter{From: year.From, To: year.To}
	sme := filed
	sme.SMEApplicant = true
	trademark := filed
	trademark.RightKind = domain.RightTrademark
	var trademarkLine stats.Line
	for _, l := range r.ByRight {
		if l.Key == string(domain.RightTrademark) {
			trademarkLine = l
		}
	}
	for what, pair := range map[string][2]int{
		"filed":            {r.Total.Filed, count(filed)},
		"open":             {r.Total.Open, count(cases.ListFilter{Statuses: stats.OpenStatuses})},
		"rejected":         {r.Total.Rejected, count(ended("rejected"))},
		"withdrawn":        {r.Total.Withdrawn, count(ended("withdrawn"))},
		"settled":          {r.Total.Settled, count(ended("settled"))},
		"SME applicant":    {r.Total.SME, count(sme)},
		"trademark, filed": {trademarkLine.Filed, count(trademark)},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s: the statistics say %d, the list has %d rows", what, pair[0], pair[1])
		}
	}
	if r.Total.Filed < perCommittee*len(committees) || r.Total.Rejected < len(committees)*perCommittee/3 || r.Total.Withdrawn == 0 {
		t.Errorf("the report missed the cases of this test: %+v", r.Total)
	}
}

// consistent checks what one snapshot guarantees: the breakdowns add up
// to the total, and the trend's months (another query) to the cases
// filed.
func consistent(r stats.Report) error {
	var byCommittee, byType, bySource, trend int
	for _, c := range r.Committees {
		byCommittee += c.Filed
	}
	for _, l := range r.ByType {
		byType += l.Filed
	}
	for _, l := range r.BySource {
		bySource += l.Filed
	}
	for _, m := range r.Trend {
		trend += m.Filed
	}
	if byCommittee != r.Total.Filed || byType != r.Total.Filed || bySource != r.Total.Filed || trend != r.Total.Filed {
		return fmt.Errorf("one report disagrees with itself: filed %d in total, %d by committee, %d by type, %d by source, %d month by month",
			r.Total.Filed, byCommittee, byType, bySource, trend)
	}
	return nil
}
