package referral

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/boundary"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// caseLink says how a kind relates to a case.
type caseLink int

const (
	// caseNone: the referral creates its case on acceptance (court
	// delegation and entrustment).
	caseNone caseLink = iota
	// caseRequired: the referral is about a case of the sending
	// committee.
	caseRequired
	// caseOrApplication: about a case or an SME's assistance application.
	caseOrApplication
	// caseOptional: may name a case the sender sees.
	caseOptional
)

// spec is what a kind is: who sends it to whom, what it needs of the case,
// what the receiver may read by default, and how its fields and result
// are checked.
type spec struct {
	senders   []domain.OrgType
	receivers []domain.OrgType
	link      caseLink
	// fromHandler: the sender must be the committee handling the case.
	fromHandler bool
	// disclosure is the default disclosure scope.
	disclosure cases.Disclosure
	// auto: the result is reported by the case, not by hand.
	auto bool
	// label is the kind's name in Chinese, for titles.
	label string
	// results are the values of the result's decision, outcome or
	// infringement finding (ResultSQL) the kind reports, in the order the
	// statistics list them; none for a kind whose result has no such
	// value (litigation, enforcement).
	results []string
}

var committees = []domain.OrgType{domain.OrgMediationCommittee, domain.OrgSocialMediation}

// caseOutcomes are the results of a court's delegation or entrustment:
// the outcome of the case it became.
var caseOutcomes = []string{"settled", "failed", "withdrawn", "rejected"}

var (
	caseParts      = cases.Disclosure{Summary: true, Parties: true, Rights: true}
	casePartsAgree = cases.Disclosure{Summary: true, Parties: true, Rights: true, Agreement: true}
)

var specs = map[Kind]spec{
	KindCourtDelegation: {senders: []domain.OrgType{domain.OrgCourt}, receivers: committees, link: caseNone,
		disclosure: casePartsAgree, auto: true, label: "委派调解", results: caseOutcomes},
	KindCourtEntrustment: {senders: []domain.OrgType{domain.OrgCourt}, receivers: committees, link: caseNone,
		disclosure: casePartsAgree, auto: true, label: "委托调解", results: caseOutcomes},
	KindJudicialConfirm: {senders: committees, receivers: []domain.OrgType{domain.OrgCourt}, link: caseRequired,
		fromHandler: true, disclosure: casePartsAgree, label: "司法确认申请", results: []string{"confirmed", "rejected"}},
	KindLitigation: {senders: committees, receivers: []domain.OrgType{domain.OrgCourt}, link: caseRequired,
		fromHandler: true, disclosure: caseParts, label: "调解不成转立案"},
	KindArbitration: {senders: committees, receivers: []domain.OrgType{domain.OrgArbitration}, link: caseRequired,
		fromHandler: true, disclosure: caseParts, label: "转仲裁", results: []string{"award", "withdrawn"}},
	KindAdministrative: {senders: append(slices.Clone(committees), domain.OrgAssistanceCenter),
		receivers: []domain.OrgType{domain.OrgEnforcement}, link: caseOrApplication, disclosure: caseParts, label: "专利侵权纠纷行政裁决",
		results: []string{"established", "not_established"}},
	KindEnforcement: {senders: append(slices.Clone(committees), domain.OrgAssistanceCenter),
		receivers: []domain.OrgType{domain.OrgEnforcement}, link: caseOrApplication, disclosure: caseParts, label: "移送行政执法"},
	KindCustoms: {senders: append(slices.Clone(committees), domain.OrgAssistanceCenter),
		receivers: []domain.OrgType{domain.OrgCustoms}, link: caseOrApplication, disclosure: cases.Disclosure{Summary: true, Rights: true},
		label: "海关知识产权保护", results: []string{"infringing", "not_infringing", "released", "court_notice"}},
	KindCriminal: {senders: []domain.OrgType{domain.OrgEnforcement}, receivers: []domain.OrgType{domain.OrgEnforcement},
		link: caseOptional, disclosure: caseParts, label: "涉嫌犯罪案件移送", results: []string{"filed", "not_filed"}},
	KindRightsAssistance: {senders: []domain.OrgType{domain.OrgMediationCommittee, domain.OrgSocialMediation, domain.OrgCourt,
		domain.OrgArbitration, domain.OrgCustoms, domain.OrgEnforcement, domain.OrgIndustryAssoc, domain.OrgLeadershipOffice},
		receivers: []domain.OrgType{domain.OrgAssistanceCenter}, link: caseOptional,
		disclosure: cases.Disclosure{Summary: true, Parties: true}, label: "维权援助", results: []string{"assisted", "not_assisted"}},
}

