package seed

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/org"
)

// Seeder writes the demo data.
type Seeder struct {
	orgs *org.Store
	log  *slog.Logger
}

// New returns a Seeder.
func New(orgs *org.Store, log *slog.Logger) *Seeder {
	return &Seeder{orgs: orgs, log: log}
}

// Result counts what Run wrote.
type Result struct {
	Orgs int
}

// Run upserts every demo record; a second run changes nothing.
func (s *Seeder) Run(ctx context.Context) (Result, error) {
	var res Result
	ids := map[string]int64{}
	for _, d := range demoOrgs {
		o := domain.Org{
			Code: d.Code, Type: d.Type, Level: d.Level, NameZH: d.NameZH, NameEN: d.NameEN,
			RegionCode: d.Region, ShortCode: d.Short, Active: true,
		}
		if d.Parent != "" {
			pid, ok := ids[d.Parent]
			if !ok {
				return res, fmt.Errorf("seed org %s: parent %s not seeded before it", d.Code, d.Parent)
			}
			o.ParentID = &pid
		}
		stored, err := s.orgs.Upsert(ctx, o)
		if err != nil {
			return res, fmt.Errorf("seed orgs: %w", err)
		}
		ids[d.Code] = stored.ID
		res.Orgs++
	}
	s.log.InfoContext(ctx, "demo data seeded", "orgs", res.Orgs)
	return res, nil
}
