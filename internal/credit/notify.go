package credit

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Notification kinds (texts: web/i18n/credit.*.yaml, notify.<kind>.*).
// Every notice names the record: its subject and the decision's number.
const (
	NoticeRecorded           = "credit_recorded"            // to the subject: told, may object until Due
	NoticeInEffect           = "credit_in_effect"           // to the subject: no objection, in effect
	NoticeObjected           = "credit_objected"            // to the body: an objection to decide
	NoticeObjectionUpheld    = "credit_objection_upheld"    // to the subject: revoked
	NoticeObjectionDismissed = "credit_objection_dismissed" // to the subject: in effect, with the reason
	NoticeRepairApplied      = "credit_repair_applied"      // to the body: a repair application to decide
	NoticeRepairGranted      = "credit_repair_granted"      // to the subject
	NoticeRepairRefused      = "credit_repair_refused"      // to the subject, with the reason
)

// The roles told as a record's subject (an enterprise's users) and as
// its body (the officers who read every record, in the recording body).
var (
	subjectRoles = domain.RolesReaching(domain.ObjectCredit, domain.ReachPartyTo)
	bodyRoles    = domain.RolesReaching(domain.ObjectCredit, domain.ReachAll)
)

// tell sends kind about r to each user, once per record version.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, users []int64, r row, kind string, params map[string]any) error {
	p := map[string]any{"Name": r.Name, "Document": r.DocumentNumber}
	for k, v := range params {
		p[k] = v
	}
	for _, u := range users {
		m := notify.Message{UserID: u, Kind: kind, Params: p, Link: Link(r.ID),
			DedupKey: fmt.Sprintf("credit:%d:%s:%d:%d", r.ID, kind, r.Version, u)}
		if err := s.d.Notify.SendTx(ctx, tx, m); err != nil {
			return fmtErr("notify "+kind, err)
		}
	}
	return nil
}

// tellSubjectUsers tells a registered subject's users (none for a subject
// not registered here: the body told it by other means).
func (s *Service) tellSubjectUsers(ctx context.Context, tx *gorm.DB, r row, kind string, params map[string]any) error {
	if r.SubjectOrgID == nil {
		return nil
	}
	users, err := notify.MembersTx(ctx, tx, *r.SubjectOrgID, subjectRoles)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, users, r, kind, params)
}

// tellBody tells the officer who recorded r, or, without one, the
// recording body's officers.
func (s *Service) tellBody(ctx context.Context, tx *gorm.DB, r row, kind string, params map[string]any) error {
	var users []int64
	if r.RecordedBy != nil {
		users = []int64{*r.RecordedBy}
	} else if r.OrgID != nil {
		var err error
		if users, err = notify.MembersTx(ctx, tx, *r.OrgID, bodyRoles); err != nil {
			return err
		}
	}
	return s.tell(ctx, tx, users, r, kind, params)
}