// Automatic reports whether the kind's result is reported by its case
// (court delegation and entrustment) rather than by the receiver.
func (k Kind) Automatic() bool { return specs[k].auto }

// DefaultDisclosure is what the receiver of kind k reads of the case
// unless the sender chooses otherwise.
func DefaultDisclosure(k Kind) cases.Disclosure { return specs[k].disclosure }

// Results are the result values the kind reports (ResultSQL), in order;
// none for a kind whose result has no such value.
func (k Kind) Results() []string { return specs[k].results }

// ResultSQL is a referral's result value as one expression on referrals:
// its decision (judicial confirmation, criminal), outcome (court
// delegation and entrustment, arbitration, customs, rights assistance) or
// infringement finding (administrative adjudication). The list's result
// filter and the statistics read it alike.
const ResultSQL = "coalesce(referrals.result->>'decision', referrals.result->>'outcome', referrals.result->>'infringement')"

// Label is the kind's name in Chinese.
func (k Kind) Label() string { return specs[k].label }

// SenderTypes and ReceiverTypes list the organisation types that send
// and receive the kind.
func (k Kind) SenderTypes() []domain.OrgType   { return specs[k].senders }
func (k Kind) ReceiverTypes() []domain.OrgType { return specs[k].receivers }

// Input limits.
const (
	maxShort = 200
	maxText  = 20000
)

// text trims s and checks presence and length.
func text(f *domain.Fields, field, s string, required bool, max int) string {
	return f.Text(field, s, required, max)
}

// oneOf checks that s is one of the allowed values.
func oneOf(f *domain.Fields, field, s string, allowed ...string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		f.Add(field, "validation.required")
	case !slices.Contains(allowed, s):
		f.Add(field, "validation.one_of", "Values", strings.Join(allowed, ", "))
	}
	return s
}

// decode reads a kind's JSON object into v (boundary.DecodeObject);
// anything but an object (or nothing) is EINVALID naming field, a member
// of the wrong type names the member ("fields.guarantee_amount_fen").
func decode(f *domain.Fields, field string, raw json.RawMessage, v any) bool {
	if fe := boundary.DecodeObject(field, raw, v); fe != nil {
		*f = append(*f, *fe)
		return false
	}
	return true
}

// dateOnly parses an optional YYYY-MM-DD date, which must lie between
// domain.EarliestInstant and today.
func dateOnly(f *domain.Fields, field, s string, now time.Time) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	t, err := time.ParseInLocation("2006-01-02", s, domain.ChinaTime)
	if err != nil {
		f.Add(field, "validation.date")
		return s
	}
	f.Between(field, t, domain.DayStart(domain.EarliestInstant), now)
	return s
}

// minteNumber is the number of a basic court's ruling in a special
// procedure of civil cases (民特), as the courts' case-numbering rules
// write it: the year in full-width parentheses, the court's code (闽 and
// four digits for a basic court of Fujian), 民特 and the sequence without
// leading zeros or 第: （2026）闽0102民特1号.
var minteNumber = regexp.MustCompile(`^（([0-9]{4})）闽[0-9]{4}民特([1-9][0-9]*)号$`)

// firstMinteYear is the first year in which a court could confirm a
// mediation agreement (法释〔2011〕5号 took effect in 2011).
const firstMinteYear = 2011

