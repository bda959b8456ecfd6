package referral

import (
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindAdministrative is 专利侵权纠纷行政裁决: a patent dispute goes to
// the administration for adjudication. Sending opens its 5 working days
// to accept; accepting its 3 months to decide.
const KindAdministrative Kind = "administrative_adjudication"

// The kind's deadlines (deadline.kind.<dl…> in the catalogs).
const (
	dlAdjudicationAccept = "adjudication_accept"
	dlAdjudicationDecide = "adjudication_decide"
)

var (
	stepAdjudicationAccept = DeadlineStep{Kind: dlAdjudicationAccept, Rule: "patent_adjudication.accept"}
	stepAdjudicationDecide = DeadlineStep{Kind: dlAdjudicationDecide, Rule: "patent_adjudication.decide"}
)

type adjudicationFields struct {
	Request string `json:"request"` // 请求事项
}

var administrativeAdjudication = Descriptor{
	Kind:       KindAdministrative,
	Label:      "专利侵权纠纷行政裁决",
	Senders:    agencySenders,
	Receivers:  []domain.OrgType{domain.OrgEnforcement},
	link:       caseOrApplication,
	Disclosure: caseParts,
	Results:    []string{"established", "not_established"},
	Fields:     []Field{{Key: "request", Type: FieldLongText, Required: true, ID: "f-req", Rows: 3}},
	ResultFields: []Field{
		{Key: "decision_number", Type: FieldText, Required: true, ID: "r-dn"},
		{Key: "infringement", Type: FieldChoice, Required: true, ID: "r-inf", Values: "referral.value.", Options: []string{"established", "not_established"}},
		{Key: "findings", Type: FieldLongText, Required: true, ID: "r-find", Rows: 3},
	},
	Deadlines: []DeadlineStep{stepAdjudicationAccept, stepAdjudicationDecide},
	offered:   func(c CaseState) bool { return c.DisputeType == domain.DisputePatent },
	check: sendAs(func(f *domain.Fields, in adjudicationFields, _ sendContext, out map[string]any) *infringerInput {
		out["request"] = text(f, "fields.request", in.Request, true, maxText)
		return nil
	}),
	checkResult: func(f *domain.Fields, in resultInput, _ time.Time, put func(key, v string), _ map[string]any) {
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, true, maxShort))
		put("infringement", oneOf(f, "result.infringement", in.Infringement, "established", "not_established"))
		put("findings", text(f, "result.findings", in.Findings, true, maxText))
	},
	caseRule: func(_ *Service, f *domain.Fields, facts cases.Facts, _ time.Time) error {
		if facts.DisputeType != domain.DisputePatent {
			f.Add("case_id", "validation.referral_patent_only")
		}
		return nil
	},
	onSent: func(h hook) error { return h.open(h.r.ReceiverOrgID, stepAdjudicationAccept, h.now, nil) },
	onAccepted: func(h hook) error {
		if _, err := h.close(stepAdjudicationAccept); err != nil {
			return err
		}
		return h.open(h.r.ReceiverOrgID, stepAdjudicationDecide, h.now, h.who)
	},
}
