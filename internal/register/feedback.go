package register

import (
	"context"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// FeedbackInput is a party's rating of an ended case: satisfaction from
// 1 to 5 with the service, the fairness and the timeliness, a comment,
// and optionally a complaint about one of the case's mediators.
type FeedbackInput struct {
	Service    int    `json:"service"`
	Fairness   int    `json:"fairness"`
	Timeliness int    `json:"timeliness"`
	Comment    string `json:"comment"`
	// ComplaintMediatorID and Complaint: a complaint about that mediator
	// filed with the feedback (both or neither).
	ComplaintMediatorID int64  `json:"complaint_mediator_id"`
	Complaint           string `json:"complaint"`
}

// Feedback is a party's recorded rating.
type Feedback struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	PartyID     int64     `json:"party_id"`
	Service     int       `json:"service"`
	Fairness    int       `json:"fairness"`
	Timeliness  int       `json:"timeliness"`
	Comment     string    `json:"comment"`
	CreatedAt   time.Time `json:"created_at"`
	ComplaintID int64     `json:"complaint_id"` // the complaint filed with it, 0 for none
}

// FeedbackLink is the page on which a party enterprise's users rate case
// id.
func FeedbackLink(caseID int64) string {
	return "/cases/" + strconv.FormatInt(caseID, 10) + "/feedback"
}

// party is who speaks for a party of a case: a party acting through its
// access link, or a user of a party enterprise.
type party struct {
	caseID, orgID, partyID int64
	status                 domain.CaseStatus
	number                 string
	accessID               int64 // through the access link
	user                   *domain.Actor
	name                   string
}

// auditEntry fills the actor of an audit row: the user, or for a party
// acting through its link no user and "party:<id>".
func (p party) auditEntry(e audit.Entry) audit.Entry {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	e.Detail["case_id"] = p.caseID
	if p.user == nil {
		e.ActorName = "party:" + strconv.FormatInt(p.partyID, 10)
		e.Detail["access_id"] = p.accessID
	}
	return e
}

// timelineActor is who the case timeline names.
func (p party) timelineActor() *domain.Actor {
	if p.user != nil {
		return p.user
	}
	return &domain.Actor{DisplayName: p.name}
}

func (p party) userRef() *int64 {
	if p.user == nil {
		return nil
	}
	return p.user.UserIDRef()
}

func (p party) accessRef() *int64 {
	if p.user != nil {
		return nil
	}
	id := p.accessID
	return &id
}

