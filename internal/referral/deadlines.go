package referral

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/deadline"
)

// The referrals' legal deadlines (docs/design.md §6), rules of
// configs/deadlines.yaml, kept as deadlines of subject referral inside the
// steps' transactions. The receiving organisation is responsible (its
// members are reminded; the user who took the referral in once it is
// received):
//
//   - judicial_confirmation: sending closes the case's 30-day window to
//     apply (met) and opens the court's 3 days to accept
//     (judicial_confirmation.accept); accepting closes those and opens the
//     15 days to decide (judicial_confirmation.decide);
//   - administrative_adjudication: sending opens the 5 working days to
//     accept (patent_adjudication.accept); accepting opens the 3 months
//     to decide (patent_adjudication.decide);
//   - criminal: the 24 hours to transfer (criminal.transfer) run from the
//     approval of the transfer and are met by sending (missed when sent
//     later), the sender responsible; receipt opens the police's 3 days to
//     decide on filing (criminal.police_decision);
//   - customs: accepting records the detention. On the right holder's
//     application, the court's assistance notice is due within 20 working
//     days (customs.application.court_notice); ex officio, the right
//     holder answers within 3 working days of the notice
//     (customs.ex_officio.answer), customs investigates within 30 working
//     days (customs.ex_officio.investigate) and releases the goods after
//     50 working days without a court notice (customs.ex_officio.release);
//   - declining or completing closes every open deadline of the referral
//     (met, or missed when it had run out).
//
// Court delegation and entrustment start no deadline of their own: the
// case they create gets its mediation period on assignment, by its source.

// Referral deadline kinds.
const (
	dlConfirmationAccept = "confirmation_accept"
	dlConfirmationDecide = "confirmation_decide"
	dlAdjudicationAccept = "adjudication_accept"
	dlAdjudicationDecide = "adjudication_decide"
	dlCriminalTransfer   = "criminal_transfer"
	dlPoliceDecision     = "police_decision"
	dlCustomsCourtNotice = "customs_court_notice"
	dlCustomsAnswer      = "customs_answer"
	dlCustomsInvestigate = "customs_investigate"
	dlCustomsRelease     = "customs_release"
)

// The rules of configs/deadlines.yaml the referral steps open deadlines
// with.
const (
	ruleConfirmationAccept = "judicial_confirmation.accept"
	ruleConfirmationDecide = "judicial_confirmation.decide"
	ruleAdjudicationAccept = "patent_adjudication.accept"
	ruleAdjudicationDecide = "patent_adjudication.decide"
	ruleCriminalTransfer   = "criminal.transfer"
	rulePoliceDecision     = "criminal.police_decision"
	ruleCustomsAnswer      = "customs.ex_officio.answer"
	ruleCustomsInvestigate = "customs.ex_officio.investigate"
	ruleCustomsRelease     = "customs.ex_officio.release"
	ruleCustomsCourtNotice = "customs.application.court_notice"
)

// DeadlineRules lists every rule id the referral steps use, for the
// start-up check that the configured rules define them.
var DeadlineRules = []string{ruleConfirmationAccept, ruleConfirmationDecide, ruleAdjudicationAccept, ruleAdjudicationDecide,
	ruleCriminalTransfer, rulePoliceDecision, ruleCustomsAnswer, ruleCustomsInvestigate, ruleCustomsRelease, ruleCustomsCourtNotice}

func subject(r row) deadline.Subject {
	return deadline.Subject{Type: deadline.SubjectReferral, ID: r.ID}
}

// open opens one deadline of the referral, responsible org orgID, and
// notes its due time in detail.
func (s *Service) open(ctx context.Context, tx *gorm.DB, r row, orgID int64, kind, rule string, event, now time.Time,
	responsible *int64, detail map[string]any) (deadline.Deadline, error) {
	d, err := s.deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: subject(r), OrgID: orgID, CaseID: r.CaseID, Kind: kind,
		RuleID: rule, Event: event, Responsible: responsible, Now: now})
	if err != nil {
		return deadline.Deadline{}, err
	}
	detail[kind+"_due_at"] = d.DueAt.UTC().Format(time.RFC3339)
	return d, nil
}

