package cases

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// sessionClockSkew is how far in the future a session's time may lie: a
// mediator logging a session held late in the evening may be a time zone
// or a device clock away from the server, but a session cannot be logged
// before it is held.
const sessionClockSkew = 24 * time.Hour

// LogSession records a mediation session: when (not more than a day
// ahead, not on a day before the case was filed), how (in person, video,
// phone), where, who attended, the minutes (confidential to the handling
// committee and the parties) and the next steps, with the next session
// (after this one, within a year). Assigned mediators who have declared
// no conflict only.
func (s *Service) LogSession(ctx context.Context, id int64, in SessionInput) (domain.Case, error) {
	var r sessionRow
	return s.run(ctx, id, step{action: domain.ActionLogSession, version: in.Version,
		check: func(f *domain.Fields, now time.Time) {
			notFuture(f, "held_at", in.HeldAt, now.Add(sessionClockSkew))
			if !validSessionMode(in.Mode) {
				f.Add("mode", "validation.session_mode")
			}
			r = sessionRow{HeldAt: in.HeldAt.UTC().Truncate(time.Microsecond), Mode: string(in.Mode),
				Place:     text(f, "place", in.Place, false, maxShort),
				Attendees: text(f, "attendees", in.Attendees, false, maxShort),
				Minutes:   text(f, "minutes", in.Minutes, true, maxMinutes),
				NextSteps: text(f, "next_steps", in.NextSteps, false, maxText)}
			if in.NextSessionAt != nil && !in.NextSessionAt.IsZero() {
				next := in.NextSessionAt.UTC().Truncate(time.Microsecond)
				if !in.HeldAt.IsZero() && !next.After(in.HeldAt) {
					f.Add("next_session_at", "validation.date_order")
				} else {
					f.Between("next_session_at", next, domain.EarliestInstant, now.Add(domain.MaxAhead))
				}
				r.NextSessionAt = &next
			}
		},
		checkCase: func(f *domain.Fields, st *caseState) {
			sinceFiling(f, "held_at", in.HeldAt, st)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			r.CaseID, r.RecordedBy, r.CreatedAt = st.row.ID, st.actor.UserIDRef(), st.now
			if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
				return change{}, fmt.Errorf("record session: %w", err)
			}
			// The minutes are confidential and stay out of the timeline.
			return change{note: map[string]any{"session_id": r.ID, "held_at": stamp(r.HeldAt), "mode": r.Mode,
				"next_session_at": stampPtr(r.NextSessionAt)}}, nil
		}})
}

// Extend moves the mediation due date later (at most a year from now),
// with both parties' consent recorded and a reason kept on the timeline
// with the old and new dates; the mediation deadline moves with it (its
// original due time kept). Director only.
func (s *Service) Extend(ctx context.Context, id int64, in ExtendInput) (domain.Case, error) {
	var reason string
	due := in.NewDueAt.UTC().Truncate(time.Microsecond)
	return s.run(ctx, id, step{action: domain.ActionExtend, version: in.Version,
		check: func(f *domain.Fields, now time.Time) {
			if in.NewDueAt.IsZero() {
				f.Add("new_due_at", "validation.required")
			} else if due.After(now.Add(domain.MaxAhead)) {
				f.Add("new_due_at", "validation.date_range", "From", now.In(beijing).Format(dateLayout),
					"To", now.Add(domain.MaxAhead).In(beijing).Format(dateLayout))
			}
			reason = text(f, "reason", in.Reason, true, maxText)
			if !in.ApplicantConsent {
				f.Add("applicant_consent", "validation.consent_required")
			}
			if !in.RespondentConsent {
				f.Add("respondent_consent", "validation.consent_required")
			}
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			current := st.now
			if st.row.MediationDueAt != nil {
				current = *st.row.MediationDueAt
			}
			if !due.After(current) {
				return change{}, domain.Invalid(domain.FieldError{Field: "new_due_at", Message: "validation.due_after"})
			}
			if err := s.extendMediation(ctx, tx, st, due, reason); err != nil {
				return change{}, err
			}
			return change{set: map[string]any{"mediation_due_at": due},
				before: map[string]any{"mediation_due_at": stampPtr(st.row.MediationDueAt)},
				after:  map[string]any{"mediation_due_at": stamp(due)},
				note:   map[string]any{"reason": reason, "applicant_consent": true, "respondent_consent": true},
			}, nil
		}})
}

