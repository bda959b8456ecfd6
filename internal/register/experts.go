package register

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Expert is a technical expert of a committee: not a user and not one of
// its mediators, invited to a case to explain technical questions
// (People's Mediation Law art. 20, docs/law.md). Phone is masked unless
// the reader keeps the register.
type Expert struct {
	ID       int64
	OrgID    int64
	Name     string
	Field    string
	Employer string
	Phone    string
	Active   bool
}

// ExpertInput is an expert to add to a register.
type ExpertInput struct {
	Name, Field, Employer, Phone string
}

// AddExpert adds an expert to committee org's register. The errors are
// SaveProfile's (phone: validation.mobile).
func (s *Service) AddExpert(ctx context.Context, org int64, in ExpertInput) (Expert, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Expert{}, err
	}
	if !v.reads(org) {
		return Expert{}, domain.NotFound("register")
	}
	if !v.keeps(org) {
		return Expert{}, domain.Errorf(domain.EFORBIDDEN, "only the committee's director keeps its register")
	}
	var f domain.Fields
	name := f.Text("name", in.Name, true, maxShort)
	field := f.Text("field", in.Field, true, maxShort)
	employer := f.Text("employer", in.Employer, false, maxShort)
	phone := f.Text("phone", in.Phone, false, 20)
	if phone != "" && !domain.ValidMobile(phone) {
		f.Add("phone", "validation.mobile")
	}
	if err := f.Err(); err != nil {
		return Expert{}, err
	}
	enc := ""
	if phone != "" {
		if enc, err = s.d.PII.Encrypt(phone); err != nil {
			return Expert{}, fmtErr("encrypt phone", err)
		}
	}
	out := Expert{OrgID: org, Name: name, Field: field, Employer: employer, Phone: domain.MaskMobile(phone), Active: true}
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(`INSERT INTO technical_experts (org_id, name, field, employer, phone_enc, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, org, name, field, employer, enc, v.a.UserID, s.clock()).Scan(&out.ID).Error; err != nil {
			return fmtErr("add expert", err)
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "register.expert_add", ObjectType: "technical_expert",
			ObjectID: strconv.FormatInt(out.ID, 10), Detail: map[string]any{"name": name, "field": field, "employer": employer}})
	})
	return out, err
}

// Experts lists the experts of committee org (phones masked for a reader
// who does not keep the register). ENOTFOUND outside the actor's
// registers.
func (s *Service) Experts(ctx context.Context, org int64) ([]Expert, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return nil, err
	}
	if !v.reads(org) {
		return nil, domain.NotFound("register")
	}
	return s.experts(ctx, s.d.DB.WithContext(ctx), org, v.keeps(org))
}

func (s *Service) experts(ctx context.Context, db *gorm.DB, org int64, unmasked bool) ([]Expert, error) {
	var rows []struct {
		ID                    int64
		Name, Field, Employer string
		PhoneEnc              string
		Active                bool
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, name, field, employer, phone_enc, active FROM technical_experts
WHERE org_id = ? ORDER BY name, id`, org).Scan(&rows).Error; err != nil {
		return nil, fmtErr("experts", err)
	}
	out := make([]Expert, len(rows))
	for i, r := range rows {
		phone := ""
		if r.PhoneEnc != "" {
			p, err := s.d.PII.Decrypt(r.PhoneEnc)
			if err != nil {
				return nil, fmtErr("decrypt phone", err)
			}
			phone = p
			if !unmasked {
				phone = domain.MaskMobile(p)
			}
		}
		out[i] = Expert{ID: r.ID, OrgID: org, Name: r.Name, Field: r.Field, Employer: r.Employer, Phone: phone, Active: r.Active}
	}
	return out, nil
}

