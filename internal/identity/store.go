package identity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// userRow maps the users table.
type userRow struct {
	ID                int64 `gorm:"primaryKey"`
	Username          string
	DisplayName       string
	PasswordHash      string
	Email             string
	PhoneEnc          string
	Active            bool
	FailedLogins      int
	LockedUntil       *time.Time
	PasswordChangedAt time.Time
	LastLoginAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (userRow) TableName() string { return "users" }

// tokenRow maps api_tokens.
type tokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	TokenHash  string
	Name       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

func (s *Service) toUser(r userRow) domain.User {
	u := domain.User{
		ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Email: r.Email, Active: r.Active,
		FailedLogins: r.FailedLogins, LockedUntil: r.LockedUntil, PasswordChangedAt: r.PasswordChangedAt,
		LastLoginAt: r.LastLoginAt, CreatedAt: r.CreatedAt,
	}
	if r.PhoneEnc != "" {
		if p, err := s.pii.Decrypt(r.PhoneEnc); err == nil {
			u.Phone = p
		}
	}
	return u
}

func userByUsername(ctx context.Context, tx *gorm.DB, username string, forUpdate bool) (userRow, error) {
	var r userRow
	q := tx.WithContext(ctx).Where("username = ?", username)
	if forUpdate {
		q = q.Set("gorm:query_option", "FOR UPDATE")
	}
	err := q.Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.NotFound("user")
	}
	return r, err
}

func userByID(ctx context.Context, tx *gorm.DB, id int64) (userRow, error) {
	var r userRow
	err := tx.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.NotFound("user")
	}
	return r, err
}

// grantRow is one casbin grouping rule as stored by the gorm-adapter:
// v0 = user:<id>, v1 = role, v2 = org:<id> or "system".
type grantRow struct {
	Role string `gorm:"column:v1"`
	Dom  string `gorm:"column:v2"`
}

// loadGrants reads a user's role assignments straight from the casbin
// table: the committed truth, whatever the in-memory enforcer holds.
func loadGrants(ctx context.Context, db *gorm.DB, userID int64) (sysadmin bool, orgRoles map[int64][]domain.Role, err error) {
	var rows []grantRow
	if err := db.WithContext(ctx).Table("casbin_rule").Select("v1, v2").
		Where("ptype = 'g' AND v0 = ?", subject(userID)).Order("v2, v1").Find(&rows).Error; err != nil {
		return false, nil, fmt.Errorf("load role grants: %w", err)
	}
	orgRoles = map[int64][]domain.Role{}
	for _, r := range rows {
		if r.Dom == domain.SystemDomain && r.Role == string(domain.RoleSysadmin) {
			sysadmin = true
			continue
		}
		if id, ok := strings.CutPrefix(r.Dom, "org:"); ok {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				orgRoles[n] = append(orgRoles[n], domain.Role(r.Role))
			}
		}
	}
	return sysadmin, orgRoles, nil
}

func subject(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }
