package identity

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// canManageRole decides whether the actor may grant or revoke role in org:
// a sysadmin anywhere; a director (role:grant in that org) for the staff
// roles of the role table (domain.Role.Staff: clerks and mediators) of
// their own committee.
func (s *Service) canManageRole(a *domain.Actor, orgID int64, role domain.Role) bool {
	if a.Sysadmin && s.roles.CanSystem(a.UserID, "role", "grant") {
		return true
	}
	return role.Staff() && s.roles.Can(a.UserID, orgID, "role", "grant")
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Username    string
	DisplayName string
	Email       string
	Phone       string
	Password    string
	// OrgID and Role grant a first role; a director must give their own
	// committee and clerk or mediator.
	OrgID int64
	Role  domain.Role
}

// Input limits, in characters (docs/security.md, "Input boundary").
const (
	maxDisplayName    = 100
	maxEmail          = 254 // RFC 5321's longest address
	maxEnterpriseName = 200
)

// validateNewUser checks a new user's fields. checkTaken also refuses a
// username already in use; self-registration leaves that check to last
// (RegisterSME).
func (s *Service) validateNewUser(ctx context.Context, tx *gorm.DB, in *NewUser, f *domain.Fields, checkTaken bool) {
	in.Username = domain.NormalizeUsername(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Email = strings.TrimSpace(in.Email)
	if !domain.ValidUsername(in.Username) {
		f.Add("username", "validation.username")
	} else if checkTaken && s.usernameTaken(ctx, tx, in.Username) {
		f.Add("username", "validation.username_taken")
	}
	f.Text("display_name", in.DisplayName, true, maxDisplayName)
	switch {
	case utf8.RuneCountInString(in.Email) > maxEmail:
		f.Add("email", "validation.too_long", "Max", maxEmail)
	case in.Email != "" && (!strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " <>")):
		f.Add("email", "validation.email")
	}
	if in.Phone != "" {
		in.Phone = domain.NormalizeMobile(in.Phone)
		if !domain.ValidMobile(in.Phone) {
			f.Add("phone", "validation.mobile")
		}
	}
	domain.CheckPassword(f, "password", in.Password, in.Username)
}

// CreateUser creates a user and grants the first role, in one transaction
// with its audit rows. Sysadmins may create anyone; directors create
// clerks and mediators of their own committee. EINVALID names each bad
// field; ENOTFOUND when the organisation is outside the actor's scope.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (domain.User, error) {
	actor, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.User{}, err
	}
	if in.OrgID != 0 && !actor.Sysadmin && !actor.IsMember(in.OrgID) {
		return domain.User{}, domain.NotFound("organisation")
	}
	if !s.canManageRole(actor, in.OrgID, in.Role) {
		return domain.User{}, domain.Errorf(domain.EFORBIDDEN, "you may not create users with this role here")
	}
	var out domain.User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var f domain.Fields
		s.validateNewUser(ctx, tx, &in, &f, true)
		org, orgErr := orgType(ctx, tx, in.OrgID)
		if in.Role != "" {
			switch {
			case !in.Role.Valid() || in.Role == domain.RoleSysadmin:
				f.Add("role", "validation.role")
			case orgErr != nil:
				f.Add("org_id", "validation.org")
			case !in.Role.AllowedIn(org):
				f.Add("role", "validation.role_org_type")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		r, err := s.insertUser(ctx, tx, in)
		if err != nil {
			return err
		}
		orgPtr := &in.OrgID
		if in.OrgID == 0 {
			orgPtr = nil
		}
		if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: orgPtr, Action: "user.create", ObjectType: "user",
			ObjectID: fmt.Sprint(r.ID), Detail: map[string]any{"username": r.Username, "display_name": r.DisplayName}}); err != nil {
			return err
		}
		if in.Role != "" {
			if err := s.grantTx(ctx, tx, r.ID, in.OrgID, in.Role); err != nil {
				return err
			}
		}
		out = s.toUser(r)
		return nil
	})
	if err != nil {
		return domain.User{}, err
	}
	if in.Role != "" {
		s.reload(ctx)
	}
	return out, nil
}

// usernameTaken reports whether a user has the (normalised) username.
func (s *Service) usernameTaken(ctx context.Context, tx *gorm.DB, username string) bool {
	_, err := userByUsername(ctx, tx, username, false)
	return err == nil
}

func (s *Service) insertUser(ctx context.Context, tx *gorm.DB, in NewUser) (userRow, error) {
	hash, err := HashPassword(in.Password)
	if err != nil {
		return userRow{}, err
	}
	return s.insertUserHashed(ctx, tx, in, hash)
}

