package domain

import (
	"slices"
	"testing"
)

// TestRoleTable pins the role table: where each role is held and which
// rows it reaches. Scope code everywhere derives from these answers, so a
// change here is a change of who sees what and must be deliberate.
func TestRoleTable(t *testing.T) {
	cases := map[Role]map[Object]Reach{
		RoleLeader: {ObjectCase: ReachAll, ObjectDeadline: ReachAll, ObjectStats: ReachAll,
			ObjectApplication: ReachAll, ObjectReferral: ReachAll, ObjectCredit: ReachAll, ObjectWarning: ReachAll,
			ObjectRecordation: ReachAll, ObjectRegister: ReachAll},
		RoleDirector: {ObjectCase: ReachOrg | ReachSupervised, ObjectDeadline: ReachOrg | ReachSupervised, ObjectStats: ReachOrg | ReachSupervised,
			ObjectReferral: ReachOrg, ObjectRegister: ReachOrg},
		RoleClerk:    {ObjectCase: ReachOrg, ObjectDeadline: ReachOrg, ObjectReferral: ReachOrg, ObjectRegister: ReachOrg},
		RoleMediator: {ObjectCase: ReachAssigned, ObjectDeadline: ReachAssigned, ObjectRegister: ReachOrg},
		RoleAssistanceOfficer: {ObjectCase: ReachFiled | ReachReferred, ObjectApplication: ReachOrg, ObjectReferral: ReachOrg, ObjectWarning: ReachOrg,
			ObjectRecordation: ReachAll},
		RoleCourtLiaison:       {ObjectCase: ReachFiled | ReachReferred, ObjectReferral: ReachOrg},
		RoleArbitrationClerk:   {ObjectCase: ReachReferred, ObjectReferral: ReachOrg},
		RoleCustomsOfficer:     {ObjectCase: ReachReferred, ObjectReferral: ReachOrg, ObjectRecordation: ReachAll},
		RoleEnforcementOfficer: {ObjectCase: ReachReferred, ObjectReferral: ReachOrg, ObjectCredit: ReachAll, ObjectWarning: ReachOrg},
		RoleAssociationStaff:   {ObjectCase: ReachMembers, ObjectApplication: ReachMembers, ObjectWarning: ReachOrg},
		RoleApplicant: {ObjectCase: ReachPartyTo, ObjectDeadline: ReachPartyTo, ObjectApplication: ReachPartyTo,
			ObjectCredit: ReachPartyTo, ObjectWarning: ReachPartyTo, ObjectRecordation: ReachPartyTo},
		RoleSysadmin: {},
	}
	if len(cases) != len(Roles) {
		t.Fatalf("the test names %d roles, the table has %d", len(cases), len(Roles))
	}
	for role, want := range cases {
		for _, o := range Objects {
			if got := role.Reach(o); got != want[o] {
				t.Errorf("%s reaches %b of %s, want %b", role, got, o, want[o])
			}
		}
	}
	if got := RolesWhere(Role.Head); !slices.Equal(got, []Role{RoleDirector}) {
		t.Errorf("heads %v", got)
	}
	if got := RolesWhere(Role.Staff); !slices.Equal(got, []Role{RoleClerk, RoleMediator}) {
		t.Errorf("staff %v", got)
	}
	if got := RolesWhere(Role.Assignable); !slices.Equal(got, []Role{RoleMediator}) {
		t.Errorf("assignable %v", got)
	}
	if got := RolesReaching(ObjectCase, ReachReferred); !slices.Equal(got, []Role{RoleAssistanceOfficer, RoleCourtLiaison, RoleArbitrationClerk, RoleCustomsOfficer, RoleEnforcementOfficer}) {
		t.Errorf("referral readers %v", got)
	}
	if Role("nobody").Reach(ObjectCase) != 0 || Role("nobody").Valid() {
		t.Error("an unknown role reaches rows")
	}
}

// TestRolesByOrgType: every role but the system administrator is held in
// exactly the organisation types of docs/design.md §3.
func TestRolesByOrgType(t *testing.T) {
	want := map[OrgType][]Role{
		OrgLeadershipOffice:   {RoleLeader},
		OrgMediationCommittee: {RoleDirector, RoleClerk, RoleMediator},
		OrgSocialMediation:    {RoleDirector, RoleClerk, RoleMediator},
		OrgAssistanceCenter:   {RoleAssistanceOfficer},
		OrgCourt:              {RoleCourtLiaison},
		OrgArbitration:        {RoleArbitrationClerk},
		OrgCustoms:            {RoleCustomsOfficer},
		OrgEnforcement:        {RoleEnforcementOfficer},
		OrgIndustryAssoc:      {RoleAssociationStaff},
		OrgEnterprise:         {RoleApplicant},
	}
	for typ, roles := range want {
		if got := RolesFor(typ); !slices.Equal(got, roles) {
			t.Errorf("RolesFor(%s) = %v, want %v", typ, got, roles)
		}
		for _, r := range roles {
			if !r.AllowedIn(typ) {
				t.Errorf("%s not allowed in %s", r, typ)
			}
		}
	}
	if RoleSysadmin.AllowedIn(OrgMediationCommittee) || RoleClerk.AllowedIn(OrgCourt) {
		t.Error("a role allowed outside its organisation types")
	}
}

// TestReachHas: Has asks for every way named, and the empty set is never
// had.
func TestReachHas(t *testing.T) {
	r := ReachOrg | ReachSupervised
	if !r.Has(ReachOrg) || !r.Has(ReachOrg|ReachSupervised) || r.Has(ReachAll) || r.Has(ReachOrg|ReachAll) || r.Has(0) {
		t.Errorf("Has on %b", r)
	}
	a := &Actor{Memberships: []Membership{{OrgID: 1, Role: RoleDirector}, {OrgID: 2, Role: RoleCourtLiaison}}}
	if a.ReachIn(1, ObjectCase) != ReachOrg|ReachSupervised || a.ReachIn(2, ObjectCase) != ReachFiled|ReachReferred || a.ReachIn(3, ObjectCase) != 0 {
		t.Error("ReachIn")
	}
	if a.ReachAny(ObjectCase) != ReachOrg|ReachSupervised|ReachFiled|ReachReferred {
		t.Error("ReachAny")
	}
}
