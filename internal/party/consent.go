package party

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Decision is a party's answer to the question whether it agrees to
// mediation (People's Mediation Law: mediation needs the parties'
// voluntary consent; docs/law.md §10).
type Decision string

// The decisions a party records.
const (
	DecisionConsent Decision = "consent"
	DecisionRefuse  Decision = "refuse"
)

// Decisions lists the decisions, in the order the form offers them.
var Decisions = []Decision{DecisionConsent, DecisionRefuse}

// The inbox notices to the committee's director(s) that a party
// recorded its decision (texts notify.<kind>.*).
const (
	NoticeConsent = "party_consent"
	NoticeRefusal = "party_refusal"
)

// CaseEvents are the timeline events of the parties' own steps.
var CaseEvents = []string{NoticeConsent, NoticeRefusal}

// maxConsentNote is the longest note, in characters (as the table's CHECK).
const maxConsentNote = 500

// ConsentInput is a party's decision and an optional note.
type ConsentInput struct {
	Decision Decision
	Note     string
}

// Consent is one recorded decision of a party.
type Consent struct {
	ID       int64
	CaseID   int64
	PartyID  int64
	AccessID int64
	Decision Decision
	Note     string
	At       time.Time `gorm:"column:created_at"`
}

// Current is a party's latest decision, with the party named.
type Current struct {
	PartyID   int64
	PartyRole string
	PartyName string
	Consent
}

// TakesConsent reports whether a case in status st still takes the
// parties' decisions on mediation: until mediation has ended.
func TakesConsent(st domain.CaseStatus) bool {
	switch st {
	case domain.StatusSubmitted, domain.StatusAccepted, domain.StatusMediating:
		return true
	}
	return false
}

// RecordConsent records the signed-in party's consent to, or refusal of,
// mediation with an optional note. A change of mind is a new row; the
// latest counts. It writes the timeline event party_consent or
// party_refusal, tells the committee's director(s) in their inbox and is
// audited (party.consent) in the same transaction. A bad decision or an
// over-long note is EINVALID naming the field; a case whose mediation
// has ended is ECONFLICT.
func (s *Service) RecordConsent(ctx context.Context, in ConsentInput) (Consent, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return Consent{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	in.Note = strings.TrimSpace(in.Note)
	var fields []domain.FieldError
	if in.Decision != DecisionConsent && in.Decision != DecisionRefuse {
		fields = append(fields, domain.FieldError{Field: "decision", Message: "validation.party_decision"})
	}
	if utf8.RuneCountInString(in.Note) > maxConsentNote {
		fields = append(fields, domain.FieldError{Field: "note", Message: "validation.too_long", Params: map[string]any{"Max": maxConsentNote}})
	}
	if len(fields) > 0 {
		return Consent{}, domain.Invalid(fields...)
	}
	if s.d.Timeline == nil || s.d.Notify == nil {
		return Consent{}, domain.Errorf(domain.EINTERNAL, "party: consent needs the timeline and the inbox")
	}
	now := s.clock()
	out := Consent{CaseID: p.CaseID, PartyID: p.PartyID, AccessID: p.AccessID, Decision: in.Decision, Note: in.Note, At: now}
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rv, err := s.byActor(ctx, tx, p, true)
		if err != nil {
			return err
		}
		var status string
		if err := tx.Raw("SELECT status FROM cases WHERE id = ? FOR UPDATE", p.CaseID).Scan(&status).Error; err != nil {
			return fmtErr("consent case", err)
		}
		if !TakesConsent(domain.CaseStatus(status)) {
			return &domain.Error{Code: domain.ECONFLICT, ID: "party.error.consent_closed", Message: "mediation of this case has ended"}
		}
		if err := tx.Raw(`INSERT INTO party_consents (case_id, party_id, access_id, decision, note, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, p.CaseID, p.PartyID, p.AccessID, string(in.Decision), in.Note, now).Scan(&out.ID).Error; err != nil {
			return fmtErr("record consent", err)
		}
		event := NoticeConsent
		if in.Decision == DecisionRefuse {
			event = NoticeRefusal
		}
		// The timeline names the party by its role and name; the note
		// stays out of it (it may carry personal data).
		if err := s.d.Timeline.AddEventTx(ctx, tx, p.CaseID, &domain.Actor{DisplayName: p.Name}, event,
			map[string]any{"party": rv.party.Name, "consent_id": out.ID}, now); err != nil {
			return err
		}
		directors, err := notify.MembersTx(ctx, tx, rv.orgID, domain.RolesWhere(domain.Role.Head))
		if err != nil {
			return err
		}
		for _, u := range directors {
			if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: event, Link: "/cases/" + strconv.FormatInt(p.CaseID, 10),
				Params: map[string]any{"Number": rv.number, "Party": rv.party.Name}}); err != nil {
				return err
			}
		}
		return s.d.Audit.Append(ctx, tx, rv.entry("party.consent", map[string]any{"consent_id": out.ID, "decision": string(in.Decision)}))
	})
	if err != nil {
		return Consent{}, err
	}
	return out, nil
}

// MyConsents is the signed-in party's decisions, latest first.
func (s *Service) MyConsents(ctx context.Context) ([]Consent, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	var out []Consent
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT id, case_id, party_id, access_id, decision, note, created_at FROM party_consents
WHERE case_id = ? AND party_id = ? ORDER BY created_at DESC, id DESC`, p.CaseID, p.PartyID).Scan(&out).Error; err != nil {
		return nil, fmtErr("consents", err)
	}
	return out, nil
}

// Decisions is every party's decisions on case id, latest first, for
// the staff who may read the case (cases.Service.Access decides).
func (s *Service) Decisions(ctx context.Context, caseID int64) ([]Current, error) {
	if _, err := s.d.Cases.Access(ctx, caseID); err != nil {
		return nil, err
	}
	var out []Current
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT pc.id, pc.case_id, pc.party_id, pc.access_id, pc.decision, pc.note, pc.created_at,
  cp.role AS party_role, cp.name AS party_name
FROM party_consents pc JOIN case_parties cp ON cp.id = pc.party_id
WHERE pc.case_id = ? ORDER BY pc.created_at DESC, pc.id DESC`, caseID).Scan(&out).Error; err != nil {
		return nil, fmtErr("decisions", err)
	}
	return out, nil
}

// Latest keeps, of decisions listed latest first, each party's latest.
func Latest(all []Current) []Current {
	seen := map[int64]bool{}
	var out []Current
	for _, c := range all {
		if !seen[c.PartyID] {
			seen[c.PartyID] = true
			out = append(out, c)
		}
	}
	return out
}

// RespondentConsentAt is the time of the latest decision of the case's
// respondents when every respondent that decided consents (the accept
// form's default consent time), or nil.
func RespondentConsentAt(all []Current) *time.Time {
	var at *time.Time
	for _, c := range Latest(all) {
		if c.PartyRole != string(domain.PartyRespondent) {
			continue
		}
		if c.Decision != DecisionConsent {
			return nil
		}
		if t := c.At; at == nil || t.After(*at) {
			at = &t
		}
	}
	return at
}
