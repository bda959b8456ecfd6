package party

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Purpose is what a one-time code is for.
type Purpose string

// The purposes of a code: a code of one purpose never serves the other.
const (
	PurposeSignin Purpose = "signin"
	PurposeSign   Purpose = "sign"
)

// Purposes lists every purpose (the SMS texts party.sms.code.<purpose>).
var Purposes = []Purpose{PurposeSignin, PurposeSign}

// codeRow is a party_codes row; the code itself is never stored.
type codeRow struct {
	ID        int64
	AccessID  int64
	Purpose   string
	CodeHash  string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (codeRow) TableName() string { return "party_codes" }

// sessionRow is a party_sessions row.
type sessionRow struct {
	ID         int64
	AccessID   int64
	TokenHash  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	EndedAt    *time.Time
}

func (sessionRow) TableName() string { return "party_sessions" }

// Errors of the link pages. A link that never existed and one that was
// revoked or expired answer differently so that the party knows to ask
// the committee for a new one; neither names the case.
var (
	ErrLinkUnknown = &domain.Error{Code: domain.ENOTFOUND, ID: "party.gone.unknown.text", Message: "this link does not exist"}
	ErrLinkGone    = &domain.Error{Code: domain.ENOTFOUND, ID: "party.gone.ended.text", Message: "this link was revoked or has expired"}
)

// LinkInfo is what the link's page shows before the party signs in.
type LinkInfo struct {
	AccessID    int64
	CaseNumber  string
	MaskedPhone string
	Agent       bool
}

// resolved is a live link with its party and case.
type resolved struct {
	access accessRow
	party  partyRow
	orgID  int64
	number string
}

// resolve finds the live link of token in tx (locked when lock).
func (s *Service) resolve(ctx context.Context, tx *gorm.DB, token string, lock bool) (resolved, error) {
	if !validToken(token) {
		return resolved{}, ErrLinkUnknown
	}
	q := tx.WithContext(ctx)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r accessRow
	err := q.Where("token_hash = ?", hashToken(token)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return resolved{}, ErrLinkUnknown
	}
	if err != nil {
		return resolved{}, fmtErr("link", err)
	}
	if !r.live(s.clock()) {
		return resolved{}, ErrLinkGone
	}
	return s.load(ctx, tx, r)
}

// load completes a link with its party and case.
func (s *Service) load(ctx context.Context, tx *gorm.DB, r accessRow) (resolved, error) {
	out := resolved{access: r}
	if err := tx.WithContext(ctx).Where("id = ? AND case_id = ?", r.PartyID, r.CaseID).Take(&out.party).Error; err != nil {
		return resolved{}, fmtErr("link party", err)
	}
	var c struct {
		OrgID              int64
		Number             string
		RegistrationNumber string
	}
	if err := tx.WithContext(ctx).Raw("SELECT org_id, number, registration_number FROM cases WHERE id = ?", r.CaseID).
		Scan(&c).Error; err != nil {
		return resolved{}, fmtErr("link case", err)
	}
	out.orgID, out.number = c.OrgID, c.Number
	if out.number == "" {
		out.number = c.RegistrationNumber
	}
	return out, nil
}

// entry is an audit row of the party's own action (shared contract:
// no actor id, actor "party:<case_parties.id>", access and case in the
// detail).
func (rv resolved) entry(action string, detail map[string]any) audit.Entry {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["access_id"] = rv.access.ID
	detail["case_id"] = rv.access.CaseID
	if rv.access.Agent {
		detail["agent"] = true
	}
	org := rv.orgID
	return audit.Entry{OrgID: &org, ActorName: partyName(rv.party.ID), Action: action, ObjectType: "case",
		ObjectID: strconv.FormatInt(rv.access.CaseID, 10), Detail: detail}
}

// Open is the link's page: the case number and the masked phone the
// codes go to. Each opening is audited (party.link_open).
func (s *Service) Open(ctx context.Context, token string) (LinkInfo, error) {
	rv, err := s.resolve(ctx, s.d.DB, token, false)
	if err != nil {
		return LinkInfo{}, err
	}
	if err := s.d.Audit.Append(ctx, nil, rv.entry("party.link_open", nil)); err != nil {
		return LinkInfo{}, err
	}
	_, enc := rv.party.person(rv.access.Agent)
	ph, err := s.phone(enc)
	if err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{AccessID: rv.access.ID, CaseNumber: rv.number, MaskedPhone: domain.MaskMobile(ph), Agent: rv.access.Agent}, nil
}

// newCode returns a random 6-digit code.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmtErr("random code", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// codeHash is the stored form of a code: the HMAC (keyed by the PII key,
// which the database does not hold) of the code's id, purpose and digits.
// A million codes are quickly tried against a plain hash; not against a
// keyed one.
func (s *Service) codeHash(id int64, purpose Purpose, code string) string {
	return s.d.PII.Hash("party-code|" + strconv.FormatInt(id, 10) + "|" + string(purpose) + "|" + code)
}

// SendSigninCode sends a sign-in code to the phone of the link's holder.
func (s *Service) SendSigninCode(ctx context.Context, token string) error {
	return s.sendCode(ctx, func(tx *gorm.DB) (resolved, error) { return s.resolve(ctx, tx, token, true) }, PurposeSignin)
}

// SendSignCode sends a fresh code to confirm a signature to the phone of
// the signed-in party's link.
func (s *Service) SendSignCode(ctx context.Context) error {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	return s.sendCode(ctx, func(tx *gorm.DB) (resolved, error) { return s.byActor(ctx, tx, p, true) }, PurposeSign)
}

// sendCode writes a code of purpose for the link find returns and sends
// it by SMS, synchronously and straight through the gateway: the code is
// in no table, outbox, notification, audit row or log. At most
// CodesPerHour codes are sent per link in any hour (ETOOMANY); a code
// the gateway refused still counts. A new code replaces the link's
// earlier codes of the same purpose.
func (s *Service) sendCode(ctx context.Context, find func(tx *gorm.DB) (resolved, error), purpose Purpose) error {
	if s.d.SMS == nil {
		return &domain.Error{Code: domain.EUNAVAILABLE, ID: "party.error.no_sms", Message: "no SMS gateway is configured; codes cannot be sent"}
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	now := s.clock()
	var rv resolved
	var id int64
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if rv, err = find(tx); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&codeRow{}).Where("access_id = ? AND created_at > ?", rv.access.ID, now.Add(-time.Hour)).
			Count(&n).Error; err != nil {
			return fmtErr("count codes", err)
		}
		if n >= int64(s.d.Settings.CodesPerHour) {
			return &domain.Error{Code: domain.ETOOMANY, ID: "party.error.too_many_codes",
				Message: fmt.Sprintf("at most %d codes an hour; try again later", s.d.Settings.CodesPerHour)}
		}
		if err := tx.Raw("SELECT nextval('party_codes_id_seq')").Scan(&id).Error; err != nil {
			return fmtErr("code id", err)
		}
		if err := tx.Model(&codeRow{}).Where("access_id = ? AND purpose = ? AND used_at IS NULL", rv.access.ID, purpose).
			Update("used_at", now).Error; err != nil {
			return fmtErr("replace codes", err)
		}
		row := codeRow{ID: id, AccessID: rv.access.ID, Purpose: string(purpose), CodeHash: s.codeHash(id, purpose, code),
			CreatedAt: now, ExpiresAt: now.Add(s.d.Settings.CodeTTL)}
		if err := tx.Create(&row).Error; err != nil {
			return fmtErr("code", err)
		}
		return s.d.Audit.Append(ctx, tx, rv.entry("party.code_sent", map[string]any{"purpose": string(purpose)}))
	})
	if err != nil {
		return err
	}
	_, enc := rv.party.person(rv.access.Agent)
	phone, err := s.phone(enc)
	if err != nil {
		return err
	}
	msg := notify.Rendered{ID: "party-code-" + strconv.FormatInt(id, 10), Title: s.d.Texts.T("zh-CN", "party.sms.title", nil),
		Body: s.d.Texts.T("zh-CN", "party.sms.code."+string(purpose), map[string]any{"Code": code,
			"Minutes": int(s.d.Settings.CodeTTL.Minutes())})}
	if err := s.d.SMS.Send(ctx, phone, msg); err != nil {
		// The gateway's answer may quote the message: log only that it failed.
		s.d.Log.WarnContext(ctx, "party code SMS not sent", "access_id", rv.access.ID, "purpose", string(purpose))
		return &domain.Error{Code: domain.EUNAVAILABLE, ID: "party.error.sms_failed", Message: "the code could not be sent; try again later"}
	}
	return nil
}

