// Package identity holds users, authentication (passwords, web sessions,
// API tokens, throttling and lockout), SME self-registration and the
// management of users and their roles. Role assignments themselves are
// casbin grouping rules written through internal/authz.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Roles is what identity needs from the authorization layer.
type Roles interface {
	GrantTx(ctx context.Context, tx *gorm.DB, userID, orgID int64, role domain.Role) error
	RevokeTx(ctx context.Context, tx *gorm.DB, userID, orgID int64, role domain.Role) error
	GrantSysadminTx(ctx context.Context, tx *gorm.DB, userID int64) error
	Reload(ctx context.Context) error
	Can(userID, orgID int64, resource, action string) bool
	CanSystem(userID int64, resource, action string) bool
}

// Enterprises creates the organisation of a self-registering enterprise
// in the registration's transaction; the organisation store owns the
// table.
type Enterprises interface {
	CreateEnterpriseTx(ctx context.Context, tx *gorm.DB, name, creditCode string, now time.Time) (domain.Org, error)
	// CheckIndustriesTx normalises the industries a registration
	// chooses (EINVALID naming field); SetIndustriesTx writes them.
	CheckIndustriesTx(ctx context.Context, tx *gorm.DB, field string, codes []string) ([]string, error)
	SetIndustriesTx(ctx context.Context, tx *gorm.DB, id int64, codes []string) error
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Cipher protects personal information at rest.
type Cipher interface {
	Encrypt(plaintext string) (string, error)
	Decrypt(s string) (string, error)
}

// Policy is the login, registration and token policy from configuration.
type Policy struct {
	MaxFailures int
	Lockout     time.Duration
	TokenTTL    time.Duration
	// RegisterPerHour caps self-registration attempts per client address
	// and hour (every attempt counts, refused ones too); 0 means
	// DefaultRegisterPerHour.
	RegisterPerHour int
}

// DefaultRegisterPerHour is the registration budget of an address when
// the configuration sets none.
const DefaultRegisterPerHour = 10

// Service implements the identity use cases. Each method that changes
// state runs in one transaction together with its audit row.
type Service struct {
	db       *gorm.DB
	roles    Roles
	audit    Auditor
	orgs     Enterprises
	pii      Cipher
	throttle *Throttle
	// register throttles self-registration per client address, on the
	// login throttle's Redis with its own count.
	register *Throttle
	policy   Policy
	now      func() time.Time
	log      *slog.Logger
}

// Deps are the identity service's collaborators. Policy, Now and Log may
// be left out (the defaults, the wall clock, no log); every other one is
// required.
type Deps struct {
	DB    *gorm.DB
	Roles Roles
	Audit Auditor
	// Orgs creates a registering enterprise (org.Store).
	Orgs Enterprises
	PII  Cipher
	// Throttle counts failed logins and registrations.
	Throttle *Throttle
	Policy   Policy
	Now      func() time.Time
	Log      *slog.Logger
}

// NewService returns a Service. A missing collaborator is a wiring
// mistake: NewService panics naming it.
func NewService(d Deps) *Service {
	domain.RequireDeps("identity.NewService", map[string]bool{"DB": d.DB == nil, "Roles": d.Roles == nil, "Audit": d.Audit == nil,
		"Orgs": d.Orgs == nil, "PII": d.PII == nil, "Throttle": d.Throttle == nil})
	if d.Now == nil {
		d.Now = clock.Wall
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Policy.RegisterPerHour <= 0 {
		d.Policy.RegisterPerHour = DefaultRegisterPerHour
	}
	return &Service{db: d.DB, roles: d.Roles, audit: d.Audit, orgs: d.Orgs, pii: d.PII, throttle: d.Throttle,
		register: d.Throttle.Named("register", d.Policy.RegisterPerHour, time.Hour), policy: d.Policy, now: d.Now, log: d.Log}
}

// Policy returns the login policy, for the login page's notice of how
// lockout works.
func (s *Service) Policy() Policy { return s.policy }

// SessionStamp is what a web session records about the credentials it
// was opened with: the instant the user's password last changed, in
// microseconds (the database's precision). A session is valid only while
// the user's stamp is unchanged, so changing or resetting a password ends
// every session opened before (SessionActor).
func SessionStamp(u domain.User) int64 { return u.PasswordChangedAt.UnixMicro() }

// stampNow is the current instant at the database's precision, so a
// stamp computed in Go equals the one read back.
func (s *Service) stampNow() time.Time { return s.now().Truncate(time.Microsecond) }

// errBadCredentials is the one answer to every failed login, whatever the
// cause (unknown user, wrong password, disabled or locked account), so no
// message reveals whether a username exists.
var errBadCredentials = domain.Errorf(domain.EUNAUTHORIZED, "invalid username or password, or the account is temporarily locked")

// ErrBadCredentials reports whether err is the generic login failure.
func ErrBadCredentials(err error) bool { return err == errBadCredentials }

// Login checks a username and password. Failures are counted per account;
// after Policy.MaxFailures in a row the account locks for Policy.Lockout.
// Attempts per client address are throttled (ETOOMANY). Every outcome is
// audited. It returns EUNAUTHORIZED with one generic message for every
// failure.
func (s *Service) Login(ctx context.Context, username, password string) (domain.User, error) {
	meta := domain.RequestMetaFrom(ctx)
	if !s.throttle.Allow(ctx, meta.IP) {
		s.auditRefusal(ctx, audit.Entry{Action: "auth.login_throttled", Detail: map[string]any{"username": username}})
		return domain.User{}, domain.Errorf(domain.ETOOMANY, "too many login attempts; wait a minute and try again")
	}
	username = domain.NormalizeUsername(username)
	now := s.now()
	var (
		user    domain.User
		failure bool
	)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := userByUsername(ctx, tx, username, true)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			burnPasswordCheck(password)
			failure = true
			return s.audit.Append(ctx, tx, audit.Entry{Action: "auth.login_failed", ObjectType: "user",
				Detail: map[string]any{"username": username, "reason": "unknown_user"}})
		}
		if err != nil {
			return err
		}
		entry := audit.Entry{ActorID: &r.ID, ActorName: r.Username, ObjectType: "user", ObjectID: fmt.Sprint(r.ID)}
		orgID := s.primaryOrg(ctx, tx, r.ID)
		entry.OrgID = orgID
		switch {
		case !r.Active:
			burnPasswordCheck(password)
			failure = true
			entry.Action, entry.Detail = "auth.login_failed", map[string]any{"reason": "disabled"}
			return s.audit.Append(ctx, tx, entry)
		case r.LockedUntil != nil && now.Before(*r.LockedUntil):
			burnPasswordCheck(password)
			failure = true
			entry.Action, entry.Detail = "auth.login_failed", map[string]any{"reason": "locked"}
			return s.audit.Append(ctx, tx, entry)
		case !checkPassword(password, r.PasswordHash):
			failure = true
			r.FailedLogins++
			updates := map[string]any{"failed_logins": r.FailedLogins, "updated_at": now}
			entry.Action, entry.Detail = "auth.login_failed", map[string]any{"reason": "bad_password", "failures": r.FailedLogins}
			if err := s.audit.Append(ctx, tx, entry); err != nil {
				return err
			}
			if r.FailedLogins >= s.policy.MaxFailures {
				until := now.Add(s.policy.Lockout)
				updates["locked_until"], updates["failed_logins"] = until, 0
				lock := entry
				lock.Action, lock.Detail = "auth.lockout", map[string]any{"until": until.UTC().Format(time.RFC3339), "failures": r.FailedLogins}
				if err := s.audit.Append(ctx, tx, lock); err != nil {
					return err
				}
			}
			return tx.Model(&userRow{}).Where("id = ?", r.ID).Updates(updates).Error
		}
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).Updates(map[string]any{
			"failed_logins": 0, "locked_until": nil, "last_login_at": now, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		entry.Action = "auth.login"
		user = s.toUser(r)
		return s.audit.Append(ctx, tx, entry)
	})
	if err != nil {
		return domain.User{}, fmt.Errorf("login: %w", err)
	}
	if failure {
		return domain.User{}, errBadCredentials
	}
	return user, nil
}

