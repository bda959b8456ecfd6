package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// User is a person who signs in.
type User struct {
	ID                int64
	Username          string
	DisplayName       string
	Email             string
	Phone             string // decrypted; mask it for display (MaskMobile)
	Active            bool
	FailedLogins      int
	LockedUntil       *time.Time
	PasswordChangedAt time.Time
	LastLoginAt       *time.Time
	CreatedAt         time.Time
}

// Locked reports whether the account is locked at now.
func (u User) Locked(now time.Time) bool {
	return u.LockedUntil != nil && now.Before(*u.LockedUntil)
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// MaxPasswordLength is the longest password accepted (characters): enough
// for any passphrase, and a bound on the input argon2id hashes at login.
const MaxPasswordLength = 128

// CheckPassword applies the password policy: at least MinPasswordLength
// and at most MaxPasswordLength characters, not the username, not only one
// repeated character. It adds field errors under field.
func CheckPassword(f *Fields, field, password, username string) {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		f.Add(field, "validation.password_short", "Min", MinPasswordLength)
	case utf8.RuneCountInString(password) > MaxPasswordLength:
		f.Add(field, "validation.too_long", "Max", MaxPasswordLength)
	case username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		f.Add(field, "validation.password_username")
	case strings.Count(password, password[:1]) == len(password):
		f.Add(field, "validation.password_weak")
	}
}

// NormalizeUsername lower-cases and trims a username.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidUsername reports whether s (normalised) is an acceptable username:
// 2–63 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or
// digit. The demo usernames (director.gulou) fit.
func ValidUsername(s string) bool {
	if len(s) < 2 || len(s) > 63 {
		return false
	}
	for i, r := range s {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || (i > 0 && (r == '.' || r == '_' || r == '-'))
		if !ok {
			return false
		}
	}
	return true
}