// Settle ends mediation with an agreement whose content People's
// Mediation Law art. 29 requires: the facts, the matters in dispute, each
// party's responsibility, the terms and how (and optionally by when) they
// are performed (a date from the day the case was filed to ten years
// ahead). The parties reached agreement now, so the mediation period is
// closed (met). Assigned mediators who have declared no conflict only.
//
// A written agreement is a draft (agreement_draft): the mediators may
// correct it (ReviseAgreement) until it takes effect, once signed and
// sealed (Signoff). An oral agreement (in.Oral, art. 28) is the record of
// what the parties agreed by word: it takes effect on the day they
// reached it (in.AgreedAt, now when not given) without sign-off, and the
// case is settled at once.
func (s *Service) Settle(ctx context.Context, id int64, in AgreementInput) (domain.Case, error) {
	var r agreementRow
	var agreedAt time.Time
	return s.run(ctx, id, step{action: domain.ActionSettle, version: in.Version,
		check: func(f *domain.Fields, now time.Time) {
			r = agreementRow{
				Facts:             text(f, "facts", in.Facts, true, maxText),
				DisputedMatters:   text(f, "disputed_matters", in.DisputedMatters, true, maxText),
				Responsibilities:  text(f, "responsibilities", in.Responsibilities, true, maxText),
				Terms:             text(f, "terms", in.Terms, true, maxText),
				PerformanceMethod: text(f, "performance_method", in.PerformanceMethod, true, maxText),
				PerformanceDue:    date(f, "performance_due", in.PerformanceDue),
				AmountFen:         in.AmountFen,
				Oral:              in.Oral, Revision: 1,
			}
			f.Amount("amount_fen", in.AmountFen)
			switch {
			case in.AgreedAt == nil || in.AgreedAt.IsZero():
				agreedAt = now
			case !in.Oral:
				// A written agreement takes effect when signed.
				f.Add("agreed_at", "validation.not_applicable")
			default:
				notFuture(f, "agreed_at", *in.AgreedAt, now)
				agreedAt = in.AgreedAt.UTC().Truncate(time.Microsecond)
			}
		},
		checkCase: func(f *domain.Fields, st *caseState) {
			checkPerformanceDue(f, r.PerformanceDue, st)
			sinceFiling(f, "agreed_at", agreedAt, st)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			r.CaseID, r.CreatedBy, r.CreatedAt = st.row.ID, st.actor.UserIDRef(), st.now
			if r.Oral {
				r.EffectiveAt = &agreedAt
			}
			if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return change{}, domain.Errorf(domain.ECONFLICT, "the case already has a mediation agreement")
				}
				return change{}, fmt.Errorf("record agreement: %w", err)
			}
			var due any
			if r.PerformanceDue != nil {
				due = r.PerformanceDue.Format(dateLayout)
			}
			closed, err := s.closeDeadlines(ctx, tx, st, deadline.KindMediation, deadline.Met)
			if err != nil {
				return change{}, err
			}
			ch := change{to: domain.StatusAgreementDraft, note: deadlineNote(closed),
				after: map[string]any{"agreement_id": r.ID, "performance_due": due, "oral": r.Oral}}
			if !r.Oral {
				return ch, nil
			}
			// An oral agreement is in effect from the day it was reached.
			st.agreement = &r
			follow, err := s.agreementEffective(ctx, tx, st, agreedAt, &ch)
			if err != nil {
				return change{}, err
			}
			ch.follow = append(ch.follow, follow)
			return ch, nil
		}})
}

