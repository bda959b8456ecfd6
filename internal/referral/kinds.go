package referral

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/boundary"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// A referral kind is one descriptor (Descriptor), declared in its own file
// kind_<kind>.go: who sends it to whom, what it needs of the case, its
// fields and result with their validation, the deadlines its steps open,
// what the receiver reads by default, which case states offer it and what
// its forms show. This file keeps the descriptors in display order and the
// lookups the rest of the code asks instead of naming kinds.

// descriptors are the kinds in display order.
var descriptors []*Descriptor

// Kinds lists every kind in display order.
var Kinds []Kind

// DeadlineRules lists every rule id the referral steps use, for the
// start-up check that the configured rules define them.
var DeadlineRules []string

func init() {
	descriptors = []*Descriptor{&courtDelegation, &courtEntrustment, &judicialConfirmation, &litigation, &arbitration,
		&administrativeAdjudication, &enforcement, &customs, &criminal, &rightsAssistance}
	for _, d := range descriptors {
		Kinds = append(Kinds, d.Kind)
		for _, s := range d.Deadlines {
			if !slices.Contains(DeadlineRules, s.Rule) {
				DeadlineRules = append(DeadlineRules, s.Rule)
			}
		}
	}
	deadline.CourtFilingKinds = kindNames(FilingKinds())
}

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

// inboxOffer says whether the referral inbox offers to start a kind,
// without a case.
type inboxOffer int

const (
	// inboxNever: the kind is sent about a case, from the case page.
	inboxNever inboxOffer = iota
	// inboxAnySender: every member who may send the kind.
	inboxAnySender
	// inboxApplication: a member whose role reads the assistance
	// applications of their organisation (the kind refers one).
	inboxApplication
)

// Descriptor is everything one referral kind is. Its unexported parts are
// the kind's behaviour: the service runs them at the steps.
type Descriptor struct {
	Kind Kind
	// Label is the kind's name in Chinese, for titles.
	Label string
	// Senders and Receivers are the organisation types that send and
	// receive the kind; a member sends or receives when their role there
	// holds the referral permission (configs/policy.csv).
	Senders, Receivers []domain.OrgType
	link               caseLink
	// fromHandler: the sender must be the committee handling the case.
	fromHandler bool
	// Disclosure is what the receiver reads of the case by default.
	Disclosure cases.Disclosure
	// filing: the kind files its dispute as a case with the receiving
	// committee on acceptance, and the case reports the result (court
	// delegation and entrustment); nil for every other kind.
	filing *caseFiling
	// Results are the values of the result's decision, outcome or
	// infringement finding (ResultSQL) the kind reports, in the order the
	// statistics list them; none for a kind whose result has no such
	// value (litigation, enforcement).
	Results []string
	// Fields are what the sender sends, AcceptFields what the receiver
	// records on acceptance, ResultFields the result it reports; the
	// forms draw them in this order. ShownFields are keys that no form
	// takes but the referral page shows (the dispute a court sends, the
	// outcome of the case it became).
	Fields, AcceptFields, ResultFields, ShownFields []Field
	// titleKey names the field whose value titles a referral sent
	// without a title (court kinds); "" titles it by the case.
	titleKey string
	// Deadlines are the deadlines the kind's steps open, by kind and
	// rule of configs/deadlines.yaml.
	Deadlines []DeadlineStep
	// offered says whether the case page offers the kind on a case in
	// state c; nil: never.
	offered func(c CaseState) bool
	inbox   inboxOffer
	// credit: a result that finds intentional or repeated infringement
	// writes a credit record (credit.go).
	credit bool

	check       sendCheck
	checkAccept acceptCheck
	checkResult func(f *domain.Fields, in resultInput, now time.Time, put func(key, v string), out map[string]any)
	// caseRule checks what the kind needs of the case it is sent about.
	caseRule func(s *Service, f *domain.Fields, facts cases.Facts, now time.Time) error
	// onSent, onReceived and onAccepted open and close the kind's
	// deadlines at those steps.
	onSent, onReceived, onAccepted func(h hook) error
}

