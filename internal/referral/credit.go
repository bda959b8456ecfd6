package referral

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// creditRecord has the credit service make the credit record
// (docs/design.md §9) of an enforcement result that finds intentional or
// repeated infringement, against the suspected infringer named when the
// referral was sent (by credit code, or by the keyed hash of the identity
// number), with the decision's number as its document. A result that
// says the decision is final tells the subject and opens its objection
// period; one that does not makes a provisional record, which flags
// nothing until the body confirms the decision final. It returns the
// record's id, or 0 when the result finds neither.
func (s *Service) creditRecord(ctx context.Context, tx *gorm.DB, st *state, result map[string]any) (int64, error) {
	intentional, _ := result["intentional"].(bool)
	repeated, _ := result["repeated"].(bool)
	if !intentional && !repeated {
		return 0, nil
	}
	inf, _ := st.row.fields()["infringer"].(map[string]any)
	rec := credit.Input{OrgID: st.row.ReceiverOrgID, DecidedOn: calendar.DateOf(st.now), SourceKind: credit.SourceEnforcement,
		Severity: credit.SeveritySerious}
	rec.SubjectKind, _ = inf["kind"].(string)
	if rec.SubjectKind != "person" {
		rec.SubjectKind = "organisation"
	}
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
	rec.Source = "enforcement referral " + fmt.Sprint(st.row.ID)
	rec.DocumentNumber, _ = result["decision_number"].(string)
	if rec.DocumentNumber == "" {
		// A decision without its number is named by the referral.
		rec.DocumentNumber = rec.Source
	}
	// A subject not registered here learns of it with the decision the
	// body serves on it.
	rec.NoticeMethod = "decision"
	id, err := s.credit.RecordTx(ctx, tx, rec)
	if fe, ok := err.(*domain.Error); ok && fe.Code == domain.EINVALID {
		// The fields of the record are the result's.
		for i := range fe.Fields {
			fe.Fields[i].Field = "result." + fe.Fields[i].Field
		}
	}
	return id, err
}
