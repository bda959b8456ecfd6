package calendar_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

// TestDefaultRules_Duties pins the duty of every rule (docs/law.md §1).
func TestDefaultRules_Duties(t *testing.T) {
	want := map[string]calendar.Duty{
		"judicial_confirmation.apply":      calendar.DutyInformation,
		"customs.ex_officio.answer":        calendar.DutyParty,
		"customs.application.court_notice": calendar.DutyParty,
		"customs.recordation.validity":     calendar.DutyParty,
		"criminal.police_decision":         calendar.DutySoft,
		"credit.objection":                 calendar.DutyInformation,
		"exhibition.complaint.transfer":    calendar.DutyOrganisation,
	}
	for _, r := range mustRules(t).All() {
		w, ok := want[r.ID]
		if !ok {
			w = calendar.DutyOrganisation
		}
		if r.Duty != w {
			t.Errorf("%s: duty %q, want %q", r.ID, r.Duty, w)
		}
	}
}

// TestLawTableListsEveryRule holds docs/law.md §1 to configs/deadlines.yaml:
// every rule has its row, the row names the rule's duty, and a rule whose
// citation is marked 条号待核 is marked "article number not confirmed".
func TestLawTableListsEveryRule(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "law.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "\n## 1.")
	end := strings.Index(doc, "\n## 2.")
	if start < 0 || end < start {
		t.Fatal("docs/law.md has no section 1 followed by section 2")
	}
	rows := map[string]string{}
	for _, line := range strings.Split(doc[start:end], "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 8 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = line
	}
	for _, r := range mustRules(t).All() {
		row, ok := rows[r.ID]
		switch {
		case !ok:
			t.Errorf("docs/law.md §1 has no row for rule %s", r.ID)
			continue
		case !strings.Contains(row, "| "+string(r.Duty)+" |"):
			t.Errorf("docs/law.md §1: the row of %s does not name its duty %s", r.ID, r.Duty)
		}
		if strings.Contains(r.Basis+r.Note, "条号待核") && !strings.Contains(row, "article number not confirmed") {
			t.Errorf("docs/law.md §1: %s is 条号待核 in the rules but its row does not say \"article number not confirmed\"", r.ID)
		}
	}
}
