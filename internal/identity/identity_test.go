package identity_test

// The identity service on its own: a migrated database, the authorization
// enforcer, the audit log, the personal-information cipher and the login
// throttle on Redis, and nothing else of the application. The web layer's
// tests (internal/web) check the same rules through HTTP.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/authz"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
	"github.com/ipmediate/ipmediate/internal/org"
	"github.com/ipmediate/ipmediate/internal/pii"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

const pw = "a-good-password-2026"

// fixture is the identity service with the time it reads, which a test
// moves forward.
type fixture struct {
	db              *gorm.DB
	svc             *identity.Service
	now             time.Time
	gulou, cangshan int64
	admin           *domain.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.DB(t)
	log := testenv.Logger(t)
	keys, err := pii.ParseKeys(config.DevPIIKeys)
	if err != nil {
		t.Fatal(err)
	}
	hkey, err := pii.ParseKey(config.DevPIIHMACKey)
	if err != nil {
		t.Fatal(err)
	}
	cipher, err := pii.New(keys, "dev1", hkey)
	if err != nil {
		t.Fatal(err)
	}
	enf, err := authz.New(ctx, db, log)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	f := &fixture{db: db, now: testenv.Instant}
	clock := func() time.Time { return f.now }
	store := org.NewStore(db)
	f.svc = identity.NewService(identity.Deps{DB: db, Roles: enf, Audit: audit.New(db, clock), Orgs: store, PII: cipher,
		Throttle: identity.NewThrottle(rdb, 1000, log, clock),
		Policy:   identity.Policy{MaxFailures: 3, Lockout: 15 * time.Minute, TokenTTL: 24 * time.Hour}, Now: clock, Log: log})

	city, err := store.Upsert(ctx, domain.Org{Code: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCity,
		NameZH: "福州市知识产权纠纷调解委员会", RegionCode: "350100", ShortCode: "榕", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct {
		code, name, region, short string
		id                        *int64
	}{{"gulou", "鼓楼区知识产权纠纷调解委员会", "350102", "鼓", &f.gulou}, {"cangshan", "仓山区知识产权纠纷调解委员会", "350104", "仓", &f.cangshan}} {
		got, err := store.Upsert(ctx, domain.Org{Code: o.code, Type: domain.OrgMediationCommittee, Level: domain.LevelCounty,
			ParentID: &city.ID, NameZH: o.name, RegionCode: o.region, ShortCode: o.short, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		*o.id = got.ID
	}
	f.seed(t, identity.SeedUser{Username: "admin", DisplayName: "系统管理员", Password: pw, Sysadmin: true})
	f.seed(t, identity.SeedUser{Username: "director.gulou", DisplayName: "王海峰", Password: pw,
		Grants: []identity.SeedGrant{{OrgID: f.gulou, Role: domain.RoleDirector}}})
	f.seed(t, identity.SeedUser{Username: "mediator.gulou", DisplayName: "张伟", Password: pw,
		Grants: []identity.SeedGrant{{OrgID: f.gulou, Role: domain.RoleMediator}}})
	if err := enf.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	f.admin = f.actor(t, "admin")
	return f
}

func (f *fixture) seed(t *testing.T, u identity.SeedUser) {
	t.Helper()
	if _, err := f.svc.EnsureUser(context.Background(), u); err != nil {
		t.Fatalf("seed %s: %v", u.Username, err)
	}
}

func (f *fixture) id(t *testing.T, username string) int64 {
	t.Helper()
	var id int64
	if err := f.db.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("user %s: %d, %v", username, id, err)
	}
	return id
}

func (f *fixture) actor(t *testing.T, username string) *domain.Actor {
	t.Helper()
	a, err := f.svc.Actor(context.Background(), f.id(t, username))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) as(a *domain.Actor) context.Context {
	return domain.WithActor(context.Background(), a)
}

func (f *fixture) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Every failed sign-in answers the same, whatever the cause; the account
// locks after the policy's failures in a row, refuses the right password
// while locked, and opens again when the lockout has run.
func TestLogin_OneAnswerAndLockout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Login(ctx, "nobody", pw); !identity.ErrBadCredentials(err) {
		t.Errorf("unknown user: %v, want the generic failure", err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := f.svc.Login(ctx, "mediator.gulou", "wrong-password"); !identity.ErrBadCredentials(err) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if _, err := f.svc.Login(ctx, "mediator.gulou", pw); !identity.ErrBadCredentials(err) {
		t.Fatalf("right password on a locked account: %v, want the generic failure", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE action = 'auth.lockout'"); n != 1 {
		t.Errorf("lockouts audited: %d, want 1", n)
	}
	u, err := f.svc.GetUser(f.as(f.admin), f.id(t, "mediator.gulou"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Lockout == nil || !u.Lockout.Equal(testenv.Instant.Add(15*time.Minute)) {
		t.Errorf("the administrator sees lockout %v, want until %v", u.Lockout, testenv.Instant.Add(15*time.Minute))
	}
	f.now = f.now.Add(15 * time.Minute)
	if _, err := f.svc.Login(ctx, "mediator.gulou", pw); err != nil {
		t.Fatalf("after the lockout ran out: %v", err)
	}
}

// An administrator lifts a lockout; nobody else may.
func TestUnlock_OnlyTheAdministrator(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, _ = f.svc.Login(ctx, "mediator.gulou", "wrong-password")
	}
	id := f.id(t, "mediator.gulou")
	if err := f.svc.Unlock(f.as(f.actor(t, "director.gulou")), id); err == nil {
		t.Fatal("a director lifted a lockout")
	}
	if err := f.svc.Unlock(f.as(f.admin), id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "mediator.gulou", pw); err != nil {
		t.Fatalf("after unlocking: %v", err)
	}
}

// A token works until it expires or is revoked; changing the password
// ends every other token and every session opened before.
func TestTokens_ExpiryRevocationAndPasswordChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	uid := f.id(t, "mediator.gulou")
	a, b, c := issue(t, f, uid), issue(t, f, uid), issue(t, f, uid)
	if got, err := f.svc.AuthenticateToken(ctx, a.Value); err != nil || got != uid {
		t.Fatalf("fresh token: %d, %v", got, err)
	}
	if err := f.svc.RevokeToken(ctx, a.Value); err != nil {
		t.Fatal(err)
	}
	testenv.WantCode(t, func() error { _, err := f.svc.AuthenticateToken(ctx, a.Value); return err }(), domain.EUNAUTHORIZED)

	u, err := f.svc.Login(ctx, "mediator.gulou", pw)
	if err != nil {
		t.Fatal(err)
	}
	oldStamp := identity.SessionStamp(u)
	if _, err := f.svc.SessionActor(ctx, uid, oldStamp); err != nil {
		t.Fatalf("session before the change: %v", err)
	}
	f.now = f.now.Add(time.Minute)
	newStamp, err := f.svc.ChangePassword(f.as(f.actor(t, "mediator.gulou")), pw, "another-password-2026", c.Value)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WantCode(t, func() error { _, err := f.svc.SessionActor(ctx, uid, oldStamp); return err }(), domain.EUNAUTHORIZED)
	if _, err := f.svc.SessionActor(ctx, uid, newStamp); err != nil {
		t.Errorf("the session that made the change: %v", err)
	}
	testenv.WantCode(t, func() error { _, err := f.svc.AuthenticateToken(ctx, b.Value); return err }(), domain.EUNAUTHORIZED)
	if _, err := f.svc.AuthenticateToken(ctx, c.Value); err != nil {
		t.Errorf("the token the change was made with: %v", err)
	}
	f.now = f.now.Add(24 * time.Hour)
	testenv.WantCode(t, func() error { _, err := f.svc.AuthenticateToken(ctx, c.Value); return err }(), domain.EUNAUTHORIZED)
}

func issue(t *testing.T, f *fixture, uid int64) identity.Token {
	t.Helper()
	tk, err := f.svc.IssueToken(context.Background(), uid, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// Registration names each bad field, answers a taken username neutrally,
// and keeps the contact's phone encrypted at rest.
func TestRegisterSME_FieldsNeutralAnswerAndEncryption(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, _, err := f.svc.RegisterSME(ctx, identity.Registration{EnterpriseName: "  ", CreditCode: "914403001922038217",
		ContactName: "林", Phone: "139", Username: "x", Password: "short"})
	e := testenv.WantCode(t, err, domain.EINVALID)
	for _, field := range []string{"enterprise_name", "credit_code", "phone", "password"} {
		if !hasField(e, field) {
			t.Errorf("registration error does not name %s: %v", field, e.Fields)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM orgs WHERE type = 'enterprise'"); n != 0 {
		t.Errorf("a refused registration wrote %d organisations", n)
	}

	good := identity.Registration{EnterpriseName: "福州海丝茶具有限公司", CreditCode: "914403001922038216",
		ContactName: "陈海丝", Phone: "13912345678", Username: "sme-haisi", Password: pw}
	if _, _, err := f.svc.RegisterSME(ctx, good); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "SELECT count(*) FROM users WHERE username = 'sme-haisi' AND phone_enc <> '' AND phone_enc NOT LIKE '%13912345678%'"); n != 1 {
		t.Error("the phone number is not stored encrypted")
	}
	again := good
	again.Username = "mediator.gulou"
	again.CreditCode = "91350100M000100Y43"
	_, _, err = f.svc.RegisterSME(ctx, again)
	e = testenv.WantCode(t, err, domain.EINVALID)
	for _, fe := range e.Fields {
		if fe.Field == "username" && fe.Message != "validation.username_unavailable" {
			t.Errorf("taken username answered %q, want the neutral validation.username_unavailable", fe.Message)
		}
	}
}

func hasField(e *domain.Error, field string) bool {
	if e == nil {
		return false
	}
	for _, fe := range e.Fields {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// A director manages the mediators and clerks of their own committee only.
func TestCreateUser_DirectorsOwnCommitteeOnly(t *testing.T) {
	f := newFixture(t)
	dir := f.as(f.actor(t, "director.gulou"))
	if _, err := f.svc.CreateUser(dir, identity.NewUser{Username: "mediator3.gulou", DisplayName: "陈新", Password: pw,
		OrgID: f.gulou, Role: domain.RoleMediator}); err != nil {
		t.Fatalf("mediator in own committee: %v", err)
	}
	_, err := f.svc.CreateUser(dir, identity.NewUser{Username: "mediator3.cangshan", DisplayName: "陈旧", Password: pw,
		OrgID: f.cangshan, Role: domain.RoleMediator})
	testenv.WantCode(t, err, domain.ENOTFOUND)
	_, err = f.svc.CreateUser(dir, identity.NewUser{Username: "director2.gulou", DisplayName: "陈上", Password: pw,
		OrgID: f.gulou, Role: domain.RoleDirector})
	testenv.WantCode(t, err, domain.EFORBIDDEN)
	_, err = f.svc.CreateUser(dir, identity.NewUser{Username: "mediator4.gulou", DisplayName: strings.Repeat("长", 101), Password: pw,
		OrgID: f.gulou, Role: domain.RoleMediator})
	if e := testenv.WantCode(t, err, domain.EINVALID); !hasField(e, "display_name") {
		t.Errorf("an over-long name is not refused on display_name: %v", e)
	}
	if n := f.count(t, "SELECT count(*) FROM users WHERE username IN ('mediator3.cangshan', 'director2.gulou', 'mediator4.gulou')"); n != 0 {
		t.Errorf("refused creations wrote %d users", n)
	}
}

// Seeded accounts with one password share one hash (seeding hashes it once
// per process), and each of them signs in with it; any other password is
// hashed afresh, and so is a user created through the service with the
// seeded password, with the production parameters: the shared salt and
// the tests' cheap parameters stay with seeding.
func TestEnsureUser_OneHashPerSeedPassword(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := "another-good-password-2026"
	f.seed(t, identity.SeedUser{Username: "clerk.gulou", DisplayName: "李娜", Password: other,
		Grants: []identity.SeedGrant{{OrgID: f.gulou, Role: domain.RoleClerk}}})
	dir := f.as(f.actor(t, "director.gulou"))
	if _, err := f.svc.CreateUser(dir, identity.NewUser{Username: "mediator3.gulou", DisplayName: "陈新", Password: pw,
		OrgID: f.gulou, Role: domain.RoleMediator}); err != nil {
		t.Fatal(err)
	}
	hash := func(username string) string {
		var h string
		if err := f.db.Raw("SELECT password_hash FROM users WHERE username = ?", username).Scan(&h).Error; err != nil || h == "" {
			t.Fatalf("hash of %s: %q, %v", username, h, err)
		}
		return h
	}
	if a, b := hash("director.gulou"), hash("mediator.gulou"); a != b {
		t.Errorf("two users seeded with one password hold two hashes:\n%s\n%s", a, b)
	}
	if hash("clerk.gulou") == hash("director.gulou") {
		t.Error("a user seeded with another password holds the same hash")
	}
	if hash("mediator3.gulou") == hash("director.gulou") {
		t.Error("a user created through the service shares the seeded hash")
	}
	// Test binaries seed with cheap parameters (seedParams); a password
	// set through the service keeps the production ones all the same.
	if h := hash("mediator3.gulou"); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("a user created through the service: hash %.40s…, want argon2id with 19 MiB and two passes", h)
	}
	for _, login := range []struct{ user, password string }{
		{"director.gulou", pw}, {"mediator.gulou", pw}, {"clerk.gulou", other}, {"mediator3.gulou", pw},
	} {
		if _, err := f.svc.Login(ctx, login.user, login.password); err != nil {
			t.Errorf("%s signs in: %v", login.user, err)
		}
	}
	if _, err := f.svc.Login(ctx, "clerk.gulou", pw); !identity.ErrBadCredentials(err) {
		t.Errorf("clerk.gulou with the others' password: %v, want the generic failure", err)
	}
}