// insertUserHashed is insertUser with in.Password's hash computed
// beforehand (seeding, see seedPasswordHash).
func (s *Service) insertUserHashed(ctx context.Context, tx *gorm.DB, in NewUser, hash string) (userRow, error) {
	var err error
	phone := ""
	if in.Phone != "" {
		if phone, err = s.pii.Encrypt(in.Phone); err != nil {
			return userRow{}, err
		}
	}
	now := s.stampNow()
	r := userRow{Username: in.Username, DisplayName: in.DisplayName, Email: in.Email, PhoneEnc: phone,
		PasswordHash: hash, Active: true, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
		if strings.Contains(err.Error(), "users_username_key") {
			return r, domain.Invalid(domain.FieldError{Field: "username", Message: "validation.username_taken"})
		}
		return r, fmt.Errorf("insert user: %w", err)
	}
	return r, nil
}

func orgType(ctx context.Context, tx *gorm.DB, orgID int64) (domain.OrgType, error) {
	var t string
	if err := tx.WithContext(ctx).Table("orgs").Select("type").Where("id = ? AND active", orgID).Take(&t).Error; err != nil {
		return "", domain.NotFound("organisation")
	}
	return domain.OrgType(t), nil
}

func (s *Service) grantTx(ctx context.Context, tx *gorm.DB, userID, orgID int64, role domain.Role) error {
	if err := s.roles.GrantTx(ctx, tx, userID, orgID, role); err != nil {
		return fmt.Errorf("grant role: %w", err)
	}
	return s.audit.Append(ctx, tx, audit.Entry{OrgID: &orgID, Action: "role.grant", ObjectType: "user",
		ObjectID: fmt.Sprint(userID), Detail: map[string]any{"role": string(role)}})
}

// reload refreshes this process's enforcer at once; other processes follow
// through the database notification.
func (s *Service) reload(ctx context.Context) {
	if err := s.roles.Reload(ctx); err != nil {
		s.log.ErrorContext(ctx, "reload authorization policy", "err", err)
	}
}

// visibleUser returns the user when the actor may see them: sysadmins see
// everyone; directors the members of their committees and of the
// committees they supervise. Anyone else: ENOTFOUND.
func (s *Service) visibleUser(ctx context.Context, tx *gorm.DB, a *domain.Actor, userID int64) (userRow, error) {
	r, err := userByID(ctx, tx, userID)
	if err != nil {
		return r, err
	}
	if a.Sysadmin || a.UserID == userID {
		return r, nil
	}
	_, grants, err := loadGrants(ctx, tx, userID)
	if err != nil {
		return r, err
	}
	for orgID := range grants {
		if s.roles.Can(a.UserID, orgID, "user", "read") || a.Supervises(orgID) {
			return r, nil
		}
	}
	return userRow{}, domain.NotFound("user")
}

// GrantRole grants role in org to a user, audited. Directors may grant
// clerk and mediator in their own committee only.
func (s *Service) GrantRole(ctx context.Context, userID, orgID int64, role domain.Role) error {
	return s.changeRole(ctx, userID, orgID, role, true)
}

// RevokeRole revokes role in org from a user, audited.
func (s *Service) RevokeRole(ctx context.Context, userID, orgID int64, role domain.Role) error {
	return s.changeRole(ctx, userID, orgID, role, false)
}

func (s *Service) changeRole(ctx context.Context, userID, orgID int64, role domain.Role, grant bool) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.Sysadmin && !a.IsMember(orgID) {
		return domain.NotFound("organisation")
	}
	var f domain.Fields
	if !role.Valid() || role == domain.RoleSysadmin {
		f.Add("role", "validation.role")
		return f.Err()
	}
	if !s.canManageRole(a, orgID, role) {
		return domain.Errorf(domain.EFORBIDDEN, "you may not manage this role here")
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := orgType(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if !role.AllowedIn(t) {
			f.Add("role", "validation.role_org_type")
			return f.Err()
		}
		if _, err := userByID(ctx, tx, userID); err != nil {
			return err
		}
		if !a.Sysadmin {
			// A director manages only people already in their committee,
			// or adds a role to them; never reaches users elsewhere.
			if _, err := s.visibleUser(ctx, tx, a, userID); err != nil {
				return err
			}
		}
		if grant {
			return s.grantTx(ctx, tx, userID, orgID, role)
		}
		if err := s.roles.RevokeTx(ctx, tx, userID, orgID, role); err != nil {
			return fmt.Errorf("revoke role: %w", err)
		}
		return s.audit.Append(ctx, tx, audit.Entry{OrgID: &orgID, Action: "role.revoke", ObjectType: "user",
			ObjectID: fmt.Sprint(userID), Detail: map[string]any{"role": string(role)}})
	})
	if err != nil {
		return err
	}
	s.reload(ctx)
	return nil
}

