package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// TestStats_FeedbackShownByCommittee: the statistics page, its API and
// its workbook carry the parties' ratings by committee in words, with
// the means; a committee without a rating shows dashes, not zeros.
func TestStats_FeedbackShownByCommittee(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	if err := a.DB.Exec(`INSERT INTO case_feedback (case_id, party_id, service, fairness, timeliness, user_id, created_at)
SELECT c.id, (SELECT id FROM case_parties WHERE case_id = c.id ORDER BY id LIMIT 1), 5, 4, 3,
  (SELECT id FROM users WHERE username = 'sme1'), ?
FROM cases c WHERE c.org_id = ? ORDER BY c.id LIMIT 1`, a.Clock.Now(), gulou).Error; err != nil {
		t.Fatal(err)
	}
	dir := webLogin(t, r, "director.gulou", demoPassword)
	res, page := webGet(t, dir, r.URL+"/stats")
	i := strings.Index(page, `id="stats-feedback"`)
	if res.StatusCode != 200 || i < 0 {
		t.Fatalf("no ratings on the statistics page (%d)", res.StatusCode)
	}
	card := page[i:]
	card = card[:strings.Index(card, "</section>")]
	for _, want := range []string{"当事人评价", "评价数", "<td>1</td><td>5.0</td><td>4.0</td><td>3.0</td>"} {
		if !strings.Contains(card, want) {
			t.Errorf("the ratings card lacks %q", want)
		}
	}
	leader := webLogin(t, r, "leader", demoPassword)
	if _, page = webGet(t, leader, r.URL+"/stats"); !strings.Contains(page, "<td>0</td><td>—</td><td>—</td><td>—</td>") {
		t.Error("a committee without a rating does not show dashes")
	}
	var out struct {
		Committees []struct {
			Key     string
			Ratings *int     `json:"ratings"`
			Service *float64 `json:"rating_service"`
		}
		Total struct {
			Ratings *int `json:"ratings"`
		}
	}
	api := call(t, r, http.MethodGet, "/api/v1/stats", mustLogin(t, r, "director.gulou"), nil)
	if err := json.Unmarshal(api.Body, &out); err != nil || api.Status != 200 || len(out.Committees) != 1 ||
		out.Committees[0].Ratings == nil || *out.Committees[0].Ratings != 1 || out.Committees[0].Service == nil || *out.Committees[0].Service != 5 ||
		out.Total.Ratings == nil || *out.Total.Ratings != 1 {
		t.Errorf("API ratings: %v %s", err, api.Body)
	}
	res, _ = webGet(t, dir, r.URL+"/stats.xlsx")
	if res.StatusCode != 200 {
		t.Errorf("the workbook: %d", res.StatusCode)
	}
}
