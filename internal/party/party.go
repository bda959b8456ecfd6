// Package party lets the parties of a case, and their agents, take part
// without an account (docs/design.md §16).
//
// Staff who work a case issue a personal access link to a party or its
// agent; the link is sent by SMS to that person's phone. The link's token
// exists only in the link: the database keeps its SHA-256. Opening the
// link shows the case number and the masked phone; the party asks for a
// one-time code, which is sent by SMS straight through the gateway (never
// through the outbox, the notifications or a log) and kept only as an
// HMAC. The right code opens a party session, separate from the staff
// sessions, whose actor (domain.PartyActor) reaches that case only, and
// only as that party.
//
// Every query of a party's use case carries the case and the party of
// the session's access, so that a party cannot name another party's or
// another case's rows. Every access and every change is audited; codes
// and tokens are never part of an audit row.
package party

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Settings are the limits of links, codes and sessions (config party.*).
type Settings struct {
	// LinkTTL is how long an issued link works.
	LinkTTL time.Duration
	// CodeTTL is how long a code may be entered.
	CodeTTL time.Duration
	// CodeAttempts is how many wrong entries end a code.
	CodeAttempts int
	// CodesPerHour caps the codes sent for one link in an hour.
	CodesPerHour int
	// SessionIdle ends a party session after inactivity.
	SessionIdle time.Duration
}

// DefaultSettings are the limits when none are configured.
var DefaultSettings = Settings{LinkTTL: 30 * 24 * time.Hour, CodeTTL: 5 * time.Minute, CodeAttempts: 5,
	CodesPerHour: 5, SessionIdle: 15 * time.Minute}

func (st Settings) withDefaults() Settings {
	d := DefaultSettings
	if st.LinkTTL <= 0 {
		st.LinkTTL = d.LinkTTL
	}
	if st.CodeTTL <= 0 {
		st.CodeTTL = d.CodeTTL
	}
	if st.CodeAttempts <= 0 {
		st.CodeAttempts = d.CodeAttempts
	}
	if st.CodesPerHour <= 0 {
		st.CodesPerHour = d.CodesPerHour
	}
	if st.SessionIdle <= 0 {
		st.SessionIdle = d.SessionIdle
	}
	return st
}

// CaseAccess says what the actor may do with a case (cases.Service).
type CaseAccess interface {
	Access(ctx context.Context, id int64) (domain.CaseAccess, error)
}

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Cipher decrypts the parties' phones and keys the codes' HMAC
// (internal/pii).
type Cipher interface {
	Encrypt(plaintext string) (string, error)
	Decrypt(s string) (string, error)
	Hash(normalized string) string
}

// SMSSender sends one SMS now (notify.SMSGateway). Links and codes go
// through it directly, never through the outbox, so that they are
// stored nowhere.
type SMSSender interface {
	Send(ctx context.Context, to string, r notify.Rendered) error
}

// Timeline writes an event on a case's timeline inside tx.
type Timeline interface {
	AddEventTx(ctx context.Context, tx *gorm.DB, caseID int64, a *domain.Actor, action string, detail map[string]any, at time.Time) error
}

// Notifier sends an inbox notice inside tx.
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// Texts renders a message of the catalogs (i18n.Translator).
type Texts interface {
	T(lang, id string, params map[string]any) string
}

// Deps are the service's collaborators; DB, Cases, Authz, Audit, PII and
// Texts are required. SMS may be nil: no gateway is configured, links
// are handed over by the staff who issued them and no code can be sent.
type Deps struct {
	DB    *gorm.DB
	Cases CaseAccess
	Authz Authorizer
	Audit Auditor
	PII   Cipher
	SMS   SMSSender
	// Mail sends e-mail now (notify.SMTPMailer); nil when no mail server
	// is configured. Links and notices of documents served go to a
	// party's e-mail address, when it has one, as well as by SMS.
	Mail  SMSSender
	Texts Texts
	// Timeline writes case timeline events (cases.Service) and Notify
	// the staff's inbox notices (notify.Service); both are needed to
	// record a party's consent or refusal.
	Timeline Timeline
	Notify   Notifier
	// Signer records a party's own signature on the agreement
	// (cases.Service); needed to sign.
	Signer Signer
	// BaseURL is the site's external address, for the links.
	BaseURL  string
	Settings Settings
	// Now is the clock (default: the wall clock).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the parties-online service.
type Service struct{ d Deps }

// NewService builds the service; it panics naming a missing collaborator.
func NewService(d Deps) *Service {
	domain.RequireDeps("party.NewService", map[string]bool{"DB": d.DB == nil, "Cases": d.Cases == nil,
		"Authz": d.Authz == nil, "Audit": d.Audit == nil, "PII": d.PII == nil, "Texts": d.Texts == nil})
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.Settings = d.Settings.withDefaults()
	return &Service{d: d}
}

// Settings are the limits in force.
func (s *Service) Settings() Settings { return s.d.Settings }

// CanSendSMS reports whether an SMS gateway is configured.
func (s *Service) CanSendSMS() bool { return s.d.SMS != nil }

func (s *Service) clock() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// newToken returns a random 32-byte token, hex-encoded, and its SHA-256.
func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("party: random token: %w", err)
	}
	token = hex.EncodeToString(b)
	return token, hashToken(token), nil
}

// hashToken is the SHA-256 of a link or session token, as stored.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// validToken reports whether s looks like a token newToken made, so that
// anything else is refused before it reaches the database.
func validToken(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Link is the address of the party's personal link.
func (s *Service) Link(token string) string { return s.d.BaseURL + "/p/" + token }

// partyName is how a party actor is named in audit rows (shared contract).
func partyName(partyID int64) string { return (&domain.PartyActor{PartyID: partyID}).AuditName() }

func fmtErr(what string, err error) error { return fmt.Errorf("party: %s: %w", what, err) }
