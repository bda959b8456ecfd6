package seed_test

import (
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
)

// TestDemoFairComplaints: the demo has staff on the 5·18 fair's station
// and complaints there at three steps, the latest against an exhibitor
// found infringing before.
func TestDemoFairComplaints(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	var staff int64
	a.DB.Raw("SELECT count(*) FROM fair_station_staff WHERE exhibition_code = 'fair-518'").Scan(&staff)
	if staff != 2 {
		t.Errorf("%d users on the station, want 2", staff)
	}
	var rows []struct {
		Status string
		N      int
	}
	if err := a.DB.Raw("SELECT status, count(*) AS n FROM fair_complaints GROUP BY status ORDER BY status").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rows {
		got[r.Status] = r.N
	}
	if got["closed"] != 1 || got["transferred"] != 1 || got["received"] != 1 {
		t.Errorf("demo fair complaints by status: %v", got)
	}
	var repeat int64
	a.DB.Raw(`SELECT count(*) FROM fair_complaints c WHERE c.status = 'received'
AND EXISTS (SELECT 1 FROM fair_complaints p WHERE p.decision = 'infringing' AND p.respondent_name = c.respondent_name)`).Scan(&repeat)
	if repeat != 1 {
		t.Error("the received complaint is not against an exhibitor found infringing before")
	}
}
