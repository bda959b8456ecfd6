package referral

import "github.com/ipmediate/ipmediate/internal/domain"

// KindCourtEntrustment is 委托调解: a court entrusts a dispute it has
// filed to a committee. Accepting files the case (source
// court_entrusted, with the court's procedure); the case reports the
// result.
const KindCourtEntrustment Kind = "court_entrustment"

var courtEntrustment = Descriptor{
	Kind:       KindCourtEntrustment,
	Label:      "委托调解",
	Senders:    []domain.OrgType{domain.OrgCourt},
	Receivers:  committees,
	link:       caseNone,
	Disclosure: casePartsAgree,
	filing:     &caseFiling{source: domain.SourceCourtEntrusted, refKey: "court_case_number", procedure: true},
	Results:    caseOutcomes,
	Fields: []Field{
		{Key: "court_case_number", Type: FieldText, Required: true, ID: "f-ccn"},
		{Key: "procedure", Type: FieldChoice, Required: true, ID: "f-proc", Values: "procedure.",
			Options: []string{string(domain.ProcedureOrdinary), string(domain.ProcedureSimplified)}},
	},
	ShownFields: courtShown,
	titleKey:    "court_case_number",
	inbox:       inboxAnySender,
	check: sendAs(func(f *domain.Fields, in courtFields, _ sendContext, out map[string]any) *infringerInput {
		out["court_case_number"] = text(f, "fields.court_case_number", in.CourtCaseNumber, true, maxShort)
		out["procedure"] = oneOf(f, "fields.procedure", string(in.Procedure), string(domain.ProcedureOrdinary), string(domain.ProcedureSimplified))
		return nil
	}),
}
