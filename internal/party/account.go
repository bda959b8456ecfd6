package party

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Accounts of natural persons (docs/design.md §16.2). A person who is a
// party of cases (kind person), or the agent of a party, signs in with
// its phone and a one-time code sent to it; the first sign-in registers
// the account. The account lists every case whose stored phone of that
// person is the account's phone, found through the phones' blind index
// (case_parties.phone_hash, agent_phone_hash, migration 0040); opening
// one starts the ordinary party session of that case, on a link of the
// account (party_access.account_id), so the party's view, its limits and
// its audit are those of a personal link. Organisations register as the
// SMEs do (staff accounts of the enterprise), not here.

// Account is a signed-in person: its account and masked phone.
type Account struct {
	ID          int64
	MaskedPhone string
	phoneHash   string
}

// AccountCase is a case of the account's person as its list shows it.
type AccountCase struct {
	PartyID            int64
	CaseID             int64
	Agent              bool
	Role               string
	PartyName          string
	Number             string
	RegistrationNumber string
	Status             domain.CaseStatus
	CommitteeZH        string
	CommitteeEN        string
	CreatedAt          time.Time
}

// Label is the case's number, or its registration number before it has one.
func (c AccountCase) Label() string {
	if c.Number != "" {
		return c.Number
	}
	return c.RegistrationNumber
}

// Committee is the handling committee's name in lang.
func (c AccountCase) Committee(lang string) string {
	if lang == "en" && c.CommitteeEN != "" {
		return c.CommitteeEN
	}
	return c.CommitteeZH
}

// MaxAccountCases bounds the account's list.
const MaxAccountCases = 200

type accountRow struct {
	ID           int64
	PhoneHash    string
	PhoneEnc     string
	CreatedAt    time.Time
	LastSigninAt time.Time
}

func (accountRow) TableName() string { return "party_accounts" }

type accountCodeRow struct {
	ID        int64
	PhoneHash string
	CodeHash  string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (accountCodeRow) TableName() string { return "party_account_codes" }

type accountSessionRow struct {
	ID         int64
	AccountID  int64
	TokenHash  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	EndedAt    *time.Time
}

func (accountSessionRow) TableName() string { return "party_account_sessions" }

// accountPhone validates and normalizes the phone typed for an account,
// naming the field phone.
func accountPhone(phone string) (string, error) {
	n := domain.NormalizeMobile(phone)
	switch {
	case n == "":
		return "", domain.Invalid(domain.FieldError{Field: "phone", Message: "validation.required"})
	case !domain.ValidMobile(n):
		return "", domain.Invalid(domain.FieldError{Field: "phone", Message: "validation.mobile"})
	}
	return n, nil
}

// accountEntry is an audit row of an account's own step: on the system
// chain, the actor "party-account:<id>" (or nobody before the account
// exists), never the phone.
func accountEntry(accountID int64, action string, detail map[string]any) audit.Entry {
	name := "party-account"
	if accountID > 0 {
		name += ":" + strconv.FormatInt(accountID, 10)
	}
	return audit.Entry{ActorName: name, Action: action, ObjectType: "party_account",
		ObjectID: strconv.FormatInt(accountID, 10), Detail: detail}
}

// hasCases reports whether a person with the phone's blind index is a
// party or an agent of any case.
func hasCases(tx *gorm.DB, hash string) (bool, error) {
	var n int64
	err := tx.Raw(`SELECT (EXISTS (SELECT 1 FROM case_parties WHERE phone_hash = ? AND kind = 'person')
  OR EXISTS (SELECT 1 FROM case_parties WHERE agent_phone_hash = ?))::int`, hash, hash).Scan(&n).Error
	return n == 1, err
}

// SendAccountCode sends a sign-in code to phone when a person with that
// phone is a party or an agent of a case. The answer is the same either
// way, so that it does not tell whether a number is on record; a code
// is written (and counted against CodesPerHour for the phone) either
// way, and sent only to a number on record. The code is in no table,
// log or audit row; only its keyed hash is kept.
func (s *Service) SendAccountCode(ctx context.Context, phone string) error {
	n, err := accountPhone(phone)
	if err != nil {
		return err
	}
	if s.d.SMS == nil {
		return &domain.Error{Code: domain.EUNAVAILABLE, ID: "party.error.no_sms", Message: "no SMS gateway is configured; codes cannot be sent"}
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	hash := s.d.PII.Hash(domain.MobileIndexKey(n))
	now := s.clock()
	var known bool
	var id int64
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One sender per phone at a time, so the hourly cap holds.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('party-account-code'), hashtext(?))", hash).Error; err != nil {
			return fmtErr("lock phone", err)
		}
		var sent int64
		if err := tx.Model(&accountCodeRow{}).Where("phone_hash = ? AND created_at > ?", hash, now.Add(-time.Hour)).
			Count(&sent).Error; err != nil {
			return fmtErr("count codes", err)
		}
		if sent >= int64(s.d.Settings.CodesPerHour) {
			return &domain.Error{Code: domain.ETOOMANY, ID: "party.error.too_many_codes",
				Message: fmt.Sprintf("at most %d codes an hour; try again later", s.d.Settings.CodesPerHour)}
		}
		var err error
		if known, err = hasCases(tx, hash); err != nil {
			return fmtErr("phone on record", err)
		}
		if err := tx.Raw("SELECT nextval('party_account_codes_id_seq')").Scan(&id).Error; err != nil {
			return fmtErr("code id", err)
		}
		if err := tx.Model(&accountCodeRow{}).Where("phone_hash = ? AND used_at IS NULL", hash).Update("used_at", now).Error; err != nil {
			return fmtErr("replace codes", err)
		}
		if err := tx.Create(&accountCodeRow{ID: id, PhoneHash: hash, CodeHash: s.accountCodeHash(id, code),
			CreatedAt: now, ExpiresAt: now.Add(s.d.Settings.CodeTTL)}).Error; err != nil {
			return fmtErr("code", err)
		}
		return s.d.Audit.Append(ctx, tx, accountEntry(0, "party_account.code_requested",
			map[string]any{"on_record": known, "code_id": id}))
	})
	if err != nil || !known {
		return err
	}
	msg := notify.Rendered{ID: "party-account-code-" + strconv.FormatInt(id, 10), Title: s.d.Texts.T("zh-CN", "party.sms.title", nil),
		Body: s.d.Texts.T("zh-CN", "party.sms.code.account", map[string]any{"Code": code,
			"Minutes": int(s.d.Settings.CodeTTL.Minutes())})}
	if err := s.d.SMS.Send(ctx, n, msg); err != nil {
		s.d.Log.WarnContext(ctx, "account code SMS not sent", "code_id", id)
		return &domain.Error{Code: domain.EUNAVAILABLE, ID: "party.error.sms_failed", Message: "the code could not be sent; try again later"}
	}
	return nil
}

