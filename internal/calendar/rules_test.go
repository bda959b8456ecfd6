package calendar_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func mustRules(t *testing.T) calendar.Rules {
	t.Helper()
	rs, err := calendar.LoadDefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestDefaultRules pins configs/deadlines.yaml to docs/law.md §1's table.
func TestDefaultRules(t *testing.T) {
	type limit struct {
		Limit      int
		Unit       calendar.Unit
		On         string
		Extendable bool
	}
	want := map[string]limit{
		"annual_report":                        {0, calendar.AnnualDate, "12-20", false},
		"assistance.supplement":                {10, calendar.WorkingDays, "", false},
		"credit.objection":                     {10, calendar.WorkingDays, "", false},
		"credit.objection_decision":            {15, calendar.WorkingDays, "", false},
		"credit.repair_decision":               {15, calendar.WorkingDays, "", false},
		"criminal.police_decision":             {3, calendar.CalendarDays, "", false},
		"criminal.transfer":                    {24, calendar.Hours, "", false},
		"customs.application.court_notice":     {20, calendar.WorkingDays, "", false},
		"customs.ex_officio.answer":            {3, calendar.WorkingDays, "", false},
		"customs.ex_officio.investigate":       {30, calendar.WorkingDays, "", false},
		"customs.ex_officio.release":           {50, calendar.WorkingDays, "", false},
		"customs.recordation.validity":         {10, calendar.Years, "", true},
		"exhibition.first_response":            {24, calendar.Hours, "", false},
		"exhibition.complaint.transfer":        {24, calendar.Hours, "", false},
		"mediator.complaint.answer":            {15, calendar.WorkingDays, "", false},
		"judicial_confirmation.accept":         {3, calendar.CalendarDays, "", false},
		"judicial_confirmation.apply":          {30, calendar.CalendarDays, "", false},
		"judicial_confirmation.decide":         {15, calendar.CalendarDays, "", true},
		"mediation.court_delegated":            {30, calendar.CalendarDays, "", true},
		"mediation.court_entrusted_ordinary":   {15, calendar.CalendarDays, "", true},
		"mediation.court_entrusted_simplified": {7, calendar.CalendarDays, "", true},
		"mediation.direct":                     {1, calendar.Months, "", true},
		"patent_adjudication.accept":           {5, calendar.WorkingDays, "", false},
		"patent_adjudication.decide":           {3, calendar.Months, "", true},
	}
	rs := mustRules(t)
	got := map[string]limit{}
	var ids []string
	for _, r := range rs.All() {
		got[r.ID] = limit{r.Limit, r.Unit, r.On, r.Extendable}
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if !slices.IsSorted(ids) {
		t.Errorf("All() not sorted: %v", ids)
	}
	// Extensions with a fixed amount.
	for id, ext := range map[string]calendar.Extension{
		"judicial_confirmation.decide": {Limit: 10, Unit: calendar.CalendarDays},
		"patent_adjudication.decide":   {Limit: 1, Unit: calendar.Months},
		"customs.recordation.validity": {Limit: 10, Unit: calendar.Years},
	} {
		r, _ := rs.Rule(id)
		if r.Extension == nil || r.Extension.Limit != ext.Limit || r.Extension.Unit != ext.Unit {
			t.Errorf("%s extension = %+v, want %d %s", id, r.Extension, ext.Limit, ext.Unit)
		}
	}
	// The citations the issue names.
	for id, cite := range map[string]string{
		"judicial_confirmation.apply":      "人民调解法》第三十三条",
		"judicial_confirmation.accept":     "法释〔2011〕5号）第四条",
		"judicial_confirmation.decide":     "法释〔2011〕5号）第五条",
		"customs.ex_officio.answer":        "知识产权海关保护条例》（2018年修订）第十六条",
		"customs.ex_officio.investigate":   "第二十条",
		"customs.ex_officio.release":       "第二十四条第（二）项",
		"customs.application.court_notice": "第二十四条第（一）项",
		"customs.recordation.validity":     "第十条",
		"criminal.transfer":                "第五条第二款",
		"criminal.police_decision":         "第八条",
		"exhibition.first_response":        "本地实践",
		"exhibition.complaint.transfer":    "《展会知识产权保护办法》",
		"assistance.supplement":            "本地实践",
		"mediator.complaint.answer":        "本地实践",
		"annual_report":                    "榕政综〔2017〕30号）四（四）",
	} {
		if r, _ := rs.Rule(id); !strings.Contains(r.Basis, cite) {
			t.Errorf("%s basis %q lacks %q", id, r.Basis, cite)
		}
	}
	if _, ok := rs.Rule("no.such.rule"); ok {
		t.Error("Rule(no.such.rule) found")
	}
	all := rs.All()
	all[0].ID = "changed"
	if rs.All()[0].ID == "changed" {
		t.Error("All() shares its slice")
	}
}

func TestCalendar_Apply(t *testing.T) {
	cal, rs := mustCalendar(t), mustRules(t)
	tests := []struct {
		desc  string
		rule  string
		event time.Time
		want  calendar.Result
	}{
		{"judicial confirmation: 30 days from 1 September run past National Day",
			"judicial_confirmation.apply", at(2026, 9, 1, 16, 0), calendar.Result{
				Due: endOf(2026, 10, 8), LastDay: date(2026, 10, 8), Nominal: date(2026, 10, 1), Extended: true}},
		{"court decides within 15 days of accepting",
			"judicial_confirmation.decide", at(2026, 2, 2, 10, 0), calendar.Result{
				// 17 Feb is 正月初一: the last day moves to 24 Feb.
				Due: endOf(2026, 2, 24), LastDay: date(2026, 2, 24), Nominal: date(2026, 2, 17), Extended: true}},
		{"right holder answers customs within 3 working days",
			"customs.ex_officio.answer", at(2026, 9, 18, 17, 0), calendar.Result{
				Due: endOf(2026, 9, 22), LastDay: date(2026, 9, 22), Nominal: date(2026, 9, 22)}},
		{"criminal transfer within 24 hours of the decision",
			"criminal.transfer", at(2026, 9, 30, 15, 30), calendar.Result{
				Due: at(2026, 10, 1, 15, 30), LastDay: date(2026, 10, 1), Nominal: date(2026, 10, 1)}},
		{"patent adjudication decided within 3 months",
			"patent_adjudication.decide", at(2026, 11, 30, 10, 0), calendar.Result{
				// Provisional: the 2027 file is not yet checked against its notice.
				Due: endOf(2027, 3, 1), LastDay: date(2027, 3, 1), Nominal: date(2027, 2, 28), Extended: true,
				Provisional: true, ProvisionalYears: []int{2027}}},
		{"customs recordation valid 10 years: 2 March 2036 is a Sunday (provisional)",
			"customs.recordation.validity", at(2026, 3, 2, 10, 0), calendar.Result{
				Due: endOf(2036, 3, 3), LastDay: date(2036, 3, 3), Nominal: date(2036, 3, 2), Extended: true,
				Provisional: true, ProvisionalYears: []int{2036}}},
		{"annual report due 20 December of the event's year",
			"annual_report", at(2026, 11, 27, 10, 0), calendar.Result{
				Due: endOf(2026, 12, 20), LastDay: date(2026, 12, 20), Nominal: date(2026, 12, 20)}},
		{"annual report: a minute before 24:00 on 20 December is still that year's",
			"annual_report", at(2026, 12, 20, 23, 59), calendar.Result{
				Due: endOf(2026, 12, 20), LastDay: date(2026, 12, 20), Nominal: date(2026, 12, 20)}},
		{"annual report: from 21 December on it is next year's",
			"annual_report", at(2026, 12, 21, 0, 0), calendar.Result{
				Due: endOf(2027, 12, 20), LastDay: date(2027, 12, 20), Nominal: date(2027, 12, 20)}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			r, ok := rs.Rule(tt.rule)
			if !ok {
				t.Fatalf("no rule %s", tt.rule)
			}
			got, err := cal.Apply(r, tt.event)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.RuleID, tt.want.Basis = r.ID, r.Basis
			if diff := cmp.Diff(tt.want, got, ignoreExplanation, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Apply(%s, %s) (-want +got):\n%s", tt.rule, tt.event, diff)
			}
			if !strings.HasPrefix(got.Explanation, "规则："+r.Name+"，") || strings.Contains(got.Explanation, r.ID) {
				t.Errorf("explanation = %q", got.Explanation)
			}
		})
	}

	t.Run("an invalid rule", func(t *testing.T) {
		_, err := cal.Apply(calendar.Rule{ID: "x", Name: "x", From: "x", Basis: "x", Unit: calendar.CalendarDays}, at(2026, 3, 2, 9, 0))
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("error = %v, want EINVALID", err)
		}
	})
}

