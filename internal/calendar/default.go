package calendar

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/ipmediate/ipmediate/configs"
)

// LoadDefault loads the holiday files embedded from configs/holidays.
func LoadDefault() (*Calendar, error) {
	sub, err := fs.Sub(configs.Holidays, "holidays")
	if err != nil {
		return nil, fmt.Errorf("configs/holidays: %w", err)
	}
	c, err := Load(sub)
	if err != nil {
		return nil, fmt.Errorf("configs/holidays/%w", err)
	}
	return c, nil
}

// LoadDefaultRules loads the deadline rules embedded from
// configs/deadlines.yaml.
func LoadDefaultRules() (Rules, error) {
	rs, err := LoadRules(configs.DeadlinesYAML)
	if err != nil {
		return Rules{}, fmt.Errorf("configs/deadlines.yaml: %w", err)
	}
	return rs, nil
}

// LoadLegal loads the calendar and the rules the way a deployment
// configures them (config legal.*): the embedded holiday files, with the
// <year>.yaml files of holidaysDir over them when it is not ""; the
// embedded rules, or the file rulesFile instead when it is not "". An
// error names the file.
func LoadLegal(holidaysDir, rulesFile string) (*Calendar, Rules, error) {
	cal, err := LoadDefault()
	if err != nil {
		return nil, Rules{}, err
	}
	if holidaysDir != "" {
		embedded, err := fs.Sub(configs.Holidays, "holidays")
		if err != nil {
			return nil, Rules{}, fmt.Errorf("configs/holidays: %w", err)
		}
		if cal, err = LoadLayers(embedded, os.DirFS(holidaysDir)); err != nil {
			return nil, Rules{}, fmt.Errorf("%s: %w", holidaysDir, err)
		}
	}
	if rulesFile == "" {
		rules, err := LoadDefaultRules()
		return cal, rules, err
	}
	raw, err := os.ReadFile(rulesFile)
	if err != nil {
		return nil, Rules{}, err
	}
	rules, err := LoadRules(raw)
	if err != nil {
		return nil, Rules{}, fmt.Errorf("%s: %w", rulesFile, err)
	}
	return cal, rules, nil
}