// rulingNumber checks a 民特 ruling number: required, in the format of
// minteNumber (half-width parentheses and spaces are tidied first), with
// a year from 2011 to the current year.
func rulingNumber(f *domain.Fields, field, s string, now time.Time) string {
	s = strings.NewReplacer("(", "（", ")", "）", " ", "", "\u3000", "").Replace(strings.TrimSpace(s))
	if s == "" {
		f.Add(field, "validation.required")
		return s
	}
	m := minteNumber.FindStringSubmatch(s)
	if m == nil || len(s) > maxShort {
		f.Add(field, "validation.ruling_number")
		return s
	}
	if y, _ := strconv.Atoi(m[1]); y < firstMinteYear || y > now.In(domain.ChinaTime).Year() {
		f.Add(field, "validation.ruling_number")
	}
	return s
}

// instant checks a moment that has happened: set, not in the future, not
// before domain.EarliestInstant.
func instant(f *domain.Fields, field string, t *time.Time, now time.Time) bool {
	switch {
	case t == nil || t.IsZero():
		f.Add(field, "validation.required")
	case t.After(now):
		f.Add(field, "validation.future")
	case t.Before(domain.EarliestInstant):
		f.Between(field, *t, domain.EarliestInstant, now)
	default:
		return true
	}
	return false
}

// The kinds' own fields, as sent.

type courtFields struct {
	PreFilingNumber string                `json:"pre_filing_number"` // 诉前调解号 (delegation)
	CourtCaseNumber string                `json:"court_case_number"` // 案号 (entrustment)
	Procedure       domain.CourtProcedure `json:"procedure"`         // entrustment
}

type confirmationFields struct {
	// JointApplication: both parties apply together (人民调解法第三十三条).
	JointApplication bool `json:"joint_application"`
}

type arbitrationFields struct {
	// Clause is the arbitration clause as recorded, when no arbitration
	// agreement document is on file.
	Clause string `json:"arbitration_clause"`
}

type adjudicationFields struct {
	Request string `json:"request"` // 请求事项
}

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