// errBadCode names the code field; it is the same for a wrong, used,
// expired or exhausted code, so that the answer tells nothing more.
func errBadCode() error {
	return domain.Invalid(domain.FieldError{Field: "code", Message: "validation.party_code"})
}

// checkCode checks code against the latest unused code of purpose of
// the link, in tx (the link is locked). A wrong code counts an attempt;
// the attempt must survive the refusal, so the caller commits tx and
// returns errBadCode afterwards when ok is false.
func (s *Service) checkCode(tx *gorm.DB, rv resolved, purpose Purpose, code string) (ok bool, err error) {
	now := s.clock()
	var c codeRow
	err = tx.Where("access_id = ? AND purpose = ? AND used_at IS NULL", rv.access.ID, purpose).
		Order("id DESC").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmtErr("code", err)
	}
	if !now.Before(c.ExpiresAt) || c.Attempts >= s.d.Settings.CodeAttempts {
		return false, nil
	}
	if len(code) != 6 || subtle.ConstantTimeCompare([]byte(s.codeHash(c.ID, purpose, code)), []byte(c.CodeHash)) != 1 {
		if err := tx.Model(&codeRow{}).Where("id = ?", c.ID).Update("attempts", gorm.Expr("attempts + 1")).Error; err != nil {
			return false, fmtErr("code attempt", err)
		}
		return false, nil
	}
	if err := tx.Model(&codeRow{}).Where("id = ?", c.ID).Update("used_at", now).Error; err != nil {
		return false, fmtErr("use code", err)
	}
	return true, nil
}

