package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
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
	// 8 committees + 8 dispute types + 7 sources, 7 figures each, and 10
	// kinds of IP right with 6.
	if n, nonzero := checkFigures(t, r, leader, "leader /stats", page); n < 7*(8+8+7)+6*10 || nonzero < 40 {
		t.Errorf("leader /stats: %d linked figures, %d not zero", n, nonzero)
	}
	if !strings.Contains(page, `id="stats-rights"`) || !strings.Contains(page, "sme_applicant=1") || !strings.Contains(page, "outcome=withdrawn") ||
		!strings.Contains(page, `id="stats-deadlines"`) {
		t.Error("the leader's statistics lack the breakdown by IP right, the SME figures or the withdrawn cases")
	}
	// The office reads everything: the referrals and the assistance
	// applications of every organisation, each figure its list (checked
	// above), the year's received referrals and applications all of the
	// city's, counted here straight from the tables.
	if !strings.Contains(page, `id="stats-referrals"`) || !strings.Contains(page, `id="stats-assistance"`) ||
		!strings.Contains(page, `id="stats-credit"`) || !strings.Contains(page, `href="/credit?shown=1"`) {
		t.Fatal("the leader's statistics lack the referrals, the assistance applications or the credit records")
	}
	from, to := year+"-01-01", year+"-12-31"
	var refs, apps int
	within := ` WHERE created_at >= (?::date)::timestamp AT TIME ZONE 'Asia/Shanghai' AND created_at < (?::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`
	r.App.DB.Raw(`SELECT count(*) FROM referrals`+within, from, to).Scan(&refs)
	r.App.DB.Raw(`SELECT count(*) FROM assistance_applications`+within, from, to).Scan(&apps)
	if refs == 0 || apps == 0 {
		t.Fatalf("the demo has %d referrals and %d applications this year", refs, apps)
	}
	box := url.Values{"box": {"inbox"}, "sent_from": {from}, "sent_to": {to}, "limit": {"200"}}
	if _, list := webGet(t, leader, r.URL+"/referrals?"+box.Encode()); len(listRow.FindAllString(list, -1)) != min(refs, 200) {
		t.Errorf("the leader's received referrals list %d rows, the city has %d", len(listRow.FindAllString(list, -1)), refs)
	}
	if _, list := webGet(t, leader, r.URL+"/assistance?submitted_from="+from+"&submitted_to="+to+"&limit=200"); len(listRow.FindAllString(list, -1)) != min(apps, 200) {
		t.Errorf("the leader's applications list %d rows, the city has %d", len(listRow.FindAllString(list, -1)), apps)
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
		Total    struct {
			Filed, Open, Settled, Failed, Withdrawn, Rejected int
			SME                                               int   `json:"sme_applicant"`
			Claimed                                           int64 `json:"claimed_amount_fen"`
			Agreed                                            int64 `json:"agreed_amount_fen"`
		}
		YearBefore struct{ Filed, Open int } `json:"year_before"`
		ByType     []struct{ Key string }    `json:"by_dispute_type"`
		ByRight    []struct {
			Key   string
			Filed int
			SME   *int `json:"sme_applicant"`
		} `json:"by_right_kind"`
		Trend []struct{ Month string }
	}
	token := mustLogin(t, r, "leader")
	api := call(t, r, http.MethodGet, "/api/v1/stats?year="+year, token, nil)
	if err := json.Unmarshal(api.Body, &out); err != nil || api.Status != 200 || out.From != year+"-01-01" || out.To != year+"-12-31" ||
		out.Total.Filed == 0 || len(out.ByType) < 5 || len(out.Trend) != 12 || out.Trend[0].Month != year+"-01" {
		t.Fatalf("API stats: %v %v %+v", api, err, out)
	}
	// The outcomes, the SMEs and the amounts are the cases' own, counted
	// here straight from the table; the rows by IP right are each case
	// once per kind it involves.
	inYear := "created_at >= make_timestamptz(" + year + ", 1, 1, 0, 0, 0, 'Asia/Shanghai') AND created_at < make_timestamptz(" + year + " + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')"
	endedIn := func(outcome string) int {
		return int(scalar[int64](t, r, "SELECT count(*) FROM cases WHERE outcome = ? AND outcome_at >= make_timestamptz("+year+
			", 1, 1, 0, 0, 0, 'Asia/Shanghai') AND outcome_at < make_timestamptz("+year+" + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')", outcome))
	}
	sme := int(scalar[int64](t, r, "SELECT count(*) FROM cases WHERE "+inYear+" AND EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = cases.id AND p.role = 'applicant' AND p.is_sme)"))
	claimed := scalar[int64](t, r, "SELECT coalesce(sum(claim_amount_fen), 0)::bigint FROM cases WHERE "+inYear)
	agreed := scalar[int64](t, r, "SELECT coalesce(sum(g.amount_fen), 0)::bigint FROM case_agreements g JOIN cases c ON c.id = g.case_id WHERE c.outcome = 'settled' AND "+
		strings.ReplaceAll(inYear, "created_at", "c.outcome_at"))
	// The same days a year earlier, counted likewise; nothing is in
	// progress in a past period.
	filedBefore := int(scalar[int64](t, r, "SELECT count(*) FROM cases WHERE created_at >= make_timestamptz("+year+" - 1, 1, 1, 0, 0, 0, 'Asia/Shanghai') AND created_at < make_timestamptz("+year+", 1, 1, 0, 0, 0, 'Asia/Shanghai')"))
	if out.YearBefore.Filed != filedBefore || out.YearBefore.Open != 0 {
		t.Errorf("API year before %+v, the table says %d filed", out.YearBefore, filedBefore)
	}
	if out.Total.Agreed != agreed || agreed == 0 {
		t.Errorf("API total agreed %d, the table says %d", out.Total.Agreed, agreed)
	}
	if out.Total.Withdrawn != endedIn("withdrawn") || out.Total.Rejected != endedIn("rejected") || out.Total.SME != sme || out.Total.Claimed != claimed ||
		sme == 0 || claimed == 0 || out.Total.Withdrawn+out.Total.Rejected == 0 {
		t.Errorf("API totals %+v; the table says withdrawn %d, rejected %d, SME %d, claimed %d", out.Total, endedIn("withdrawn"), endedIn("rejected"), sme, claimed)
	}
	patents := int(scalar[int64](t, r, "SELECT count(*) FROM cases WHERE "+inYear+" AND id IN (SELECT case_id FROM case_rights WHERE kind = 'invention_patent')"))
	if len(out.ByRight) < 10 || out.ByRight[0].Key != "invention_patent" || out.ByRight[0].Filed != patents || patents == 0 || out.ByRight[0].SME != nil {
		t.Errorf("API by right kind: %+v, want %d invention patent cases and no SME figure", out.ByRight, patents)
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
	// The office's workbook has every table: the cases' (with the
	// parties' ratings), the referrals', the assistance applications' and
	// the credit records'.
	if sheets := book.GetSheetList(); len(sheets) != 11 || sheets[10] != "知识产权信用记录" || sheets[0] != "按调委会" || sheets[1] != "按纠纷类型" || sheets[3] != "按知识产权类型" || sheets[4] != "期限执行情况" ||
		sheets[5] != "当事人评价" || sheets[6] != "转介与诉调对接" || sheets[8] != "维权援助申请" {
		t.Errorf("xlsx sheets %v", sheets)
	}
	rows, err := book.GetRows("按调委会")
	if err != nil || len(rows) != 1+8+2 || !strings.HasPrefix(rows[10][0], "上年同期") || rows[10][2] != "" || rows[10][1] != strconv.Itoa(out.YearBefore.Filed) ||
		rows[0][1] != "本年登记" || len(rows[0]) != 16 || rows[0][14] != "上年同期登记" || rows[0][15] != "同比" || rows[9][14] != strconv.Itoa(out.YearBefore.Filed) || rows[0][5] != "撤回" || rows[0][8] != "办理天数（中位数）" ||
		rows[0][12] != "请求金额（元）" || rows[0][13] != "协议金额（元）" || rows[9][0] != "合计" || rows[9][1] != strconv.Itoa(out.Total.Filed) || rows[9][10] != strconv.Itoa(sme) {
		t.Errorf("xlsx committee sheet: %v %q", err, rows)
	}
	if raw, err := book.GetCellValue("按调委会", "M10", excelize.Options{RawCellValue: true}); err != nil || raw != strconv.FormatFloat(float64(claimed)/100, 'f', -1, 64) {
		t.Errorf("xlsx total amount claimed %q (%v), want %d fen in yuan", raw, err, claimed)
	}
	if rows, err := book.GetRows("按知识产权类型"); err != nil || len(rows) != 1+10 || len(rows[0]) != 10 || rows[0][8] != "上年同期登记" || rows[1][1] != strconv.Itoa(patents) {
		t.Errorf("xlsx sheet by IP right (no total, no SME or amount): %v %q", err, rows)
	}
	// Deadlines kept: the committees' deadlines met and missed in the
	// year, counted here from the table.
	closedIn := func(status string) string {
		return strconv.FormatInt(scalar[int64](t, r, "SELECT count(*) FROM deadlines WHERE status = ? AND duty <> 'information' AND org_id IN (SELECT id FROM orgs WHERE type = 'mediation_committee') AND closed_at >= make_timestamptz("+year+
			", 1, 1, 0, 0, 0, 'Asia/Shanghai') AND closed_at < make_timestamptz("+year+" + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')", status), 10)
	}
	if rows, err := book.GetRows("期限执行情况"); err != nil || len(rows) != 1+8+1 || rows[9][1] != closedIn("met") || rows[9][2] != closedIn("missed") ||
		rows[9][1] == "0" || rows[9][2] == "0" {
		t.Errorf("xlsx deadlines kept: %v %q, the table says met %s, missed %s", err, rows, closedIn("met"), closedIn("missed"))
	}
	if panes, err := book.GetPanes("按纠纷类型"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("xlsx header row not frozen: %+v %v", panes, err)
	}

	// The return of people's mediation work: one line per committee and
	// the total, each column the table's own figure; a sheet defines them.
	resp, body = webGet(t, leader, r.URL+"/stats/return.xlsx?year="+year)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "ipmediate-return-"+year+"-01-01-"+year+"-12-31.xlsx") {
		t.Fatalf("the return: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	ret, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer ret.Close()
	inYearOf := func(col string) string {
		return col + " >= make_timestamptz(" + year + ", 1, 1, 0, 0, 0, 'Asia/Shanghai') AND " + col + " < make_timestamptz(" + year + " + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')"
	}
	want := []int64{
		scalar[int64](t, r, "SELECT count(DISTINCT (m.org_id, m.user_id)) FROM memberships m JOIN users u ON u.id = m.user_id AND u.active JOIN orgs o ON o.id = m.org_id AND o.type = 'mediation_committee' WHERE m.role = 'mediator'"),
		scalar[int64](t, r, "SELECT count(*) FROM cases WHERE "+inYearOf("accepted_at")),
		int64(out.Total.Settled), int64(out.Total.Failed), -1,
		scalar[int64](t, r, "SELECT count(*) FROM case_agreements WHERE NOT oral AND "+inYearOf("effective_at")),
		scalar[int64](t, r, "SELECT count(*) FROM case_agreements WHERE oral AND "+inYearOf("effective_at")),
	}
	rows, err = ret.GetRows("人民调解工作统计")
	if err != nil || len(rows) != 3+8+1 || rows[0][0] != "人民调解工作统计表（知识产权纠纷）" || rows[2][1] != "人民调解员（人）" || rows[2][10] != "申请司法确认（件）" ||
		rows[11][0] != "合计" || !strings.Contains(rows[3][0], "福州市") {
		t.Fatalf("the return's sheet: %v %q", err, rows)
	}
	for i, w := range want {
		if w >= 0 && rows[11][i+1] != strconv.FormatInt(w, 10) {
			t.Errorf("the return's total, column %q: %s, the tables say %d", rows[2][i+1], rows[11][i+1], w)
		}
	}
	if want[0] == 0 || want[1] == 0 || want[5] == 0 {
		t.Errorf("the demo has no mediators, accepted cases or written agreements this year: %v", want)
	}
	if defs, err := ret.GetRows("指标说明"); err != nil || len(defs) != 12 || !strings.Contains(defs[8][1], "口头") || !strings.Contains(defs[8][1], "第二十八条") {
		t.Errorf("the return's definitions: %v %q", err, defs)
	}
	if !strings.Contains(page, `href="/stats/return.xlsx?`) {
		t.Error("the statistics page does not offer the return")
	}
	_, body = webGet(t, director, r.URL+"/stats/return.xlsx?year="+year)
	if one, err := excelize.OpenReader(strings.NewReader(body)); err != nil {
		t.Errorf("director.gulou's return: %v", err)
	} else if rows, _ := one.GetRows("人民调解工作统计"); len(rows) != 3+1+1 || !strings.Contains(rows[3][0], "鼓楼区") {
		t.Errorf("director.gulou's return is not its committee's alone: %q", rows)
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