// checkPerformanceDue checks an agreement's performance date: from the day
// the case was filed to ten years ahead.
func checkPerformanceDue(f *domain.Fields, d *time.Time, st *caseState) {
	if d != nil {
		// A date is midnight UTC of its day (date): compare days.
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, beijing)
		f.Between("performance_due", day, domain.DayStart(st.row.CreatedAt), st.now.Add(domain.MaxAheadLong))
	}
}

// agreementEffective settles the case whose agreement takes effect at at:
// the outcome and its time, the judicial-confirmation window and the
// performance date, and the agreement_effective event it returns, which
// the action records after its own.
func (s *Service) agreementEffective(ctx context.Context, tx *gorm.DB, st *caseState, at time.Time, ch *change) (eventRow, error) {
	detail, err := s.openAgreementDeadlines(ctx, tx, st, at)
	if err != nil {
		return eventRow{}, err
	}
	detail["agreement_id"], detail["effective_at"] = st.agreement.ID, stamp(at)
	if ch.set == nil {
		ch.set = map[string]any{}
	}
	ch.to = domain.StatusSettled
	ch.set["outcome"], ch.set["outcome_at"] = string(domain.StatusSettled), at
	return newEvent(st.row.ID, st.actor, "agreement_effective", domain.StatusSettled, domain.StatusSettled, detail, st.now)
}

// ReviseAgreement corrects the draft agreement of a case in
// agreement_draft: the whole text again, as Settle takes it. A text that
// changes nothing is EINVALID (agreement: validation.agreement_unchanged).
// The parties sign what they read, so a correction made after any
// signature or the seal was recorded clears them all, and the timeline
// says which. The timeline names the clauses changed and the revision, not
// their text. The mediators who may settle the case only.
func (s *Service) ReviseAgreement(ctx context.Context, id int64, in ReviseAgreementInput) (domain.Case, error) {
	var r agreementRow
	return s.run(ctx, id, step{action: domain.ActionReviseAgreement, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			r = agreementRow{
				Facts:             text(f, "facts", in.Facts, true, maxText),
				DisputedMatters:   text(f, "disputed_matters", in.DisputedMatters, true, maxText),
				Responsibilities:  text(f, "responsibilities", in.Responsibilities, true, maxText),
				Terms:             text(f, "terms", in.Terms, true, maxText),
				PerformanceMethod: text(f, "performance_method", in.PerformanceMethod, true, maxText),
				PerformanceDue:    date(f, "performance_due", in.PerformanceDue),
				AmountFen:         in.AmountFen,
			}
			f.Amount("amount_fen", in.AmountFen)
		},
		checkCase: func(f *domain.Fields, st *caseState) { checkPerformanceDue(f, r.PerformanceDue, st) },
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			ag := st.agreement
			if ag == nil || ag.EffectiveAt != nil {
				return change{}, domain.Errorf(domain.ECONFLICT, "the case has no draft agreement to correct")
			}
			var changed []string
			set := map[string]any{}
			for _, c := range []struct {
				column   string
				old, new string
			}{{"facts", ag.Facts, r.Facts}, {"disputed_matters", ag.DisputedMatters, r.DisputedMatters},
				{"responsibilities", ag.Responsibilities, r.Responsibilities}, {"terms", ag.Terms, r.Terms},
				{"performance_method", ag.PerformanceMethod, r.PerformanceMethod},
				{"performance_due", dateText(ag.PerformanceDue), dateText(r.PerformanceDue)},
				{"amount_fen", strconv.FormatInt(ag.AmountFen, 10), strconv.FormatInt(r.AmountFen, 10)}} {
				if c.old != c.new {
					changed = append(changed, c.column)
					set[c.column] = c.new
				}
			}
			set["amount_fen"] = r.AmountFen
			if len(changed) == 0 {
				return change{}, domain.Invalid(domain.FieldError{Field: "agreement", Message: "validation.agreement_unchanged"})
			}
			set["performance_due"] = r.PerformanceDue
			set["revision"], set["revised_by"], set["revised_at"] = ag.Revision+1, st.actor.UserIDRef(), st.now
			if err := tx.WithContext(ctx).Model(&agreementRow{}).Where("id = ?", ag.ID).Updates(set).Error; err != nil {
				return change{}, fmt.Errorf("correct agreement: %w", err)
			}
			var cleared []map[string]any
			for _, so := range st.signoffs {
				cleared = append(cleared, map[string]any{"signoff_id": so.ID, "signer_kind": so.SignerKind, "party_id": so.PartyID,
					"user_id": so.UserID, "signed_at": stamp(so.SignedAt)})
			}
			// The signatures were given on the old text: they are voided,
			// not deleted, and a new signature on the new text is possible.
			if len(cleared) > 0 {
				if err := tx.WithContext(ctx).Model(&signoffRow{}).Where("agreement_id = ? AND voided_at IS NULL", ag.ID).
					Updates(map[string]any{"voided_at": st.now, "voided_by": st.actor.UserIDRef(), "void_reason": VoidAgreementRevised}).Error; err != nil {
					return change{}, fmt.Errorf("void sign-offs: %w", err)
				}
				st.signoffs = nil
			}
			note := map[string]any{"agreement_id": ag.ID, "changed": changed, "signoffs_cleared": len(cleared)}
			if len(cleared) > 0 {
				note["cleared"] = cleared
			}
			return change{before: map[string]any{"revision": ag.Revision}, after: map[string]any{"revision": ag.Revision + 1},
				note: note}, nil
		}})
}

