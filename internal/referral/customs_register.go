package referral

import (
	"context"
	"fmt"
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

// RecordationHoldersTx are the enterprises a customs referral about a
// case or an application protects the rights of: the case's enterprise
// parties and applicant, or the application's applicant. Empty when none
// is registered here.
func RecordationHoldersTx(ctx context.Context, tx *gorm.DB, caseID, applicationID *int64) ([]int64, error) {
	var ids []int64
	db := tx.WithContext(ctx)
	switch {
	case applicationID != nil:
		if err := db.Raw(`SELECT a.applicant_org_id FROM assistance_applications a JOIN orgs o ON o.id = a.applicant_org_id
WHERE a.id = ? AND o.type = ?`, *applicationID, domain.OrgEnterprise).Scan(&ids).Error; err != nil {
			return nil, fmt.Errorf("recordation holders: %w", err)
		}
	case caseID != nil:
		if err := db.Raw(`SELECT DISTINCT e.org_id FROM (
	SELECT p.org_id FROM case_parties p WHERE p.case_id = ? AND p.org_id IS NOT NULL
	UNION SELECT c.applicant_org_id FROM cases c WHERE c.id = ? AND c.applicant_org_id IS NOT NULL) AS e (org_id)
JOIN orgs o ON o.id = e.org_id AND o.type = ? ORDER BY e.org_id`, *caseID, *caseID, domain.OrgEnterprise).Scan(&ids).Error; err != nil {
			return nil, fmt.Errorf("recordation holders: %w", err)
		}
	}
	return ids, nil
}

// checkRecordation checks the recordation number of a customs referral's
// fields against the register and stores it normalized.
func checkRecordation(ctx context.Context, tx *gorm.DB, f *domain.Fields, fields map[string]any, caseID, applicationID *int64, now time.Time) error {
	number, _ := fields["recordation_number"].(string)
	if number == "" {
		return nil
	}
	holders, err := RecordationHoldersTx(ctx, tx, caseID, applicationID)
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
