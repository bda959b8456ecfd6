package assistance

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/notify"
)

// Notification kinds (texts: web/i18n/assistance.*.yaml, notify.<kind>.*).
const (
	NoticeSubmitted          = "assistance_submitted"
	NoticeNew                = "assistance_new"
	NoticeMaterialsRequested = "assistance_materials_requested"
	NoticeAnswered           = "assistance_answered"
	NoticeApproved           = "assistance_approved"
	NoticeRejected           = "assistance_rejected"
	NoticeLapsed             = "assistance_lapsed"
	NoticeCaseOpened         = "assistance_case_opened"
	NoticeReferralSent       = "assistance_referral_sent"
	NoticeExhibitionFiled    = "exhibition_complaint_filed"
)

// ApplicationLink is the page of an application.
func ApplicationLink(id int64) string { return fmt.Sprintf("/assistance/%d", id) }

// tell sends kind to each user inside tx, once per application version.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, users []int64, r appRow, kind string, params map[string]any) error {
	p := map[string]any{"Number": r.Number, "Applicant": r.ApplicantName}
	for k, v := range params {
		p[k] = v
	}
	for _, u := range users {
		m := notify.Message{UserID: u, Kind: kind, Params: p, Link: ApplicationLink(r.ID),
			DedupKey: fmt.Sprintf("assistance:%d:%s:%d:%d", r.ID, kind, r.Version, u)}
		if err := s.d.Notify.SendTx(ctx, tx, m); err != nil {
			return fmt.Errorf("notify %s: %w", kind, err)
		}
	}
	return nil
}

// tellApplicant notifies every applicant user of the application's
// enterprise (the SME is told of every step).
func (s *Service) tellApplicant(ctx context.Context, tx *gorm.DB, r appRow, kind string, params map[string]any) error {
	users, err := notify.MembersTx(ctx, tx, r.ApplicantOrgID, enterpriseRoles)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, users, r, kind, params)
}

// tellOfficers notifies the officer responsible for the application, or
// every assistance officer of the centre when nobody is yet.
func (s *Service) tellOfficers(ctx context.Context, tx *gorm.DB, r appRow, kind string, params map[string]any) error {
	var users []int64
	if r.ResponsibleUserID != nil {
		users = []int64{*r.ResponsibleUserID}
	} else {
		var err error
		if users, err = notify.MembersTx(ctx, tx, r.CenterOrgID, officerRoles); err != nil {
			return err
		}
	}
	return s.tell(ctx, tx, users, r, kind, params)
}