// dateText is a date column as YYYY-MM-DD, "" for none.
func dateText(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(dateLayout)
}

// VoidAgreementRevised is the void_reason of signatures voided because
// the agreement's text was revised (words: signoff.void.<reason>).
const VoidAgreementRevised = "agreement_revised"

// Signer kinds and sign-off methods of agreement_signoffs.
const (
	signerParty    = "party"
	signerMediator = "mediator"
	signerSeal     = "seal"

	methodHandwritten = "handwritten"
	methodElectronic  = "electronic"
	methodSeal        = "seal"
	// methodSMS is a party's own signature in its online view, confirmed
	// by a one-time code to its phone (SignAsPartyTx); staff never record
	// it.
	methodSMS = "sms_electronic"
)

// Signoff records one signature on the draft agreement: a
// party's (party_id), an active mediator's (user_id), or the committee's
// seal (neither), at a time not in the future nor on a day before the
// agreement was drawn up. Mediators, clerks and directors record
// signatures; only a clerk or the director affixes the seal. Signing twice
// is EINVALID (validation.signoff_duplicate). When
// every party, every active mediator and the seal have signed, the
// agreement takes effect at the latest signature (People's Mediation Law
// arts. 30–31), noted on the timeline as agreement_effective, and the case
// is settled.
func (s *Service) Signoff(ctx context.Context, id int64, in SignoffInput) (domain.Case, error) {
	signedAt := in.SignedAt.UTC().Truncate(time.Microsecond)
	return s.run(ctx, id, step{action: domain.ActionSignoff, version: in.Version,
		check: func(f *domain.Fields, now time.Time) {
			switch in.SignerKind {
			case signerParty, signerMediator:
				if in.Method != methodHandwritten && in.Method != methodElectronic {
					f.Add("method", "validation.signoff_method")
				}
			case signerSeal:
				if in.Method != methodSeal {
					f.Add("method", "validation.signoff_method")
				}
			default:
				f.Add("signer_kind", "validation.signer_kind")
			}
			// Each kind of signer is named by its own id and only by it.
			switch {
			case in.SignerKind == signerParty && in.PartyID <= 0:
				f.Add("party_id", "validation.required")
			case in.SignerKind != signerParty && in.PartyID != 0:
				f.Add("party_id", "validation.not_applicable")
			}
			switch {
			case in.SignerKind == signerMediator && in.UserID <= 0:
				f.Add("user_id", "validation.required")
			case in.SignerKind != signerMediator && in.UserID != 0:
				f.Add("user_id", "validation.not_applicable")
			}
			notFuture(f, "signed_at", in.SignedAt, now)
		},
		checkCase: func(f *domain.Fields, st *caseState) {
			// No earlier than the day the agreement was drawn up (the
			// future and the distant past are check's).
			if st.agreement != nil && !in.SignedAt.Before(domain.EarliestInstant) && !in.SignedAt.After(st.now) {
				f.Between("signed_at", in.SignedAt, domain.DayStart(st.agreement.CreatedAt), st.now)
			}
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			if st.agreement == nil {
				return change{}, domain.Errorf(domain.ECONFLICT, "the case has no mediation agreement to sign")
			}
			r := signoffRow{AgreementID: st.agreement.ID, SignerKind: in.SignerKind, Method: in.Method, SignedAt: signedAt,
				RecordedBy: st.actor.UserIDRef(), CreatedAt: st.now}
			if err := s.signer(ctx, tx, st, in, &r); err != nil {
				return change{}, err
			}
			return s.recordSignoff(ctx, tx, st, r)
		}})
}

