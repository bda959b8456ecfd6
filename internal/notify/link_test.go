package notify

import "testing"

// TestDeadlineLink: a reminder leads to the page of what its deadline is
// about - the referral, the assistance application or the case - and to
// the deadlines list only when there is none.
func TestDeadlineLink(t *testing.T) {
	caseID := int64(7)
	tests := []struct {
		d    deadlineRow
		want string
	}{
		{deadlineRow{SubjectType: "case", SubjectID: 7, CaseID: &caseID}, "/cases/7"},
		{deadlineRow{SubjectType: "referral", SubjectID: 12, CaseID: &caseID}, "/referrals/12"},
		{deadlineRow{SubjectType: "application", SubjectID: 3}, "/assistance/3"},
		{deadlineRow{SubjectType: "org", SubjectID: 5}, "/deadlines"},
	}
	for _, tt := range tests {
		if got := deadlineLink(tt.d); got != tt.want {
			t.Errorf("deadlineLink(%+v) = %s, want %s", tt.d, got, tt.want)
		}
	}
}
