package web_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// TestStats_EveryFigureIsItsList: /stats for the leadership office and a
// county director, for a year and for a quarter, links every figure to a
// case list with as many rows; the API answers the same totals; the CSV
// carries the tables in Chinese; a bad period names its field and nobody
// without stats:read finds the page.
func TestStats_EveryFigureIsItsList(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	year := r.App.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006")

	leader := webLogin(t, r, "leader", demoPassword)
	resp, page := webGet(t, leader, r.URL+"/stats")
	if resp.StatusCode != 200 || !strings.Contains(page, `id="stats-types"`) || !strings.Contains(page, "<svg") ||
		!strings.Contains(page, "统计期间："+year+"-01-01 至 "+year+"-12-31") || !strings.Contains(page, `href="/stats"`) {
		t.Fatalf("the leader's statistics (%d) lack the year, a breakdown, a chart or the navigation link", resp.StatusCode)
	}
	if strings.Count(page, `<tr><th scope="row">`+year+"-") != 12 || !strings.Contains(page, `id="stats-trend"`) {
		t.Error("the year's trend does not have its twelve months")
	}
	// 8 committees + 9 dispute types + sources, 4 figures each.
	if n, nonzero := checkFigures(t, r, leader, "leader /stats", page); n < 4*(8+5) || nonzero < 20 {
		t.Errorf("leader /stats: %d linked figures, %d not zero", n, nonzero)
	}
	_, page = webGet(t, leader, r.URL+"/stats?from="+year+"-01-01&to="+year+"-06-30")
	checkFigures(t, r, leader, "leader /stats first half-year", page)

	director := webLogin(t, r, "director.gulou", demoPassword)
	_, page = webGet(t, director, r.URL+"/stats?year="+year)
	if strings.Contains(page, "仓山区知识产权纠纷调解委员会") || !strings.Contains(page, "鼓楼区知识产权纠纷调解委员会") {
		t.Error("a county director's statistics are not their committee's alone")
	}
	if _, nonzero := checkFigures(t, r, director, "director.gulou /stats", page); nonzero < 10 {
		t.Errorf("director.gulou /stats: only %d figures are not zero", nonzero)
	}

	// The API: the same period's totals as JSON.
	var out struct {
		From, To string
		Total    struct{ Filed, Open, Settled, Failed int }
		ByType   []struct{ Key string } `json:"by_dispute_type"`
		Trend    []struct{ Month string }
	}
	token := mustLogin(t, r, "leader")
	api := call(t, r, http.MethodGet, "/api/v1/stats?year="+year, token, nil)
	if err := json.Unmarshal(api.Body, &out); err != nil || api.Status != 200 || out.From != year+"-01-01" || out.To != year+"-12-31" ||
		out.Total.Filed == 0 || len(out.ByType) < 5 || len(out.Trend) != 12 || out.Trend[0].Month != year+"-01" {
		t.Fatalf("API stats: %v %v %+v", api, err, out)
	}

	// CSV: a byte order mark, the tables, Chinese headers.
	resp, body := webGet(t, leader, r.URL+"/stats.csv?year="+year)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "\ufeff") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(body, "按纠纷类型\n纠纷类型,本年登记") || !strings.Contains(body, "鼓楼区知识产权纠纷调解委员会") {
		t.Errorf("CSV (%d):\n%s", resp.StatusCode, body)
	}

	// Excel: one sheet per table, Chinese headers, the header row frozen.
	resp, body = webGet(t, leader, r.URL+"/stats.xlsx?year="+year)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	book, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if sheets := book.GetSheetList(); len(sheets) != 3 || sheets[0] != "按调委会" || sheets[1] != "按纠纷类型" {
		t.Errorf("xlsx sheets %v", sheets)
	}
	rows, err := book.GetRows("按调委会")
	if err != nil || len(rows) != 1+8+1 || rows[0][1] != "本年登记" || len(rows[0]) != 8 || rows[0][6] != "办理天数（中位数）" ||
		rows[9][0] != "合计" || rows[9][1] != strconv.Itoa(out.Total.Filed) {
		t.Errorf("xlsx committee sheet: %v %q", err, rows)
	}
	if panes, err := book.GetPanes("按纠纷类型"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("xlsx header row not frozen: %+v %v", panes, err)
	}

	// A bad period names its field; the page keeps the form.
	resp, page = webGet(t, leader, r.URL+"/stats?quarter=2026-Q5")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "统计期间无效") {
		t.Errorf("a bad quarter: %d", resp.StatusCode)
	}
	if api := call(t, r, http.MethodGet, "/api/v1/stats?from=2026-05-01&to=2026-04-01", token, nil); api.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(api.Body), `"to"`) {
		t.Errorf("an inverted range: %v", api)
	}

	// A receiving body sees its referrals' figures, each its list, and no
	// case figures.
	customs := webLogin(t, r, "customs.fz", demoPassword)
	resp, page = webGet(t, customs, r.URL+"/stats")
	if resp.StatusCode != 200 || !strings.Contains(page, `id="stats-referrals"`) || strings.Contains(page, `id="stats-committees"`) {
		t.Errorf("customs' statistics (%d) are not its referrals alone", resp.StatusCode)
	}
	if _, nonzero := checkFigures(t, r, customs, "customs.fz /stats", page); nonzero == 0 {
		t.Error("customs.fz /stats: every referral figure is zero")
	}
	if _, work := webGet(t, customs, r.URL+"/work"); !strings.Contains(work, `href="/stats"`) {
		t.Error("customs is not shown its statistics")
	}

	// Roles that read neither.
	for _, u := range []string{"mediator1.gulou", "sme1", "association.fz-software"} {
		c := webLogin(t, r, u, demoPassword)
		if resp, page := webGet(t, c, r.URL+"/stats"); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "您没有权限") {
			t.Errorf("%s opens /stats: %d", u, resp.StatusCode)
		}
		if _, page := webGet(t, c, r.URL+"/work"); strings.Contains(page, `href="/stats"`) {
			t.Errorf("%s is shown a link to /stats", u)
		}
	}
}
