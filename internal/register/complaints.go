package register

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Complaint is a party's complaint about a mediator of its case.
type Complaint struct {
	ID           int64
	CaseID       int64
	CaseNumber   string
	OrgID        int64
	MediatorID   int64
	MediatorName string
	Body         string
	Status       string // open, answered
	Answer       string
	CreatedAt    time.Time
	AnsweredAt   *time.Time
	DueAt        *time.Time // the director's answer is due
}

// ComplaintLink is the page of complaint id.
func ComplaintLink(id int64) string { return "/mediators/complaints/" + strconv.FormatInt(id, 10) }

func complaintSubject(id int64) deadline.Subject {
	return deadline.Subject{Type: SubjectComplaint, ID: id}
}

// FileComplaint records a complaint about mediator of case caseID by the
// party ctx speaks for (see SubmitFeedback). It goes to the committee's
// director, who answers within the rule mediator.complaint.answer.
// ENOTFOUND when ctx speaks for no party of the case, EINVALID naming the
// fields (mediator_id for a user who was never the case's mediator).
func (s *Service) FileComplaint(ctx context.Context, caseID, mediator int64, body string) (Complaint, error) {
	var f domain.Fields
	body = f.Text("complaint", body, true, maxText)
	if mediator <= 0 {
		f.Add("mediator_id", "validation.required")
	}
	var id int64
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := s.partyOf(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if mediator > 0 {
			if err := s.checkMediator(ctx, tx, &f, caseID, mediator); err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		id, err = s.fileTx(ctx, tx, p, mediator, body, 0, s.clock())
		return err
	})
	if err != nil {
		return Complaint{}, err
	}
	return s.loadComplaint(ctx, s.d.DB.WithContext(ctx), id)
}

// fileTx writes a complaint, opens the director's deadline, tells the
// committee's heads and records it on the timeline and in the audit log.
func (s *Service) fileTx(ctx context.Context, tx *gorm.DB, p party, mediator int64, body string, feedback int64, now time.Time) (int64, error) {
	var fb *int64
	if feedback > 0 {
		fb = &feedback
	}
	var id int64
	if err := tx.Raw(`INSERT INTO mediator_complaints (case_id, org_id, mediator_id, party_id, feedback_id, body, user_id, access_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.caseID, p.orgID, mediator, p.partyID, fb, body, p.userRef(), p.accessRef(), now).
		Scan(&id).Error; err != nil {
		return 0, fmtErr("record complaint", err)
	}
	caseID := p.caseID
	if _, err := s.d.Deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: complaintSubject(id), OrgID: p.orgID, CaseID: &caseID,
		Kind: KindComplaintAnswer, RuleID: RuleComplaintAnswer, Event: now, Now: now}); err != nil {
		return 0, err
	}
	var mediatorName string
	if err := tx.Raw(`SELECT COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = ?`, mediator).Scan(&mediatorName).Error; err != nil {
		return 0, fmtErr("mediator name", err)
	}
	var heads []int64
	if err := tx.Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? AND m.role IN ? ORDER BY m.user_id`, p.orgID, domain.RolesWhere(domain.Role.Head)).Scan(&heads).Error; err != nil {
		return 0, fmtErr("committee heads", err)
	}
	for _, u := range heads {
		if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeComplaint, Link: ComplaintLink(id),
			Params: map[string]any{"Number": p.number, "Mediator": mediatorName}}); err != nil {
			return 0, err
		}
	}
	if err := s.d.Cases.AddEventTx(ctx, tx, p.caseID, p.timelineActor(), "mediator_complaint",
		map[string]any{"complaint_id": id, "mediator": mediatorName}, now); err != nil {
		return 0, err
	}
	if err := s.d.Audit.Append(ctx, tx, p.auditEntry(audit.Entry{OrgID: &p.orgID, Action: "mediator_complaint.file",
		ObjectType: "mediator_complaint", ObjectID: strconv.FormatInt(id, 10),
		Detail: map[string]any{"party_id": p.partyID, "mediator_id": mediator, "feedback_id": feedback}})); err != nil {
		return 0, err
	}
	return id, nil
}

