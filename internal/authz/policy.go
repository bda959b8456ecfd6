package authz

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// rule is one "p, <role>, <resource>, <action>" line of policy.csv.
type rule struct {
	line     int
	role     domain.Role
	resource string
	action   string
}

// parsePolicy reads policy.csv. Any line it cannot vouch for stops it with
// an error naming the line: a mistake in the permission matrix must fail
// start-up (and CI), not quietly grant or withhold a permission.
func parsePolicy(data []byte) ([]rule, error) {
	var rules []rule
	seen := make(map[[3]string]int)
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		text := strings.TrimSpace(raw)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, ",")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		if f[0] != "p" {
			return nil, fmt.Errorf("policy.csv line %d: %q is not a p rule; only \"p, <role>, <resource>, <action>\" belongs here (role assignments live in the database)", n, text)
		}
		if len(f) != 4 {
			return nil, fmt.Errorf("policy.csv line %d: want 4 fields \"p, <role>, <resource>, <action>\", got %d", n, len(f))
		}
		role := domain.Role(f[1])
		if !role.Valid() {
			return nil, fmt.Errorf("policy.csv line %d: unknown role %q", n, f[1])
		}
		for _, x := range []struct{ what, v string }{{"resource", f[2]}, {"action", f[3]}} {
			if err := checkName(role, x.v); err != nil {
				return nil, fmt.Errorf("policy.csv line %d: %s: %w", n, x.what, err)
			}
		}
		key := [3]string{f[1], f[2], f[3]}
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("policy.csv line %d: repeats line %d", n, prev)
		}
		seen[key] = n
		rules = append(rules, rule{line: n, role: role, resource: f[2], action: f[3]})
	}
	if len(rules) == 0 {
		return nil, errors.New("policy.csv has no rules")
	}
	return rules, nil
}

// checkName accepts a lower_snake_case resource or action name, or "*" in
// a sysadmin rule.
func checkName(role domain.Role, v string) error {
	if v == "" {
		return errors.New("empty")
	}
	if v == "*" {
		if role != domain.RoleSysadmin {
			return fmt.Errorf("\"*\" is reserved for %s", domain.RoleSysadmin)
		}
		return nil
	}
	for i, c := range v {
		if !(c >= 'a' && c <= 'z' || i > 0 && (c == '_' || c >= '0' && c <= '9')) {
			return fmt.Errorf("%q is not a lower_snake_case name", v)
		}
	}
	return nil
}
