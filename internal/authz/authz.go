// Package authz decides whether a user may perform an action on a kind of
// resource inside an organisation. Casbin decides role x domain x resource
// type x action; the services decide which rows a permission reaches.
//
// Organisations are casbin domains ("org:<id>"), users are subjects
// ("user:<id>"). Permissions go to roles only: configs/policy.csv holds the
// "p, <role>, <resource>, <action>" rules, which ship inside the binary and
// never enter the database. Role assignments are data: grouping rules
// "g, user:<id>, <role>, org:<id>" in the table casbin_rule, read and
// written through casbin's gorm-adapter. The system administrator holds the
// role sysadmin in the domain "system", and roles held there apply in every
// organisation.
//
// # Speed
//
// Evaluating the casbin model directly costs about 0.2 ms per decision
// (BenchmarkCan/casbin-model): casbin runs its matcher once for every one
// of the ~140 policy rules. casbin's SyncedCachedEnforcer answers a
// repeated request in about 400 ns but still pays the full cost for every
// new one, and must drop every cached decision on each role change. So
// decisions are split along the model's own structure instead:
//
//   - which roles a user holds in a domain (and in the system domain) comes
//     from an immutable snapshot of the g rows, rebuilt on every Reload and
//     swapped atomically, so requests never wait for a reload;
//   - whether a role may perform an action on a resource is decided by a
//     casbin enforcer holding only the policy, once per role and permission,
//     and remembered for the life of the process (the policy cannot change
//     at run time, so these answers never go stale).
//
// A user is allowed exactly when one of their roles in the domain or in the
// system domain is allowed, which is what the model's matcher says; a test
// checks the split against casbin evaluating the whole model. Can costs
// under 0.1 µs whatever the request; a permission policy.csv does not name
// costs 1-2 ms once, when first asked for, and New about 50 ms.
//
// # Seeing changes
//
// GrantTx and RevokeTx write in the caller's transaction and send a
// PostgreSQL notification on channel NotifyChannel, which PostgreSQL
// delivers only when that transaction commits. Every process runs Listen,
// which reloads the role assignments on each notification, so serve and
// worker see a change within milliseconds, without restart. The process
// that made the change hears its own notification too, but asynchronously;
// to see the change immediately after commit, for example to answer the
// same request, it calls Reload.
package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/configs"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// modelText is the casbin model: RBAC with domains. A request asks whether
// subject sub may do act on obj in domain dom; a policy rule grants a role
// (sub) an action on a resource type, in whichever domain the role is held;
// g links a user to a role inside one domain. Roles held in the system
// domain (only sysadmin, by the schema) count in every domain, and "*" in a
// policy rule (reserved for sysadmin) matches any resource or action.
const modelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (p.obj == "*" || p.obj == r.obj) && (p.act == "*" || p.act == r.act) && (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, "` + domain.SystemDomain + `"))
`

// NotifyChannel is the PostgreSQL channel on which role changes are
// announced; Listen reloads on every notification.
const NotifyChannel = "ipm_authz"

// tableName is casbin_rule, created by migrations/0004_casbin.sql.
const tableName = "casbin_rule"

// Subject returns the casbin subject of a user, "user:<id>".
func Subject(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }

// Domain returns the casbin domain of an organisation, "org:<id>".
func Domain(orgID int64) string { return "org:" + strconv.FormatInt(orgID, 10) }

// parseID returns the positive id after prefix in s, e.g. 7 in "user:7".
func parseID(s, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// roleIndex numbers the roles by their position in domain.Roles, so that a
// set of roles fits in one machine word.
var roleIndex = func() map[domain.Role]uint8 {
	if len(domain.Roles) > 64 {
		panic("authz: more than 64 roles do not fit a roleSet")
	}
	m := make(map[domain.Role]uint8, len(domain.Roles))
	for i, r := range domain.Roles {
		m[r] = uint8(i)
	}
	return m
}()

// roleSet is a set of roles, bit i standing for domain.Roles[i].
type roleSet uint64

func (s roleSet) has(i uint8) bool { return s&(1<<i) != 0 }

// permKey is a resource and an action, e.g. case:read.
type permKey struct{ resource, action string }

// systemOrg stands for the system domain in a grant. Organisation ids
// start at 1 (the schema checks it), so 0 is free.
const systemOrg int64 = 0

// grant is one role a user holds in one organisation or, with org
// systemOrg, in the system domain.
type grant struct {
	org  int64
	role uint8
}

// assignments is an immutable snapshot of casbin_rule.
type assignments struct {
	byUser map[int64][]grant
}

// Enforcer answers authorization questions. It is safe for concurrent use,
// including while Reload or Listen replace the role assignments.
type Enforcer struct {
	db    *gorm.DB
	log   *slog.Logger
	rules []rule

	// policy holds only the p rules and answers role-level questions.
	policy *casbin.SyncedEnforcer
	// perms maps every permission the code knows (perms.go) to the roles
	// that have it; it is computed once, when the policy is loaded.
	perms map[permKey]roleSet

	state    atomic.Pointer[assignments]
	reloadMu sync.Mutex // one reload at a time, so an older one never lands last

	listenConfig *pgx.ConnConfig
}

// New loads the policy from configs.PolicyCSV and the role assignments
// from casbin_rule. It fails when the policy has a bad line, naming it.
func New(ctx context.Context, db *gorm.DB, log *slog.Logger) (*Enforcer, error) {
	return newEnforcer(ctx, db, log, configs.PolicyCSV)
}

// NewFromFile is New with the policy read from policyFile instead of the
// embedded configs/policy.csv (config legal.policy_file); "" is New.
func NewFromFile(ctx context.Context, db *gorm.DB, log *slog.Logger, policyFile string) (*Enforcer, error) {
	if policyFile == "" {
		return New(ctx, db, log)
	}
	raw, err := os.ReadFile(policyFile)
	if err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	e, err := newEnforcer(ctx, db, log, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", policyFile, err)
	}
	return e, nil
}

func newEnforcer(ctx context.Context, db *gorm.DB, log *slog.Logger, policyCSV []byte) (*Enforcer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rules, err := parsePolicy(policyCSV)
	if err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	if err := checkKnown(rules); err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	if err := checkReach(rules); err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	e := &Enforcer{db: db, log: log, rules: rules}

	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: casbin model: %w", err)
	}
	// No adapter: the policy comes from the file, and nothing can save it
	// anywhere or reload it away.
	e.policy, err = casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: casbin enforcer: %w", err)
	}
	ps := make([][]string, len(rules))
	for i, r := range rules {
		ps[i] = []string{string(r.role), r.resource, r.action}
	}
	if _, err := e.policy.AddPolicies(ps); err != nil {
		return nil, fmt.Errorf("authz: load policy: %w", err)
	}

	start := time.Now()
	perms := make(map[permKey]roleSet, len(known))
	for p := range known {
		k := permKey{p.Resource, p.Action}
		if perms[k], err = e.decide(k); err != nil {
			return nil, err
		}
	}
	e.perms = perms
	log.Debug("authz: policy loaded", "rules", len(rules), "permissions", len(perms), "took", time.Since(start))

	if e.listenConfig, err = pgxConfig(ctx, db); err != nil {
		return nil, err
	}
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// decide asks casbin which roles may perform k. Each role is put to the
// model as the subject itself: the policy enforcer holds no g rows, so g
// links a name only to itself and a role gets exactly its own rules; the
// domain then plays no part.
func (e *Enforcer) decide(k permKey) (roleSet, error) {
	var s roleSet
	for i, r := range domain.Roles {
		ok, err := e.policy.Enforce(string(r), domain.SystemDomain, k.resource, k.action)
		if err != nil {
			return 0, fmt.Errorf("authz: decide %s %s:%s: %w", r, k.resource, k.action, err)
		}
		if ok {
			s |= 1 << i
		}
	}
	return s, nil
}

// rolesWith returns the roles that may perform action on resource. A
// permission the code does not declare (perms.go) is a programming error:
// it is denied and logged.
func (e *Enforcer) rolesWith(resource, action string) roleSet {
	s, ok := e.perms[permKey{resource, action}]
	if !ok {
		e.log.Error("authz: asked for a permission that internal/authz/perms.go does not declare; denying", "resource", resource, "action", action)
	}
	return s
}

// Can reports whether the user may perform action on resource in the
// organisation: whether a role they hold there, or in the system domain,
// has the permission. The caller still decides which rows it reaches.
func (e *Enforcer) Can(userID, orgID int64, resource, action string) bool {
	grants := e.state.Load().byUser[userID]
	if len(grants) == 0 {
		return false
	}
	allowed := e.rolesWith(resource, action)
	for _, g := range grants {
		if (g.org == orgID || g.org == systemOrg) && allowed.has(g.role) {
			return true
		}
	}
	return false
}

// CanSystem reports whether the user may perform action on resource in
// the system domain, i.e. outside any organisation (user and organisation
// administration, the audit log, the job queues).
func (e *Enforcer) CanSystem(userID int64, resource, action string) bool {
	return e.Can(userID, systemOrg, resource, action)
}

// IsSysadmin reports whether the user holds sysadmin (in the system domain).
func (e *Enforcer) IsSysadmin(userID int64) bool {
	sys := roleIndex[domain.RoleSysadmin]
	for _, g := range e.state.Load().byUser[userID] {
		if g.org == systemOrg && g.role == sys {
			return true
		}
	}
	return false
}

// RolesIn returns the roles the user holds in the organisation, in the
// order of domain.Roles. Global roles (sysadmin) are not listed; see
// IsSysadmin. An orgID below 1 names no organisation and gives nil.
func (e *Enforcer) RolesIn(userID, orgID int64) []domain.Role {
	if orgID <= 0 {
		return nil
	}
	var idx []uint8
	for _, g := range e.state.Load().byUser[userID] {
		if g.org == orgID {
			idx = append(idx, g.role)
		}
	}
	slices.Sort(idx)
	out := make([]domain.Role, len(idx))
	for i, r := range idx {
		out[i] = domain.Roles[r]
	}
	return out
}

// Allowed reports whether the policy gives role the permission, whoever
// holds it and wherever; the UI uses it to decide which actions to offer.
func (e *Enforcer) Allowed(role domain.Role, resource, action string) bool {
	i, ok := roleIndex[role]
	return ok && e.rolesWith(resource, action).has(i)
}

// Permissions returns the policy rules as [role, resource, action], in the
// order of policy.csv.
func (e *Enforcer) Permissions() [][3]string {
	out := make([][3]string, len(e.rules))
	for i, r := range e.rules {
		out[i] = [3]string{string(r.role), r.resource, r.action}
	}
	return out
}

// Reload reads the role assignments again and replaces the snapshot that
// Can consults. Requests keep being answered from the previous snapshot
// until the new one is complete; a failed reload leaves it in place.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	start := time.Now()
	a, n, err := e.load(ctx)
	if err != nil {
		return fmt.Errorf("authz: reload role assignments: %w", err)
	}
	e.state.Store(a)
	e.log.Debug("authz: role assignments loaded", "rows", n, "users", len(a.byUser), "took", time.Since(start))
	return nil
}

// load reads the g rows through casbin's gorm-adapter into a fresh casbin
// model and indexes them by user. The load is filtered to g rows and goes
// into a model of its own, so no reload can drop the policy, and no
// enforcer with a database adapter exists whose SavePolicy could be
// called: gorm-adapter v3.39.0 truncates the table outside its transaction
// there.
func (e *Enforcer) load(ctx context.Context) (*assignments, int, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, 0, err
	}
	a, err := newAdapter(ctx, e.db)
	if err != nil {
		return nil, 0, err
	}
	if err := a.LoadFilteredPolicy(m, gormadapter.Filter{Ptype: []string{"g"}}); err != nil {
		return nil, 0, err
	}
	rows, err := m.GetPolicy("g", "g")
	if err != nil {
		return nil, 0, err
	}
	out := &assignments{byUser: make(map[int64][]grant)}
	for _, r := range rows {
		uid, g, ok := parseGrant(r)
		if !ok {
			// The table's CHECKs make this impossible unless the schema
			// is newer than this binary; skip the row rather than lock
			// everybody out.
			e.log.Error("authz: ignoring role assignment this version cannot read", "row", strings.Join(r, ", "))
			continue
		}
		out.byUser[uid] = append(out.byUser[uid], g)
	}
	return out, len(rows), nil
}

// parseGrant reads a g row: user:<id>, <role>, org:<id> | system.
func parseGrant(r []string) (int64, grant, bool) {
	if len(r) != 3 {
		return 0, grant{}, false
	}
	uid, ok := parseID(r[0], "user:")
	if !ok {
		return 0, grant{}, false
	}
	ri, ok := roleIndex[domain.Role(r[1])]
	if !ok {
		return 0, grant{}, false
	}
	if r[2] == domain.SystemDomain {
		return uid, grant{org: systemOrg, role: ri}, true
	}
	oid, ok := parseID(r[2], "org:")
	if !ok {
		return 0, grant{}, false
	}
	return uid, grant{org: oid, role: ri}, true
}

// newAdapter returns a gorm-adapter over casbin_rule on db (a pool or a
// transaction) that never creates or alters the table: the migration owns
// it. TurnOffAutoMigrate rewrites the *gorm.DB it is given, so it gets a
// fresh session, never the caller's.
func newAdapter(ctx context.Context, db *gorm.DB) (*gormadapter.Adapter, error) {
	s := db.WithContext(ctx)
	gormadapter.TurnOffAutoMigrate(s)
	a, err := gormadapter.NewAdapterByDBUseTableName(s, "", tableName)
	if err != nil {
		return nil, fmt.Errorf("casbin gorm-adapter: %w", err)
	}
	return a, nil
}

// pgxConfig returns the connection settings of db's pgx pool, so that
// Listen can open its own connection to the same server as the same user.
func pgxConfig(ctx context.Context, db *gorm.DB) (*pgx.ConnConfig, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("authz: connect: %w", err)
	}
	defer conn.Close()
	var connString string
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("database is not opened with the pgx driver, which LISTEN needs")
		}
		connString = c.Conn().Config().ConnString()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	// Parsed afresh rather than copied: a live connection's config carries
	// callbacks bound to that connection (OnNotification among them), which
	// would swallow our notifications.
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("authz: parse connection settings: %w", err)
	}
	return cfg, nil
}
