package seed

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
	"github.com/ipmediate/ipmediate/internal/org"
)

// Seeder writes the demo data.
type Seeder struct {
	orgs  *org.Store
	users *identity.Service
	log   *slog.Logger
	// caseDeps, when set (WithCases), makes Run seed the demo cases.
	caseDeps *CaseDeps
}

// New returns a Seeder.
func New(orgs *org.Store, users *identity.Service, log *slog.Logger) *Seeder {
	return &Seeder{orgs: orgs, users: users, log: log}
}

// Login is one demo login, listed at start-up and on the login page.
type Login struct {
	Username string
	Role     domain.Role
	OrgCode  string
	OrgName  string
}

// Result says what Run found or wrote.
type Result struct {
	Orgs         int
	UsersChanged int
	Logins       []Login
	// Cases is the number of demo cases in place after a run with
	// WithCases (0 without); CasesCreated how many this run filed.
	Cases        int
	CasesCreated int
}

// Run upserts every demo record (and, WithCases, files the demo cases
// after the users); a second run changes nothing.
func (s *Seeder) Run(ctx context.Context) (Result, error) {
	var res Result
	byCode := map[string]domain.Org{}
	for _, d := range demoOrgs {
		o := domain.Org{
			Code: d.Code, Type: d.Type, Level: d.Level, NameZH: d.NameZH, NameEN: d.NameEN,
			RegionCode: d.Region, ShortCode: d.Short, Active: true,
		}
		if d.Parent != "" {
			p, ok := byCode[d.Parent]
			if !ok {
				return res, fmt.Errorf("seed org %s: parent %s not seeded before it", d.Code, d.Parent)
			}
			o.ParentID = &p.ID
		}
		stored, err := s.orgs.Upsert(ctx, o)
		if err != nil {
			return res, fmt.Errorf("seed orgs: %w", err)
		}
		byCode[d.Code] = stored
		res.Orgs++
	}
	for _, e := range demoEnterprises {
		cc := e.CreditCode
		stored, err := s.orgs.Upsert(ctx, domain.Org{Code: e.Code, Type: domain.OrgEnterprise, NameZH: e.Name, NameEN: e.NameEN,
			RegionCode: e.Region, CreditCode: &cc, Active: true})
		if err != nil {
			return res, fmt.Errorf("seed enterprises: %w", err)
		}
		byCode[e.Code] = stored
		res.Orgs++
	}

	changed, err := s.users.EnsureUser(ctx, identity.SeedUser{Username: "admin", DisplayName: "系统管理员", Password: DemoPassword, Sysadmin: true})
	if err != nil {
		return res, err
	}
	if changed {
		res.UsersChanged++
	}
	res.Logins = append(res.Logins, Login{Username: "admin", Role: domain.RoleSysadmin, OrgCode: domain.SystemDomain})
	for _, u := range demoUsers() {
		o, ok := byCode[u.Org]
		if !ok {
			return res, fmt.Errorf("seed user %s: unknown org %s", u.Username, u.Org)
		}
		changed, err := s.users.EnsureUser(ctx, identity.SeedUser{Username: u.Username, DisplayName: u.Name, Password: DemoPassword,
			Grants: []identity.SeedGrant{{OrgID: o.ID, Role: u.Role}}})
		if err != nil {
			return res, err
		}
		if changed {
			res.UsersChanged++
		}
		res.Logins = append(res.Logins, Login{Username: u.Username, Role: u.Role, OrgCode: o.Code, OrgName: o.NameZH})
	}
	if s.caseDeps != nil {
		orgIDs := make(map[string]int64, len(byCode))
		for code, o := range byCode {
			orgIDs[code] = o.ID
		}
		if err := s.seedCases(ctx, orgIDs, &res); err != nil {
			return res, err
		}
		if err := s.seedAssistance(ctx); err != nil {
			return res, err
		}
	}
	s.log.InfoContext(ctx, "demo data seeded", "orgs", res.Orgs, "users_changed", res.UsersChanged, "logins", len(res.Logins), "cases", res.Cases)
	return res, nil
}