func (s *Service) accountCodeHash(id int64, code string) string {
	return s.d.PII.Hash("party-account-code|" + strconv.FormatInt(id, 10) + "|" + code)
}

// AccountSignIn checks the code sent to phone and, when it is right,
// opens an account session, registering the account at its first
// sign-in. It returns the session's token for the cookie. A wrong, used,
// expired or exhausted code — and any code for a phone not on record —
// is EINVALID naming the field code; the attempt is counted and audited.
func (s *Service) AccountSignIn(ctx context.Context, phone, code string) (string, error) {
	n, err := accountPhone(phone)
	if err != nil {
		return "", err
	}
	tok, tokHash, err := newToken()
	if err != nil {
		return "", err
	}
	hash := s.d.PII.Hash(domain.MobileIndexKey(n))
	now := s.clock()
	ok := false
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c accountCodeRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("phone_hash = ? AND used_at IS NULL", hash).
			Order("id DESC").Take(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return s.d.Audit.Append(ctx, tx, accountEntry(0, "party_account.signin_failed", nil))
		}
		if err != nil {
			return fmtErr("code", err)
		}
		if !now.Before(c.ExpiresAt) || c.Attempts >= s.d.Settings.CodeAttempts || len(code) != 6 ||
			subtle.ConstantTimeCompare([]byte(s.accountCodeHash(c.ID, code)), []byte(c.CodeHash)) != 1 {
			if err := tx.Model(&accountCodeRow{}).Where("id = ?", c.ID).Update("attempts", gorm.Expr("attempts + 1")).Error; err != nil {
				return fmtErr("code attempt", err)
			}
			return s.d.Audit.Append(ctx, tx, accountEntry(0, "party_account.signin_failed", map[string]any{"code_id": c.ID}))
		}
		known, err := hasCases(tx, hash)
		if err != nil {
			return fmtErr("phone on record", err)
		}
		if err := tx.Model(&accountCodeRow{}).Where("id = ?", c.ID).Update("used_at", now).Error; err != nil {
			return fmtErr("use code", err)
		}
		if !known {
			// A code is never sent to such a phone; whatever was typed is wrong.
			return s.d.Audit.Append(ctx, tx, accountEntry(0, "party_account.signin_failed", map[string]any{"code_id": c.ID}))
		}
		enc, err := s.d.PII.Encrypt(n)
		if err != nil {
			return fmtErr("encrypt phone", err)
		}
		acc := accountRow{PhoneHash: hash, PhoneEnc: enc, CreatedAt: now, LastSigninAt: now}
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "phone_hash"}}, DoNothing: true}).Create(&acc)
		if res.Error != nil {
			return fmtErr("account", res.Error)
		}
		if res.RowsAffected == 1 {
			if err := s.d.Audit.Append(ctx, tx, accountEntry(acc.ID, "party_account.register", nil)); err != nil {
				return err
			}
		} else {
			if err := tx.Where("phone_hash = ?", hash).Take(&acc).Error; err != nil {
				return fmtErr("account", err)
			}
			if err := tx.Model(&accountRow{}).Where("id = ?", acc.ID).Update("last_signin_at", now).Error; err != nil {
				return fmtErr("account", err)
			}
		}
		if err := tx.Create(&accountSessionRow{AccountID: acc.ID, TokenHash: tokHash, CreatedAt: now, LastSeenAt: now}).Error; err != nil {
			return fmtErr("account session", err)
		}
		ok = true
		return s.d.Audit.Append(ctx, tx, accountEntry(acc.ID, "party_account.signin", nil))
	})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errBadCode()
	}
	return tok, nil
}

