package referral

import (
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindRightsAssistance asks the assistance centre to help an SME protect
// its rights; the rules of the worker produce it as well (ProduceTx).
const KindRightsAssistance Kind = "rights_assistance"

type assistanceFields struct {
	Help string `json:"help"` // the help wanted
}

var rightsAssistance = Descriptor{
	Kind:  KindRightsAssistance,
	Label: "维权援助",
	Senders: []domain.OrgType{domain.OrgMediationCommittee, domain.OrgSocialMediation, domain.OrgCourt,
		domain.OrgArbitration, domain.OrgCustoms, domain.OrgEnforcement, domain.OrgIndustryAssoc, domain.OrgLeadershipOffice},
	Receivers:  []domain.OrgType{domain.OrgAssistanceCenter},
	link:       caseOptional,
	Disclosure: cases.Disclosure{Summary: true, Parties: true},
	Results:    []string{"assisted", "not_assisted"},
	Fields:     []Field{{Key: "help", Type: FieldLongText, ID: "f-help", Rows: 3}},
	// A produced referral names the rule that fired and what for.
	ShownFields: []Field{{Key: "rule"}, {Key: "key"}},
	ResultFields: []Field{
		{Key: "outcome", Type: FieldChoice, Required: true, ID: "r-outcome", Values: "referral.value.", Options: []string{"assisted", "not_assisted"}},
		{Key: "note", Type: FieldLongText, Required: true, ID: "r-note", Rows: 2},
	},
	offered: func(c CaseState) bool { return c.live() },
	check: sendAs(func(f *domain.Fields, in assistanceFields, _ sendContext, out map[string]any) *infringerInput {
		if h := text(f, "fields.help", in.Help, false, maxText); h != "" {
			out["help"] = h
		}
		return nil
	}),
	checkResult: func(f *domain.Fields, in resultInput, _ time.Time, put func(key, v string), _ map[string]any) {
		put("outcome", oneOf(f, "result.outcome", in.Outcome, "assisted", "not_assisted"))
		put("note", text(f, "result.note", in.Note, true, maxText))
	},
}