// SignAsPartyTx records the signature of the party signed in through its
// access link (domain.PartyFrom) on its case's draft agreement, in tx (a
// savepoint of the caller's transaction, which has checked the party's
// fresh one-time code): method sms_electronic, signed now, with the link,
// the masked phone, the request's address and the digest of the text the
// party read. A digest that is not the current text's is EINVALID
// (field text_sha256, validation.agreement_changed): the agreement was
// revised since the party read it. The case's version is not checked —
// the digest is what the signature binds to. Audited as the party.
func (s *Service) SignAsPartyTx(ctx context.Context, tx *gorm.DB, in domain.PartySignature) (domain.Case, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return domain.Case{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	return s.runAs(ctx, tx, partyViewer(p), p.CaseID, step{action: domain.ActionSignoff, anyVersion: true,
		check: func(f *domain.Fields, _ time.Time) {
			if !isDigest(in.TextSHA256) {
				f.Add("text_sha256", "validation.required")
			}
			if in.PhoneMasked == "" {
				f.Add("phone", "validation.required")
			}
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			if st.agreement == nil {
				return change{}, domain.Errorf(domain.ECONFLICT, "the case has no mediation agreement to sign")
			}
			if AgreementTextOf(*st.agreement).Digest() != in.TextSHA256 {
				return change{}, domain.Invalid(domain.FieldError{Field: "text_sha256", Message: "validation.agreement_changed"})
			}
			r := signoffRow{AgreementID: st.agreement.ID, SignerKind: signerParty, Method: methodSMS, SignedAt: st.now,
				CreatedAt: st.now, AccessID: &p.AccessID, PhoneMasked: in.PhoneMasked, TextSHA256: in.TextSHA256, IP: in.IP}
			if err := s.signer(ctx, tx, st, SignoffInput{SignerKind: signerParty, PartyID: p.PartyID}, &r); err != nil {
				return change{}, err
			}
			return s.recordSignoff(ctx, tx, st, r)
		}})
}

// isDigest reports whether s is a lower-case hex SHA-256.
func isDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// AgreementTextOf is the signable text of an agreement row.
func AgreementTextOf(ag agreementRow) domain.AgreementText {
	return domain.AgreementText{CaseID: ag.CaseID, Revision: ag.Revision, Facts: ag.Facts, DisputedMatters: ag.DisputedMatters,
		Responsibilities: ag.Responsibilities, Terms: ag.Terms, PerformanceMethod: ag.PerformanceMethod,
		PerformanceDue: ag.PerformanceDue, AmountFen: ag.AmountFen}
}

// recordSignoff writes sign-off r and, when it completes the agreement,
// makes the agreement effective at the latest signature.
func (s *Service) recordSignoff(ctx context.Context, tx *gorm.DB, st *caseState, r signoffRow) (change, error) {
	if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return change{}, domain.Invalid(domain.FieldError{Field: "signer_kind", Message: "validation.signoff_duplicate"})
		}
		return change{}, fmt.Errorf("record sign-off: %w", err)
	}
	st.signoffs = append(st.signoffs, r)
	ch := change{note: map[string]any{"signoff_id": r.ID, "signer_kind": r.SignerKind, "party_id": r.PartyID,
		"user_id": r.UserID, "method": r.Method, "signed_at": stamp(r.SignedAt)}}
	if at, ok := st.complete(); ok {
		if err := tx.WithContext(ctx).Model(&agreementRow{}).Where("id = ?", st.agreement.ID).
			Update("effective_at", at).Error; err != nil {
			return change{}, fmt.Errorf("make agreement effective: %w", err)
		}
		st.agreement.EffectiveAt = &at
		ev, err := s.agreementEffective(ctx, tx, st, at, &ch)
		if err != nil {
			return change{}, err
		}
		ch.follow = append(ch.follow, ev)
	}
	return ch, nil
}