// caseFiling is how a court kind files its case on acceptance.
type caseFiling struct {
	// source is the case's source, which decides its mediation period.
	source domain.CaseSource
	// refKey names the field with the court's number, the case's
	// external reference.
	refKey string
	// procedure: the case takes the court's procedure from the field
	// procedure (entrustment).
	procedure bool
}

// DeadlineStep is one deadline a kind's steps open: its kind (the
// deadline's name, deadline.kind.<kind> in the catalogs) and its rule.
type DeadlineStep struct {
	Kind, Rule string
}

// FieldType is how a field is entered on a form and stored.
type FieldType string

// Field types.
const (
	FieldText      FieldType = "text"      // one line
	FieldLongText  FieldType = "textarea"  // several lines
	FieldChoice    FieldType = "select"    // one of Options
	FieldCheck     FieldType = "checkbox"  // yes or no
	FieldTime      FieldType = "datetime"  // a moment, stored in RFC 3339
	FieldDate      FieldType = "date"      // a day, YYYY-MM-DD
	FieldAmount    FieldType = "amount"    // yuan on the form, fen stored (key …_fen)
	FieldInfringer FieldType = "infringer" // a respondent of the case, or one named
	// FieldShown is a value no form takes (ShownFields).
	FieldShown FieldType = ""
)

// Field is one field of a kind.
type Field struct {
	// Key is the member's name in the stored JSON object.
	Key  string
	Type FieldType
	// Required: the field must always be given (one required only with
	// some value of another field is not marked).
	Required bool
	// Options are the allowed codes of a choice, in form order.
	Options []string
	// Values is the message id prefix under which a coded value is
	// named (referral.value., procedure. …); "" for free text.
	Values string
	// ID is the form element's id; Placeholder, Help (a message id) and
	// Rows shape the input.
	ID, Placeholder, Help string
	Rows                  int
	// WhenKey and WhenValue: the accept form asks for the field only when
	// the sent field WhenKey is WhenValue.
	WhenKey, WhenValue string
}

// Name is the form input's name under prefix ("fields.", "result."): an
// amount is entered in yuan without the _fen suffix.
func (f Field) Name(prefix string) string {
	if f.Type == FieldAmount {
		return prefix + strings.TrimSuffix(f.Key, "_fen")
	}
	return prefix + f.Key
}

// Label is the field's message id.
func (f Field) Label() string { return "referral.field." + f.Key }

// Input reports whether a form takes the field as an input element.
func (f Field) Input() bool {
	return f.Type != FieldShown && f.Type != FieldInfringer
}

// CaseState is what of a case decides which kinds its page offers.
type CaseState struct {
	Status domain.CaseStatus
	// AgreementInEffect: the case's mediation agreement has taken effect.
	AgreementInEffect bool
	// RouteSuggested: a route was suggested when the mediation failed.
	RouteSuggested bool
	DisputeType    domain.DisputeType
}

// failed reports whether the mediation failed (the case may be closed
// since, with the route suggested).
func (c CaseState) failed() bool {
	return c.Status == domain.StatusFailed || (c.Status == domain.StatusClosed && c.RouteSuggested)
}

// live reports whether the case was neither rejected nor withdrawn.
func (c CaseState) live() bool {
	return c.Status != domain.StatusRejected && c.Status != domain.StatusWithdrawn
}

// unknown describes no kind: what lookups of an unknown kind answer.
var unknown = &Descriptor{}

// Describe returns the descriptor of kind k (an empty one for an unknown
// kind).
func Describe(k Kind) *Descriptor {
	for _, d := range descriptors {
		if d.Kind == k {
			return d
		}
	}
	return unknown
}

// Descriptor returns the kind's descriptor.
func (k Kind) Descriptor() *Descriptor { return Describe(k) }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return Describe(k) != unknown }

// Automatic reports whether the kind's result is reported by its case
// (court delegation and entrustment) rather than by the receiver.
func (k Kind) Automatic() bool { return Describe(k).filing != nil }

