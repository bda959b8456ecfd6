package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Accept accepts (受理) a submitted case once the respondent has agreed
// to mediate (mediation is voluntary): ConsentAt is required, must not be
// in the future nor on a day before the case was filed. Director only.
//
// Acceptance gives the case its number (the registration number stays)
// and opens the mediation period (deadlines.go): from acceptance, or for
// a court's delegation or entrustment from the receipt of the court's
// materials; the committee is responsible for it until mediators are
// assigned.
func (s *Service) Accept(ctx context.Context, id int64, in AcceptInput) (domain.Case, error) {
	var note string
	return s.run(ctx, id, step{action: domain.ActionAccept, version: in.Version,
		check: func(f *domain.Fields, now time.Time) {
			notFuture(f, "consent_at", in.ConsentAt, now)
			note = text(f, "consent_note", in.ConsentNote, false, maxText)
		},
		checkCase: func(f *domain.Fields, st *caseState) {
			sinceFiling(f, "consent_at", in.ConsentAt, st)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			consent := in.ConsentAt.UTC().Truncate(time.Microsecond)
			ch := change{to: domain.StatusAccepted,
				set:    map[string]any{"respondent_consent_at": consent, "accepted_at": st.now},
				before: map[string]any{},
				after:  map[string]any{"respondent_consent_at": stamp(consent), "accepted_at": stamp(st.now)},
				note:   map[string]any{"consent_note": note},
			}
			// A case filed before numbers were given at acceptance has one.
			if st.row.Number == "" {
				if err := s.giveNumber(ctx, tx, st, &ch); err != nil {
					return change{}, err
				}
			}
			if err := s.startMediationPeriod(ctx, tx, st, &ch); err != nil {
				return change{}, err
			}
			return ch, nil
		}})
}

// giveNumber gives the case being accepted its case number, the next of
// its committee and the year of acceptance (gapless: nextNumber).
func (s *Service) giveNumber(ctx context.Context, tx *gorm.DB, st *caseState, ch *change) error {
	var code string
	if err := tx.WithContext(ctx).Table("orgs").Select("short_code").Where("id = ?", st.row.OrgID).Scan(&code).Error; err != nil {
		return fmt.Errorf("load committee %d: %w", st.row.OrgID, err)
	}
	if code == "" {
		return domain.Errorf(domain.ECONFLICT, "the committee has no short code to number the case with; a system administrator sets it")
	}
	year := caseYear(st.now)
	seq, err := nextNumber(ctx, tx, caseCounters, st.row.OrgID, year)
	if err != nil {
		return err
	}
	number := caseNumber(year, code, seq)
	var taken int
	if err := tx.WithContext(ctx).Raw("SELECT count(*) FROM cases WHERE number = ?", number).Scan(&taken).Error; err != nil {
		return fmt.Errorf("number case: %w", err)
	}
	if taken > 0 {
		return domain.Errorf(domain.ECONFLICT, "case number %s is taken: another committee uses the short code %s", number, code)
	}
	ch.set["number"], ch.set["number_year"], ch.set["number_seq"] = number, year, seq
	ch.before["number"], ch.after["number"] = "", number
	return nil
}

// startMediationPeriod opens the mediation period of a case being
// accepted (or, for a case accepted before the period opened at
// acceptance, being assigned) and records its due time on the case.
func (s *Service) startMediationPeriod(ctx context.Context, tx *gorm.DB, st *caseState, ch *change) error {
	d, err := s.openMediation(ctx, tx, st, mediationStart(st))
	if err != nil {
		return err
	}
	if ch.set == nil {
		ch.set = map[string]any{}
	}
	if ch.before == nil {
		ch.before = map[string]any{}
	}
	if ch.after == nil {
		ch.after = map[string]any{}
	}
	if ch.note == nil {
		ch.note = map[string]any{}
	}
	ch.set["mediation_due_at"] = d.DueAt
	ch.before["mediation_due_at"], ch.after["mediation_due_at"] = nil, stamp(d.DueAt)
	ch.note["deadline_rule"], ch.note["deadline_provisional"] = d.RuleID, d.Provisional
	ch.note["deadline_event_at"] = stampPtr(d.EventAt)
	return nil
}

// Reject declines a submitted case, with a reason and the route the
// parties can take instead (litigation, arbitration, an administrative
// authority, another body), which the rejection notice names. Director
// only.
func (s *Service) Reject(ctx context.Context, id int64, in ReasonInput) (domain.Case, error) {
	var reason string
	return s.run(ctx, id, step{action: domain.ActionReject, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			reason = text(f, "reason", in.Reason, true, maxText)
			if !containsValue(domain.RejectRoutes, in.Route) {
				f.Add("route", "validation.reject_route")
			}
		},
		apply: func(_ context.Context, _ *gorm.DB, st *caseState) (change, error) {
			return change{to: domain.StatusRejected,
				set: map[string]any{"outcome": string(domain.StatusRejected), "outcome_reason": reason,
					"suggested_route": string(in.Route), "outcome_at": st.now},
				after: map[string]any{"route": string(in.Route)},
				note:  map[string]any{"reason": reason},
			}, nil
		}})
}