// partyOf finds, in tx with the case row locked, the party of case id
// that ctx speaks for. ENOTFOUND when it speaks for none: a party's link
// reaches its own case only, and a user must belong to a party
// enterprise and hold register:feedback there.
func (s *Service) partyOf(ctx context.Context, tx *gorm.DB, caseID int64) (party, error) {
	var c []struct {
		OrgID  int64
		Status string
		Number string
	}
	if err := tx.Raw(`SELECT org_id, status, number FROM cases WHERE id = ? FOR UPDATE`, caseID).Scan(&c).Error; err != nil {
		return party{}, fmtErr("find case", err)
	}
	if len(c) == 0 {
		return party{}, domain.NotFound("case")
	}
	out := party{caseID: caseID, orgID: c[0].OrgID, status: domain.CaseStatus(c[0].Status), number: c[0].Number}
	if p, ok := domain.PartyFrom(ctx); ok {
		if p.CaseID != caseID {
			return party{}, domain.NotFound("case")
		}
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM case_parties WHERE id = ? AND case_id = ?`, p.PartyID, caseID).Scan(&n).Error; err != nil {
			return party{}, fmtErr("find party", err)
		}
		if n == 0 {
			return party{}, domain.NotFound("case")
		}
		out.partyID, out.accessID, out.name = p.PartyID, p.AccessID, p.Name
		return out, nil
	}
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return party{}, err
	}
	var orgs []int64
	for _, m := range a.Memberships {
		if s.d.Authz.Can(a.UserID, m.OrgID, "register", "feedback") && !slices.Contains(orgs, m.OrgID) {
			orgs = append(orgs, m.OrgID)
		}
	}
	if len(orgs) == 0 {
		return party{}, domain.NotFound("case")
	}
	var ids []int64
	if err := tx.Raw(`SELECT id FROM case_parties WHERE case_id = ? AND org_id IN ? ORDER BY position, id LIMIT 1`, caseID, orgs).
		Scan(&ids).Error; err != nil {
		return party{}, fmtErr("find party", err)
	}
	if len(ids) == 0 {
		return party{}, domain.NotFound("case")
	}
	out.partyID, out.user, out.name = ids[0], a, a.Name()
	return out, nil
}

// ended reports whether a case in status st has ended.
func ended(st domain.CaseStatus) bool { return slices.Contains(endedStatuses, string(st)) }

// SubmitFeedback records the rating of case caseID by the party ctx
// speaks for (domain.PartyFrom, or a user of a party enterprise), once
// per party. ENOTFOUND when ctx speaks for no party of the case, EINVALID
// naming the fields, ECONFLICT when the case has not ended or the party
// has already rated it.
func (s *Service) SubmitFeedback(ctx context.Context, caseID int64, in FeedbackInput) (Feedback, error) {
	var f domain.Fields
	score(&f, "service", in.Service)
	score(&f, "fairness", in.Fairness)
	score(&f, "timeliness", in.Timeliness)
	comment := f.Text("comment", in.Comment, false, maxText)
	complaint := f.Text("complaint", in.Complaint, false, maxText)
	if complaint != "" && in.ComplaintMediatorID <= 0 {
		f.Add("mediator_id", "validation.required")
	}
	if in.ComplaintMediatorID > 0 && complaint == "" {
		f.Add("complaint", "validation.required")
	}
	var out Feedback
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := s.partyOf(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if complaint != "" && in.ComplaintMediatorID > 0 {
			if err := s.checkMediator(ctx, tx, &f, caseID, in.ComplaintMediatorID); err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if !ended(p.status) {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow, Message: "feedback is given once the case has ended"}
		}
		now := s.clock()
		var ids []int64
		if err := tx.Raw(`INSERT INTO case_feedback (case_id, party_id, service, fairness, timeliness, comment, user_id, access_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, party_id) DO NOTHING RETURNING id`, caseID, p.partyID, in.Service,
			in.Fairness, in.Timeliness, comment, p.userRef(), p.accessRef(), now).Scan(&ids).Error; err != nil {
			return fmtErr("record feedback", err)
		}
		if len(ids) == 0 {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow, Message: "this party has already rated the case"}
		}
		out = Feedback{ID: ids[0], CaseID: caseID, PartyID: p.partyID, Service: in.Service, Fairness: in.Fairness,
			Timeliness: in.Timeliness, Comment: comment, CreatedAt: now}
		detail := map[string]any{"service": in.Service, "fairness": in.Fairness, "timeliness": in.Timeliness}
		if err := s.d.Cases.AddEventTx(ctx, tx, caseID, p.timelineActor(), "feedback", detail, now); err != nil {
			return err
		}
		if err := s.d.Audit.Append(ctx, tx, p.auditEntry(audit.Entry{OrgID: &p.orgID, Action: "case.feedback", ObjectType: "case_feedback",
			ObjectID: strconv.FormatInt(out.ID, 10), Detail: map[string]any{"party_id": p.partyID, "service": in.Service,
				"fairness": in.Fairness, "timeliness": in.Timeliness}})); err != nil {
			return err
		}
		if complaint != "" {
			id, err := s.fileTx(ctx, tx, p, in.ComplaintMediatorID, complaint, out.ID, now)
			if err != nil {
				return err
			}
			out.ComplaintID = id
		}
		return nil
	})
	return out, err
}

// score checks a satisfaction score.
func score(f *domain.Fields, field string, v int) {
	switch {
	case v == 0:
		f.Add(field, "validation.required")
	case v < 1 || v > 5:
		f.Add(field, "validation.invalid")
	}
}

// checkMediator adds a field error when user was never a mediator of the
// case.
func (s *Service) checkMediator(ctx context.Context, tx *gorm.DB, f *domain.Fields, caseID, user int64) error {
	var n int64
	if err := tx.WithContext(ctx).Raw(`SELECT count(*) FROM case_mediators WHERE case_id = ? AND user_id = ?`, caseID, user).
		Scan(&n).Error; err != nil {
		return fmtErr("case mediators", err)
	}
	if n == 0 {
		f.Add("mediator_id", "validation.mediator")
	}
	return nil
}

// CaseOutcome is the case outcome hook (cases.Service.OnOutcome): when a
// case ends — fails, is withdrawn, or is closed after its agreement —
// the users of its party enterprises are invited to rate it (parties
// without an account rate it in their own view, which shows the form
// once the case has ended).
func (s *Service) CaseOutcome(ctx context.Context, tx *gorm.DB, o cases.Outcome) error {
	if !ended(o.Result) {
		return nil
	}
	return s.InviteTx(ctx, tx, o.CaseID, o.Number)
}

// InviteTx tells the users of case caseID's party enterprises, inside
// tx, that they may rate the case (number names it). A party without an
// account gets its access link from the caller.
func (s *Service) InviteTx(ctx context.Context, tx *gorm.DB, caseID int64, number string) error {
	var users []int64
	if err := tx.WithContext(ctx).Raw(`SELECT DISTINCT m.user_id FROM case_parties p JOIN memberships m ON m.org_id = p.org_id
JOIN users u ON u.id = m.user_id AND u.active WHERE p.case_id = ? AND m.role IN ? ORDER BY m.user_id`, caseID,
		domain.RolesReaching(domain.ObjectCase, domain.ReachPartyTo)).Scan(&users).Error; err != nil {
		return fmtErr("party users", err)
	}
	for _, u := range users {
		if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeFeedbackInvite,
			Params: map[string]any{"Number": number}, Link: FeedbackLink(caseID),
			DedupKey: "feedback-invite:" + strconv.FormatInt(caseID, 10) + ":" + strconv.FormatInt(u, 10)}); err != nil {
			return err
		}
	}
	return nil
}
