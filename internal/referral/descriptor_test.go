package referral

import (
	"encoding/json"
	"io/fs"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/configs"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/migrations"
)

// These tests check the kind descriptors on their own, without a
// database: that every kind is declared whole and consistently, and that
// the lookups the other packages ask answer what the code answered when
// it named the kinds.

var descNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// TestEveryKindHasADescriptor: the kinds, in display order, each with
// its own descriptor, and the referrals table takes exactly them.
func TestEveryKindHasADescriptor(t *testing.T) {
	want := []Kind{"court_delegation", "court_entrustment", "judicial_confirmation", "litigation", "arbitration",
		"administrative_adjudication", "enforcement", "customs", "criminal", "rights_assistance"}
	if !slices.Equal(Kinds, want) {
		t.Fatalf("Kinds = %v, want %v", Kinds, want)
	}
	for _, k := range Kinds {
		d := Describe(k)
		switch {
		case d == unknown || d.Kind != k:
			t.Errorf("%s: no descriptor of its own", k)
		case d.Label == "":
			t.Errorf("%s: no label", k)
		case d.check.run == nil:
			t.Errorf("%s: its sent fields are not checked", k)
		case d.filing == nil && d.checkResult == nil:
			t.Errorf("%s: its result is reported by hand but not checked", k)
		case d.filing != nil && d.checkResult != nil:
			t.Errorf("%s: its case reports the result, yet it takes one by hand", k)
		}
	}
	if Describe("parking_ticket") != unknown || Kind("parking_ticket").Valid() {
		t.Error("an unknown kind has a descriptor")
	}
	if got := referralsKindCheck(t); !slices.Equal(got, kindNames(Kinds)) {
		t.Errorf("the referrals.kind CHECK of the migrations allows %v, the descriptors declare %v", got, Kinds)
	}
}

// referralsKindCheck reads the kinds the migrations' last CHECK on
// referrals.kind allows.
func referralsKindCheck(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	check := regexp.MustCompile(`(?s)(?:CREATE TABLE referrals \(|ALTER TABLE referrals\b)[^;]*?CHECK \(kind IN \((.*?)\)\)`)
	var out []string
	for _, name := range names {
		raw, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range check.FindAllSubmatch(raw, -1) {
			out = nil
			for _, q := range regexp.MustCompile(`'([^']+)'`).FindAllSubmatch(m[1], -1) {
				out = append(out, string(q[1]))
			}
		}
	}
	return out
}

// TestDescriptorDeadlineRules: every rule a kind names is a rule of
// configs/deadlines.yaml, every deadline kind is named once, and
// DeadlineRules lists the rules the old steps used.
func TestDescriptorDeadlineRules(t *testing.T) {
	rules, err := calendar.LoadRules(configs.DeadlinesYAML)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]Kind{}
	for _, d := range descriptors {
		for _, s := range d.Deadlines {
			if _, ok := rules.Rule(s.Rule); !ok {
				t.Errorf("%s: deadline %s names rule %q, which configs/deadlines.yaml does not define", d.Kind, s.Kind, s.Rule)
			}
			if k, dup := seen[s.Kind]; dup {
				t.Errorf("%s: deadline kind %s is %s's already", d.Kind, s.Kind, k)
			}
			seen[s.Kind] = d.Kind
		}
		hooks := d.onSent != nil || d.onReceived != nil || d.onAccepted != nil
		if hooks != (len(d.Deadlines) > 0) {
			t.Errorf("%s: opens deadlines at its steps: %v, declares deadlines: %v", d.Kind, hooks, d.Deadlines)
		}
	}
	old := []string{"judicial_confirmation.accept", "judicial_confirmation.decide", "patent_adjudication.accept", "patent_adjudication.decide",
		"criminal.transfer", "criminal.police_decision", "customs.ex_officio.answer", "customs.ex_officio.investigate",
		"customs.ex_officio.release", "customs.application.court_notice"}
	if got, want := slices.Sorted(slices.Values(DeadlineRules)), slices.Sorted(slices.Values(old)); !slices.Equal(got, want) {
		t.Errorf("DeadlineRules = %v, want %v", got, want)
	}
	if err := rules.Require(DeadlineRules...); err != nil {
		t.Error(err)
	}
}

