package referral

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
)

// A customs referral names the right holder's recordation from the
// customs recordation register (internal/recordation). The number may be
// left empty: a right holder whose right is not recorded may still apply
// for detention, bringing the documents recordation would have supplied
// (知识产权海关保护条例 art. 13). A number given must be a recordation of
// the right holder in force today; anything else is refused naming
// fields.recordation_number.

// checkRecordation checks the recordation number of a customs referral's
// fields against the register and stores it normalized.
func checkRecordation(ctx context.Context, tx *gorm.DB, f *domain.Fields, fields map[string]any, caseID, applicationID *int64, now time.Time) error {
	number, _ := fields["recordation_number"].(string)
	if number == "" {
		return nil
	}
	holders, err := recordation.HoldersTx(ctx, tx, caseID, applicationID)
	if err != nil {
		return err
	}
	problem, err := recordation.CheckTx(ctx, tx, number, holders, calendar.DateOf(now))
	if err != nil {
		return err
	}
	if problem != "" {
		f.Add("fields.recordation_number", problem, "Number", number)
		return nil
	}
	fields["recordation_number"] = recordation.NormalizeNumber(number)
	return nil
}