// TestResult_Overdue checks deadline state against an injected clock.
func TestResult_Overdue(t *testing.T) {
	cal, rs := mustCalendar(t), mustRules(t)
	r, _ := rs.Rule("judicial_confirmation.apply")
	res, err := cal.Apply(r, at(2026, 9, 1, 16, 0)) // due 24:00 on 8 October
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc string
		now  time.Time
		want bool
	}{
		{"the nominal last day, National Day", at(2026, 10, 1, 12, 0), false},
		{"a second before 24:00 on 8 October", at(2026, 10, 8, 23, 59).Add(59 * time.Second), false},
		{"24:00 on 8 October", at(2026, 10, 9, 0, 0), true},
		{"the same instant in UTC", time.Date(2026, 10, 8, 16, 0, 0, 0, time.UTC), true},
		{"a week later", at(2026, 10, 15, 9, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			clock := func() time.Time { return tt.now }
			if got := res.Overdue(clock()); got != tt.want {
				t.Errorf("Overdue(%s) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestLoadRules_Bad(t *testing.T) {
	const ok = "    name: n\n    from: f\n    basis: b\n    duty: organisation\n    for: [court]\n"
	tests := []struct {
		desc string
		yaml string
		want string
	}{
		{"not YAML", "rules: [", "deadline rules: yaml:"},
		{"no rules", "rules: []\n", "deadline rules: rules: empty"},
		{"misspelt key", "rules:\n  - id: a\n    limt: 3\n", "deadline rules: yaml: unmarshal errors:\n  line 3: field limt not found"},
		{"id missing", "rules:\n  - limit: 3\n    unit: calendar_days\n" + ok, "deadline rules: rules[0]: id: required"},
		{"bad id", "rules:\n  - id: Bad-ID\n    limit: 3\n    unit: calendar_days\n" + ok, `deadline rules: rule Bad-ID: id: "Bad-ID" is not lower-case words`},
		{"name missing", "rules:\n  - id: a\n    from: f\n    basis: b\n    limit: 3\n    unit: calendar_days\n", "deadline rules: rule a: name: required"},
		{"from missing", "rules:\n  - id: a\n    name: n\n    basis: b\n    limit: 3\n    unit: calendar_days\n", "deadline rules: rule a: from: required"},
		{"basis missing", "rules:\n  - id: a\n    name: n\n    from: f\n    limit: 3\n    unit: calendar_days\n", "deadline rules: rule a: basis: required"},
		{"unit missing", "rules:\n  - id: a\n    limit: 3\n" + ok, "deadline rules: rule a: unit: required"},
		{"unknown unit", "rules:\n  - id: a\n    limit: 3\n    unit: workdays\n" + ok, `deadline rules: rule a: unit: unknown unit "workdays"`},
		{"limit missing", "rules:\n  - id: a\n    unit: working_days\n" + ok, "deadline rules: rule a: limit: 0 is outside"},
		{"negative limit", "rules:\n  - id: a\n    limit: -2\n    unit: hours\n" + ok, "deadline rules: rule a: limit: -2 is outside"},
		{"annual date without a day", "rules:\n  - id: a\n    unit: annual_date\n" + ok, `deadline rules: rule a: on: "" is not a day of the year`},
		{"annual date on 29 February", "rules:\n  - id: a\n    unit: annual_date\n    on: \"02-29\"\n" + ok, "deadline rules: rule a: on: 02-29 does not come every year"},
		{"annual date with a limit", "rules:\n  - id: a\n    unit: annual_date\n    on: \"12-20\"\n    limit: 3\n" + ok, "deadline rules: rule a: limit: an annual_date rule has no limit"},
		{"a day on a period rule", "rules:\n  - id: a\n    limit: 3\n    unit: months\n    on: \"12-20\"\n" + ok, "deadline rules: rule a: on: only an annual_date rule has a day"},
		{"extendable without extension", "rules:\n  - id: a\n    limit: 3\n    unit: months\n    extendable: true\n" + ok, "deadline rules: rule a: extension: required for an extendable rule"},
		{"extension of a fixed rule", "rules:\n  - id: a\n    limit: 3\n    unit: months\n    extension: {condition: c}\n" + ok, "deadline rules: rule a: extension: given for a rule that is not extendable"},
		{"extension without condition", "rules:\n  - id: a\n    limit: 3\n    unit: months\n    extendable: true\n    extension: {limit: 1, unit: months}\n" + ok, "deadline rules: rule a: extension.condition: required"},
		{"extension amount without unit", "rules:\n  - id: a\n    limit: 3\n    unit: months\n    extendable: true\n    extension: {limit: 1, condition: c}\n" + ok, `deadline rules: rule a: extension.unit: "" is not a period unit`},
		{"extension unit without amount", "rules:\n  - id: a\n    limit: 3\n    unit: months\n    extendable: true\n    extension: {unit: months, condition: c}\n" + ok, "deadline rules: rule a: extension.unit: given without extension.limit"},
		{"duty missing", "rules:\n  - id: a\n    name: n\n    from: f\n    basis: b\n    limit: 3\n    unit: hours\n", "deadline rules: rule a: duty: required"},
		{"unknown duty", "rules:\n  - id: a\n    name: n\n    from: f\n    basis: b\n    duty: court\n    limit: 3\n    unit: hours\n", `deadline rules: rule a: duty: unknown duty "court"`},
		{"for missing", "rules:\n  - id: a\n    name: n\n    from: f\n    basis: b\n    duty: organisation\n    limit: 3\n    unit: hours\n", "deadline rules: rule a: for: required"},
		{"unknown kind in for", "rules:\n  - id: a\n    name: n\n    from: f\n    basis: b\n    duty: organisation\n    for: [court, police]\n    limit: 3\n    unit: hours\n", `deadline rules: rule a: for: unknown kind of organisation "police"`},
		{"duplicate id", "rules:\n  - id: a\n    limit: 3\n    unit: hours\n" + ok + "  - id: a\n    limit: 4\n    unit: hours\n" + ok, "deadline rules: rule a: id: defined twice"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := calendar.LoadRules([]byte(tt.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestCalendar_ApplyExplanation(t *testing.T) {
	cal, rs := mustCalendar(t), mustRules(t)
	tests := []struct {
		desc  string
		rule  string
		event time.Time
		want  string
	}{
		{"a period rule", "customs.ex_officio.answer", at(2026, 9, 18, 17, 0),
			"规则：海关依职权发现侵权嫌疑后权利人申请扣留的期限，自海关书面通知送达知识产权权利人之日起算；" +
				"依据：《中华人民共和国知识产权海关保护条例》（2018年修订）第十六条；《中华人民共和国海关关于〈中华人民共和国知识产权海关保护条例〉的实施办法》（海关总署令第183号）。\n" +
				"事件日 2026-09-18（星期五）不计入，自次日 2026-09-19（星期六）起算，期间 3 个工作日。\n" +
				"不计休息日 1 天（周末 1 天）。\n" +
				"调休上班日计入工作日：2026-09-20国庆节。\n" +
				"第 3 个工作日为 2026-09-22（星期二）。\n" +
				"期间届满：2026-09-22（星期二） 24:00（北京时间）。"},
		{"the annual report", "annual_report", at(2026, 11, 27, 10, 0),
			"规则：年度工作情况报送，依据：《福州市开展新一轮国家知识产权示范城市工作方案》（榕政综〔2017〕30号）四（四）“每年12月20日前向领导小组办公室报送年度工作情况”。\n" +
				"每年 12 月 20 日为期，本次为 2026-12-20（星期日），届满 24:00（北京时间）。固定日期不是期间，不因休息日顺延。"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			r, _ := rs.Rule(tt.rule)
			got, err := cal.Apply(r, tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Explanation); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
		})
	}
}