// TestDescriptorOrgTypes: senders and receivers are known organisation
// types, the same as before the descriptors; a kind that files a case
// goes to the committees.
func TestDescriptorOrgTypes(t *testing.T) {
	committees := []domain.OrgType{domain.OrgMediationCommittee, domain.OrgSocialMediation}
	agencies := append(slices.Clone(committees), domain.OrgAssistanceCenter)
	court := []domain.OrgType{domain.OrgCourt}
	enf := []domain.OrgType{domain.OrgEnforcement}
	want := map[Kind][2][]domain.OrgType{
		KindCourtDelegation:  {court, committees},
		KindCourtEntrustment: {court, committees},
		KindJudicialConfirm:  {committees, court},
		KindLitigation:       {committees, court},
		KindArbitration:      {committees, {domain.OrgArbitration}},
		KindAdministrative:   {agencies, enf},
		KindEnforcement:      {agencies, enf},
		KindCustoms:          {agencies, {domain.OrgCustoms}},
		KindCriminal:         {enf, enf},
		KindRightsAssistance: {{domain.OrgMediationCommittee, domain.OrgSocialMediation, domain.OrgCourt, domain.OrgArbitration,
			domain.OrgCustoms, domain.OrgEnforcement, domain.OrgIndustryAssoc, domain.OrgLeadershipOffice}, {domain.OrgAssistanceCenter}},
	}
	for _, k := range Kinds {
		d := Describe(k)
		for _, list := range [][]domain.OrgType{d.Senders, d.Receivers} {
			if len(list) == 0 {
				t.Errorf("%s: no senders or no receivers", k)
			}
			for _, o := range list {
				if !o.Valid() {
					t.Errorf("%s: unknown organisation type %q", k, o)
				}
			}
		}
		if !slices.Equal(k.SenderTypes(), want[k][0]) || !slices.Equal(k.ReceiverTypes(), want[k][1]) {
			t.Errorf("%s: %v -> %v, want %v -> %v", k, k.SenderTypes(), k.ReceiverTypes(), want[k][0], want[k][1])
		}
		if d.filing != nil && !slices.Equal(d.Receivers, committees) {
			t.Errorf("%s files a case with a receiver that is not a committee: %v", k, d.Receivers)
		}
		if (d.filing != nil) != (d.link == caseNone) {
			t.Errorf("%s: files a case %v, but its case link is %d", k, d.filing != nil, d.link)
		}
	}
}

// TestDescriptorFieldsValidate: each kind refuses what it is sent
// without its required fields, and a value of the wrong type, naming the
// field; the declared fields are the members the check decodes.
func TestDescriptorFieldsValidate(t *testing.T) {
	for _, k := range Kinds {
		d := Describe(k)
		members := jsonMembers(d.check.shape)
		var f domain.Fields
		checkFields(&f, k, json.RawMessage(`{}`), nil, descNow)
		for _, fd := range d.Fields {
			if !slices.Contains(members, fd.Key) {
				t.Errorf("%s: field %s is not a member of what the kind decodes (%v)", k, fd.Key, members)
			}
			name := "fields." + fd.Key
			if fd.Type == FieldInfringer {
				name = "fields.party_id" // a respondent, or an infringer named
			}
			if fd.Required && !hasField(f, name) {
				t.Errorf("%s: sent without %s, the errors are %v", k, fd.Key, f)
			}
			if !fd.Required && hasField(f, name) {
				t.Errorf("%s: %s is not marked required, yet refused when missing: %v", k, fd.Key, f)
			}
			// A value of the wrong type is refused naming the member.
			var g domain.Fields
			checkFields(&g, k, wrongType(t, d.check.shape, fd.Key), nil, descNow)
			if !hasField(g, "fields."+fd.Key) {
				t.Errorf("%s: %s of the wrong type: errors %v", k, fd.Key, g)
			}
		}
		var g domain.Fields
		checkFields(&g, k, json.RawMessage(`[1]`), nil, descNow)
		if !hasField(g, "fields") {
			t.Errorf("%s: fields that are no object: errors %v", k, g)
		}

		// Acceptance.
		var a domain.Fields
		accMembers := jsonMembers(d.checkAccept.shape)
		checkAccept(&a, k, map[string]any{"mode": customsExOfficio}, json.RawMessage(`{}`), descNow)
		for _, fd := range d.AcceptFields {
			if !slices.Contains(accMembers, fd.Key) {
				t.Errorf("%s: accept field %s is not decoded (%v)", k, fd.Key, accMembers)
			}
			if (fd.Required || fd.WhenKey != "") != hasField(a, "fields."+fd.Key) {
				t.Errorf("%s: accepted without %s: errors %v", k, fd.Key, a)
			}
		}
		if len(d.AcceptFields) == 0 && len(a) > 0 {
			t.Errorf("%s records nothing on acceptance, yet refuses {}: %v", k, a)
		}

		// The result.
		var r domain.Fields
		checkResult(&r, k, json.RawMessage(`{}`), descNow)
		if d.filing != nil {
			if !hasField(r, "result") {
				t.Errorf("%s: a result by hand is not refused: %v", k, r)
			}
			continue
		}
		results := jsonMembers(reflect.TypeFor[resultInput]())
		for _, fd := range d.ResultFields {
			if !slices.Contains(results, fd.Key) {
				t.Errorf("%s: result field %s is not decoded", k, fd.Key)
			}
			if fd.Required != hasField(r, "result."+fd.Key) {
				t.Errorf("%s: result without %s (required %v): errors %v", k, fd.Key, fd.Required, r)
			}
		}
	}
}

