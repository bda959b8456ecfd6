package calendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ipmediate/ipmediate/configs"
)

func yearOf(t *testing.T, c *Calendar, year int) (YearInfo, bool) {
	t.Helper()
	for _, y := range c.Years() {
		if y.Year == year {
			return y, true
		}
	}
	return YearInfo{}, false
}

// A later layer's file replaces the same year of an earlier layer; the
// years only the earlier layer has stay.
func TestLoadLayers_LaterFileWins(t *testing.T) {
	y2025, err := configs.Holidays.ReadFile("holidays/2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y2026, err := configs.Holidays.ReadFile("holidays/2026.yaml")
	if err != nil {
		t.Fatal(err)
	}
	forecast := strings.Replace(string(y2026), "official: true", "official: false", 1)
	first := fstest.MapFS{"2025.yaml": {Data: y2025}, "2026.yaml": {Data: []byte(forecast)}}
	second := fstest.MapFS{"2026.yaml": {Data: y2026}}
	c, err := LoadLayers(first, second)
	if err != nil {
		t.Fatal(err)
	}
	if info, ok := yearOf(t, c, 2026); !ok || !info.Official {
		t.Errorf("2026 from the later layer: %+v (found %v), want official", info, ok)
	}
	if _, ok := yearOf(t, c, 2025); !ok {
		t.Error("2025, only in the first layer, was lost")
	}
	only, err := LoadLayers(first)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := yearOf(t, only, 2026); info.Official {
		t.Error("the forecast layer alone reads as official")
	}
}

// LoadLegal puts an operator's holiday folder over the embedded files and
// reads an operator's rules file instead of the embedded one.
func TestLoadLegal_FilesOverTheEmbedded(t *testing.T) {
	dir := t.TempDir()
	y2027, err := configs.Holidays.ReadFile("holidays/2027.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The notice arrived: the same days, now official.
	official := strings.Replace(string(y2027), "official: false", "official: true", 1)
	if err := os.WriteFile(filepath.Join(dir, "2027.yaml"), []byte(official), 0o600); err != nil {
		t.Fatal(err)
	}
	embedded, _, err := LoadLegal("", "")
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := yearOf(t, embedded, 2027); info.Official {
		t.Fatal("the embedded 2027 file is official; this test assumes it is provisional")
	}
	cal, rules, err := LoadLegal(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := yearOf(t, cal, 2027); !info.Official {
		t.Error("the operator's 2027 file did not replace the embedded one")
	}
	if _, ok := yearOf(t, cal, 2026); !ok {
		t.Error("the embedded 2026 file was lost under the operator's folder")
	}
	if _, ok := rules.Rule("mediation.direct"); !ok {
		t.Error("the embedded rules were not loaded")
	}

	rulesFile := filepath.Join(dir, "deadlines.yaml")
	if err := os.WriteFile(rulesFile, configs.DeadlinesYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadLegal("", rulesFile); err != nil {
		t.Errorf("a copy of the embedded rules: %v", err)
	}
	if err := os.WriteFile(rulesFile, []byte("rules: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadLegal("", rulesFile); err == nil || !strings.Contains(err.Error(), rulesFile) {
		t.Errorf("an empty rules file: %v, want an error naming the file", err)
	}
}

func TestRules_RequireNamesTheMissing(t *testing.T) {
	rules, err := LoadDefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	if err := rules.Require("mediation.direct", "annual_report"); err != nil {
		t.Errorf("defined rules: %v", err)
	}
	err = rules.Require("mediation.direct", "mediation.renamed", "customs.gone", "mediation.renamed")
	if err == nil || !strings.Contains(err.Error(), "mediation.renamed, customs.gone") {
		t.Errorf("missing rules: %v, want both named once", err)
	}
}
