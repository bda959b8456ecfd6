package identity

import (
	"context"
	"fmt"
	"sync"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// SeedUser describes a user that seeding ensures exists.
type SeedUser struct {
	Username    string
	DisplayName string
	Password    string
	Sysadmin    bool
	Grants      []SeedGrant
}

// SeedGrant is a role in an organisation.
type SeedGrant struct {
	OrgID int64
	Role  domain.Role
}

// EnsureUser creates the user when missing and adds any missing grants; it
// never changes an existing user's password, so operators' changes to
// demo accounts survive a re-seed. It reports whether anything was written.
// It is for seeding only and bypasses the actor checks.
func (s *Service) EnsureUser(ctx context.Context, in SeedUser) (bool, error) {
	changed := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ctx := domain.WithActor(ctx, &domain.Actor{Username: "system/seed"})
		r, err := userByUsername(ctx, tx, in.Username, true)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			hash, err := seedPasswordHash(in.Password)
			if err != nil {
				return err
			}
			r, err = s.insertUserHashed(ctx, tx, NewUser{Username: in.Username, DisplayName: in.DisplayName, Password: in.Password}, hash)
			if err != nil {
				return err
			}
			changed = true
			if err := s.audit.Append(ctx, tx, audit.Entry{Action: "user.create", ObjectType: "user", ObjectID: fmt.Sprint(r.ID),
				Detail: map[string]any{"username": r.Username, "seed": true}}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		sysadmin, grants, err := loadGrants(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if in.Sysadmin && !sysadmin {
			if err := s.roles.GrantSysadminTx(ctx, tx, r.ID); err != nil {
				return err
			}
			changed = true
			if err := s.audit.Append(ctx, tx, audit.Entry{Action: "role.grant", ObjectType: "user", ObjectID: fmt.Sprint(r.ID),
				Detail: map[string]any{"role": string(domain.RoleSysadmin)}}); err != nil {
				return err
			}
		}
		for _, g := range in.Grants {
			has := false
			for _, role := range grants[g.OrgID] {
				has = has || role == g.Role
			}
			if has {
				continue
			}
			if err := s.grantTx(ctx, tx, r.ID, g.OrgID, g.Role); err != nil {
				return err
			}
			changed = true
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("ensure user %s: %w", in.Username, err)
	}
	if changed {
		s.reload(ctx)
	}
	return changed, nil
}

// seedHashes holds the hash of each password seeding has used in this
// process. Seeded accounts share a password (the demo's, which is public
// anyway), so one argon2id hash, salt included, serves them all: hashing
// it afresh for each of the demo's fifty accounts cost about a second of
// CPU at every start, and every test that starts the app with the demo
// paid it. A user's own password, set through the admin pages or a
// change of password, is always hashed with a salt of its own.
var seedHashes struct {
	sync.Mutex
	byPassword map[string]string
}

func seedPasswordHash(password string) (string, error) {
	seedHashes.Lock()
	defer seedHashes.Unlock()
	if h, ok := seedHashes.byPassword[password]; ok {
		return h, nil
	}
	h, err := argon2id.CreateHash(password, seedParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	if seedHashes.byPassword == nil {
		seedHashes.byPassword = map[string]string{}
	}
	seedHashes.byPassword[password] = h
	return h, nil
}
