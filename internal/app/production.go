package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/alexedwards/argon2id"

	"github.com/ipmediate/ipmediate/internal/seed"
)

// checkDemoAccounts refuses a production start while a demo account is
// active with the published demo password. Demo mode itself is refused in
// production, but a database seeded by a demo (serve --demo, seed, bench)
// keeps its accounts, and a production server started on it would let
// anyone who has read the README sign in as admin.
//
// Only the demo usernames are checked, each with one argon2id
// comparison (a few hundredths of a second), so the check costs about a
// second at start and nothing afterwards.
func (a *App) checkDemoAccounts(ctx context.Context) error {
	type row struct {
		Username     string
		PasswordHash string
	}
	var rows []row
	if err := a.DB.WithContext(ctx).Raw(`SELECT username, password_hash FROM users WHERE active AND username IN ? ORDER BY username`,
		seed.DemoUsernames()).Scan(&rows).Error; err != nil {
		return fmt.Errorf("look for demo accounts: %w", err)
	}
	var open []string
	for _, r := range rows {
		if ok, err := argon2id.ComparePasswordAndHash(seed.DemoPassword, r.PasswordHash); err == nil && ok {
			open = append(open, r.Username)
		}
	}
	if len(open) == 0 {
		return nil
	}
	shown := open
	if len(shown) > 5 {
		shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(open)-5))
	}
	return fmt.Errorf("env is production but %d demo account(s) still have the published demo password (%s): "+
		"this database was seeded for a demo; use a fresh database, or disable these accounts or reset their passwords first",
		len(open), strings.Join(shown, ", "))
}