// auditRefusal records a refused attempt (a throttled login or
// registration). The refusal stands whether or not its audit row could
// be written, so a failure to write it is logged rather than returned.
func (s *Service) auditRefusal(ctx context.Context, e audit.Entry) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return s.audit.Append(ctx, tx, e) })
	if err != nil && s.log != nil {
		s.log.ErrorContext(ctx, "audit a refused attempt", "action", e.Action, "err", err)
	}
}

// primaryOrg picks the organisation whose audit chain records a user's
// authentication events: the first organisation they belong to, or the
// system chain (nil).
func (s *Service) primaryOrg(ctx context.Context, tx *gorm.DB, userID int64) *int64 {
	_, grants, err := loadGrants(ctx, tx, userID)
	if err != nil || len(grants) == 0 {
		return nil
	}
	var min int64
	for id := range grants {
		if min == 0 || id < min {
			min = id
		}
	}
	return &min
}

// Token is an issued API bearer token; Value is shown once and never
// stored.
type Token struct {
	Value     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func hashToken(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// IssueToken creates an API token for a user who has just logged in.
func (s *Service) IssueToken(ctx context.Context, userID int64, name string) (Token, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Token{}, err
	}
	t := Token{Value: "ipm_" + base64.RawURLEncoding.EncodeToString(raw), ExpiresAt: s.now().Add(s.policy.TokenTTL).UTC().Truncate(time.Second)}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&tokenRow{UserID: userID, TokenHash: hashToken(t.Value), Name: name, CreatedAt: s.now(), ExpiresAt: t.ExpiresAt}).Error; err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: &userID, OrgID: s.primaryOrg(ctx, tx, userID), Action: "auth.token_issued",
			ObjectType: "user", ObjectID: fmt.Sprint(userID), Detail: map[string]any{"name": name, "expires_at": t.ExpiresAt.Format(time.RFC3339)}})
	})
	if err != nil {
		return Token{}, fmt.Errorf("issue token: %w", err)
	}
	return t, nil
}