// Assign assigns one or more mediators of the handling committee and
// starts mediation: the mediation period, open since acceptance, passes
// from the committee to the first mediator (syncResponsible). A case
// accepted before the period opened at acceptance gets it now, counted
// from its acceptance (deadlines.go). Each mediator must then declare
// that they have no conflict of interest before working the case.
// Director only.
//
// The state machine allows assign only from accepted. When a mediating
// case has lost every mediator (all withdrew, or were removed after
// objections without replacement), Assign is allowed again to staff it;
// the case stays mediating and keeps its due date.
func (s *Service) Assign(ctx context.Context, id int64, in AssignInput) (domain.Case, error) {
	ids := dedupe(in.MediatorIDs)
	var reason string
	return s.run(ctx, id, step{action: domain.ActionAssign, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			switch {
			case len(ids) == 0:
				f.Add("mediator_ids", "validation.required")
			case len(in.MediatorIDs) > maxMediators:
				f.Add("mediator_ids", "validation.too_many", "Max", maxMediators)
			}
			reason = text(f, "reason", in.Reason, false, maxText)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			overridden, err := chosenLeftOut(ctx, tx, st.row.ID, ids)
			if err != nil {
				return change{}, err
			}
			if len(overridden) > 0 && reason == "" {
				return change{}, domain.Invalid(domain.FieldError{Field: "reason", Message: "validation.assign_reason_choice"})
			}
			if err := s.addMediators(ctx, tx, st, "mediator_ids", ids); err != nil {
				return change{}, err
			}
			if err := s.tell(ctx, tx, st.actor, st.row, NoticeCaseAssigned, ids, nil); err != nil {
				return change{}, err
			}
			ch := change{after: map[string]any{"mediators": ids}}
			if st.status() == domain.StatusAccepted {
				ch.to = domain.StatusMediating
				if st.row.MediationDueAt == nil {
					if err := s.startMediationPeriod(ctx, tx, st, &ch); err != nil {
						return change{}, err
					}
				} else if err := s.syncResponsible(ctx, tx, st); err != nil {
					return change{}, err
				}
			} else {
				if err := s.syncResponsible(ctx, tx, st); err != nil {
					return change{}, err
				}
				ch.note = map[string]any{"reassignment": true}
			}
			if reason != "" {
				if ch.note == nil {
					ch.note = map[string]any{}
				}
				ch.note["reason"] = reason
			}
			if len(overridden) > 0 {
				if ch.note == nil {
					ch.note = map[string]any{}
				}
				ch.note["chosen_not_assigned"] = overridden
			}
			return ch, nil
		}})
}

