package web_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
)

// overdueShown matches what a page shows of an overdue deadline: the
// countdown (已超期 3 天, 还有 2 天) or the badge.
var overdueShown = regexp.MustCompile(`已超期 \d+ 天|>已超期<|还有 \d+ (个工作日|天)`)

// myDeadlines is the "my deadlines" table of the deadlines page (the
// calculator below it names every rule).
func myDeadlines(body string) string {
	i := strings.Index(body, `id="my-deadlines"`)
	if i < 0 {
		return ""
	}
	body = body[i:]
	if j := strings.Index(body, "</table>"); j >= 0 {
		body = body[:j]
	}
	return body
}

// TestDeadlinePages_FinishedCaseNeverOverdue: a case whose mediation
// period ran out shows "已超期" while it runs; once the case is finished
// (failed here) nothing shows a countdown or "已超期" any more: not its
// page, not the case list, not "my deadlines", not "my work"; its
// deadline says the case no longer runs.
func TestDeadlinePages_FinishedCaseNeverOverdue(t *testing.T) {
	f, a, r := deadlineFlow(t)
	c := f.mediatingCase(nil)
	notifytest.MoveTo(t, a.Clock, a.Clock.Now().Add(40*24*time.Hour))
	mediator := webLogin(t, r, "mediator1.gulou", "demo-pass-2026")
	casePage := fmt.Sprintf("%s/cases/%d", r.URL, c.ID)
	if _, body := webGet(t, mediator, casePage); !overdueShown.MatchString(body) {
		t.Fatal("the running case's mediation period is not shown overdue: the test cannot see the difference")
	}
	if err := a.DB.Exec(`UPDATE cases SET status = 'failed' WHERE id = ?`, c.ID).Error; err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{casePage, r.URL + "/cases", r.URL + "/deadlines", r.URL + "/work"} {
		resp, body := webGet(t, mediator, u)
		if resp.StatusCode != 200 || overdueShown.MatchString(body) {
			t.Errorf("%s: %d, shows a countdown or 已超期 for a finished case", u, resp.StatusCode)
		}
	}
	if _, body := webGet(t, mediator, casePage); !strings.Contains(body, "案件已结束，不再计时") {
		t.Error("the finished case's open deadline does not say it no longer runs")
	}
	if _, body := webGet(t, mediator, r.URL+"/deadlines"); strings.Contains(myDeadlines(body), c.Number) {
		t.Error("a finished case's deadline is still on my deadlines")
	}
}

// TestDeadlinePages_InformationWindow: the parties' window to apply for
// judicial confirmation is shown on the case as information; when it has
// passed it is neither overdue nor anyone's: not on "my deadlines".
func TestDeadlinePages_InformationWindow(t *testing.T) {
	f, a, r := deadlineFlow(t)
	c := f.mediatingCase(nil)
	if err := a.DB.Exec(`INSERT INTO deadlines (subject_type, subject_id, org_id, case_id, kind, rule_id, title, due_at, duty, responsible_user_id)
SELECT 'case', id, org_id, id, 'judicial_confirmation', 'judicial_confirmation.apply', '申请司法确认调解协议的期限', ?, 'information', ?
FROM cases WHERE id = ?`, a.Clock.Now().Add(-48*time.Hour), f.users["mediator1.gulou"], c.ID).Error; err != nil {
		t.Fatal(err)
	}
	mediator := webLogin(t, r, "mediator1.gulou", "demo-pass-2026")
	_, body := webGet(t, mediator, fmt.Sprintf("%s/cases/%d", r.URL, c.ID))
	for _, want := range []string{"申请司法确认调解协议的期限", "供参考", "已届满"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(body, "已超期") {
		t.Error("the judicial confirmation window shows 已超期")
	}
	_, body = webGet(t, mediator, r.URL+"/deadlines")
	if strings.Contains(myDeadlines(body), "申请司法确认调解协议的期限") {
		t.Error("the judicial confirmation window is on the mediator's own deadlines")
	}
}