// signer checks who signs and fills the signer columns of r.
func (s *Service) signer(ctx context.Context, tx *gorm.DB, st *caseState, in SignoffInput, r *signoffRow) error {
	dup := func(field string) error {
		return domain.Invalid(domain.FieldError{Field: field, Message: "validation.signoff_duplicate"})
	}
	switch in.SignerKind {
	case signerParty:
		p := st.party(in.PartyID)
		if p == nil {
			return domain.Invalid(domain.FieldError{Field: "party_id", Message: "validation.party"})
		}
		for _, so := range st.signoffs {
			if so.PartyID != nil && *so.PartyID == p.ID {
				return dup("party_id")
			}
		}
		r.PartyID, r.SignerName = &p.ID, p.Name
	case signerMediator:
		if st.activeMediator(in.UserID) == nil {
			return domain.Invalid(domain.FieldError{Field: "user_id", Message: "validation.mediator"})
		}
		for _, so := range st.signoffs {
			if so.UserID != nil && *so.UserID == in.UserID {
				return dup("user_id")
			}
		}
		uid := in.UserID
		r.UserID = &uid
		if err := tx.WithContext(ctx).Table("users").Select("display_name").Where("id = ?", uid).Scan(&r.SignerName).Error; err != nil {
			return fmt.Errorf("load mediator name: %w", err)
		}
	case signerSeal:
		// The seal is the committee's act: its clerk or director affixes
		// it, never a mediator.
		org := st.row.OrgID
		if !st.actor.ReachIn(org, domain.ObjectCase).Has(domain.ReachOrg) {
			return domain.Errorf(domain.EFORBIDDEN, "only the committee's clerk or director may seal the agreement")
		}
		for _, so := range st.signoffs {
			if so.SignerKind == signerSeal {
				return dup("signer_kind")
			}
		}
		if err := tx.WithContext(ctx).Table("orgs").Select("name_zh").Where("id = ?", org).Scan(&r.SignerName).Error; err != nil {
			return fmt.Errorf("load committee name: %w", err)
		}
	}
	return nil
}