// AuthenticateToken returns the user id of a valid (unexpired, unrevoked)
// token, or EUNAUTHORIZED.
func (s *Service) AuthenticateToken(ctx context.Context, value string) (int64, error) {
	var r tokenRow
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL AND expires_at > ?", hashToken(value), s.now()).Take(&r).Error
	if err != nil {
		return 0, domain.Errorf(domain.EUNAUTHORIZED, "invalid or expired token")
	}
	// Record use at most once a minute, so reads do not become writes.
	if r.LastUsedAt == nil || s.now().Sub(*r.LastUsedAt) > time.Minute {
		s.db.WithContext(ctx).Model(&tokenRow{}).Where("id = ?", r.ID).Update("last_used_at", s.now())
	}
	return r.UserID, nil
}

// RevokeToken revokes the given token (logout of an API client).
func (s *Service) RevokeToken(ctx context.Context, value string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r tokenRow
		if err := tx.Where("token_hash = ? AND revoked_at IS NULL", hashToken(value)).Take(&r).Error; err != nil {
			return domain.Errorf(domain.EUNAUTHORIZED, "invalid or expired token")
		}
		if err := tx.Model(&tokenRow{}).Where("id = ?", r.ID).Update("revoked_at", s.now()).Error; err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: &r.UserID, OrgID: s.primaryOrg(ctx, tx, r.UserID),
			Action: "auth.token_revoked", ObjectType: "user", ObjectID: fmt.Sprint(r.UserID)})
	})
}

