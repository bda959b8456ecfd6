package org_test

// Organisations on their own: a migrated database, the audit log, and an
// authorizer that answers for the one system administrator of the test.

import (
	"context"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/org"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// sysadmins answers CanSystem for the listed user ids.
type sysadmins map[int64]bool

func (s sysadmins) CanSystem(userID int64, resource, action string) bool {
	return s[userID] && resource == "org" && action == "manage"
}

type fixture struct {
	db    *gorm.DB
	store *org.Store
	svc   *org.Service
	city  domain.Org
}

const adminID = 1

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.DB(t)
	f := &fixture{db: db, store: org.NewStore(db)}
	f.svc = org.NewService(org.Deps{DB: db, Store: f.store, Authz: sysadmins{adminID: true}, Audit: audit.New(db, testenv.Clock().Now)})
	var err error
	f.city, err = f.store.Upsert(context.Background(), domain.Org{Code: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCity,
		NameZH: "福州市知识产权纠纷调解委员会", RegionCode: "350100", ShortCode: "榕", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func as(id int64, orgs ...int64) context.Context {
	a := &domain.Actor{UserID: id, Username: "u", Sysadmin: id == adminID}
	for _, o := range orgs {
		a.Memberships = append(a.Memberships, domain.Membership{OrgID: o, Role: domain.RoleApplicant})
	}
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

func TestUpsert_Idempotent(t *testing.T) {
	f := newFixture(t)
	again, err := f.store.Upsert(context.Background(), domain.Org{Code: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCity,
		NameZH: "福州市知识产权纠纷人民调解委员会", RegionCode: "350100", ShortCode: "榕", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != f.city.ID || again.NameZH != "福州市知识产权纠纷人民调解委员会" {
		t.Errorf("second upsert: id %d (first %d), name %q", again.ID, f.city.ID, again.NameZH)
	}
	if n := f.count(t, "SELECT count(*) FROM orgs WHERE code = 'city'"); n != 1 {
		t.Errorf("%d rows for one code", n)
	}
}

func TestCreate_SysadminOnlyAudited(t *testing.T) {
	f := newFixture(t)
	county := domain.Org{Code: "gulou", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, ParentID: &f.city.ID,
		NameZH: "鼓楼区知识产权纠纷调解委员会", RegionCode: "350102", ShortCode: "鼓"}
	_, err := f.svc.Create(as(2), county)
	testenv.WantCode(t, err, domain.EFORBIDDEN)
	got, err := f.svc.Create(as(adminID), county)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Active || got.ID == 0 {
		t.Errorf("created %+v", got)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE action = 'org.create' AND object_id = ?", itoa(got.ID)); n != 1 {
		t.Errorf("org.create audited %d times", n)
	}
}

// Bad input names each field and writes nothing: a code in the wrong
// form, an enterprise created by hand, a committee without its case
// number abbreviation, an abbreviation another committee uses (case
// numbers would collide), a county under a county.
func TestCreate_FieldErrorsWriteNothing(t *testing.T) {
	f := newFixture(t)
	gulou, err := f.svc.Create(as(adminID), domain.Org{Code: "gulou", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty,
		ParentID: &f.city.ID, NameZH: "鼓楼区知识产权纠纷调解委员会", RegionCode: "350102", ShortCode: "鼓"})
	if err != nil {
		t.Fatal(err)
	}
	before := f.count(t, "SELECT count(*) FROM orgs")
	cases := []struct {
		name  string
		o     domain.Org
		field string
	}{
		{"code", domain.Org{Code: "Bad Code!", Type: domain.OrgCourt, NameZH: "法院"}, "code"},
		{"enterprise", domain.Org{Code: "ent", Type: domain.OrgEnterprise, NameZH: "企业"}, "type"},
		{"no short code", domain.Org{Code: "jinan", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, ParentID: &f.city.ID, NameZH: "晋安区"}, "short_code"},
		{"short code taken", domain.Org{Code: "jinan", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, ParentID: &f.city.ID, NameZH: "晋安区", ShortCode: "鼓"}, "short_code"},
		{"county under county", domain.Org{Code: "jinan", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, ParentID: &gulou.ID, NameZH: "晋安区", ShortCode: "晋"}, "parent_id"},
		{"region", domain.Org{Code: "jinan", Type: domain.OrgCourt, NameZH: "晋安区法院", RegionCode: "3501"}, "region_code"},
		{"empty name", domain.Org{Code: "jinan", Type: domain.OrgCourt, NameZH: "   "}, "name_zh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Create(as(adminID), c.o)
			e := testenv.WantCode(t, err, domain.EINVALID)
			found := false
			for _, fe := range e.Fields {
				found = found || fe.Field == c.field
			}
			if !found {
				t.Errorf("error does not name %s: %v", c.field, e.Fields)
			}
		})
	}
	if after := f.count(t, "SELECT count(*) FROM orgs"); after != before {
		t.Errorf("refused creations wrote %d organisations", after-before)
	}
}

// Enterprises are visible to their own members (and system
// administrators) only; public bodies to everyone signed in.
func TestGet_EnterprisesToTheirMembers(t *testing.T) {
	f := newFixture(t)
	code := "914403001922038216"
	ent, err := f.store.Upsert(context.Background(), domain.Org{Code: "ent-haisi", Type: domain.OrgEnterprise, NameZH: "福州海丝茶具有限公司", CreditCode: &code, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(as(7, ent.ID), ent.ID); err != nil {
		t.Errorf("member: %v", err)
	}
	_, err = f.svc.Get(as(8), ent.ID)
	testenv.WantCode(t, err, domain.ENOTFOUND)
	if _, err := f.svc.Get(as(8), f.city.ID); err != nil {
		t.Errorf("a committee to anyone signed in: %v", err)
	}
	_, err = f.svc.Get(context.Background(), f.city.ID)
	if err == nil {
		t.Error("an anonymous caller read an organisation")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
