package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Rule is one legal time limit of configs/deadlines.yaml.
type Rule struct {
	// ID names the rule (mediation.court_delegated); deadlines refer to it.
	ID string `yaml:"id"`
	// Name is the rule's Chinese name for clerks.
	Name string `yaml:"name"`
	// From says which event starts the period (调解协议生效之日).
	From string `yaml:"from"`
	// Limit and Unit give the period: 30 calendar_days, 3 working_days.
	// An AnnualDate rule has no limit; On gives its day instead.
	Limit int  `yaml:"limit"`
	Unit  Unit `yaml:"unit"`
	// On is the day, MM-DD, of an AnnualDate rule.
	On string `yaml:"on,omitempty"`
	// Extendable says whether the period can be extended; Extension says
	// by how much and on what condition.
	Extendable bool       `yaml:"extendable"`
	Extension  *Extension `yaml:"extension,omitempty"`
	// Basis is the legal citation, in Chinese with article numbers.
	Basis string `yaml:"basis"`
	// Note explains how the rule is applied.
	Note string `yaml:"note,omitempty"`
	// Duty says whose time limit it is and therefore who is reminded,
	// whether it escalates and how it shows when it passes (Duty).
	Duty Duty `yaml:"duty"`
	// For lists the kinds of organisation (domain.OrgTypes) whose people
	// work with this period: the calculator offers a user the rules of
	// their organisations' kinds (the leadership office sees them all).
	For []domain.OrgType `yaml:"for"`
}

// Concerns reports whether the rule is for an organisation of type t.
func (r Rule) Concerns(t domain.OrgType) bool { return slices.Contains(r.For, t) }

// Duty is the nature of a rule's time limit: whose duty it is to act
// within it (docs/law.md §1).
type Duty string

// The duties.
const (
	// DutyOrganisation: the responsible organisation's own legal duty.
	// Its responsible user (else its directors) is reminded, it shows red
	// when overdue and escalates to the organisation's directors.
	DutyOrganisation Duty = "organisation"
	// DutyParty: a time limit binding a party or right holder. The party's
	// users and the organisation helping them are reminded; it never
	// escalates and never shows red.
	DutyParty Duty = "party"
	// DutyInformation: shown for information only (a right the parties may
	// use). Nobody's "own" deadline, no reminders to staff, no escalation;
	// when it passes it closes quietly as lapsed.
	DutyInformation Duty = "information"
	// DutySoft: another authority's time limit the responsible user
	// follows up. Reminded up to the last day, never escalated; shown
	// amber, not red, once passed.
	DutySoft Duty = "soft"
)

// Duties lists every duty.
var Duties = []Duty{DutyOrganisation, DutyParty, DutyInformation, DutySoft}

// Valid reports whether d is a known duty.
func (d Duty) Valid() bool { return slices.Contains(Duties, d) }

// Extension describes how an extendable period may be extended.
type Extension struct {
	// Limit and Unit give the most the period may be extended by; Limit 0
	// means the text sets no fixed amount.
	Limit int  `yaml:"limit,omitempty"`
	Unit  Unit `yaml:"unit,omitempty"`
	// Condition says who decides and when (经本院院长批准).
	Condition string `yaml:"condition"`
}

// Rules is the validated set of deadline rules. The zero Rules has none.
type Rules struct {
	list []Rule
	byID map[string]int
}

type rulesFile struct {
	Rules []Rule `yaml:"rules"`
}