func parseStamp(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// sentDeadlines opens (and for the criminal transfer, closes) the
// deadlines a kind starts when sent.
func (s *Service) sentDeadlines(ctx context.Context, tx *gorm.DB, r *row, fields map[string]any, detail map[string]any, now time.Time) error {
	switch Kind(r.Kind) {
	case KindJudicialConfirm:
		closed, err := s.deadlines.CloseTx(ctx, tx, deadline.CaseSubject(*r.CaseID), deadline.KindJudicialConfirmation, deadline.Met, now)
		if err != nil {
			return err
		}
		for _, d := range closed {
			detail["application_window"] = string(d.Status)
		}
		_, err = s.open(ctx, tx, *r, r.ReceiverOrgID, dlConfirmationAccept, ruleConfirmationAccept, now, now, nil, detail)
		return err
	case KindAdministrative:
		_, err := s.open(ctx, tx, *r, r.ReceiverOrgID, dlAdjudicationAccept, ruleAdjudicationAccept, now, now, nil, detail)
		return err
	case KindCriminal:
		decided, ok := parseStamp(fields["decided_at"])
		if !ok {
			return fmt.Errorf("criminal referral without decided_at")
		}
		if _, err := s.open(ctx, tx, *r, *r.SenderOrgID, dlCriminalTransfer, ruleCriminalTransfer, decided, now, r.SentBy, detail); err != nil {
			return err
		}
		closed, err := s.deadlines.CloseTx(ctx, tx, subject(*r), dlCriminalTransfer, deadline.Met, now)
		if err != nil {
			return err
		}
		for _, d := range closed {
			detail["transfer_deadline"] = string(d.Status)
		}
	}
	return nil
}

// receivedDeadlines opens what runs from receipt and makes the user who
// received the referral responsible for its open deadlines.
func (s *Service) receivedDeadlines(ctx context.Context, tx *gorm.DB, st *state, detail map[string]any) error {
	who := st.actor.UserIDRef()
	if Kind(st.row.Kind) == KindCriminal {
		if _, err := s.open(ctx, tx, st.row, st.row.ReceiverOrgID, dlPoliceDecision, rulePoliceDecision, st.now, st.now, who, detail); err != nil {
			return err
		}
	}
	return s.deadlines.SetResponsibleTx(ctx, tx, subject(st.row), who, st.now)
}

// acceptedDeadlines closes what acceptance answers and opens what runs
// from it.
func (s *Service) acceptedDeadlines(ctx context.Context, tx *gorm.DB, st *state, detail map[string]any) error {
	r, now, who := st.row, st.now, st.actor.UserIDRef()
	switch Kind(r.Kind) {
	case KindJudicialConfirm:
		if _, err := s.deadlines.CloseTx(ctx, tx, subject(r), dlConfirmationAccept, deadline.Met, now); err != nil {
			return err
		}
		_, err := s.open(ctx, tx, r, r.ReceiverOrgID, dlConfirmationDecide, ruleConfirmationDecide, now, now, who, detail)
		return err
	case KindAdministrative:
		if _, err := s.deadlines.CloseTx(ctx, tx, subject(r), dlAdjudicationAccept, deadline.Met, now); err != nil {
			return err
		}
		_, err := s.open(ctx, tx, r, r.ReceiverOrgID, dlAdjudicationDecide, ruleAdjudicationDecide, now, now, who, detail)
		return err
	case KindCustoms:
		fields := r.fields()
		detained, ok := parseStamp(fields["detained_at"])
		if !ok {
			return fmt.Errorf("customs referral accepted without detained_at")
		}
		if fields["mode"] == customsExOfficio {
			notified, ok := parseStamp(fields["notified_at"])
			if !ok {
				return fmt.Errorf("ex officio customs referral accepted without notified_at")
			}
			for _, d := range []struct {
				kind, rule string
				event      time.Time
			}{{dlCustomsAnswer, ruleCustomsAnswer, notified}, {dlCustomsInvestigate, ruleCustomsInvestigate, detained},
				{dlCustomsRelease, ruleCustomsRelease, detained}} {
				if _, err := s.open(ctx, tx, r, r.ReceiverOrgID, d.kind, d.rule, d.event, now, who, detail); err != nil {
					return err
				}
			}
			return nil
		}
		_, err := s.open(ctx, tx, r, r.ReceiverOrgID, dlCustomsCourtNotice, ruleCustomsCourtNotice, detained, now, who, detail)
		return err
	}
	return nil
}

// closeDeadlines closes every open deadline of the referral: met, or
// missed when it had run out. It returns their kinds and statuses.
func (s *Service) closeDeadlines(ctx context.Context, tx *gorm.DB, r row, now time.Time) (map[string]string, error) {
	closed, err := s.deadlines.CloseTx(ctx, tx, subject(r), "", deadline.Met, now)
	if err != nil {
		return nil, err
	}
	if len(closed) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, d := range closed {
		out[d.Kind] = string(d.Status)
	}
	return out, nil
}

// referralDeadlines lists a referral's deadlines, open ones first.
func (s *Service) referralDeadlines(ctx context.Context, db *gorm.DB, id int64) ([]deadline.Deadline, error) {
	return s.deadlines.ForSubjectTx(ctx, db, deadline.Subject{Type: deadline.SubjectReferral, ID: id})
}