// TestDescriptorBadValues: a few values each kind refuses, by the name of
// the field.
func TestDescriptorBadValues(t *testing.T) {
	for _, tc := range []struct {
		kind  Kind
		step  string // fields, accept or result
		raw   string
		field string
	}{
		{KindCourtEntrustment, "fields", `{"court_case_number":"（2026）闽0102民初1号","procedure":"summary"}`, "fields.procedure"},
		{KindJudicialConfirm, "fields", `{"joint_application":false}`, "fields.joint_application"},
		{KindCustoms, "fields", `{"mode":"on_application","goods":"shoes","port":"Mawei","guarantee_amount_fen":-1}`, "fields.guarantee_amount_fen"},
		{KindCustoms, "accept", `{"detained_at":"2026-03-01T00:00:00Z","notified_at":"2026-03-01T02:00:00Z"}`, "fields.notified_at"},
		{KindCriminal, "fields", `{"offence":"x","items":"y","decided_at":"2027-01-01T00:00:00Z"}`, "fields.decided_at"},
		{KindEnforcement, "fields", `{"grounds":"repeat_infringement","facts":"x","infringer":{"kind":"person","name":"张三","id_number":"1"}}`, "fields.infringer.id_number"},
		{KindJudicialConfirm, "result", `{"decision":"confirmed","ruling_number":"（2026）闽0102民初1号"}`, "result.ruling_number"},
		{KindJudicialConfirm, "result", `{"decision":"rejected","ruling_number":"（2026）闽0102民特1号"}`, "result.reason"},
		{KindArbitration, "result", `{"outcome":"award"}`, "result.award_number"},
		{KindEnforcement, "result", `{"decision_number":"1","findings":"x","decided_on":"yesterday"}`, "result.decided_on"},
		{KindCriminal, "result", `{"decision":"not_filed","decision_number":"1"}`, "result.reason"},
	} {
		var f domain.Fields
		switch tc.step {
		case "fields":
			checkFields(&f, tc.kind, json.RawMessage(tc.raw), nil, descNow)
		case "accept":
			checkAccept(&f, tc.kind, map[string]any{"mode": customsExOfficio}, json.RawMessage(tc.raw), descNow)
		case "result":
			checkResult(&f, tc.kind, json.RawMessage(tc.raw), descNow)
		}
		if !hasField(f, tc.field) {
			t.Errorf("%s %s %s: errors %v, want one on %s", tc.kind, tc.step, tc.raw, f, tc.field)
		}
	}
	// Good input passes whole.
	var f domain.Fields
	out, _ := checkFields(&f, KindCustoms, json.RawMessage(`{"mode":"ex_officio","goods":"shoes","port":"Mawei","guarantee_amount_fen":100}`), nil, descNow)
	if len(f) > 0 || out["mode"] != customsExOfficio || out["guarantee_amount_fen"] != int64(100) {
		t.Errorf("customs fields: %v %v", out, f)
	}
}

