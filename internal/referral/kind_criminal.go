package referral

import (
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindCriminal is 涉嫌犯罪案件移送 (行刑衔接): an enforcement body
// transfers a suspected crime to public security. The 24 hours to
// transfer run from the approval of the transfer and are met by sending
// (missed when sent later), the sender responsible; receipt opens the
// police's 3 days to decide on filing.
const KindCriminal Kind = "criminal"

// The kind's deadlines (deadline.kind.<dl…> in the catalogs).
const (
	dlCriminalTransfer = "criminal_transfer"
	dlPoliceDecision   = "police_decision"
)

var (
	stepCriminalTransfer = DeadlineStep{Kind: dlCriminalTransfer, Rule: "criminal.transfer"}
	stepPoliceDecision   = DeadlineStep{Kind: dlPoliceDecision, Rule: "criminal.police_decision"}
)

type criminalFields struct {
	Offence string `json:"offence"` // 涉嫌罪名
	Items   string `json:"items"`   // 移送的涉案物品
	// DecidedAt is when the enforcement body's head approved the
	// transfer: the 24 hours run from it.
	DecidedAt *time.Time `json:"decided_at"`
}

var criminal = Descriptor{
	Kind:       KindCriminal,
	Label:      "涉嫌犯罪案件移送",
	Senders:    []domain.OrgType{domain.OrgEnforcement},
	Receivers:  []domain.OrgType{domain.OrgEnforcement},
	link:       caseOptional,
	Disclosure: caseParts,
	Results:    []string{"filed", "not_filed"},
	Fields: []Field{
		{Key: "offence", Type: FieldText, Required: true, ID: "f-off"},
		{Key: "items", Type: FieldLongText, Required: true, ID: "f-items", Rows: 3},
		{Key: "decided_at", Type: FieldTime, Required: true, ID: "f-dec", Help: "referral.criminal_help"},
	},
	ResultFields: []Field{
		{Key: "decision", Type: FieldChoice, Required: true, ID: "r-decision", Values: "referral.value.", Options: []string{"filed", "not_filed"}},
		{Key: "decision_number", Type: FieldText, Required: true, ID: "r-dn"},
		{Key: "reason", Type: FieldLongText, ID: "r-reason", Rows: 2},
	},
	Deadlines: []DeadlineStep{stepCriminalTransfer, stepPoliceDecision},
	inbox:     inboxAnySender,
	check: sendAs(func(f *domain.Fields, in criminalFields, c sendContext, out map[string]any) *infringerInput {
		out["offence"] = text(f, "fields.offence", in.Offence, true, maxShort)
		out["items"] = text(f, "fields.items", in.Items, true, maxText)
		if instant(f, "fields.decided_at", in.DecidedAt, c.now) {
			out["decided_at"] = stamp(in.DecidedAt)
		}
		return nil
	}),
	checkResult: func(f *domain.Fields, in resultInput, _ time.Time, put func(key, v string), _ map[string]any) {
		d := oneOf(f, "result.decision", in.Decision, "filed", "not_filed")
		put("decision", d)
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, true, maxShort))
		put("reason", text(f, "result.reason", in.Reason, d == "not_filed", maxText))
	},
	onSent: func(h hook) error {
		decided, ok := parseStamp(h.fields["decided_at"])
		if !ok {
			return fmt.Errorf("criminal referral without decided_at")
		}
		if err := h.open(*h.r.SenderOrgID, stepCriminalTransfer, decided, h.r.SentBy); err != nil {
			return err
		}
		closed, err := h.close(stepCriminalTransfer)
		if err != nil {
			return err
		}
		for _, d := range closed {
			h.detail["transfer_deadline"] = string(d.Status)
		}
		return nil
	},
	onReceived: func(h hook) error { return h.open(h.r.ReceiverOrgID, stepPoliceDecision, h.now, h.who) },
}