// complete reports whether every party, every active mediator and the seal
// have signed, and if so the latest signature's time, at which the
// agreement takes effect.
func (st *caseState) complete() (time.Time, bool) {
	var latest time.Time
	signed := func(match func(signoffRow) bool) bool {
		for _, so := range st.signoffs {
			if match(so) {
				if so.SignedAt.After(latest) {
					latest = so.SignedAt
				}
				return true
			}
		}
		return false
	}
	for _, p := range st.parties {
		if !signed(func(so signoffRow) bool { return so.PartyID != nil && *so.PartyID == p.ID }) {
			return time.Time{}, false
		}
	}
	for _, m := range st.activeMediators() {
		if !signed(func(so signoffRow) bool { return so.UserID != nil && *so.UserID == m.UserID }) {
			return time.Time{}, false
		}
	}
	if !signed(func(so signoffRow) bool { return so.SignerKind == signerSeal }) {
		return time.Time{}, false
	}
	return latest, true
}

// Fail ends mediation without agreement, with the reason and the route
// suggested to the parties (litigation, arbitration, administrative
// adjudication, none): also from a draft agreement that a party will not
// sign, which never took effect. Assigned mediators who have declared no
// conflict only.
func (s *Service) Fail(ctx context.Context, id int64, in FailInput) (domain.Case, error) {
	var reason string
	return s.run(ctx, id, step{action: domain.ActionFail, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			reason = text(f, "reason", in.Reason, true, maxText)
			if !validFailRoute(in.Route) {
				f.Add("suggested_route", "validation.fail_route")
			}
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			closed, err := s.closeDeadlines(ctx, tx, st, deadline.KindMediation, deadline.Met)
			if err != nil {
				return change{}, err
			}
			note := deadlineNote(closed)
			note["reason"] = reason
			return change{to: domain.StatusFailed,
				set: map[string]any{"outcome": string(domain.StatusFailed), "outcome_reason": reason,
					"suggested_route": string(in.Route), "outcome_at": st.now},
				after: map[string]any{"suggested_route": string(in.Route)},
				note:  note,
			}, nil
		}})
}

// Withdraw ends a case at the applicant's request before it is settled or
// failed (a draft agreement not yet in effect binds no one): recorded by
// the clerk, or by the applicant enterprise online.
func (s *Service) Withdraw(ctx context.Context, id int64, in ReasonInput) (domain.Case, error) {
	var reason string
	return s.run(ctx, id, step{action: domain.ActionWithdraw, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) {
			reason = text(f, "reason", in.Reason, true, maxText)
			if in.Route != "" {
				f.Add("route", "validation.not_applicable")
			}
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			closed, err := s.closeDeadlines(ctx, tx, st, "", deadline.Cancelled)
			if err != nil {
				return change{}, err
			}
			note := deadlineNote(closed)
			note["reason"] = reason
			return change{to: domain.StatusWithdrawn,
				set:  map[string]any{"outcome": string(domain.StatusWithdrawn), "outcome_reason": reason, "outcome_at": st.now},
				note: note,
			}, nil
		}})
}

// Close closes a settled case once its agreement is in effect, recording
// how it is being performed, or a failed case, recording the route the
// parties took. Director only.
func (s *Service) Close(ctx context.Context, id int64, in CloseInput) (domain.Case, error) {
	var note string
	return s.run(ctx, id, step{action: domain.ActionClose, version: in.Version,
		check: func(f *domain.Fields, _ time.Time) { note = text(f, "note", in.Note, true, maxText) },
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			if st.status() == domain.StatusSettled && !st.effective() {
				return change{}, domain.Invalid(domain.FieldError{Field: "agreement", Message: "validation.agreement_not_effective"})
			}
			// The mediation period is over; the judicial-confirmation
			// window and the performance date still run.
			closed, err := s.closeDeadlines(ctx, tx, st, deadline.KindMediation, deadline.Cancelled)
			if err != nil {
				return change{}, err
			}
			ev := deadlineNote(closed)
			ev["note"] = note
			return change{to: domain.StatusClosed,
				set:   map[string]any{"closing_note": note, "closed_at": st.now},
				after: map[string]any{"closed_at": stamp(st.now)},
				note:  ev,
			}, nil
		}})
}
