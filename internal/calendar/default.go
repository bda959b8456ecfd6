package calendar

import (
	"fmt"
	"io/fs"

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