// chosenLeftOut reads, inside the assignment's transaction, the mediators
// that the parties' latest choices name (party_mediator_choices, written
// by internal/party) and returns those the assignment ids leaves out.
//
// It applies to every assignment, the first and a later one that staffs
// a mediating case again. A chosen mediator who is or was on the case
// does not count: the choice was honoured, and a removal (a withdrawal
// for a conflict, an upheld objection) carries its own reason on the
// timeline. A chosen mediator never assigned asks the director for a
// reason each time they are passed over.
func chosenLeftOut(ctx context.Context, tx *gorm.DB, caseID int64, ids []int64) ([]int64, error) {
	var chosen []int64
	if err := tx.WithContext(ctx).Raw(`SELECT DISTINCT mediator_id FROM (
  SELECT DISTINCT ON (party_id) mediator_id FROM party_mediator_choices WHERE case_id = ?
  ORDER BY party_id, created_at DESC, id DESC) latest
WHERE mediator_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM case_mediators cm WHERE cm.case_id = ? AND cm.user_id = latest.mediator_id)
ORDER BY mediator_id`, caseID, caseID).Scan(&chosen).Error; err != nil {
		return nil, fmt.Errorf("parties' choices: %w", err)
	}
	var out []int64
	for _, m := range chosen {
		if !slices.Contains(ids, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// dedupe drops repeated ids, keeping the first occurrence's order.
func dedupe(ids []int64) []int64 {
	var out []int64
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// addMediators checks that each id is an active mediator of the handling
// committee not yet on the case, reporting field errors as field[i], and
// inserts the assignments.
func (s *Service) addMediators(ctx context.Context, tx *gorm.DB, st *caseState, field string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var eligible []int64
	if err := tx.WithContext(ctx).Raw(`SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = ? AND m.role IN ? AND u.active AND m.user_id IN ?`, st.row.OrgID, domain.RolesWhere(domain.Role.Assignable), ids).
		Scan(&eligible).Error; err != nil {
		return fmt.Errorf("check mediators: %w", err)
	}
	var f domain.Fields
	for i, id := range ids {
		name := fmt.Sprintf("%s[%d]", field, i)
		existing := slices.IndexFunc(st.mediators, func(m mediatorRow) bool { return m.UserID == id })
		switch {
		case !slices.Contains(eligible, id):
			f.Add(name, "validation.mediator")
		case existing >= 0 && st.mediators[existing].active():
			f.Add(name, "validation.mediator_assigned")
		case existing >= 0:
			// Withdrawn or removed after an objection: not to be
			// assigned to the same case again.
			f.Add(name, "validation.mediator_removed")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	rows := make([]mediatorRow, len(ids))
	for i, id := range ids {
		rows[i] = mediatorRow{CaseID: st.row.ID, UserID: id, AssignedAt: st.now, AssignedBy: st.actor.UserIDRef()}
	}
	if err := tx.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("assign mediators: %w", err)
	}
	st.mediators = append(st.mediators, rows...)
	return nil
}

// Declare records an assigned mediator's conflict-of-interest declaration
// (回避声明) about themself. NoConflict true records the declaration, after
// which the mediator may log sessions, settle and fail the case;
// NoConflict false is the mediator withdrawing from the case, with the
// statement as the reason. If nobody is left, the director assigns again.
func (s *Service) Declare(ctx context.Context, id int64, in DeclareInput) (domain.Case, error) {
	var statement string
	return s.run(ctx, id, step{action: domain.ActionDeclareConflict, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			statement = text(f, "statement", in.Statement, !in.NoConflict, maxText)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			m := st.mine
			if in.NoConflict && m.DeclaredAt != nil {
				return change{}, domain.Invalid(domain.FieldError{Field: "no_conflict", Message: "validation.already_declared"})
			}
			set := map[string]any{"declaration": statement}
			note := map[string]any{"mediator_id": m.UserID, "no_conflict": in.NoConflict, "statement": statement}
			if in.NoConflict {
				set["declared_at"] = st.now
				m.DeclaredAt = &st.now
			} else {
				set["removed_at"] = st.now
				m.RemovedAt = &st.now
				note["withdrawn"] = true
				if len(st.activeMediators()) == 0 {
					note["needs_reassignment"] = true
				}
			}
			if err := tx.WithContext(ctx).Model(&mediatorRow{}).Where("case_id = ? AND user_id = ?", st.row.ID, m.UserID).
				Updates(set).Error; err != nil {
				return change{}, fmt.Errorf("record declaration: %w", err)
			}
			if !in.NoConflict {
				if err := s.syncResponsible(ctx, tx, st); err != nil {
					return change{}, err
				}
			}
			return change{note: note}, nil
		}})
}

// Object records a party's objection to an assigned mediator, for the
// director to decide. An SME objects for its own party; a clerk records an
// objection on behalf of any party of the case.
func (s *Service) Object(ctx context.Context, id int64, in ObjectInput) (domain.Case, error) {
	return s.run(ctx, id, s.objectStep(in))
}

// ObjectAsParty records the objection of the party signed in through its
// access link (domain.PartyFrom) to an assigned mediator of its case:
// the party is the link's, never the request's, and the objection does
// not depend on the case version the party saw. Audited as the party.
func (s *Service) ObjectAsParty(ctx context.Context, mediatorID int64, reason string) (domain.Case, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return domain.Case{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	sp := s.objectStep(ObjectInput{MediatorID: mediatorID, PartyID: p.PartyID, Reason: reason})
	sp.anyVersion = true
	return s.runAs(ctx, s.db, partyViewer(p), p.CaseID, sp)
}

// objectStep is the objection action.
func (s *Service) objectStep(in ObjectInput) step {
	var reason string
	return step{action: domain.ActionObject, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			if in.MediatorID <= 0 {
				f.Add("mediator_id", "validation.required")
			}
			if in.PartyID <= 0 {
				f.Add("party_id", "validation.required")
			}
			reason = text(f, "reason", in.Reason, true, maxText)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			var f domain.Fields
			if st.activeMediator(in.MediatorID) == nil {
				f.Add("mediator_id", "validation.mediator")
			} else {
				var pending int64
				if err := tx.WithContext(ctx).Model(&objectionRow{}).
					Where("case_id = ? AND mediator_id = ? AND status = 'pending'", st.row.ID, in.MediatorID).
					Count(&pending).Error; err != nil {
					return change{}, fmt.Errorf("check pending objections: %w", err)
				}
				if pending > 0 {
					f.Add("mediator_id", "validation.objection_pending")
				}
			}
			switch p := st.party(in.PartyID); {
			case p == nil:
				f.Add("party_id", "validation.party")
			case !s.can(st.actor, st.row.OrgID, domain.ActionObject) && !st.ownParty(p):
				f.Add("party_id", "validation.party_not_own")
			}
			if err := f.Err(); err != nil {
				return change{}, err
			}
			o := objectionRow{CaseID: st.row.ID, MediatorID: in.MediatorID, PartyID: in.PartyID, Reason: reason,
				Status: "pending", RaisedBy: st.actor.UserIDRef(), CreatedAt: st.now}
			if err := tx.WithContext(ctx).Create(&o).Error; err != nil {
				return change{}, fmt.Errorf("record objection: %w", err)
			}
			deciders, err := s.membersWho(ctx, tx, st.row.OrgID, string(domain.ActionDecideObjection))
			if err != nil {
				return change{}, err
			}
			if err := s.tell(ctx, tx, st.actor, st.row, NoticeCaseObjection, deciders,
				map[string]any{"Mediator": st.activeMediator(in.MediatorID).Name}); err != nil {
				return change{}, err
			}
			return change{note: map[string]any{"objection_id": o.ID, "mediator_id": in.MediatorID, "party_id": in.PartyID}}, nil
		}}
}

// ownParty reports whether party p is the acting enterprise's own: linked
// to it, or an applicant party of the case its enterprise filed.
func (st *caseState) ownParty(p *partyRow) bool {
	if st.byParty != nil {
		return st.byParty.PartyID == p.ID
	}
	if p.OrgID != nil && slices.Contains(st.partyOrgs, *p.OrgID) {
		return true
	}
	return p.Role == string(domain.PartyApplicant) && st.row.ApplicantOrgID != nil &&
		slices.Contains(st.applicantSide, *st.row.ApplicantOrgID)
}

// DecideObjection decides a pending objection. Upheld, the mediator is
// removed from the case and the named replacements are assigned (each
// must then declare); dismissed, a reason is required. Director only.
func (s *Service) DecideObjection(ctx context.Context, id int64, in DecideObjectionInput) (domain.Case, error) {
	var reason string
	replacements := dedupe(in.Replacements)
	return s.run(ctx, id, step{action: domain.ActionDecideObjection, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			if in.ObjectionID <= 0 {
				f.Add("objection_id", "validation.required")
			}
			reason = text(f, "reason", in.Reason, !in.Uphold, maxText)
			switch {
			case !in.Uphold && len(replacements) > 0:
				f.Add("replacement_ids", "validation.not_applicable")
			case len(in.Replacements) > maxMediators:
				f.Add("replacement_ids", "validation.too_many", "Max", maxMediators)
			}
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			db := tx.WithContext(ctx)
			var o objectionRow
			err := db.Where("id = ? AND case_id = ? AND status = 'pending'", in.ObjectionID, st.row.ID).Take(&o).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return change{}, domain.Invalid(domain.FieldError{Field: "objection_id", Message: "validation.objection"})
			}
			if err != nil {
				return change{}, fmt.Errorf("load objection: %w", err)
			}
			status := "dismissed"
			note := map[string]any{"objection_id": o.ID, "mediator_id": o.MediatorID, "upheld": in.Uphold, "reason": reason}
			if in.Uphold {
				status = "upheld"
				if m := st.activeMediator(o.MediatorID); m != nil {
					m.RemovedAt = &st.now
					if err := db.Model(&mediatorRow{}).Where("case_id = ? AND user_id = ?", st.row.ID, o.MediatorID).
						Update("removed_at", st.now).Error; err != nil {
						return change{}, fmt.Errorf("remove mediator: %w", err)
					}
				}
				if err := s.addMediators(ctx, tx, st, "replacement_ids", replacements); err != nil {
					return change{}, err
				}
				note["replacements"] = replacements
				if len(st.activeMediators()) == 0 {
					note["needs_reassignment"] = true
				}
				if err := s.syncResponsible(ctx, tx, st); err != nil {
					return change{}, err
				}
			}
			if err := db.Model(&objectionRow{}).Where("id = ?", o.ID).Updates(map[string]any{
				"status": status, "decided_by": st.actor.UserIDRef(), "decision_reason": reason, "decided_at": st.now,
			}).Error; err != nil {
				return change{}, fmt.Errorf("decide objection: %w", err)
			}
			return change{note: note,
				before: map[string]any{"objection_status": "pending"},
				after:  map[string]any{"objection_status": status}}, nil
		}})
}