// TestDescriptorLookups: the lookups answer what the switches on the
// kind's name answered.
func TestDescriptorLookups(t *testing.T) {
	// The kinds the inbox offers: court kinds and the criminal transfer
	// to anyone who may send them, enforcement and customs to the
	// assistance officers.
	officer := &domain.Actor{Memberships: []domain.Membership{{OrgID: 1, OrgType: domain.OrgAssistanceCenter, Role: domain.RoleAssistanceOfficer}}}
	clerk := &domain.Actor{Memberships: []domain.Membership{{OrgID: 2, OrgType: domain.OrgMediationCommittee, Role: domain.RoleClerk}}}
	if got, want := InboxKinds(officer), []Kind{KindCourtDelegation, KindCourtEntrustment, KindCriminal, KindEnforcement, KindCustoms}; !slices.Equal(got, want) {
		t.Errorf("InboxKinds(officer) = %v, want %v", got, want)
	}
	if got, want := InboxKinds(clerk), []Kind{KindCourtDelegation, KindCourtEntrustment, KindCriminal}; !slices.Equal(got, want) {
		t.Errorf("InboxKinds(clerk) = %v, want %v", got, want)
	}

	// The kinds a case page offers, against the old rule.
	old := func(c CaseState) []Kind {
		var out []Kind
		failed := c.Status == domain.StatusFailed || (c.Status == domain.StatusClosed && c.RouteSuggested)
		if c.AgreementInEffect {
			out = append(out, KindJudicialConfirm)
		}
		if failed {
			out = append(out, KindLitigation, KindArbitration)
		}
		if c.DisputeType == domain.DisputePatent {
			out = append(out, KindAdministrative)
		}
		if c.Status != domain.StatusRejected && c.Status != domain.StatusWithdrawn {
			out = append(out, KindEnforcement, KindCustoms, KindRightsAssistance)
		}
		return out
	}
	for _, st := range domain.CaseStatuses {
		for _, effective := range []bool{false, true} {
			for _, route := range []bool{false, true} {
				for _, dt := range []domain.DisputeType{domain.DisputePatent, domain.DisputeTrademark} {
					c := CaseState{Status: st, AgreementInEffect: effective, RouteSuggested: route, DisputeType: dt}
					if got, want := OfferedOn(c), old(c); !slices.Equal(got, want) {
						t.Errorf("OfferedOn(%+v) = %v, want %v", c, got, want)
					}
				}
			}
		}
	}
	for _, d := range descriptors {
		if d.offered != nil && d.link == caseNone {
			t.Errorf("%s is offered on a case page but takes no case", d.Kind)
		}
		if d.inbox != inboxNever && d.link == caseRequired {
			t.Errorf("%s is offered in the inbox but needs a case", d.Kind)
		}
	}

	// The coded keys the referral page shows through a message id.
	wantKeys := map[string]string{
		"procedure": "procedure.", "dispute_type": "dispute.", "suggested_route": "route.",
		"mode": "referral.value.", "grounds": "referral.value.", "decision": "referral.value.", "outcome": "referral.value.",
		"infringement": "referral.value.", "kind": "referral.value.",
	}
	if got := ValueKeys(); !maps.Equal(got, wantKeys) {
		t.Errorf("ValueKeys() = %v, want %v", got, wantKeys)
	}
	if got := ResultCheckKeys(); !slices.Equal(got, []string{"intentional", "repeated", "final"}) {
		t.Errorf("ResultCheckKeys() = %v", got)
	}
	if got := FilingKinds(); !slices.Equal(got, []Kind{KindCourtDelegation, KindCourtEntrustment}) {
		t.Errorf("FilingKinds() = %v", got)
	}
	if !slices.Equal(deadline.CourtFilingKinds, []string{"court_delegation", "court_entrustment"}) {
		t.Errorf("deadline.CourtFilingKinds = %v", deadline.CourtFilingKinds)
	}
	var apps []Kind
	for _, k := range Kinds {
		if k.TakesApplication() {
			apps = append(apps, k)
		}
	}
	if !slices.Equal(apps, []Kind{KindAdministrative, KindEnforcement, KindCustoms}) {
		t.Errorf("kinds that refer an application: %v", apps)
	}
	if d := DefaultDisclosure(KindCustoms); !reflect.DeepEqual(d, cases.Disclosure{Summary: true, Rights: true}) {
		t.Errorf("customs discloses %+v by default", d)
	}
	if d := DefaultDisclosure(KindRightsAssistance); !reflect.DeepEqual(d, cases.Disclosure{Summary: true, Parties: true}) {
		t.Errorf("rights assistance discloses %+v by default", d)
	}

	// Titles: the court's number, else the case's.
	if got := defaultTitle(KindCourtEntrustment, map[string]any{"court_case_number": "（2026）闽0105民初1号"}, nil, nil); got != "委托调解：（2026）闽0105民初1号" {
		t.Errorf("entrustment title %q", got)
	}
	if got := defaultTitle(KindLitigation, nil, &cases.Facts{Number: "鼓调〔2026〕1号"}, nil); got != "调解不成转立案：鼓调〔2026〕1号" {
		t.Errorf("litigation title %q", got)
	}

	// Results: each kind's values are the options of its result's coded
	// field, and every result value is known.
	for _, d := range descriptors {
		if d.filing != nil {
			continue
		}
		var options []string
		for _, f := range d.ResultFields {
			if f.Key == "decision" || f.Key == "outcome" || f.Key == "infringement" {
				options = append(options, f.Options...)
			}
		}
		if !slices.Equal(options, d.Results) {
			t.Errorf("%s: results %v, result options %v", d.Kind, d.Results, options)
		}
	}
}