var ruleID = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// LoadRules parses and validates configs/deadlines.yaml. An error names the
// rule (by id, or by position when it has none) and the field.
func LoadRules(data []byte) (Rules, error) {
	var f rulesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt key is an error, not a silent default
	if err := dec.Decode(&f); err != nil {
		return Rules{}, fmt.Errorf("deadline rules: %w", err)
	}
	if len(f.Rules) == 0 {
		return Rules{}, errors.New("deadline rules: rules: empty")
	}
	rs := Rules{byID: map[string]int{}}
	for i, r := range f.Rules {
		name := fmt.Sprintf("rules[%d]", i)
		if r.ID != "" {
			name = "rule " + r.ID
		}
		if err := r.validate(); err != nil {
			return Rules{}, fmt.Errorf("deadline rules: %s: %w", name, err)
		}
		if _, dup := rs.byID[r.ID]; dup {
			return Rules{}, fmt.Errorf("deadline rules: %s: id: defined twice", name)
		}
		rs.byID[r.ID] = -1
		rs.list = append(rs.list, r)
	}
	slices.SortFunc(rs.list, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	for i, r := range rs.list {
		rs.byID[r.ID] = i
	}
	return rs, nil
}

// validate checks one rule; the error names the field.
func (r Rule) validate() error {
	switch {
	case r.ID == "":
		return errors.New("id: required")
	case !ruleID.MatchString(r.ID):
		return fmt.Errorf("id: %q is not lower-case words joined by dots", r.ID)
	case strings.TrimSpace(r.Name) == "":
		return errors.New("name: required")
	case strings.TrimSpace(r.From) == "":
		return errors.New("from: required (the event the period runs from)")
	case strings.TrimSpace(r.Basis) == "":
		return errors.New("basis: required (the legal citation)")
	case r.Unit == "":
		return errors.New("unit: required")
	case !r.Unit.Valid():
		return fmt.Errorf("unit: unknown unit %q", r.Unit)
	case r.Duty == "":
		return fmt.Errorf("duty: required (one of %v)", Duties)
	case !r.Duty.Valid():
		return fmt.Errorf("duty: unknown duty %q (one of %v)", r.Duty, Duties)
	case len(r.For) == 0:
		return fmt.Errorf("for: required (the kinds of organisation it concerns, of %v)", domain.OrgTypes)
	}
	for _, t := range r.For {
		if !slices.Contains(domain.OrgTypes, t) {
			return fmt.Errorf("for: unknown kind of organisation %q (one of %v)", t, domain.OrgTypes)
		}
	}
	if r.Unit == AnnualDate {
		if r.Limit != 0 {
			return errors.New("limit: an annual_date rule has no limit; give on: MM-DD")
		}
		if _, _, err := parseMonthDay(r.On); err != nil {
			return fmt.Errorf("on: %w", err)
		}
	} else {
		if r.Limit < 1 || r.Limit > maxLimit {
			return fmt.Errorf("limit: %d is outside 1–%d", r.Limit, maxLimit)
		}
		if r.On != "" {
			return fmt.Errorf("on: only an annual_date rule has a day, not %s", r.Unit)
		}
	}
	switch {
	case !r.Extendable && r.Extension != nil:
		return errors.New("extension: given for a rule that is not extendable")
	case r.Extendable && r.Extension == nil:
		return errors.New("extension: required for an extendable rule (at least its condition)")
	case r.Extension == nil:
		return nil
	case strings.TrimSpace(r.Extension.Condition) == "":
		return errors.New("extension.condition: required")
	case r.Extension.Limit < 0 || r.Extension.Limit > maxLimit:
		return fmt.Errorf("extension.limit: %d is outside 0–%d", r.Extension.Limit, maxLimit)
	case r.Extension.Limit > 0 && (!r.Extension.Unit.Valid() || r.Extension.Unit == AnnualDate):
		return fmt.Errorf("extension.unit: %q is not a period unit", r.Extension.Unit)
	case r.Extension.Limit == 0 && r.Extension.Unit != "":
		return errors.New("extension.unit: given without extension.limit")
	}
	return nil
}

// parseMonthDay parses MM-DD. 02-29 is refused: it does not come every year.
func parseMonthDay(s string) (time.Month, int, error) {
	t, err := time.Parse("01-02", s)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a day of the year (MM-DD)", s)
	}
	if t.Month() == time.February && t.Day() == 29 {
		return 0, 0, errors.New("02-29 does not come every year")
	}
	return t.Month(), t.Day(), nil
}

// Rule returns the rule with the given id.
func (rs Rules) Rule(id string) (Rule, bool) {
	i, ok := rs.byID[id]
	if !ok {
		return Rule{}, false
	}
	return rs.list[i], true
}

// Require reports, naming them, the ids among ids that no rule has: the
// code opens deadlines by rule id, so a rule renamed or dropped from the
// file must stop the start, not a clerk's action.
func (rs Rules) Require(ids ...string) error {
	var missing []string
	for _, id := range ids {
		if _, ok := rs.byID[id]; !ok && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("deadline rules: the code uses %s, which the rules do not define", strings.Join(missing, ", "))
	}
	return nil
}

// All returns every rule, sorted by id. The slice is the caller's.
func (rs Rules) All() []Rule { return slices.Clone(rs.list) }

// Apply computes the deadline of rule r for an event at the instant event.
// A period rule is counted by Due. An AnnualDate rule is due at 24:00
// Beijing time on its day in the event's year, or the next year's when
// that has already passed at event; being a fixed date, not a period, it
// is not moved off rest days. It returns an EINVALID error for an invalid
// rule or for what Due refuses.
func (c *Calendar) Apply(r Rule, event time.Time) (Result, error) {
	if err := r.validate(); err != nil {
		return Result{}, domain.Errorf(domain.EINVALID, "deadline rule %s: %v", r.ID, err)
	}
	var (
		res Result
		err error
	)
	if r.Unit == AnnualDate {
		res, err = annual(r, event)
	} else {
		res, err = c.Due(event, r.Limit, r.Unit)
	}
	if err != nil {
		return Result{}, err
	}
	res.RuleID, res.Basis = r.ID, r.Basis
	from := "自" + r.From + "起算；"
	if r.Unit == AnnualDate {
		from = ""
	}
	// The rule is named by its name, not its id: the explanation is read
	// by the committee's staff and the parties, in words.
	res.Explanation = fmt.Sprintf("规则：%s，%s依据：%s。\n", r.Name, from, r.Basis) + res.Explanation
	return res, nil
}

func annual(r Rule, event time.Time) (Result, error) {
	if event.IsZero() {
		return Result{}, domain.Errorf(domain.EINVALID, "no event time")
	}
	m, d, _ := parseMonthDay(r.On) // validated
	day := NewDate(DateOf(event).Year, m, d)
	if !event.Before(day.End()) {
		day = NewDate(day.Year+1, m, d)
	}
	return Result{
		Due:     day.End(),
		LastDay: day,
		Nominal: day,
		Explanation: fmt.Sprintf("每年 %d 月 %d 日为期，本次为 %s，届满 24:00（北京时间）。固定日期不是期间，不因休息日顺延。",
			int(m), d, day.withWeekday()),
	}, nil
}
