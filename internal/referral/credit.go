package referral

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

// creditRecord writes the credit record (docs/design.md §9) of an enforcement
// result that finds intentional or repeated infringement, against the
// suspected infringer named when the referral was sent (by credit code,
// or by the keyed hash of the identity number). The case service's intake
// check reads credit_records, so the next case against the same
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
	kind, _ := inf["kind"].(string)
	name, _ := inf["name"].(string)
	code, _ := inf["credit_code"].(string)
	hash, _ := inf["id_number_hash"].(string)
	if hash == "" {
		// A respondent chosen from the case: its keyed hash is the case's.
		if pid, ok := inf["party_id"].(float64); ok && pid > 0 {
			if err := tx.WithContext(ctx).Raw("SELECT id_number_hash FROM case_parties WHERE id = ?", int64(pid)).Scan(&hash).Error; err != nil {
				return 0, fmt.Errorf("credit record: %w", err)
			}
		}
	}
	if code == "" && hash == "" {
		return 0, fmt.Errorf("credit record: referral %d names no identifiable infringer", st.row.ID)
	}
	if kind != "person" && kind != "organisation" {
		kind = "organisation"
	}
	var findings []string
	if intentional {
		findings = append(findings, "故意侵权")
	}
	if repeated {
		findings = append(findings, "重复侵权")
	}
	finding := strings.Join(findings, "、")
	if f, _ := result["findings"].(string); f != "" {
		finding += "：" + f
	}
	decided := calendar.DateOf(st.now).String()
	if d, _ := result["decided_on"].(string); d != "" {
		decided = d
	}
	final, _ := result["final"].(bool)
	number, _ := result["decision_number"].(string)
	source := "enforcement referral " + fmt.Sprint(st.row.ID)
	if number != "" {
		source += " (" + number + ")"
	}
	var id int64
	if err := tx.WithContext(ctx).Raw(`INSERT INTO credit_records (subject_kind, name, credit_code, id_number_hash, finding, source, decided_on,
decision_final, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, kind, name, code, hash, finding, source, decided, final, st.now).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("credit record: %w", err)
	}
	return id, nil
}
