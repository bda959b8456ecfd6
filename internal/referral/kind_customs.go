package referral

import (
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindCustoms asks customs to protect a right at the border. Accepting
// records the detention. On the right holder's application, the court's
// assistance notice is due within 20 working days; ex officio, the right
// holder answers within 3 working days of the notice, customs
// investigates within 30 working days and releases the goods after 50
// working days without a court notice.
const KindCustoms Kind = "customs"

// Customs modes: detention on the right holder's application, or ex
// officio (customs found the goods itself and told the right holder).
const (
	customsOnApplication = "on_application"
	customsExOfficio     = "ex_officio"
)

// The kind's deadlines (deadline.kind.<dl…> in the catalogs).
const (
	dlCustomsCourtNotice = "customs_court_notice"
	dlCustomsAnswer      = "customs_answer"
	dlCustomsInvestigate = "customs_investigate"
	dlCustomsRelease     = "customs_release"
)

var (
	stepCustomsCourtNotice = DeadlineStep{Kind: dlCustomsCourtNotice, Rule: "customs.application.court_notice"}
	stepCustomsAnswer      = DeadlineStep{Kind: dlCustomsAnswer, Rule: "customs.ex_officio.answer"}
	stepCustomsInvestigate = DeadlineStep{Kind: dlCustomsInvestigate, Rule: "customs.ex_officio.investigate"}
	stepCustomsRelease     = DeadlineStep{Kind: dlCustomsRelease, Rule: "customs.ex_officio.release"}
)

type customsFields struct {
	Mode               string `json:"mode"`
	Goods              string `json:"goods"`
	Port               string `json:"port"`
	DeclarationNumber  string `json:"declaration_number"`
	RecordationNumber  string `json:"recordation_number"`
	GuaranteeAmountFen int64  `json:"guarantee_amount_fen"`
}

type customsAccept struct {
	DetainedAt *time.Time `json:"detained_at"`
	NotifiedAt *time.Time `json:"notified_at"` // ex officio: the right holder was notified
}

var customs = Descriptor{
	Kind:       KindCustoms,
	Label:      "海关知识产权保护",
	Senders:    agencySenders,
	Receivers:  []domain.OrgType{domain.OrgCustoms},
	link:       caseOrApplication,
	Disclosure: cases.Disclosure{Summary: true, Rights: true},
	Results:    []string{"infringing", "not_infringing", "released", "court_notice"},
	Fields: []Field{
		{Key: "mode", Type: FieldChoice, Required: true, ID: "f-mode", Values: "referral.value.",
			Options: []string{customsOnApplication, customsExOfficio}},
		{Key: "goods", Type: FieldLongText, Required: true, ID: "f-goods", Rows: 2},
		{Key: "port", Type: FieldText, Required: true, ID: "f-port"},
		{Key: "declaration_number", Type: FieldText, ID: "f-decl"},
		{Key: "recordation_number", Type: FieldText, ID: "f-rec"},
		{Key: "guarantee_amount_fen", Type: FieldAmount, ID: "f-guar"},
	},
	AcceptFields: []Field{
		{Key: "detained_at", Type: FieldTime, Required: true, ID: "detained_at"},
		{Key: "notified_at", Type: FieldTime, ID: "notified_at", WhenKey: "mode", WhenValue: customsExOfficio},
	},
	ResultFields: []Field{
		{Key: "outcome", Type: FieldChoice, Required: true, ID: "r-outcome", Values: "referral.value.",
			Options: []string{"infringing", "not_infringing", "released", "court_notice"}},
		{Key: "decision_number", Type: FieldText, ID: "r-dn"},
		{Key: "findings", Type: FieldLongText, Required: true, ID: "r-find", Rows: 3},
	},
	Deadlines: []DeadlineStep{stepCustomsCourtNotice, stepCustomsAnswer, stepCustomsInvestigate, stepCustomsRelease},
	offered:   func(c CaseState) bool { return c.live() },
	inbox:     inboxApplication,
	check: sendAs(func(f *domain.Fields, in customsFields, _ sendContext, out map[string]any) *infringerInput {
		out["mode"] = oneOf(f, "fields.mode", in.Mode, customsOnApplication, customsExOfficio)
		out["goods"] = text(f, "fields.goods", in.Goods, true, maxText)
		out["port"] = text(f, "fields.port", in.Port, true, maxShort)
		out["declaration_number"] = text(f, "fields.declaration_number", in.DeclarationNumber, false, maxShort)
		out["recordation_number"] = text(f, "fields.recordation_number", in.RecordationNumber, false, maxShort)
		f.Amount("fields.guarantee_amount_fen", in.GuaranteeAmountFen)
		out["guarantee_amount_fen"] = in.GuaranteeAmountFen
		return nil
	}),
	checkAccept: acceptAs(func(f *domain.Fields, in customsAccept, sent map[string]any, now time.Time, out map[string]any) {
		if instant(f, "fields.detained_at", in.DetainedAt, now) {
			out["detained_at"] = stamp(in.DetainedAt)
		}
		// Ex officio (知识产权海关保护条例 art. 16) customs first notifies the
		// right holder, who has 3 working days from that notice to apply for
		// detention; the goods are detained after it. The answer period runs
		// from notified_at, which customs records, never from the detention.
		if sent["mode"] == customsExOfficio && instant(f, "fields.notified_at", in.NotifiedAt, now) {
			if in.DetainedAt != nil && in.NotifiedAt.After(*in.DetainedAt) {
				f.Add("fields.notified_at", "validation.notice_after_detention")
			} else {
				out["notified_at"] = stamp(in.NotifiedAt)
			}
		}
	}),
	checkResult: func(f *domain.Fields, in resultInput, _ time.Time, put func(key, v string), _ map[string]any) {
		put("outcome", oneOf(f, "result.outcome", in.Outcome, "infringing", "not_infringing", "released", "court_notice"))
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, false, maxShort))
		put("findings", text(f, "result.findings", in.Findings, true, maxText))
	},
	onAccepted: func(h hook) error {
		detained, ok := parseStamp(h.fields["detained_at"])
		if !ok {
			return fmt.Errorf("customs referral accepted without detained_at")
		}
		if h.fields["mode"] != customsExOfficio {
			return h.open(h.r.ReceiverOrgID, stepCustomsCourtNotice, detained, h.who)
		}
		notified, ok := parseStamp(h.fields["notified_at"])
		if !ok {
			return fmt.Errorf("ex officio customs referral accepted without notified_at")
		}
		for _, d := range []struct {
			step  DeadlineStep
			event time.Time
		}{{stepCustomsAnswer, notified}, {stepCustomsInvestigate, detained}, {stepCustomsRelease, detained}} {
			if err := h.open(h.r.ReceiverOrgID, d.step, d.event, h.who); err != nil {
				return err
			}
		}
		return nil
	},
}