// TakesApplication reports whether the kind may refer an SME's
// assistance application instead of a case.
func (k Kind) TakesApplication() bool { return Describe(k).link == caseOrApplication }

// DefaultDisclosure is what the receiver of kind k reads of the case
// unless the sender chooses otherwise.
func DefaultDisclosure(k Kind) cases.Disclosure { return Describe(k).Disclosure }

// Results are the result values the kind reports (ResultSQL), in order;
// none for a kind whose result has no such value.
func (k Kind) Results() []string { return Describe(k).Results }

// ResultSQL is a referral's result value as one expression on referrals:
// its decision (judicial confirmation, criminal), outcome (court
// delegation and entrustment, arbitration, customs, rights assistance) or
// infringement finding (administrative adjudication). The list's result
// filter and the statistics read it alike.
const ResultSQL = "coalesce(referrals.result->>'decision', referrals.result->>'outcome', referrals.result->>'infringement')"

// Label is the kind's name in Chinese.
func (k Kind) Label() string { return Describe(k).Label }

// SenderTypes and ReceiverTypes list the organisation types that send
// and receive the kind.
func (k Kind) SenderTypes() []domain.OrgType   { return Describe(k).Senders }
func (k Kind) ReceiverTypes() []domain.OrgType { return Describe(k).Receivers }

// OfferedOn lists, in display order, the kinds the page of a case in
// state c offers its handling committee to send.
func OfferedOn(c CaseState) []Kind {
	var out []Kind
	for _, d := range descriptors {
		if d.offered != nil && d.offered(c) {
			out = append(out, d.Kind)
		}
	}
	return out
}

// InboxKinds lists the kinds the referral inbox offers actor a to start
// without a case, before the send permission is asked (Service.CanSend):
// those any sender starts there, then those that refer an assistance
// application, offered to the roles that read their organisation's
// applications.
func InboxKinds(a *domain.Actor) []Kind {
	reviews := slices.ContainsFunc(domain.RolesReaching(domain.ObjectApplication, domain.ReachOrg), a.HasAnyRole)
	var out []Kind
	for _, want := range []inboxOffer{inboxAnySender, inboxApplication} {
		for _, d := range descriptors {
			if d.inbox == want && (want != inboxApplication || reviews) {
				out = append(out, d.Kind)
			}
		}
	}
	return out
}

// FilingKinds lists the kinds that file their case on acceptance and
// take their result from it.
func FilingKinds() []Kind {
	var out []Kind
	for _, d := range descriptors {
		if d.filing != nil {
			out = append(out, d.Kind)
		}
	}
	return out
}

// kindNames are the kinds as strings, for SQL parameters.
func kindNames(ks []Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// ValueKeys maps the key of every coded field of every kind (sent,
// accepted, result or shown) to the message id prefix that names its
// values.
func ValueKeys() map[string]string {
	out := map[string]string{}
	for _, d := range descriptors {
		for _, list := range [][]Field{d.Fields, d.AcceptFields, d.ResultFields, d.ShownFields} {
			for _, f := range list {
				if f.Values != "" {
					out[f.Key] = f.Values
				}
			}
		}
	}
	return out
}

// ResultCheckKeys lists the keys of the yes-or-no result fields of every
// kind: a form that shows such a box unticked sends nothing for it.
func ResultCheckKeys() []string {
	var out []string
	for _, d := range descriptors {
		for _, f := range d.ResultFields {
			if f.Type == FieldCheck && !slices.Contains(out, f.Key) {
				out = append(out, f.Key)
			}
		}
	}
	return out
}

var committees = []domain.OrgType{domain.OrgMediationCommittee, domain.OrgSocialMediation}

// agencySenders send the referrals that go to an agency about a case or
// an SME's application: the committees and the assistance centre.
var agencySenders = []domain.OrgType{domain.OrgMediationCommittee, domain.OrgSocialMediation, domain.OrgAssistanceCenter}

var (
	caseParts      = cases.Disclosure{Summary: true, Parties: true, Rights: true}
	casePartsAgree = cases.Disclosure{Summary: true, Parties: true, Rights: true, Agreement: true}
)

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

// stamp is a checked moment as stored.
func stamp(t *time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339) }

