package seed

import (
	"context"
	"fmt"

	"github.com/ipmediate/ipmediate/internal/association"
)

// demoMembers are the member enterprises of the demo association
// 福州市软件行业协会 (fz-software), and whether each consents to the
// association reading its cases and applications (docs/design.md §15).
var demoMembers = []struct {
	org, user, since string
	consent          bool
}{
	{"ent-sme1", "sme1", "2024-03-01", true},
	{"ent-sme2", "sme2", "2025-05-20", false},
}

// seedAssociation makes the demo SMEs members of the demo association
// through the association service, its staff adding them and sme1
// granting its consent (idempotent: a member already listed is left as
// it is).
func (s *Seeder) seedAssociation(ctx context.Context, r *caseRunner, svc *association.Service) error {
	staff, err := r.as(ctx, "association.fz-software")
	if err != nil {
		return err
	}
	for _, m := range demoMembers {
		var n int64
		if err := r.db.WithContext(ctx).Raw(`SELECT count(*) FROM association_members WHERE association_org_id = ? AND member_org_id = ?`,
			r.orgs["fz-software"], r.orgs[m.org]).Scan(&n).Error; err != nil {
			return fmt.Errorf("seed association members: %w", err)
		}
		if n > 0 {
			continue
		}
		var code string
		if err := r.db.WithContext(ctx).Raw(`SELECT credit_code FROM orgs WHERE id = ?`, r.orgs[m.org]).Scan(&code).Error; err != nil {
			return fmt.Errorf("seed association members: %w", err)
		}
		added, err := svc.Add(staff, association.AddInput{AssociationOrgID: r.orgs["fz-software"], CreditCode: code, Since: m.since})
		if err != nil {
			return fmt.Errorf("seed association member %s: %w", m.org, err)
		}
		if !m.consent {
			continue
		}
		user, err := r.as(ctx, m.user)
		if err != nil {
			return err
		}
		if _, err := svc.SetConsent(user, added.ID, true, association.VersionInput{Version: added.Version}); err != nil {
			return fmt.Errorf("seed association consent of %s: %w", m.org, err)
		}
	}
	return nil
}