// TestDescriptorForms: every field a form draws has an element id, unique
// on its form, a choice has options and a coded value a message prefix.
func TestDescriptorForms(t *testing.T) {
	for _, d := range descriptors {
		ids := map[string]bool{}
		for _, list := range [][]Field{d.Fields, d.AcceptFields, d.ResultFields} {
			for _, f := range list {
				if f.Type == FieldShown {
					t.Errorf("%s: %s on a form has no type", d.Kind, f.Key)
				}
				if !f.Input() || f.Type == FieldCheck {
					continue
				}
				if f.ID == "" || ids[f.ID] {
					t.Errorf("%s: %s has no id of its own (%q)", d.Kind, f.Key, f.ID)
				}
				ids[f.ID] = true
				if f.Type == FieldChoice && (len(f.Options) == 0 || f.Values == "") {
					t.Errorf("%s: choice %s without options or value names", d.Kind, f.Key)
				}
				if f.Type == FieldAmount && !strings.HasSuffix(f.Key, "_fen") {
					t.Errorf("%s: amount %s is not stored in fen", d.Kind, f.Key)
				}
			}
		}
		for _, f := range d.ShownFields {
			if f.Type != FieldShown {
				t.Errorf("%s: shown field %s has a form type", d.Kind, f.Key)
			}
		}
	}
}

func hasField(f domain.Fields, name string) bool {
	return slices.ContainsFunc(f, func(e domain.FieldError) bool { return e.Field == name })
}

// jsonMembers are the JSON member names of struct type t.
func jsonMembers(t reflect.Type) []string {
	if t == nil {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// wrongType is an object whose member key has a value of the wrong type
// for shape: a number for text, text for anything else.
func wrongType(t *testing.T, shape reflect.Type, key string) json.RawMessage {
	t.Helper()
	for i := range shape.NumField() {
		sf := shape.Field(i)
		if name, _, _ := strings.Cut(sf.Tag.Get("json"), ","); name == key {
			if sf.Type.Kind() == reflect.String {
				return json.RawMessage(`{"` + key + `": 7}`)
			}
			return json.RawMessage(`{"` + key + `": "seven"}`)
		}
	}
	t.Fatalf("%s is no member of %v", key, shape)
	return nil
}
