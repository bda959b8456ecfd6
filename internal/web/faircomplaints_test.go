package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func init() { moreRows = append(moreRows, fairComplaintRows) }

var mxFairObjects mxObjects[int64]

// mxFairComplaint is a complaint at fair-518 received by the centre.
func mxFairComplaint(e *mxEnv) int64 {
	return mxFairObjects.get(e, func() int64 {
		act, err := e.a.Identity.Actor(context.Background(), e.users["assistance.fz"])
		if err != nil {
			e.t.Fatal(err)
		}
		c, err := e.a.Assistance.ReceiveFairComplaint(domain.WithActor(context.Background(), act), "fair-518", assistance.FairComplaintInput{
			Infringement: true, ComplainantName: "福州闽光软件科技有限公司", RightKind: domain.RightTrademark, RightNumber: "12345678",
			RightProof: "商标注册证复印件", RespondentName: "厦门某信息技术有限公司", Booth: "3号馆 A-12", Summary: "展品包装使用近似标识。"})
		if err != nil {
			e.t.Fatal(err)
		}
		return c.ID
	})
}

// fairComplaintRows: the fairs' managers (the centre, the IP office) work
// every fair's complaints; an association's staff hold the permission but
// are on no station in the matrix's data, so they are refused a fair's
// list (403) and do not see its complaints (404); nobody else has a
// station at all.
func fairComplaintRows() []mxRow {
	managers := func(ok int, others int) map[string]int {
		return map[string]int{"anon": 303, "assistance_officer": ok, "enforcement_officer": ok, "*": others}
	}
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	return []mxRow{
		{route: "GET /exhibitions/complaints", req: get("/exhibitions/complaints"),
			own: map[string]int{"anon": 303, "assistance_officer": 200, "enforcement_officer": 200, "association_staff": 200, "*": 403}},
		{route: "GET /exhibitions/:code/complaints", req: get("/exhibitions/fair-518/complaints"), own: managers(200, 403)},
		{route: "POST /exhibitions/:code/complaints", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/exhibitions/fair-518/complaints", form: url.Values{"complainant_name": {""}}}
		}, own: managers(422, 403)},
		{route: "GET /exhibitions/complaints/:id", req: func(e *mxEnv, _ mxActor, _ bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/exhibitions/complaints/%d", mxFairComplaint(e))}
		}, own: managers(200, 404)},
		{route: "POST /exhibitions/complaints/:id/:action", req: func(e *mxEnv, _ mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/exhibitions/complaints/%d/transfer", mxFairComplaint(e)), form: url.Values{"version": {""}}}
		}, own: managers(422, 404)},
		{route: "POST /exhibitions/:code/staff", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/exhibitions/fair-518/staff", form: url.Values{"user_id": {"0"}}}
		}, own: managers(422, 403)},
	}
}

// TestFairComplaints_Pages: the centre puts an association's staff on the
// 5·18 fair's station from the fair's page; they find the station in
// their navigation, receive a complaint there (a missing field is named
// and nothing is written), see its 24-hour transfer due, and once the
// clock passes it the complaint shows overdue on the list and its page;
// they transfer it. A mediator has no station; the association's staff
// see no other fair's list.
func TestFairComplaints_Pages(t *testing.T) {
	r := apptest.Start(t, apptest.WithTimeTravel(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	post := func(c *http.Client, page, u string, v url.Values) (*http.Response, string) {
		return submitPage(t, c, r.URL, page, u, v)
	}
	centre := webLogin(t, r, "assistance.fz", demoPassword)
	assocID := fmt.Sprint(userID(t, r, "association.fz-software"))
	resp, edit := post(centre, "/exhibitions/fair-518", "/exhibitions/fair-518/staff", url.Values{"user_id": {assocID}})
	if resp.StatusCode != 200 || !strings.Contains(edit, `data-staff="`+assocID+`"`) {
		t.Fatalf("staff added (%d)", resp.StatusCode)
	}

	assoc := webLogin(t, r, "association.fz-software", demoPassword)
	if _, work := webGet(t, assoc, r.URL+"/work"); !strings.Contains(work, `href="/exhibitions/complaints"`) {
		t.Error("the station's staff are not shown the station")
	}
	if _, list := webGet(t, assoc, r.URL+"/exhibitions/complaints"); !strings.Contains(list, `href="/exhibitions/fair-518/complaints"`) {
		t.Error("the station's fair is not listed")
	}
	if resp, _ := webGet(t, assoc, r.URL+"/exhibitions/fair-618/complaints"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another fair's list: %d", resp.StatusCode)
	}
	form := url.Values{"infringement": {"on"}, "complainant_name": {"福州闽光软件科技有限公司"}, "right_kind": {"trademark"},
		"right_number": {"12345678"}, "right_proof": {""}, "respondent_name": {"厦门某信息技术有限公司"}, "booth": {"3号馆 A-12"},
		"summary": {"展位展出的软件包装使用与“闽光”近似的标识。"}}
	var before int64
	r.App.DB.Raw("SELECT count(*) FROM fair_complaints").Scan(&before)
	resp, page := post(assoc, "/exhibitions/fair-518/complaints", "/exhibitions/fair-518/complaints", form)
	var after int64
	r.App.DB.Raw("SELECT count(*) FROM fair_complaints").Scan(&after)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="fc-rp"`) || after != before {
		t.Fatalf("a complaint without the proof of the right (%d, %d written)", resp.StatusCode, after-before)
	}
	form.Set("right_proof", "商标注册证第12345678号复印件")
	resp, page = post(assoc, "/exhibitions/fair-518/complaints", "/exhibitions/fair-518/complaints", form)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="fc-due"`) || strings.Contains(page, `id="fc-overdue"`) {
		t.Fatalf("received (%d)", resp.StatusCode)
	}
	link := resp.Request.URL.Path
	if _, err := r.App.Clock.Advance(25 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, list := webGet(t, assoc, r.URL+"/exhibitions/fair-518/complaints"); !strings.Contains(list, "已超期") {
		t.Error("the list does not show the complaint overdue")
	}
	_, page = webGet(t, assoc, r.URL+link)
	if !strings.Contains(page, `id="fc-overdue"`) {
		t.Fatal("the complaint's page does not show it overdue")
	}
	// The office sees the station's deadline among every deadline, but
	// not a link to a complaint it cannot open.
	office := webLogin(t, r, "leader", demoPassword)
	if _, dl := webGet(t, office, r.URL+"/deadlines"); strings.Contains(dl, `href="`+link) {
		t.Error("the office is linked to a complaint it cannot open")
	}
	if _, dl := webGet(t, assoc, r.URL+"/deadlines"); !strings.Contains(dl, `href="`+link) {
		t.Error("the station's staff are not linked to the complaint from the deadline")
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
	if version == nil {
		t.Fatal("no step form")
	}
	resp, page = post(assoc, link, link+"/transfer", url.Values{"version": {version[1]}, "enforcement_org_id": {fmt.Sprint(orgID(t, r, "fz-amr"))}})
	if resp.StatusCode != 200 || !strings.Contains(page, "已移交") || strings.Contains(page, `id="fc-overdue"`) {
		t.Fatalf("transferred (%d)", resp.StatusCode)
	}
	mediator := webLogin(t, r, "mediator1.gulou", demoPassword)
	if resp, _ := webGet(t, mediator, r.URL+"/exhibitions/complaints"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a mediator opens the station: %d", resp.StatusCode)
	}
	if resp, _ := webGet(t, mediator, r.URL+link); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a mediator opens a complaint: %d", resp.StatusCode)
	}
}