// SetActive enables or disables a user (sysadmin; directors for their own
// committee's staff). Disabling also revokes the user's API tokens; web
// sessions end at their next request because the actor no longer loads.
func (s *Service) SetActive(ctx context.Context, userID int64, active bool) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.visibleUser(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		orgID, err := s.managedOrg(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if a.UserID == userID && !active {
			return domain.Invalid(domain.FieldError{Field: "active", Message: "validation.disable_self"})
		}
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).Updates(map[string]any{"active": active, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if !active {
			if err := tx.Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", r.ID).Update("revoked_at", s.now()).Error; err != nil {
				return err
			}
		}
		action := "user.enable"
		if !active {
			action = "user.disable"
		}
		return s.audit.Append(ctx, tx, audit.Entry{OrgID: orgID, Action: action, ObjectType: "user", ObjectID: fmt.Sprint(r.ID)})
	})
}

// managedOrg checks the actor may manage the user and returns the org whose
// audit chain records it: nil for sysadmins acting globally, else the
// director's committee that the user is staff of.
func (s *Service) managedOrg(ctx context.Context, tx *gorm.DB, a *domain.Actor, userID int64) (*int64, error) {
	if a.Sysadmin && s.roles.CanSystem(a.UserID, "user", "manage") {
		return s.primaryOrg(ctx, tx, userID), nil
	}
	_, grants, err := loadGrants(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	for orgID, roles := range grants {
		if !s.roles.Can(a.UserID, orgID, "user", "manage") {
			continue
		}
		onlyStaff := true
		for _, r := range roles {
			onlyStaff = onlyStaff && r.Staff()
		}
		if onlyStaff && len(grants) == 1 {
			id := orgID
			return &id, nil
		}
	}
	return nil, domain.Errorf(domain.EFORBIDDEN, "you may not manage this user")
}

// ResetPassword sets a new password for a user and clears any lockout.
// In the same transaction it ends every web session of the user and
// revokes every API token: whoever held the old password is out.
func (s *Service) ResetPassword(ctx context.Context, userID int64, password string) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.visibleUser(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		orgID, err := s.managedOrg(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		var f domain.Fields
		domain.CheckPassword(&f, "password", password, r.Username)
		if err := f.Err(); err != nil {
			return err
		}
		hash, err := HashPassword(password)
		if err != nil {
			return err
		}
		now := s.stampNow()
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).Updates(map[string]any{
			"password_hash": hash, "password_changed_at": now, "failed_logins": 0, "locked_until": nil, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: orgID, Action: "user.password_reset", ObjectType: "user", ObjectID: fmt.Sprint(r.ID)}); err != nil {
			return err
		}
		return s.revokeAccessTx(ctx, tx, r.ID, orgID, now, "", "password_reset", "")
	})
}

// Unlock ends a user's lockout and clears their count of failed logins,
// audited. Only a sysadmin may: anyone else gets ENOTFOUND for a user
// they cannot see and EFORBIDDEN for one they can. Unlocking an account
// that is not locked changes nothing and is not audited.
func (s *Service) Unlock(ctx context.Context, userID int64) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.visibleUser(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if !a.Sysadmin || !s.roles.CanSystem(a.UserID, "user", "manage") {
			return domain.Errorf(domain.EFORBIDDEN, "only a system administrator may unlock accounts")
		}
		// Read again under a row lock: a failed login racing with the
		// unlock must not write its count over ours.
		if r, err = userByUsername(ctx, tx, r.Username, true); err != nil {
			return err
		}
		if r.LockedUntil == nil && r.FailedLogins == 0 {
			return nil
		}
		now := s.now()
		if err := tx.Model(&userRow{}).Where("id = ?", r.ID).Updates(map[string]any{
			"failed_logins": 0, "locked_until": nil, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		detail := map[string]any{"failed_logins": r.FailedLogins, "was_locked": r.LockedUntil != nil && now.Before(*r.LockedUntil)}
		if r.LockedUntil != nil {
			detail["locked_until"] = r.LockedUntil.UTC().Format(time.RFC3339)
		}
		return s.audit.Append(ctx, tx, audit.Entry{OrgID: s.primaryOrg(ctx, tx, r.ID), Action: "user.unlock",
			ObjectType: "user", ObjectID: fmt.Sprint(r.ID), Detail: detail})
	})
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	OrgID  int64  // only members of this organisation
	Query  string // username or display name contains
	Cursor string
	Limit  int
}