// Actor loads the request actor for a user: active users only, with every
// role grant and, for city-level committee directors, the county
// committees they supervise.
func (s *Service) Actor(ctx context.Context, userID int64) (*domain.Actor, error) {
	r, err := userByID(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	return s.actor(ctx, r)
}

// SessionActor is Actor for a web session: it also requires the session's
// stamp (SessionStamp at sign-in) to match the user's, so a session opened
// before a password change or reset is refused (EUNAUTHORIZED).
func (s *Service) SessionActor(ctx context.Context, userID, stamp int64) (*domain.Actor, error) {
	r, err := userByID(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	if r.PasswordChangedAt.UnixMicro() != stamp {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "the session ended when the password changed")
	}
	return s.actor(ctx, r)
}

func (s *Service) actor(ctx context.Context, r userRow) (*domain.Actor, error) {
	userID := r.ID
	if !r.Active {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "account disabled")
	}
	sysadmin, grants, err := loadGrants(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	a := &domain.Actor{UserID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Sysadmin: sysadmin}
	if len(grants) == 0 {
		return a, nil
	}
	ids := make([]int64, 0, len(grants))
	for id := range grants {
		ids = append(ids, id)
	}
	type orgInfo struct {
		ID    int64
		Code  string
		Type  string
		Level string
	}
	var orgs []orgInfo
	if err := s.db.WithContext(ctx).Table("orgs").Select("id, code, type, level").Where("id IN ? AND active", ids).Order("id").Find(&orgs).Error; err != nil {
		return nil, fmt.Errorf("load actor orgs: %w", err)
	}
	var cityCommittees []int64
	for _, o := range orgs {
		for _, role := range grants[o.ID] {
			a.Memberships = append(a.Memberships, domain.Membership{
				OrgID: o.ID, OrgCode: o.Code, OrgType: domain.OrgType(o.Type), OrgLevel: domain.OrgLevel(o.Level), Role: role,
			})
			if role.Head() && o.Level == string(domain.LevelCity) {
				cityCommittees = append(cityCommittees, o.ID)
			}
		}
	}
	if len(cityCommittees) > 0 {
		if err := s.db.WithContext(ctx).Table("orgs").Where("parent_id IN ?", cityCommittees).Order("id").Pluck("id", &a.Supervised).Error; err != nil {
			return nil, fmt.Errorf("load supervised orgs: %w", err)
		}
	}
	return a, nil
}

// ChangePassword lets the signed-in user change their own password. In
// the same transaction it ends every other way in to the account: every
// web session opened before (their stamp no longer matches) and every API
// token but keepToken, the token the change was made with ("" when it was
// made in a browser). It returns the new session stamp, which the caller
// writes into the session that made the change so that it stays signed in.
func (s *Service) ChangePassword(ctx context.Context, current, next, keepToken string) (int64, error) {
	actor, err := domain.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	var f domain.Fields
	domain.CheckPassword(&f, "new_password", next, actor.Username)
	if current == next {
		f.Add("new_password", "validation.password_same")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return 0, err
	}
	now := s.stampNow()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := userByID(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		if !checkPassword(current, r.PasswordHash) {
			return domain.Invalid(domain.FieldError{Field: "current_password", Message: "validation.password_wrong"})
		}
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).Updates(map[string]any{
			"password_hash": hash, "password_changed_at": now, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		orgID := s.primaryOrg(ctx, tx, r.ID)
		if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: orgID, Action: "user.password_changed",
			ObjectType: "user", ObjectID: fmt.Sprint(r.ID)}); err != nil {
			return err
		}
		kept := "web_session"
		if keepToken != "" {
			kept = "api_token"
		}
		return s.revokeAccessTx(ctx, tx, r.ID, orgID, now, keepToken, "password_changed", kept)
	})
	if err != nil {
		return 0, err
	}
	return now.UnixMicro(), nil
}

// revokeAccessTx ends a user's access after their password changed (the
// caller has just moved password_changed_at to now, which ends the web
// sessions): it revokes every API token except keepToken and audits what
// ended. kept names what survives ("" for nothing).
func (s *Service) revokeAccessTx(ctx context.Context, tx *gorm.DB, userID int64, orgID *int64, now time.Time, keepToken, reason, kept string) error {
	q := tx.Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", userID)
	if keepToken != "" {
		q = q.Where("token_hash <> ?", hashToken(keepToken))
	}
	res := q.Update("revoked_at", now)
	if res.Error != nil {
		return fmt.Errorf("revoke tokens: %w", res.Error)
	}
	detail := map[string]any{"reason": reason, "tokens_revoked": res.RowsAffected, "web_sessions": "ended"}
	if kept != "" {
		detail["kept"] = kept
	}
	return s.audit.Append(ctx, tx, audit.Entry{OrgID: orgID, Action: "auth.sessions_revoked",
		ObjectType: "user", ObjectID: fmt.Sprint(userID), Detail: detail})
}
