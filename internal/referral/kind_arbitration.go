package referral

import (
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindArbitration passes a dispute whose mediation failed to an
// arbitration commission, on an arbitration agreement on file or a
// clause recorded with the referral.
const KindArbitration Kind = "arbitration"

type arbitrationFields struct {
	// Clause is the arbitration clause as recorded, when no arbitration
	// agreement document is on file.
	Clause string `json:"arbitration_clause"`
}

var arbitration = Descriptor{
	Kind:        KindArbitration,
	Label:       "转仲裁",
	Senders:     committees,
	Receivers:   []domain.OrgType{domain.OrgArbitration},
	link:        caseRequired,
	fromHandler: true,
	Disclosure:  caseParts,
	Results:     []string{"award", "withdrawn"},
	Fields: []Field{{Key: "arbitration_clause", Type: FieldLongText, ID: "f-clause", Rows: 3,
		Help: "referral.arbitration_help"}},
	ShownFields: []Field{{Key: "arbitration_agreement_documents"}},
	ResultFields: []Field{
		{Key: "outcome", Type: FieldChoice, Required: true, ID: "r-outcome", Values: "referral.value.", Options: []string{"award", "withdrawn"}},
		{Key: "award_number", Type: FieldText, ID: "r-award"},
		{Key: "note", Type: FieldLongText, ID: "r-note", Rows: 2},
	},
	offered: func(c CaseState) bool { return c.failed() },
	check: sendAs(func(f *domain.Fields, in arbitrationFields, c sendContext, out map[string]any) *infringerInput {
		clause := text(f, "fields.arbitration_clause", in.Clause, false, maxText)
		if clause != "" {
			out["arbitration_clause"] = clause
		}
		if c.facts != nil && clause == "" && len(c.facts.ArbitrationAgreementDocs) == 0 {
			f.Add("fields.arbitration_clause", "validation.arbitration_agreement_required")
		}
		if c.facts != nil && len(c.facts.ArbitrationAgreementDocs) > 0 {
			out["arbitration_agreement_documents"] = c.facts.ArbitrationAgreementDocs
		}
		return nil
	}),
	checkResult: func(f *domain.Fields, in resultInput, _ time.Time, put func(key, v string), _ map[string]any) {
		o := oneOf(f, "result.outcome", in.Outcome, "award", "withdrawn")
		put("outcome", o)
		put("award_number", text(f, "result.award_number", in.AwardNumber, o == "award", maxShort))
		put("note", text(f, "result.note", in.Note, false, maxText))
	},
}
