package authz

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// GrantTx gives the user role in the organisation, inside tx, so that the
// grant commits or rolls back together with the caller's audit record.
// Granting a role the user already holds changes nothing and is no error.
// The service checks that the role exists in the organisation's type.
// Processes running Listen see the grant shortly after tx commits; call
// Reload after the commit to see it at once in this process.
func (e *Enforcer) GrantTx(ctx context.Context, tx *gorm.DB, userID, orgID int64, role domain.Role) error {
	if err := checkOrgRole(userID, orgID, role); err != nil {
		return err
	}
	return e.write(ctx, tx, true, []string{Subject(userID), string(role), Domain(orgID)})
}

// RevokeTx takes role in the organisation away from the user, inside tx.
// Revoking a role the user does not hold is no error.
func (e *Enforcer) RevokeTx(ctx context.Context, tx *gorm.DB, userID, orgID int64, role domain.Role) error {
	if err := checkOrgRole(userID, orgID, role); err != nil {
		return err
	}
	return e.write(ctx, tx, false, []string{Subject(userID), string(role), Domain(orgID)})
}

// GrantSysadminTx makes the user a system administrator, inside tx.
func (e *Enforcer) GrantSysadminTx(ctx context.Context, tx *gorm.DB, userID int64) error {
	if userID <= 0 {
		return domain.Errorf(domain.EINVALID, "invalid user id %d", userID)
	}
	return e.write(ctx, tx, true, []string{Subject(userID), string(domain.RoleSysadmin), domain.SystemDomain})
}

// RevokeSysadminTx ends the user's system administration, inside tx. The
// service decides whether the last administrator may go.
func (e *Enforcer) RevokeSysadminTx(ctx context.Context, tx *gorm.DB, userID int64) error {
	if userID <= 0 {
		return domain.Errorf(domain.EINVALID, "invalid user id %d", userID)
	}
	return e.write(ctx, tx, false, []string{Subject(userID), string(domain.RoleSysadmin), domain.SystemDomain})
}

// checkOrgRole refuses what the table's CHECKs would refuse, with an
// error the service can show: sysadmin is never held in an organisation.
func checkOrgRole(userID, orgID int64, role domain.Role) error {
	switch {
	case userID <= 0:
		return domain.Errorf(domain.EINVALID, "invalid user id %d", userID)
	case orgID <= 0:
		return domain.Errorf(domain.EINVALID, "invalid organisation id %d", orgID)
	case !role.Valid():
		return domain.Errorf(domain.EINVALID, "unknown role %q", role)
	case role == domain.RoleSysadmin:
		return domain.Errorf(domain.EINVALID, "%s is global; use GrantSysadminTx", role)
	}
	return nil
}

// write adds or removes one g row through a gorm-adapter bound to tx and
// announces it on NotifyChannel in the same transaction: PostgreSQL
// delivers the notification on commit and drops it on rollback, so no
// process ever reloads for a change that did not happen.
func (e *Enforcer) write(ctx context.Context, tx *gorm.DB, add bool, r []string) error {
	if tx == nil {
		return errors.New("authz: nil transaction")
	}
	// Outside a transaction the row would commit on its own, apart from
	// the audit record that must go with it.
	if _, ok := tx.Statement.ConnPool.(gorm.TxCommitter); !ok {
		return errors.New("authz: role changes must be written inside a transaction")
	}
	a, err := newAdapter(ctx, tx)
	if err != nil {
		return fmt.Errorf("authz: %w", err)
	}
	op := "revoke"
	if add {
		op = "grant"
		// ON CONFLICT DO NOTHING on idx_casbin_rule: a repeat is a no-op.
		err = a.AddPolicyCtx(ctx, "g", "g", r)
	} else {
		err = a.RemovePolicyCtx(ctx, "g", "g", r)
	}
	desc := op + " " + strings.Join(r, " ")
	if err != nil {
		return fmt.Errorf("authz: %s: %w", desc, err)
	}
	if err := tx.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", NotifyChannel, desc).Error; err != nil {
		return fmt.Errorf("authz: notify %s: %w", desc, err)
	}
	return nil
}
