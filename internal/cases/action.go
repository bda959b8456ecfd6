package cases

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// step describes one action for run: the input-only validation, and apply,
// which validates against the locked case, writes any child rows and says
// how the case row changes.
type step struct {
	action  domain.CaseAction
	version int
	check   func(f *domain.Fields, now time.Time)
	// checkCase validates the input against the locked case (times that
	// cannot precede its filing or its agreement), with check's errors.
	checkCase func(f *domain.Fields, st *caseState)
	apply     func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error)
	// anyVersion: the action does not depend on the version the client
	// saw (a party's signature binds to the agreement's digest instead),
	// so it runs on the version it finds under the lock.
	anyVersion bool
}

// change is what an action does to the case row and what the timeline
// records about it. Detail values are ids, codes, dates and the free text
// the actor wrote for the record (reasons, notes), never personal data of
// the parties.
type change struct {
	to     domain.CaseStatus // "" keeps the status
	set    map[string]any    // case columns
	before map[string]any
	after  map[string]any
	note   map[string]any // further event detail
	// follow are events that the action causes, recorded after its own
	// (e.g. agreement_effective after the last sign-off).
	follow []eventRow
}

// run executes one action as one transaction: lock the case within the
// actor's scope (ENOTFOUND), check the state machine (ECONFLICT with the
// actions allowed now), the permission (EFORBIDDEN), the input (EINVALID),
// the version (stale: ECONFLICT), then write the change, the timeline
// event and, last, the audit row, because the audit append locks the
// organisation's chain until commit.
func (s *Service) run(ctx context.Context, id int64, sp step) (domain.Case, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.Case{}, err
	}
	return s.runAs(ctx, s.db, s.viewerOf(a), id, sp)
}

// runAs is run for viewer v, in a transaction of db (a savepoint when db
// is already a transaction).
func (s *Service) runAs(ctx context.Context, db *gorm.DB, v viewer, id int64, sp step) (domain.Case, error) {
	var out domain.Case
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st, err := s.loadState(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if st.row.ArchivedAt != nil {
			return domain.ErrArchived()
		}
		if err := checkTransition(st, sp.action); err != nil {
			return err
		}
		if !s.permitted(v, st, sp.action) {
			return forbidden(sp.action)
		}
		if sp.anyVersion {
			sp.version = st.row.Version
		}
		var f domain.Fields
		if sp.version <= 0 {
			f.Add("version", "validation.required")
		}
		if sp.check != nil {
			sp.check(&f, st.now)
		}
		if sp.checkCase != nil {
			sp.checkCase(&f, st)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if st.row.Version != sp.version {
			return domain.ErrStale(st.row.Version)
		}
		ch, err := sp.apply(ctx, tx, st)
		if err != nil {
			return err
		}
		out, err = s.commit(ctx, tx, v.a, st, sp, ch)
		return err
	})
	if err != nil {
		return domain.Case{}, fmt.Errorf("%s case %d: %w", sp.action, id, err)
	}
	return out, nil
}

// commit writes the case row (version + 1, guarded by the version the
// client saw), the timeline events and the audit row.
func (s *Service) commit(ctx context.Context, tx *gorm.DB, a *domain.Actor, st *caseState, sp step, ch change) (domain.Case, error) {
	from := st.status()
	to := from
	set := map[string]any{}
	maps.Copy(set, ch.set)
	if ch.to != "" {
		to = ch.to
		set["status"] = string(to)
	}
	set["version"] = gorm.Expr("version + 1")
	set["updated_at"] = st.now
	row := st.row
	res := tx.Model(&row).Clauses(clause.Returning{}).Where("version = ?", sp.version).Updates(set)
	if res.Error != nil {
		return domain.Case{}, fmt.Errorf("update case: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		// The row is locked, so this only happens if the lock was not
		// taken; report the version that is current now.
		var cur int
		if err := tx.Model(&caseRow{}).Select("version").Where("id = ?", st.row.ID).Scan(&cur).Error; err != nil {
			return domain.Case{}, fmt.Errorf("read case version: %w", err)
		}
		return domain.Case{}, domain.ErrStale(cur)
	}

	before, after := map[string]any{}, map[string]any{}
	maps.Copy(before, ch.before)
	maps.Copy(after, ch.after)
	if to != from {
		before["status"], after["status"] = string(from), string(to)
	}
	detail := map[string]any{"before": before, "after": after}
	maps.Copy(detail, ch.note)
	ev, err := newEvent(st.row.ID, a, string(sp.action), from, to, detail, st.now)
	if err != nil {
		return domain.Case{}, err
	}
	events := append([]eventRow{ev}, ch.follow...)
	if err := tx.Create(&events).Error; err != nil {
		return domain.Case{}, fmt.Errorf("record case event: %w", err)
	}
	org := row.OrgID
	// A party acting through its link is audited as "party:<id>", as
	// every other step of a party (internal/party).
	actorName := ""
	if st.byParty != nil {
		actorName = st.byParty.AuditName()
	}
	if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: &org, ActorName: actorName, Action: "case." + string(sp.action), ObjectType: "case",
		ObjectID: strconv.FormatInt(row.ID, 10), Detail: map[string]any{
			"number": row.Number, "from_status": string(from), "to_status": string(to),
			"version": row.Version, "event_id": events[0].ID,
		}}); err != nil {
		return domain.Case{}, err
	}
	if err := s.tellOutcome(ctx, tx, a, row, sp.action, ch); err != nil {
		return domain.Case{}, err
	}
	out := row.toDomain()
	out.RepeatInfringer = out.RepeatInfringer && seesCreditFlag(a, row.OrgID)
	return out, nil
}

// event builds a timeline row.
func newEvent(caseID int64, a *domain.Actor, action string, from, to domain.CaseStatus, detail map[string]any, at time.Time) (eventRow, error) {
	d, err := encodeDetail(detail)
	if err != nil {
		return eventRow{}, err
	}
	return eventRow{CaseID: caseID, At: at, ActorID: a.UserIDRef(), ActorName: a.Name(), Action: action,
		FromStatus: string(from), ToStatus: string(to), Detail: d}, nil
}
