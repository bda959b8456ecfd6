package referral

import (
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindLitigation is 调解不成转立案: after a failed mediation the
// handling committee passes the dispute to a court for filing.
const KindLitigation Kind = "litigation"

type litigationFields struct {
	Claims string `json:"claims"`
}

var litigation = Descriptor{
	Kind:        KindLitigation,
	Label:       "调解不成转立案",
	Senders:     committees,
	Receivers:   []domain.OrgType{domain.OrgCourt},
	link:        caseRequired,
	fromHandler: true,
	Disclosure:  caseParts,
	Fields:      []Field{{Key: "claims", Type: FieldLongText, ID: "f-claims", Rows: 3}},
	ResultFields: []Field{
		{Key: "filing_number", Type: FieldText, Required: true, ID: "r-filing"},
		{Key: "note", Type: FieldLongText, ID: "r-note", Rows: 2},
	},
	offered: func(c CaseState) bool { return c.failed() },
	check: sendAs(func(f *domain.Fields, in litigationFields, _ sendContext, out map[string]any) *infringerInput {
		if c := text(f, "fields.claims", in.Claims, false, maxText); c != "" {
			out["claims"] = c
		}
		return nil
	}),
	checkResult: func(f *domain.Fields, in resultInput, _ time.Time, put func(key, v string), _ map[string]any) {
		put("filing_number", text(f, "result.filing_number", in.FilingNumber, true, maxShort))
		put("note", text(f, "result.note", in.Note, false, maxText))
	},
	caseRule: func(_ *Service, f *domain.Fields, facts cases.Facts, _ time.Time) error {
		if facts.Outcome != string(domain.StatusFailed) {
			f.Add("case_id", "validation.referral_needs_failed")
		}
		return nil
	},
}
