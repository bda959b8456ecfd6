package deadline_test

import (
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/deadline"
)

// TestConfirmationCourts: the delegating court first; patent, technical
// secret and computer software disputes to the intermediate court (its IP
// tribunal); otherwise the basic court of the committee's district. The
// table is data, checked when loaded.
func TestConfirmationCourts(t *testing.T) {
	t.Parallel()
	tab, err := deadline.DefaultConfirmationCourts()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc   string
		c      deadline.CourtCase
		want   string
		reason string
	}{
		{"delegated by a court", deadline.CourtCase{DisputeType: "patent_infringement", RegionCode: "350102", DelegatingCourt: "福州市鼓楼区人民法院"},
			"福州市鼓楼区人民法院", deadline.CourtDelegating},
		{"a patent dispute", deadline.CourtCase{DisputeType: "patent_infringement", RegionCode: "350104"},
			"福州市中级人民法院（福州知识产权法庭）", deadline.CourtIP},
		{"a technical secret", deadline.CourtCase{DisputeType: "trade_secret", RegionCode: "350104"},
			"福州市中级人民法院（福州知识产权法庭）", deadline.CourtIP},
		{"a copyright dispute over software", deadline.CourtCase{DisputeType: "copyright_infringement", RightKinds: []string{"software_copyright"}, RegionCode: "350104"},
			"福州市中级人民法院（福州知识产权法庭）", deadline.CourtIP},
		{"a trademark dispute in Cangshan", deadline.CourtCase{DisputeType: "trademark_infringement", RightKinds: []string{"trademark"}, RegionCode: "350104"},
			"福州市仓山区人民法院", deadline.CourtBasic},
		{"a district the table lacks", deadline.CourtCase{DisputeType: "trademark_infringement", RegionCode: "350999"},
			"调解委员会所在地的基层人民法院", deadline.CourtBasic},
	} {
		got := tab.Court(tc.c)
		if got.Text() != tc.want || got.Reason != tc.reason || got.Basis == "" {
			t.Errorf("%s: %+v (%s), want %s by %s", tc.desc, got, got.Text(), tc.want, tc.reason)
		}
	}
	for _, bad := range []struct{ yaml, want string }{
		{"ip_court: {court: x}\n", "dispute_types or right_kinds"},
		{"ip_cort: {}\n", "field ip_cort not found"},
		{"ip_court: {court: x, dispute_types: [a], basis: b}\ndelegated_basis: b\nbasic_basis: b\nbasic_courts: {\"3501\": y}\n", "six-digit"},
	} {
		if _, err := deadline.LoadConfirmationCourts([]byte(bad.yaml)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want an error about %s", bad.yaml, err, bad.want)
		}
	}
}