// Customs modes: detention on the right holder's application, or ex
// officio (customs found the goods itself and told the right holder).
const (
	customsOnApplication = "on_application"
	customsExOfficio     = "ex_officio"
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

type criminalFields struct {
	Offence string `json:"offence"` // 涉嫌罪名
	Items   string `json:"items"`   // 移送的涉案物品
	// DecidedAt is when the enforcement body's head approved the
	// transfer: the 24 hours run from it.
	DecidedAt *time.Time `json:"decided_at"`
}

type assistanceFields struct {
	Help string `json:"help"` // the help wanted
}

// checkFields validates the kind's fields of in and returns what is
// stored. facts is the case (nil without one). Identity numbers are
// encrypted by the caller (secrets).
func checkFields(f *domain.Fields, k Kind, raw json.RawMessage, facts *cases.Facts, now time.Time) (map[string]any, *infringerInput) {
	out := map[string]any{}
	switch k {
	case KindCourtDelegation:
		var in courtFields
		if decode(f, "fields", raw, &in) {
			out["pre_filing_number"] = text(f, "fields.pre_filing_number", in.PreFilingNumber, true, maxShort)
		}
	case KindCourtEntrustment:
		var in courtFields
		if decode(f, "fields", raw, &in) {
			out["court_case_number"] = text(f, "fields.court_case_number", in.CourtCaseNumber, true, maxShort)
			out["procedure"] = oneOf(f, "fields.procedure", string(in.Procedure), string(domain.ProcedureOrdinary), string(domain.ProcedureSimplified))
		}
	case KindJudicialConfirm:
		var in confirmationFields
		if decode(f, "fields", raw, &in) {
			if !in.JointApplication {
				f.Add("fields.joint_application", "validation.consent_required")
			}
			out["joint_application"] = in.JointApplication
		}
	case KindArbitration:
		var in arbitrationFields
		if decode(f, "fields", raw, &in) {
			clause := text(f, "fields.arbitration_clause", in.Clause, false, maxText)
			if clause != "" {
				out["arbitration_clause"] = clause
			}
			if facts != nil && clause == "" && len(facts.ArbitrationAgreementDocs) == 0 {
				f.Add("fields.arbitration_clause", "validation.arbitration_agreement_required")
			}
			if facts != nil && len(facts.ArbitrationAgreementDocs) > 0 {
				out["arbitration_agreement_documents"] = facts.ArbitrationAgreementDocs
			}
		}
	case KindAdministrative:
		var in adjudicationFields
		if decode(f, "fields", raw, &in) {
			out["request"] = text(f, "fields.request", in.Request, true, maxText)
		}
	case KindEnforcement:
		var in enforcementFields
		if decode(f, "fields", raw, &in) {
			out["grounds"] = oneOf(f, "fields.grounds", in.Grounds, "repeat_infringement", "malicious_infringement")
			out["facts"] = text(f, "fields.facts", in.Facts, true, maxText)
			return out, infringer(f, in, facts, out)
		}
	case KindCustoms:
		var in customsFields
		if decode(f, "fields", raw, &in) {
			out["mode"] = oneOf(f, "fields.mode", in.Mode, customsOnApplication, customsExOfficio)
			out["goods"] = text(f, "fields.goods", in.Goods, true, maxText)
			out["port"] = text(f, "fields.port", in.Port, true, maxShort)
			out["declaration_number"] = text(f, "fields.declaration_number", in.DeclarationNumber, false, maxShort)
			out["recordation_number"] = text(f, "fields.recordation_number", in.RecordationNumber, false, maxShort)
			f.Amount("fields.guarantee_amount_fen", in.GuaranteeAmountFen)
			out["guarantee_amount_fen"] = in.GuaranteeAmountFen
		}
	case KindCriminal:
		var in criminalFields
		if decode(f, "fields", raw, &in) {
			out["offence"] = text(f, "fields.offence", in.Offence, true, maxShort)
			out["items"] = text(f, "fields.items", in.Items, true, maxText)
			if instant(f, "fields.decided_at", in.DecidedAt, now) {
				out["decided_at"] = in.DecidedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339)
			}
		}
	case KindRightsAssistance:
		var in assistanceFields
		if decode(f, "fields", raw, &in) {
			if h := text(f, "fields.help", in.Help, false, maxText); h != "" {
				out["help"] = h
			}
		}
	case KindLitigation:
		var in struct {
			Claims string `json:"claims"`
		}
		if decode(f, "fields", raw, &in) {
			if c := text(f, "fields.claims", in.Claims, false, maxText); c != "" {
				out["claims"] = c
			}
		}
	}
	return out, nil
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

// checkAccept validates what the kind records on acceptance.
func checkAccept(f *domain.Fields, k Kind, fields map[string]any, raw json.RawMessage, now time.Time) map[string]any {
	out := map[string]any{}
	if k != KindCustoms {
		// Nothing to record, but what was sent must still be an object.
		decode(f, "fields", raw, &struct{}{})
		return out
	}
	var in customsAccept
	if !decode(f, "fields", raw, &in) {
		return out
	}
	if instant(f, "fields.detained_at", in.DetainedAt, now) {
		out["detained_at"] = in.DetainedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339)
	}
	// Ex officio (知识产权海关保护条例 art. 16) customs first notifies the
	// right holder, who has 3 working days from that notice to apply for
	// detention; the goods are detained after it. The answer period runs
	// from notified_at, which customs records, never from the detention.
	if fields["mode"] == customsExOfficio && instant(f, "fields.notified_at", in.NotifiedAt, now) {
		if in.DetainedAt != nil && in.NotifiedAt.After(*in.DetainedAt) {
			f.Add("fields.notified_at", "validation.notice_after_detention")
		} else {
			out["notified_at"] = in.NotifiedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339)
		}
	}
	return out
}

// The kinds' results, as reported.

