package referral

import "github.com/ipmediate/ipmediate/internal/domain"

// KindCourtDelegation is 委派调解: a court delegates a dispute to a
// committee before filing it. Accepting files the case (source
// court_delegated); the case reports the result.
const KindCourtDelegation Kind = "court_delegation"

// caseOutcomes are the results of a court's delegation or entrustment:
// the outcome of the case it became.
var caseOutcomes = []string{"settled", "failed", "withdrawn", "rejected"}

// courtShown are what the referral page shows of a court's referral
// beyond its fields: the dispute the court sent and the outcome of the
// case it became.
var courtShown = []Field{{Key: "dispute_type", Values: "dispute."}, {Key: "outcome", Values: "referral.value."},
	{Key: "suggested_route", Values: "route."}}

// courtFields are the fields of both court kinds, as sent.
type courtFields struct {
	PreFilingNumber string                `json:"pre_filing_number"` // 诉前调解号 (delegation)
	CourtCaseNumber string                `json:"court_case_number"` // 案号 (entrustment)
	Procedure       domain.CourtProcedure `json:"procedure"`         // entrustment
}

var courtDelegation = Descriptor{
	Kind:       KindCourtDelegation,
	Label:      "委派调解",
	Senders:    []domain.OrgType{domain.OrgCourt},
	Receivers:  committees,
	link:       caseNone,
	Disclosure: casePartsAgree,
	filing:     &caseFiling{source: domain.SourceCourtDelegated, refKey: "pre_filing_number"},
	Results:    caseOutcomes,
	Fields: []Field{{Key: "pre_filing_number", Type: FieldText, Required: true, ID: "f-pfn",
		Placeholder: "（2026）闽0102民诉前调123号"}},
	ShownFields: courtShown,
	titleKey:    "pre_filing_number",
	inbox:       inboxAnySender,
	check: sendAs(func(f *domain.Fields, in courtFields, _ sendContext, out map[string]any) *infringerInput {
		out["pre_filing_number"] = text(f, "fields.pre_filing_number", in.PreFilingNumber, true, maxShort)
		return nil
	}),
}
