package referral

import (
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindEnforcement passes a suspected repeat or malicious infringement to
// the administrative enforcement body. A result that finds intentional or
// repeated infringement writes a credit record against the suspected
// infringer (credit.go).
const KindEnforcement Kind = "enforcement"

type infringerInput struct {
	Kind       domain.PartyKind `json:"kind"`
	Name       string           `json:"name"`
	CreditCode string           `json:"credit_code"`
	IDNumber   string           `json:"id_number"`
}

type enforcementFields struct {
	// Grounds: repeat_infringement (重复侵权) or malicious_infringement
	// (恶意侵权).
	Grounds string `json:"grounds"`
	// PartyID names the suspected infringer among the case's
	// respondents; Infringer names one without a case.
	PartyID   int64           `json:"party_id"`
	Infringer *infringerInput `json:"infringer"`
	Facts     string          `json:"facts"`
}

var enforcement = Descriptor{
	Kind:       KindEnforcement,
	Label:      "移送行政执法",
	Senders:    agencySenders,
	Receivers:  []domain.OrgType{domain.OrgEnforcement},
	link:       caseOrApplication,
	Disclosure: caseParts,
	Fields: []Field{
		{Key: "grounds", Type: FieldChoice, Required: true, ID: "f-grounds", Values: "referral.value.",
			Options: []string{"repeat_infringement", "malicious_infringement"}},
		{Key: "infringer", Type: FieldInfringer, Required: true},
		{Key: "facts", Type: FieldLongText, Required: true, ID: "f-facts", Rows: 3},
	},
	// The infringer's kind, shown inside the infringer.
	ShownFields: []Field{{Key: "kind", Values: "referral.value."}},
	ResultFields: []Field{
		{Key: "decision_number", Type: FieldText, Required: true, ID: "r-dn"},
		{Key: "findings", Type: FieldLongText, Required: true, ID: "r-find", Rows: 3},
		{Key: "penalty", Type: FieldText, ID: "r-pen"},
		{Key: "decided_on", Type: FieldDate, ID: "r-on"},
		{Key: "intentional", Type: FieldCheck},
		{Key: "repeated", Type: FieldCheck},
		{Key: "final", Type: FieldCheck, Help: "referral.credit_help"},
	},
	offered: func(c CaseState) bool { return c.live() },
	inbox:   inboxApplication,
	credit:  true,
	check: sendAs(func(f *domain.Fields, in enforcementFields, c sendContext, out map[string]any) *infringerInput {
		out["grounds"] = oneOf(f, "fields.grounds", in.Grounds, "repeat_infringement", "malicious_infringement")
		out["facts"] = text(f, "fields.facts", in.Facts, true, maxText)
		return infringer(f, in, c.facts, out)
	}),
	checkResult: func(f *domain.Fields, in resultInput, now time.Time, put func(key, v string), out map[string]any) {
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, true, maxShort))
		put("findings", text(f, "result.findings", in.Findings, true, maxText))
		put("penalty", text(f, "result.penalty", in.Penalty, false, maxText))
		put("decided_on", dateOnly(f, "result.decided_on", in.DecidedOn, now))
		out["intentional"], out["repeated"], out["final"] = in.Intentional, in.Repeated, in.Final
	},
}

// infringer resolves the suspected infringer of an enforcement referral:
// a respondent of the case by party id, or one named in the fields. It
// records the display part in out and returns what the credit record
// needs (the identity number, which the caller encrypts).
func infringer(f *domain.Fields, in enforcementFields, facts *cases.Facts, out map[string]any) *infringerInput {
	if in.PartyID > 0 {
		if facts == nil {
			f.Add("fields.party_id", "validation.not_applicable")
			return nil
		}
		for _, r := range facts.Respondents {
			if r.PartyID == in.PartyID {
				out["infringer"] = map[string]any{"party_id": r.PartyID, "kind": string(r.Kind), "name": r.Name, "credit_code": r.CreditCode}
				if r.CreditCode == "" && r.IDNumberHash == "" {
					f.Add("fields.party_id", "validation.infringer_identity")
				}
				return &infringerInput{Kind: r.Kind, Name: r.Name, CreditCode: r.CreditCode}
			}
		}
		f.Add("fields.party_id", "validation.respondent")
		return nil
	}
	if in.Infringer == nil {
		f.Add("fields.party_id", "validation.required")
		return nil
	}
	p := *in.Infringer
	if p.Kind != domain.PartyPerson && p.Kind != domain.PartyOrganisation {
		f.Add("fields.infringer.kind", "validation.party_kind")
	}
	p.Name = text(f, "fields.infringer.name", p.Name, true, maxShort)
	p.CreditCode = domain.NormalizeCreditCode(p.CreditCode)
	if p.CreditCode != "" && !domain.ValidCreditCode(p.CreditCode) {
		f.Add("fields.infringer.credit_code", "validation.credit_code")
	}
	p.IDNumber = domain.NormalizeResidentID(p.IDNumber)
	switch {
	case p.IDNumber == "":
	case p.Kind == domain.PartyOrganisation:
		f.Add("fields.infringer.id_number", "validation.not_applicable")
	case !domain.ValidResidentID(p.IDNumber):
		f.Add("fields.infringer.id_number", "validation.resident_id")
	}
	if p.CreditCode == "" && p.IDNumber == "" {
		f.Add("fields.infringer.credit_code", "validation.infringer_identity")
	}
	disp := map[string]any{"kind": string(p.Kind), "name": p.Name, "credit_code": p.CreditCode}
	if p.IDNumber != "" {
		disp["id_number_masked"] = domain.MaskResidentID(p.IDNumber)
	}
	out["infringer"] = disp
	return &p
}
