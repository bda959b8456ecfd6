package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/pdf/pdftest"
	"github.com/ipmediate/ipmediate/internal/service"
)

func init() { moreRows = append(moreRows, serviceRows) }

// mxServed are service records of the acceptance notice: on the
// enterprise ent-sme1 in the own case (own) and on the first party of
// the foreign case (foreign).
type mxServed struct{ own, foreign int64 }

var mxServedObjects mxObjects[*mxServed]

func mxServedRecords(e *mxEnv) *mxServed {
	return mxServedObjects.get(e, func() *mxServed {
		serve := func(user string, caseID int64) int64 {
			act, err := e.a.Identity.Actor(context.Background(), e.users[user])
			if err != nil {
				e.t.Fatal(err)
			}
			rs, err := e.a.Served.Serve(domain.WithActor(context.Background(), act), caseID, service.ServeInput{Doc: notice.DocAcceptance})
			if err != nil {
				e.t.Fatal(err)
			}
			return rs[0].ID
		}
		return &mxServed{own: serve("clerk.gulou", e.ownCase), foreign: serve("clerk.cangshan", e.foreignCase)}
	})
}

// serviceRows: those who work the case serve its notices; the clerk and
// the director record other means and see the overdue list; the director
// uploads the seal; a party enterprise's users open what was served on
// it. Everyone else finds nothing (404), except those who see the case
// and may not serve (403).
func serviceRows() []mxRow {
	record := func(prefix, method string) func(*mxEnv, mxActor, bool) mxReq {
		return func(e *mxEnv, _ mxActor, own bool) mxReq {
			id := mxServedRecords(e).foreign
			if own {
				id = mxServedRecords(e).own
			}
			path := prefix + ids(id)
			if method == "POST" {
				path += "/other-means"
			}
			return mxReq{method: method, path: path, form: url.Values{"method": {""}}}
		}
	}
	return []mxRow{
		{route: "POST /cases/:id/serve", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			id := e.foreignCase
			if own {
				id = e.ownCase
			}
			return mxReq{method: "POST", path: "/cases/" + ids(id) + "/serve", form: url.Values{"doc": {"summons"}}}
		}, own: map[string]int{"anon": 303, "director": 422, "clerk": 422, "mediator": 422, "leader": 403, "applicant": 403, "*": 404},
			foreign: map[string]int{"anon": 303, "leader": 403, "*": 404}},
		{route: "GET /served/:id", objects: true, req: record("/served/", "GET"),
			own: map[string]int{"anon": 303, "applicant": 200, "*": 404}, foreign: map[string]int{"anon": 303, "*": 404}},
		{route: "GET /service/overdue", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/service/overdue"} },
			own: map[string]int{"anon": 303, "director": 200, "clerk": 200, "*": 404}},
		{route: "POST /service/records/:id/other-means", objects: true, req: record("/service/records/", "POST"),
			own: map[string]int{"anon": 303, "director": 422, "clerk": 422, "*": 404}, foreign: map[string]int{"anon": 303, "*": 404}},
		{route: "GET /service/seal", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/service/seal"} },
			own: map[string]int{"anon": 303, "director": 200, "*": 404}},
		{route: "POST /service/seal", req: func(e *mxEnv, a mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: "/service/seal", form: url.Values{"org_id": {ids(e.orgs[a.org])}}}
		}, own: map[string]int{"anon": 303, "director": 422, "*": 404}},
	}
}

// TestService_PDFAndStatesOnTheCasePage: a notice downloads as a PDF that
// names its case; served, its records show on the case page in words, and
// the enterprise opens its own through the page, which marks it opened.
func TestService_PDFAndStatesOnTheCasePage(t *testing.T) {
	t.Parallel()
	e := newRefEnv(t)
	// Filed by the enterprise, so that its party is the enterprise.
	c, err := e.a.Cases.Submit(e.as("sme1"), printDispute(e.orgs["gulou"]))
	if err != nil {
		t.Fatal(err)
	}
	if c, err = e.a.Cases.Accept(e.as("director.gulou"), c.ID, cases.AcceptInput{Version: c.Version,
		ConsentAt: e.a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	status, body := e.page("clerk.gulou", fmt.Sprintf("/cases/%d/print/acceptance?format=pdf", c.ID))
	if status != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("pdf: %d %.40q", status, body)
	}
	var rs []service.Record
	text, err := pdftest.Text([]byte(body))
	if err != nil || !strings.Contains(pdftest.Joined(text), c.Number) {
		t.Errorf("the PDF does not name %s (%v):\n%s", c.Number, err, text)
	}
	if status, _ := e.page("clerk.gulou", fmt.Sprintf("/cases/%d/print/rejection?format=pdf", c.ID)); status != 404 {
		t.Errorf("the rejection notice of an accepted case: %d, want 404", status)
	}
	rs, err = e.a.Served.Serve(e.as("clerk.gulou"), c.ID, service.ServeInput{Doc: notice.DocAcceptance})
	if err != nil {
		t.Fatal(err)
	}
	_, page := e.page("clerk.gulou", fmt.Sprintf("/cases/%d", c.ID))
	for _, w := range []string{"已送达", "已发送", rs[0].SHA256} {
		if !strings.Contains(page, w) {
			t.Errorf("the case page does not show %q", w)
		}
	}
	if status, _ := e.page("sme1", fmt.Sprintf("/served/%d", rs[1].ID)); status != 404 {
		t.Errorf("the enterprise opens the person's record: %d, want 404", status)
	}
	if status, body := e.page("sme1", fmt.Sprintf("/served/%d", rs[0].ID)); status != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("the enterprise opens its record: %d", status)
	}
	if _, page = e.page("clerk.gulou", fmt.Sprintf("/cases/%d", c.ID)); !strings.Contains(page, "已查阅") {
		t.Error("the case page does not show the record opened")
	}
}