// CaseExperts lists the experts invited to case caseID and not removed.
// ENOTFOUND when the actor may not see the case.
func (s *Service) CaseExperts(ctx context.Context, caseID int64) ([]Expert, error) {
	db := s.d.DB.WithContext(ctx)
	if _, err := s.d.Cases.AccessTx(ctx, db, caseID); err != nil {
		return nil, err
	}
	var out []Expert
	if err := db.Raw(`SELECT e.id, e.org_id, e.name, e.field, e.employer, e.active FROM case_experts ce
JOIN technical_experts e ON e.id = ce.expert_id WHERE ce.case_id = ? AND ce.removed_at IS NULL ORDER BY ce.invited_at, e.id`, caseID).
		Scan(&out).Error; err != nil {
		return nil, fmtErr("case experts", err)
	}
	return out, nil
}

// InviteExpert invites expert to case caseID: an expert of the case's
// committee, by whoever works the case (register:invite), once the
// parties have agreed (People's Mediation Law art. 20: the mediator
// invites a person with special knowledge with the parties' consent).
// ENOTFOUND when the actor may not see the case, EFORBIDDEN when it does
// not work it, EINVALID naming expert_id or consent, ECONFLICT when
// already invited.
func (s *Service) InviteExpert(ctx context.Context, caseID, expert int64, consent bool) error {
	return s.expertStep(ctx, caseID, expert, true, consent)
}

// RemoveExpert ends expert's invitation to case caseID; the errors are
// InviteExpert's (ECONFLICT when not invited).
func (s *Service) RemoveExpert(ctx context.Context, caseID, expert int64) error {
	return s.expertStep(ctx, caseID, expert, false, true)
}

// expertStep invites or removes an expert; consent is the parties'
// consent to an invitation, checked once the actor is known to work the
// case (so that a stranger learns nothing from a validation error).
func (s *Service) expertStep(ctx context.Context, caseID, expert int64, invite, consent bool) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	return s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		acc, err := s.d.Cases.AccessTx(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if !acc.Works || !s.d.Authz.Can(a.UserID, acc.OrgID, "register", "invite") {
			return domain.Errorf(domain.EFORBIDDEN, "only who works the case invites experts to it")
		}
		if invite && !consent {
			var f domain.Fields
			f.Add("consent", "validation.expert_consent_required")
			return f.Err()
		}
		var names []string
		if err := tx.Raw(`SELECT name FROM technical_experts WHERE id = ? AND org_id = ? AND (active OR NOT ?)`, expert, acc.OrgID, invite).
			Scan(&names).Error; err != nil {
			return fmtErr("find expert", err)
		}
		if len(names) == 0 {
			var f domain.Fields
			f.Add("expert_id", "validation.invalid")
			return f.Err()
		}
		now := s.clock()
		var res *gorm.DB
		action := "expert_invited"
		if invite {
			res = tx.Exec(`INSERT INTO case_experts (case_id, expert_id, invited_by, invited_at) VALUES (?, ?, ?, ?)
ON CONFLICT (case_id, expert_id) DO UPDATE SET invited_by = EXCLUDED.invited_by, invited_at = EXCLUDED.invited_at,
  removed_by = NULL, removed_at = NULL WHERE case_experts.removed_at IS NOT NULL`, caseID, expert, a.UserID, now)
		} else {
			action = "expert_removed"
			res = tx.Exec(`UPDATE case_experts SET removed_by = ?, removed_at = ? WHERE case_id = ? AND expert_id = ? AND removed_at IS NULL`,
				a.UserID, now, caseID, expert)
		}
		if res.Error != nil {
			return fmtErr(action, res.Error)
		}
		if res.RowsAffected == 0 {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow, Message: "the expert is already " + map[bool]string{true: "invited", false: "not invited"}[invite]}
		}
		if err := s.d.Cases.AddEventTx(ctx, tx, caseID, a, action, map[string]any{"expert": names[0]}, now); err != nil {
			return err
		}
		org := acc.OrgID
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "case." + action, ObjectType: "case",
			ObjectID: strconv.FormatInt(caseID, 10), Detail: map[string]any{"expert_id": expert, "case_id": caseID, "at": now.Format(time.RFC3339)}})
	})
}
