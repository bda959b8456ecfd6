package cases

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Reassign moves a case that no mediator works yet (submitted or
// accepted) to another committee: a city-level committee's director
// supervising the county committees (docs/design.md §3) balances their dockets or
// takes a case up to the city when a county committee cannot handle it.
// The case keeps its number — the parties and the court already know it
// by that number — and the timeline records from which committee it came
// and why. Open deadlines of the case pass to the new committee, so their
// reminders and escalations reach its staff from then on.
//
// Both committees must lie within the director's supervision: their own
// city committee and the county committees under it.
func (s *Service) Reassign(ctx context.Context, id int64, in ReassignInput) (domain.Case, error) {
	var reason string
	return s.run(ctx, id, step{action: domain.ActionReassign, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			if in.OrgID <= 0 {
				f.Add("org_id", "validation.required")
			}
			reason = text(f, "reason", in.Reason, true, maxText)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			from := st.row.OrgID
			var f domain.Fields
			switch {
			case in.OrgID == from:
				f.Add("org_id", "validation.reassign_same")
			case !slices.Contains(s.reassignOrgs(st.actor), in.OrgID):
				f.Add("org_id", "validation.reassign_target")
			}
			if err := f.Err(); err != nil {
				return change{}, err
			}
			var target struct {
				NameZH string
				N      int
			}
			if err := tx.Table("orgs").Select("name_zh, 1 AS n").
				Where("id = ? AND type = ? AND active", in.OrgID, domain.OrgMediationCommittee).Scan(&target).Error; err != nil {
				return change{}, fmt.Errorf("load committee %d: %w", in.OrgID, err)
			}
			if target.N == 0 {
				f.Add("org_id", "validation.reassign_target")
				return change{}, f.Err()
			}
			d := s.deadlines
			if err := d.HandOverTx(ctx, tx, st.subject(), in.OrgID, st.now); err != nil {
				return change{}, err
			}
			return change{
				set:    map[string]any{"org_id": in.OrgID},
				before: map[string]any{"org_id": from},
				after:  map[string]any{"org_id": in.OrgID},
				note:   map[string]any{"reason": reason, "to_org_name": target.NameZH},
			}, nil
		}})
}

// reassignOrgs are the committees between which the actor may move cases:
// each city-level committee in which they hold case:reassign (a
// director), and the committees it supervises. Nil for everyone else.
func (s *Service) reassignOrgs(a *domain.Actor) []int64 {
	var out []int64
	for _, m := range a.Memberships {
		if m.OrgLevel == domain.LevelCity && m.OrgType == domain.OrgMediationCommittee &&
			s.authz.Can(a.UserID, m.OrgID, "case", domain.ActionReassign.Permission()) && !slices.Contains(out, m.OrgID) {
			out = append(out, m.OrgID)
		}
	}
	if len(out) == 0 {
		return nil
	}
	for _, id := range a.Supervised {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// ReassignTargets lists the committees the actor may move case id to
// for the case page's form; empty when they may not.
func (s *Service) ReassignTargets(ctx context.Context, current int64) ([]domain.Org, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	ids := s.reassignOrgs(a)
	if !slices.Contains(ids, current) {
		return nil, nil
	}
	var rows []struct {
		ID     int64
		Code   string
		NameZH string
		NameEN string
	}
	if err := s.db.WithContext(ctx).Table("orgs").Select("id, code, name_zh, name_en").
		Where("id IN ? AND id <> ? AND type = ? AND active", ids, current, domain.OrgMediationCommittee).
		Order("level, id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("reassign targets: %w", err)
	}
	out := make([]domain.Org, len(rows))
	for i, r := range rows {
		out[i] = domain.Org{ID: r.ID, Code: r.Code, NameZH: r.NameZH, NameEN: r.NameEN}
	}
	return out, nil
}