// sendContext is what a kind's field check knows besides the fields: the
// case (nil without one) and the time.
type sendContext struct {
	facts *cases.Facts
	now   time.Time
}

// sendCheck validates a kind's sent fields into what is stored; shape is
// the type they are decoded into.
type sendCheck struct {
	shape reflect.Type
	run   func(f *domain.Fields, raw json.RawMessage, c sendContext, out map[string]any) *infringerInput
}

// sendAs makes the sendCheck that decodes the fields into a T and checks
// them with check, which records what is stored in out and returns the
// suspected infringer the credit record needs (or nil).
func sendAs[T any](check func(f *domain.Fields, in T, c sendContext, out map[string]any) *infringerInput) sendCheck {
	return sendCheck{shape: reflect.TypeFor[T](), run: func(f *domain.Fields, raw json.RawMessage, c sendContext, out map[string]any) *infringerInput {
		var in T
		if !decode(f, "fields", raw, &in) {
			return nil
		}
		return check(f, in, c, out)
	}}
}

// acceptCheck validates what a kind records on acceptance; shape as for
// sendCheck.
type acceptCheck struct {
	shape reflect.Type
	run   func(f *domain.Fields, raw json.RawMessage, sent map[string]any, now time.Time, out map[string]any)
}

// acceptAs makes the acceptCheck that decodes into a T and checks it
// with check against the sent fields.
func acceptAs[T any](check func(f *domain.Fields, in T, sent map[string]any, now time.Time, out map[string]any)) acceptCheck {
	return acceptCheck{shape: reflect.TypeFor[T](), run: func(f *domain.Fields, raw json.RawMessage, sent map[string]any, now time.Time, out map[string]any) {
		var in T
		if decode(f, "fields", raw, &in) {
			check(f, in, sent, now, out)
		}
	}}
}

// checkFields validates the kind's fields of in and returns what is
// stored. facts is the case (nil without one). Identity numbers are
// encrypted by the caller (secrets).
func checkFields(f *domain.Fields, k Kind, raw json.RawMessage, facts *cases.Facts, now time.Time) (map[string]any, *infringerInput) {
	out := map[string]any{}
	d := Describe(k)
	if d.check.run == nil {
		return out, nil
	}
	return out, d.check.run(f, raw, sendContext{facts: facts, now: now}, out)
}

// checkAccept validates what the kind records on acceptance.
func checkAccept(f *domain.Fields, k Kind, fields map[string]any, raw json.RawMessage, now time.Time) map[string]any {
	out := map[string]any{}
	d := Describe(k)
	if d.checkAccept.run == nil {
		// Nothing to record, but what was sent must still be an object.
		decode(f, "fields", raw, &struct{}{})
		return out
	}
	d.checkAccept.run(f, raw, fields, now, out)
	return out
}

// resultInput is every kind's result, as reported: one shape, so that a
// member of the wrong type is refused whatever the kind.
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
	if len(strings.TrimSpace(string(raw))) == 0 {
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
	d := Describe(k)
	if d.checkResult == nil {
		f.Add("result", "validation.not_applicable")
		return out
	}
	d.checkResult(f, in, now, put, out)
	return out
}

// defaultTitle is the line an inbox shows for a referral sent without a
// title.
func defaultTitle(k Kind, fields map[string]any, facts *cases.Facts, c *cases.IntakeInput) string {
	d := Describe(k)
	switch {
	case d.titleKey != "":
		return fmt.Sprintf("%s：%v", d.Label, fields[d.titleKey])
	case facts != nil:
		return fmt.Sprintf("%s：%s", d.Label, facts.Number)
	case c != nil && c.Summary != "":
		return d.Label + "：" + truncate(c.Summary, 40)
	}
	return d.Label
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