// SignIn checks a sign-in code for the link of token and, when it is
// right, opens a party session: it returns the session's token for the
// cookie (stored only as its SHA-256). A wrong code is EINVALID naming
// the field code and is audited (party.signin_failed).
func (s *Service) SignIn(ctx context.Context, token, code string) (string, error) {
	sessToken, sessHash, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.clock()
	ok := false
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rv, err := s.resolve(ctx, tx, token, true)
		if err != nil {
			return err
		}
		if ok, err = s.checkCode(tx, rv, PurposeSignin, code); err != nil {
			return err
		}
		if !ok {
			return s.d.Audit.Append(ctx, tx, rv.entry("party.signin_failed", nil))
		}
		if err := tx.Create(&sessionRow{AccessID: rv.access.ID, TokenHash: sessHash, CreatedAt: now, LastSeenAt: now}).Error; err != nil {
			return fmtErr("session", err)
		}
		if err := tx.Model(&accessRow{}).Where("id = ?", rv.access.ID).Update("last_used_at", now).Error; err != nil {
			return fmtErr("session", err)
		}
		return s.d.Audit.Append(ctx, tx, rv.entry("party.signin", nil))
	})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errBadCode()
	}
	return sessToken, nil
}

// Session returns the party actor of a session token, or ENOTFOUND when
// the session does not exist, ended, was idle longer than SessionIdle,
// or its link was revoked or expired. It marks the session seen.
func (s *Service) Session(ctx context.Context, token string) (*domain.PartyActor, error) {
	if !validToken(token) {
		return nil, domain.NotFound("party session")
	}
	now := s.clock()
	var sess sessionRow
	err := s.d.DB.WithContext(ctx).Where("token_hash = ? AND ended_at IS NULL", hashToken(token)).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.NotFound("party session")
	}
	if err != nil {
		return nil, fmtErr("session", err)
	}
	if now.Sub(sess.LastSeenAt) > s.d.Settings.SessionIdle {
		return nil, domain.NotFound("party session")
	}
	var r accessRow
	if err := s.d.DB.WithContext(ctx).Where("id = ?", sess.AccessID).Take(&r).Error; err != nil {
		return nil, fmtErr("session", err)
	}
	if !r.live(now) {
		return nil, domain.NotFound("party session")
	}
	rv, err := s.load(ctx, s.d.DB, r)
	if err != nil {
		return nil, err
	}
	if err := s.d.DB.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", sess.ID).Update("last_seen_at", now).Error; err != nil {
		return nil, fmtErr("session", err)
	}
	name, _ := rv.party.person(r.Agent)
	return &domain.PartyActor{AccessID: r.ID, CaseID: r.CaseID, PartyID: r.PartyID, Name: name, Agent: r.Agent}, nil
}

// SignOut ends the session of token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if !validToken(token) {
		return nil
	}
	return s.d.DB.WithContext(ctx).Model(&sessionRow{}).Where("token_hash = ? AND ended_at IS NULL", hashToken(token)).
		Update("ended_at", s.clock()).Error
}

// byActor is the live link of the signed-in party, checked again on
// every use: the session's actor names the access, the case and the
// party, and all three must still agree.
func (s *Service) byActor(ctx context.Context, tx *gorm.DB, p *domain.PartyActor, lock bool) (resolved, error) {
	q := tx.WithContext(ctx)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r accessRow
	err := q.Where("id = ? AND case_id = ? AND party_id = ?", p.AccessID, p.CaseID, p.PartyID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return resolved{}, ErrLinkUnknown
	}
	if err != nil {
		return resolved{}, fmtErr("link", err)
	}
	if !r.live(s.clock()) {
		return resolved{}, ErrLinkGone
	}
	return s.load(ctx, tx, r)
}
