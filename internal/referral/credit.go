package referral

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// creditRecord has the case service, which owns credit_records, write the
// credit record (docs/design.md §9) of an enforcement result that finds
// intentional or repeated infringement, against the suspected infringer
// named when the referral was sent (by credit code, or by the keyed hash
// of the identity number). The case service's intake check reads it, so the next case against the same
// respondent is flagged, but only once the decision is final: a result
// that does not say so (final) is still recorded, with decision_final
// false, and flags no case. It returns the
// record's id, or 0 when the result finds neither.
func (s *Service) creditRecord(ctx context.Context, tx *gorm.DB, st *state, result map[string]any) (int64, error) {
	intentional, _ := result["intentional"].(bool)
	repeated, _ := result["repeated"].(bool)
	if !intentional && !repeated {
		return 0, nil
	}
	inf, _ := st.row.fields()["infringer"].(map[string]any)
	rec := cases.CreditRecord{OrgID: st.row.ReceiverOrgID, At: st.now, DecidedOn: calendar.DateOf(st.now)}
	rec.SubjectKind, _ = inf["kind"].(string)
	rec.Name, _ = inf["name"].(string)
	rec.CreditCode, _ = inf["credit_code"].(string)
	rec.IDNumberHash, _ = inf["id_number_hash"].(string)
	if pid, ok := inf["party_id"].(float64); ok && pid > 0 {
		rec.PartyID = int64(pid)
	}
	var findings []string
	if intentional {
		findings = append(findings, "故意侵权")
	}
	if repeated {
		findings = append(findings, "重复侵权")
	}
	rec.Finding = strings.Join(findings, "、")
	if f, _ := result["findings"].(string); f != "" {
		rec.Finding += "：" + f
	}
	if d, _ := result["decided_on"].(string); d != "" {
		on, err := calendar.ParseDate(d)
		if err != nil {
			var f domain.Fields
			f.Add("result.decided_on", "validation.date")
			return 0, f.Err()
		}
		rec.DecidedOn = on
	}
	rec.Final, _ = result["final"].(bool)
	number, _ := result["decision_number"].(string)
	rec.Source = "enforcement referral " + fmt.Sprint(st.row.ID)
	if number != "" {
		rec.Source += " (" + number + ")"
	}
	return s.cases.RecordCreditTx(ctx, tx, rec)
}