// UserListItem is one row of ListUsers, with the user's grants.
type UserListItem struct {
	domain.User
	Roles []RoleGrant
	// Lockout is when the lockout ends if the account is locked now (on
	// the identity service's clock, the one that set it), else nil.
	Lockout *time.Time
}

// listItem is a user as ListUsers and GetUser show them.
func (s *Service) listItem(r userRow, roles []RoleGrant) UserListItem {
	it := UserListItem{User: s.toUser(r), Roles: roles}
	if r.LockedUntil != nil && s.now().Before(*r.LockedUntil) {
		until := *r.LockedUntil
		it.Lockout = &until
	}
	return it
}

// RoleGrant is one role of a user in one organisation.
type RoleGrant struct {
	OrgID   int64       `json:"org_id"`
	OrgCode string      `json:"org_code"`
	OrgName string      `json:"org_name"`
	Role    domain.Role `json:"role"`
}

// ListUsers lists the users the actor may see, newest first, with keyset
// pagination (cursor = last id seen).
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]UserListItem, string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	f.Limit = keyset.Limit(f.Limit)
	q := s.db.WithContext(ctx).Model(&userRow{}).Order("users.id DESC").Limit(f.Limit + 1)
	if !a.Sysadmin {
		var scope []int64
		for _, m := range a.Memberships {
			if s.roles.Can(a.UserID, m.OrgID, "user", "read") {
				scope = append(scope, m.OrgID)
			}
		}
		scope = append(scope, a.Supervised...)
		if len(scope) == 0 {
			return nil, "", domain.Errorf(domain.EFORBIDDEN, "you may not list users")
		}
		q = q.Where("EXISTS (SELECT 1 FROM casbin_rule c WHERE c.ptype = 'g' AND c.v0 = 'user:' || users.id AND c.v2 IN ?)", domainsOf(scope))
	}
	if f.OrgID != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM casbin_rule c WHERE c.ptype = 'g' AND c.v0 = 'user:' || users.id AND c.v2 = ?)", fmt.Sprintf("org:%d", f.OrgID))
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		like := "%" + strings.NewReplacer("%", `\%`, "_", `\_`).Replace(strings.ToLower(qs)) + "%"
		q = q.Where("(users.username LIKE ? OR lower(users.display_name) LIKE ?)", like, like)
	}
	if f.Cursor != "" {
		last, err := keyset.DecodeID(f.Cursor)
		if err != nil {
			return nil, "", domain.Invalid(domain.FieldError{Field: "cursor", Message: "validation.cursor"})
		}
		q = q.Where("users.id < ?", last)
	}
	var rows []userRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = keyset.ID(rows[len(rows)-1].ID)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	grants, err := s.grantsOf(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	items := make([]UserListItem, len(rows))
	for i, r := range rows {
		items[i] = s.listItem(r, grants[r.ID])
	}
	return items, next, nil
}

// GetUser returns one user the actor may see, with their grants.
func (s *Service) GetUser(ctx context.Context, userID int64) (UserListItem, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return UserListItem{}, err
	}
	r, err := s.visibleUser(ctx, s.db, a, userID)
	if err != nil {
		return UserListItem{}, err
	}
	grants, err := s.grantsOf(ctx, []int64{r.ID})
	if err != nil {
		return UserListItem{}, err
	}
	return s.listItem(r, grants[r.ID]), nil
}

// grantsOf loads the organisation roles of many users in one query.
func (s *Service) grantsOf(ctx context.Context, userIDs []int64) (map[int64][]RoleGrant, error) {
	out := map[int64][]RoleGrant{}
	if len(userIDs) == 0 {
		return out, nil
	}
	subs := make([]string, len(userIDs))
	for i, id := range userIDs {
		subs[i] = subject(id)
	}
	var rows []struct {
		UserID  int64
		OrgID   int64
		OrgCode string
		OrgName string
		Role    string
	}
	err := s.db.WithContext(ctx).Raw(`
		SELECT substr(c.v0, 6)::bigint AS user_id, o.id AS org_id, o.code AS org_code, o.name_zh AS org_name, c.v1 AS role
		FROM casbin_rule c JOIN orgs o ON c.v2 = 'org:' || o.id
		WHERE c.ptype = 'g' AND c.v0 IN ?
		ORDER BY o.id, c.v1`, subs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load grants: %w", err)
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], RoleGrant{OrgID: r.OrgID, OrgCode: r.OrgCode, OrgName: r.OrgName, Role: domain.Role(r.Role)})
	}
	return out, nil
}

func domainsOf(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("org:%d", id)
	}
	return out
}
