package referral

import (
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindJudicialConfirm is 司法确认: the handling committee applies to a
// court to confirm an agreement in effect, within the 30 days of the
// application window. Sending closes that window (met) and opens the
// court's 3 days to accept; accepting opens its 15 days to decide.
const KindJudicialConfirm Kind = "judicial_confirmation"

// The kind's deadlines (deadline.kind.<dl…> in the catalogs).
const (
	dlConfirmationAccept = "confirmation_accept"
	dlConfirmationDecide = "confirmation_decide"
)

var (
	stepConfirmationAccept = DeadlineStep{Kind: dlConfirmationAccept, Rule: "judicial_confirmation.accept"}
	stepConfirmationDecide = DeadlineStep{Kind: dlConfirmationDecide, Rule: "judicial_confirmation.decide"}
)

type confirmationFields struct {
	// JointApplication: both parties apply together (人民调解法第三十三条).
	JointApplication bool `json:"joint_application"`
}

var judicialConfirmation = Descriptor{
	Kind:        KindJudicialConfirm,
	Label:       "司法确认申请",
	Senders:     committees,
	Receivers:   []domain.OrgType{domain.OrgCourt},
	link:        caseRequired,
	fromHandler: true,
	Disclosure:  casePartsAgree,
	Results:     []string{"confirmed", "rejected"},
	Fields:      []Field{{Key: "joint_application", Type: FieldCheck, Required: true}},
	ResultFields: []Field{
		{Key: "decision", Type: FieldChoice, Required: true, ID: "r-decision", Values: "referral.value.", Options: []string{"confirmed", "rejected"}},
		{Key: "ruling_number", Type: FieldText, Required: true, ID: "r-ruling", Placeholder: "（2026）闽0102民特1号"},
		{Key: "reason", Type: FieldLongText, ID: "r-reason", Rows: 2},
	},
	Deadlines: []DeadlineStep{stepConfirmationAccept, stepConfirmationDecide},
	offered:   func(c CaseState) bool { return c.AgreementInEffect },
	check: sendAs(func(f *domain.Fields, in confirmationFields, _ sendContext, out map[string]any) *infringerInput {
		if !in.JointApplication {
			f.Add("fields.joint_application", "validation.consent_required")
		}
		out["joint_application"] = in.JointApplication
		return nil
	}),
	checkResult: func(f *domain.Fields, in resultInput, now time.Time, put func(key, v string), _ map[string]any) {
		d := oneOf(f, "result.decision", in.Decision, "confirmed", "rejected")
		put("decision", d)
		// The court rules on an application for judicial confirmation
		// by a 民特 ruling, confirmed or not: （2026）闽0102民特1号.
		put("ruling_number", rulingNumber(f, "result.ruling_number", in.RulingNumber, now))
		put("reason", text(f, "result.reason", in.Reason, d == "rejected", maxText))
	},
	caseRule: func(s *Service, f *domain.Fields, facts cases.Facts, now time.Time) error {
		settled := facts.Status == domain.StatusSettled || (facts.Status == domain.StatusClosed && facts.Outcome == string(domain.StatusSettled))
		if facts.Source == domain.SourceCourtEntrusted {
			// A court-entrusted case goes back to the court that entrusted
			// it, which concludes it by a civil mediation statement or lets
			// the plaintiff withdraw: its agreement is not for judicial
			// confirmation (docs/law.md §2).
			f.Add("case_id", "validation.referral_court_entrusted")
		} else if !settled || facts.EffectiveAt == nil {
			f.Add("case_id", "validation.referral_needs_effective_agreement")
		} else if calc, err := s.deadlines.Calculate(deadline.RuleJudicialConfirmationApply, *facts.EffectiveAt); err != nil {
			return err
		} else if !now.Before(calc.Due) {
			f.Add("case_id", "validation.referral_window_passed")
		}
		return nil
	},
	onSent: func(h hook) error {
		closed, err := h.s.deadlines.CloseTx(h.ctx, h.tx, deadline.CaseSubject(*h.r.CaseID), deadline.KindJudicialConfirmation, deadline.Met, h.now)
		if err != nil {
			return err
		}
		for _, d := range closed {
			h.detail["application_window"] = string(d.Status)
		}
		return h.open(h.r.ReceiverOrgID, stepConfirmationAccept, h.now, nil)
	},
	onAccepted: func(h hook) error {
		if _, err := h.close(stepConfirmationAccept); err != nil {
			return err
		}
		return h.open(h.r.ReceiverOrgID, stepConfirmationDecide, h.now, h.who)
	},
}
