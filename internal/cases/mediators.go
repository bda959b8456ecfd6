package cases

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Mediators lists the active mediators of a committee, for the assign and
// decide-objection forms. It is scoped like the committee's case queue:
// its director and clerk, and the director supervising it; for anyone
// else the committee is ENOTFOUND. Phones are left out: choosing a
// mediator does not need them.
func (s *Service) Mediators(ctx context.Context, orgID int64) ([]domain.User, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(s.viewerOf(a).queueOrgs(), orgID) {
		return nil, domain.NotFound("organisation")
	}
	var rows []struct {
		ID          int64
		Username    string
		DisplayName string
		Email       string
		Active      bool
		CreatedAt   time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT u.id, u.username, u.display_name, u.email, u.active, u.created_at
FROM users u WHERE u.active AND u.id IN (SELECT m.user_id FROM memberships m WHERE m.org_id = ? AND m.role IN ?)
ORDER BY u.display_name, u.id`, orgID, domain.RolesWhere(domain.Role.Assignable)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list mediators: %w", err)
	}
	out := make([]domain.User, len(rows))
	for i, r := range rows {
		out[i] = domain.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Email: r.Email, Active: r.Active, CreatedAt: r.CreatedAt}
	}
	return out, nil
}