// AccountSession returns the account of a session token, or ENOTFOUND
// when the session does not exist, ended or was idle longer than
// SessionIdle. It marks the session seen.
func (s *Service) AccountSession(ctx context.Context, token string) (*Account, error) {
	if !validToken(token) {
		return nil, domain.NotFound("account session")
	}
	now := s.clock()
	var row struct {
		SessionID  int64
		LastSeenAt time.Time
		AccountID  int64
		PhoneHash  string
		PhoneEnc   string
	}
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT s.id AS session_id, s.last_seen_at, a.id AS account_id, a.phone_hash, a.phone_enc
FROM party_account_sessions s JOIN party_accounts a ON a.id = s.account_id
WHERE s.token_hash = ? AND s.ended_at IS NULL`, hashToken(token)).Scan(&row).Error; err != nil {
		return nil, fmtErr("account session", err)
	}
	if row.SessionID == 0 || now.Sub(row.LastSeenAt) > s.d.Settings.SessionIdle {
		return nil, domain.NotFound("account session")
	}
	ph, err := s.phone(row.PhoneEnc)
	if err != nil {
		return nil, err
	}
	if err := s.d.DB.WithContext(ctx).Model(&accountSessionRow{}).Where("id = ?", row.SessionID).Update("last_seen_at", now).Error; err != nil {
		return nil, fmtErr("account session", err)
	}
	return &Account{ID: row.AccountID, MaskedPhone: domain.MaskMobile(ph), phoneHash: row.PhoneHash}, nil
}

// AccountSignOut ends the account session of token.
func (s *Service) AccountSignOut(ctx context.Context, token string) error {
	if !validToken(token) {
		return nil
	}
	return s.d.DB.WithContext(ctx).Model(&accountSessionRow{}).Where("token_hash = ? AND ended_at IS NULL", hashToken(token)).
		Update("ended_at", s.clock()).Error
}

const accountCaseColumns = `cp.id AS party_id, cp.case_id, cp.role, cp.name AS party_name, c.number, c.registration_number,
  c.status, o.name_zh AS committee_zh, o.name_en AS committee_en, c.created_at`

// AccountCases are the cases of the account's person, newest first (at
// most MaxAccountCases): those in which it is a party of kind person
// with that phone, and those in which it is the agent of a party.
func (s *Service) AccountCases(ctx context.Context, acc *Account) ([]AccountCase, error) {
	var out []AccountCase
	err := s.d.DB.WithContext(ctx).Raw(`SELECT * FROM (
  SELECT `+accountCaseColumns+`, false AS agent
  FROM case_parties cp JOIN cases c ON c.id = cp.case_id JOIN orgs o ON o.id = c.org_id
  WHERE cp.phone_hash = ? AND cp.kind = 'person'
  UNION ALL
  SELECT `+accountCaseColumns+`, true AS agent
  FROM case_parties cp JOIN cases c ON c.id = cp.case_id JOIN orgs o ON o.id = c.org_id
  WHERE cp.agent_phone_hash = ?) x
ORDER BY created_at DESC, case_id DESC, party_id, agent LIMIT ?`, acc.phoneHash, acc.phoneHash, MaxAccountCases).Scan(&out).Error
	if err != nil {
		return nil, fmtErr("account cases", err)
	}
	return out, nil
}

// OpenFromAccount starts the party session of one of the account's
// cases: as party partyID itself, or as its agent. It takes the
// account's live link of that party, making one (valid LinkTTL) when
// there is none or the last one expired, and returns the party
// session's token. A party that is not the account's person is
// ENOTFOUND. When the staff revoked the account's last link of that
// party, it is ErrLinkGone: the account does not undo a revocation; the
// committee issues a new link if it wants the party back.
func (s *Service) OpenFromAccount(ctx context.Context, acc *Account, partyID int64, agent bool) (string, error) {
	sessTok, sessHash, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.clock()
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", partyID)
		if agent {
			q = q.Where("agent_phone_hash = ? AND agent_phone_hash <> ''", acc.phoneHash)
		} else {
			q = q.Where("phone_hash = ? AND phone_hash <> '' AND kind = 'person'", acc.phoneHash)
		}
		var p partyRow
		if err := q.Take(&p).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.NotFound("party")
		} else if err != nil {
			return fmtErr("account party", err)
		}
		var links []accessRow
		if err := tx.Where("account_id = ? AND party_id = ? AND agent = ?", acc.ID, p.ID, agent).
			Order("id DESC").Limit(1).Find(&links).Error; err != nil {
			return fmtErr("account link", err)
		}
		var link accessRow
		switch {
		case len(links) == 1 && links[0].RevokedAt != nil:
			return ErrLinkGone
		case len(links) == 1 && links[0].live(now):
			link = links[0]
		default:
			_, hash, err := newToken()
			if err != nil {
				return err
			}
			link = accessRow{CaseID: p.CaseID, PartyID: p.ID, Agent: agent, TokenHash: hash, AccountID: &acc.ID,
				CreatedAt: now, ExpiresAt: now.Add(s.d.Settings.LinkTTL)}
			if err := tx.Create(&link).Error; err != nil {
				return fmtErr("account link", err)
			}
		}
		rv, err := s.load(ctx, tx, link)
		if err != nil {
			return err
		}
		if err := tx.Create(&sessionRow{AccessID: link.ID, TokenHash: sessHash, CreatedAt: now, LastSeenAt: now}).Error; err != nil {
			return fmtErr("session", err)
		}
		if err := tx.Model(&accessRow{}).Where("id = ?", link.ID).Update("last_used_at", now).Error; err != nil {
			return fmtErr("session", err)
		}
		return s.d.Audit.Append(ctx, tx, rv.entry("party.signin", map[string]any{"account_id": acc.ID}))
	})
	if err != nil {
		return "", err
	}
	return sessTok, nil
}

// BackfillPhoneHashes fills the phones' blind indexes of the parties
// written before migration 0040 (phones_hashed false), in batches of
// batch rows, each batch in its own transaction; progress, when not
// nil, is called after each batch with the rows done so far. A phone
// that does not decrypt (no configured key opens it) gets no index and
// is reported to warn. It returns the number of rows done. Rows are
// found through a partial index, so a database with nothing to do
// answers at once.
func BackfillPhoneHashes(ctx context.Context, db *gorm.DB, c Cipher, batch int, progress func(done int), warn func(partyID int64, err error)) (int, error) {
	if batch <= 0 {
		batch = 1000
	}
	done := 0
	for {
		var rows []struct {
			ID            int64
			PhoneEnc      string
			AgentPhoneEnc string
		}
		n := 0
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Raw(`SELECT id, phone_enc, agent_phone_enc FROM case_parties WHERE NOT phones_hashed
ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, batch).Scan(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				var hashes [2]string
				for i, enc := range []string{r.PhoneEnc, r.AgentPhoneEnc} {
					if enc == "" {
						continue
					}
					p, err := c.Decrypt(enc)
					if err != nil {
						// A phone no configured key opens cannot be found
						// by phone anyway: the row is marked done with no
						// index, and named (never its data) for the
						// operator, instead of stopping every start.
						if warn != nil {
							warn(r.ID, err)
						}
						continue
					}
					hashes[i] = c.Hash(domain.MobileIndexKey(p))
				}
				if err := tx.Exec(`UPDATE case_parties SET phone_hash = ?, agent_phone_hash = ?, phones_hashed = true WHERE id = ?`,
					hashes[0], hashes[1], r.ID).Error; err != nil {
					return err
				}
			}
			n = len(rows)
			return nil
		})
		if err != nil {
			return done, fmtErr("backfill phone hashes", err)
		}
		done += n
		if n > 0 && progress != nil {
			progress(done)
		}
		if n < batch {
			return done, nil
		}
	}
}

// LogBackfill is BackfillPhoneHashes with its progress logged.
func LogBackfill(ctx context.Context, db *gorm.DB, c Cipher, log *slog.Logger) error {
	bad := 0
	n, err := BackfillPhoneHashes(ctx, db, c, 1000, func(done int) {
		if done%10000 == 0 {
			log.Info("hashing the stored phones of parties", "rows", done)
		}
	}, func(partyID int64, err error) {
		// The first few by id; then only the count below.
		if bad++; bad <= 5 {
			log.Warn("a party's phone does not decrypt; it cannot be found by phone", "party_id", partyID, "err", err)
		}
	})
	if n > 0 {
		log.Info("stored phones of parties hashed", "rows", n, "not_decrypted", bad)
	}
	return err
}
