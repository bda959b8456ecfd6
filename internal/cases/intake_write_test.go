package cases

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/testenv"
)

// TestInsertOf_WritesWhatCreateWrites: the intake's INSERTs are the ones
// GORM's Create would run for the same rows (columns, order, values), so
// a field added to a row, or a tag that changes what Create writes,
// cannot be lost by the intake's single statement.
func TestInsertOf_WritesWhatCreateWrites(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	age, org := 41, int64(3)
	models := map[string]any{
		"case with its id": &caseInsert{Row: caseRow{ID: 7, OrgID: 3, RegistrationNumber: "（2026）鼓知调登字第0001号", Year: 2026, Seq: 1,
			Status: "submitted", Version: 1, CreatedAt: at, UpdatedAt: at, ApplicantOrgID: &org}, SMEApplicant: true, RightKinds: textArray{"patent"}},
		"parties with their ids": &[]partyRow{{ID: 11, CaseID: 7, Role: "applicant", Kind: "organisation", Name: "甲公司", OrgID: &org},
			{ID: 12, CaseID: 7, Position: 1, Role: "respondent", Kind: "person", Name: "乙", Age: &age, RepeatInfringer: true}},
		"rights without ids":  &[]rightRow{{CaseID: 7, Kind: "patent", Number: "ZL201310000000.1", ValidFrom: &at}},
		"event with its id":   &eventRow{ID: 5, CaseID: 7, At: at, Action: "submit", ToStatus: "submitted", Detail: "{}"},
		"event without an id": &eventRow{CaseID: 7, At: at, Action: "repeat_infringer", Detail: `{"parties":[]}`},
	}
	dollar := regexp.MustCompile(`\$[0-9]+`)
	for name, rows := range models {
		st := db.Session(&gorm.Session{DryRun: true}).Create(rows).Statement
		want := strings.TrimSuffix(dollar.ReplaceAllString(st.SQL.String(), "?"), ` RETURNING "id"`)
		got, args := insertOf(db, rows)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
		if !reflect.DeepEqual(args, st.Vars) {
			t.Errorf("%s: arguments\n got %#v\nwant %#v", name, args, st.Vars)
		}
	}
}