// loadComplaint reads complaint id, checking no scope.
func (s *Service) loadComplaint(ctx context.Context, db *gorm.DB, id int64) (Complaint, error) {
	var rows []Complaint
	if err := db.WithContext(ctx).Raw(`SELECT mc.id, mc.case_id, c.number AS case_number, mc.org_id, mc.mediator_id,
  COALESCE(NULLIF(u.display_name, ''), u.username) AS mediator_name, mc.body, mc.status, mc.answer, mc.created_at, mc.answered_at,
  (SELECT d.due_at FROM deadlines d WHERE d.subject_type = ? AND d.subject_id = mc.id AND d.kind = ? ORDER BY d.id DESC LIMIT 1) AS due_at
FROM mediator_complaints mc JOIN cases c ON c.id = mc.case_id JOIN users u ON u.id = mc.mediator_id
WHERE mc.id = ?`, string(SubjectComplaint), KindComplaintAnswer, id).Scan(&rows).Error; err != nil {
		return Complaint{}, fmtErr("find complaint", err)
	}
	if len(rows) == 0 {
		return Complaint{}, domain.NotFound("complaint")
	}
	return rows[0], nil
}

// Complaint is complaint id for a reader of its committee's register.
// ENOTFOUND otherwise.
func (s *Service) Complaint(ctx context.Context, id int64) (Complaint, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Complaint{}, err
	}
	c, err := s.loadComplaint(ctx, s.d.DB, id)
	if err != nil {
		return Complaint{}, err
	}
	if !v.reads(c.OrgID) {
		return Complaint{}, domain.NotFound("complaint")
	}
	return c, nil
}

// Complaints lists the complaints about the mediators of committee org,
// newest first. ENOTFOUND outside the actor's registers.
func (s *Service) Complaints(ctx context.Context, org int64) ([]Complaint, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return nil, err
	}
	if !v.reads(org) {
		return nil, domain.NotFound("register")
	}
	var ids []int64
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT id FROM mediator_complaints WHERE org_id = ? ORDER BY id DESC LIMIT 200`, org).
		Scan(&ids).Error; err != nil {
		return nil, fmtErr("complaints", err)
	}
	out := make([]Complaint, 0, len(ids))
	for _, id := range ids {
		c, err := s.loadComplaint(ctx, s.d.DB, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// AnswerComplaint records the director's answer to complaint id and
// completes its deadline. ENOTFOUND outside the actor's registers,
// EFORBIDDEN for a reader who does not keep the register, EINVALID
// naming answer, ECONFLICT when it is already answered.
func (s *Service) AnswerComplaint(ctx context.Context, id int64, answer string) (Complaint, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Complaint{}, err
	}
	var f domain.Fields
	answer = f.Text("answer", answer, true, maxText)
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var locked []int64
		if err := tx.Raw(`SELECT id FROM mediator_complaints WHERE id = ? FOR UPDATE`, id).Scan(&locked).Error; err != nil {
			return fmtErr("lock complaint", err)
		}
		c, err := s.loadComplaint(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.reads(c.OrgID) {
			return domain.NotFound("complaint")
		}
		if !v.keeps(c.OrgID) {
			return domain.Errorf(domain.EFORBIDDEN, "only the committee's director answers complaints about its mediators")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if c.Status != "open" {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow, Message: "the complaint is already answered"}
		}
		now := s.clock()
		if err := tx.Exec(`UPDATE mediator_complaints SET status = 'answered', answer = ?, answered_by = ?, answered_at = ? WHERE id = ?`,
			answer, v.a.UserID, now, id).Error; err != nil {
			return fmtErr("answer complaint", err)
		}
		if _, err := s.d.Deadlines.CloseTx(ctx, tx, complaintSubject(id), KindComplaintAnswer, deadline.Met, now); err != nil {
			return err
		}
		if err := s.d.Cases.AddEventTx(ctx, tx, c.CaseID, v.a, "mediator_complaint_answered",
			map[string]any{"complaint_id": id, "mediator": c.MediatorName}, now); err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &c.OrgID, Action: "mediator_complaint.answer",
			ObjectType: "mediator_complaint", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"case_id": c.CaseID, "mediator_id": c.MediatorID}})
	})
	if err != nil {
		return Complaint{}, err
	}
	return s.loadComplaint(ctx, s.d.DB, id)
}