type resultInput struct {
	Decision       string `json:"decision"`
	RulingNumber   string `json:"ruling_number"`
	Reason         string `json:"reason"`
	FilingNumber   string `json:"filing_number"`
	Outcome        string `json:"outcome"`
	AwardNumber    string `json:"award_number"`
	DecisionNumber string `json:"decision_number"`
	Infringement   string `json:"infringement"`
	Findings       string `json:"findings"`
	Intentional    bool   `json:"intentional"`
	Repeated       bool   `json:"repeated"`
	// Final: the enforcement decision can no longer be reviewed or sued
	// against (or the time to do so has passed); only then does its
	// credit record count at intake.
	Final     bool   `json:"final"`
	Penalty   string `json:"penalty"`
	DecidedOn string `json:"decided_on"`
	Note      string `json:"note"`
}

// checkResult validates the result a receiver reports.
func checkResult(f *domain.Fields, k Kind, raw json.RawMessage, now time.Time) map[string]any {
	var in resultInput
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 {
		f.Add("result", "validation.required")
		return out
	}
	if !decode(f, "result", raw, &in) {
		return out
	}
	put := func(key, v string) {
		if v != "" {
			out[key] = v
		}
	}
	switch k {
	case KindJudicialConfirm:
		d := oneOf(f, "result.decision", in.Decision, "confirmed", "rejected")
		put("decision", d)
		// The court rules on an application for judicial confirmation
		// by a 民特 ruling, confirmed or not: （2026）闽0102民特1号.
		put("ruling_number", rulingNumber(f, "result.ruling_number", in.RulingNumber, now))
		put("reason", text(f, "result.reason", in.Reason, d == "rejected", maxText))
	case KindLitigation:
		put("filing_number", text(f, "result.filing_number", in.FilingNumber, true, maxShort))
		put("note", text(f, "result.note", in.Note, false, maxText))
	case KindArbitration:
		o := oneOf(f, "result.outcome", in.Outcome, "award", "withdrawn")
		put("outcome", o)
		put("award_number", text(f, "result.award_number", in.AwardNumber, o == "award", maxShort))
		put("note", text(f, "result.note", in.Note, false, maxText))
	case KindAdministrative:
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, true, maxShort))
		put("infringement", oneOf(f, "result.infringement", in.Infringement, "established", "not_established"))
		put("findings", text(f, "result.findings", in.Findings, true, maxText))
	case KindEnforcement:
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, true, maxShort))
		put("findings", text(f, "result.findings", in.Findings, true, maxText))
		put("penalty", text(f, "result.penalty", in.Penalty, false, maxText))
		put("decided_on", dateOnly(f, "result.decided_on", in.DecidedOn, now))
		out["intentional"], out["repeated"], out["final"] = in.Intentional, in.Repeated, in.Final
	case KindCustoms:
		put("outcome", oneOf(f, "result.outcome", in.Outcome, "infringing", "not_infringing", "released", "court_notice"))
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, false, maxShort))
		put("findings", text(f, "result.findings", in.Findings, true, maxText))
	case KindCriminal:
		d := oneOf(f, "result.decision", in.Decision, "filed", "not_filed")
		put("decision", d)
		put("decision_number", text(f, "result.decision_number", in.DecisionNumber, true, maxShort))
		put("reason", text(f, "result.reason", in.Reason, d == "not_filed", maxText))
	case KindRightsAssistance:
		put("outcome", oneOf(f, "result.outcome", in.Outcome, "assisted", "not_assisted"))
		put("note", text(f, "result.note", in.Note, true, maxText))
	default:
		f.Add("result", "validation.not_applicable")
	}
	return out
}

// defaultTitle is the line an inbox shows for a referral sent without a
// title.
func defaultTitle(k Kind, fields map[string]any, facts *cases.Facts, c *cases.IntakeInput) string {
	label := specs[k].label
	switch {
	case k == KindCourtDelegation:
		return fmt.Sprintf("%s：%v", label, fields["pre_filing_number"])
	case k == KindCourtEntrustment:
		return fmt.Sprintf("%s：%v", label, fields["court_case_number"])
	case facts != nil:
		return fmt.Sprintf("%s：%s", label, facts.Number)
	case c != nil && c.Summary != "":
		return label + "：" + truncate(c.Summary, 40)
	}
	return label
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
