package domain

import "slices"

// Role is what a user may do inside one organisation. Permissions are
// granted to roles (configs/policy.csv), never to single users; which rows
// a permission reaches, and the few duties a role has beyond its
// permissions, are declared for every role in one table (specs, below).
type Role string

// Roles of docs/design.md §3.
const (
	RoleSysadmin           Role = "sysadmin" // global: held in the system domain
	RoleLeader             Role = "leader"
	RoleDirector           Role = "director" // 调委会主任
	RoleClerk              Role = "clerk"    // 书记员
	RoleMediator           Role = "mediator" // 调解员
	RoleAssistanceOfficer  Role = "assistance_officer"
	RoleCourtLiaison       Role = "court_liaison" // 诉调对接联络员
	RoleArbitrationClerk   Role = "arbitration_clerk"
	RoleCustomsOfficer     Role = "customs_officer"
	RoleEnforcementOfficer Role = "enforcement_officer"
	RoleAssociationStaff   Role = "association_staff"
	RoleApplicant          Role = "applicant" // an SME's user
)

// Object is a kind of row whose visibility the role table declares.
type Object string

// The objects of the role table.
const (
	// ObjectCase: dispute cases (case lists, the case page, the
	// notices about a case).
	ObjectCase Object = "case"
	// ObjectDeadline: "my deadlines" beyond the ones the user is
	// personally responsible for, which every holder of deadline:read
	// sees.
	ObjectDeadline Object = "deadline"
	// ObjectStats: the committees whose figures the role reads.
	ObjectStats Object = "stats"
	// ObjectApplication: SME rights-protection assistance applications.
	ObjectApplication Object = "application"
	// ObjectReferral: referrals between organisations (the referral
	// lists, pages and figures).
	ObjectReferral Object = "referral"
	// ObjectCredit: IP credit records (internal/credit).
	ObjectCredit Object = "credit"
	// ObjectWarning: industry risk warnings (internal/warning): an
	// issuing body's own (ReachOrg), the ones that reached an enterprise
	// (ReachPartyTo), every one (ReachAll).
	ObjectWarning Object = "warning"
	// ObjectRecordation: customs recordations (internal/recordation).
	ObjectRecordation Object = "recordation"
	// ObjectRegister: a committee's mediator register, its technical
	// experts and the complaints about its mediators (internal/register):
	// the committee's own (ReachOrg), every register (ReachAll).
	ObjectRegister Object = "register"
)

// Objects lists the objects of the role table.
var Objects = []Object{ObjectCase, ObjectDeadline, ObjectStats, ObjectApplication, ObjectReferral, ObjectCredit, ObjectWarning, ObjectRecordation, ObjectRegister}

// Reach is a set of the ways in which a role's read permission on an
// object reaches rows, counted from the organisation in which the role is
// held. The permission itself (casbin, configs/policy.csv) still has to be
// granted: a reach without the permission reaches nothing.
type Reach uint8

// The ways a role reaches rows.
const (
	// ReachOrg: every row of the organisation (a committee's docket, a
	// centre's applications).
	ReachOrg Reach = 1 << iota
	// ReachSupervised: every row of the committees the user supervises
	// as the director of a city-level committee (Actor.Supervised).
	ReachSupervised
	// ReachAssigned: the rows of the organisation assigned to the user
	// (a mediator's cases, through their current assignments).
	ReachAssigned
	// ReachAll: every row, read-only (the leadership office's
	// oversight): reading every row grants no step on any of them, and
	// no document behind them.
	ReachAll
	// ReachPartyTo: the rows the organisation filed or is a party to
	// (an enterprise's cases, applications and their deadlines).
	ReachPartyTo
	// ReachFiled: the rows a member of the organisation filed (a
	// court's delegations, the assistance centre's cases), read whole.
	ReachFiled
	// ReachReferred: the rows a referral sent or received by the
	// organisation discloses, within the referral's disclosure.
	ReachReferred
	// ReachMembers: the rows of the enterprises that are members of the
	// organisation (an industry association) and have consented to it
	// reading them (internal/association), read-only, while the consent
	// stands: withdrawn, the rows are out of reach at once.
	ReachMembers
)

// Has reports whether r includes every way of x.
func (r Reach) Has(x Reach) bool { return x != 0 && r&x == x }

// roleSpec is one row of the role table.
type roleSpec struct {
	role Role
	// orgTypes are the organisation types in which the role can be
	// granted.
	orgTypes []OrgType
	// reach says which rows of each object the role's read permission
	// reaches; an object not listed is reached by nothing.
	reach map[Object]Reach
	// head: the head of its organisation. An overdue deadline of the
	// organisation escalates to its heads; the head of a city-level
	// committee supervises the county committees; a head grants the
	// staff roles in their own organisation.
	head bool
	// staff: a role a head may grant in their own organisation (every
	// other role needs the system administrator).
	staff bool
	// assignable: a case of the organisation can be assigned to a
	// holder of the role (the committee's mediators).
	assignable bool
}

// specs is the role table, in display order. Adding a role is a row here,
// its permissions in configs/policy.csv, its name in the message catalogs
// and a migration widening the casbin_rule role CHECK.
var specs = []roleSpec{
	{role: RoleSysadmin},
	{role: RoleLeader, orgTypes: []OrgType{OrgLeadershipOffice},
		reach: map[Object]Reach{ObjectCase: ReachAll, ObjectDeadline: ReachAll, ObjectStats: ReachAll,
			ObjectApplication: ReachAll, ObjectReferral: ReachAll, ObjectCredit: ReachAll, ObjectWarning: ReachAll,
			ObjectRecordation: ReachAll, ObjectRegister: ReachAll}},
	{role: RoleDirector, orgTypes: []OrgType{OrgMediationCommittee, OrgSocialMediation}, head: true,
		reach: map[Object]Reach{ObjectCase: ReachOrg | ReachSupervised, ObjectDeadline: ReachOrg | ReachSupervised, ObjectStats: ReachOrg | ReachSupervised,
			ObjectReferral: ReachOrg, ObjectRegister: ReachOrg}},
	{role: RoleClerk, orgTypes: []OrgType{OrgMediationCommittee, OrgSocialMediation}, staff: true,
		reach: map[Object]Reach{ObjectCase: ReachOrg, ObjectDeadline: ReachOrg, ObjectReferral: ReachOrg, ObjectRegister: ReachOrg}},
	{role: RoleMediator, orgTypes: []OrgType{OrgMediationCommittee, OrgSocialMediation}, staff: true, assignable: true,
		reach: map[Object]Reach{ObjectCase: ReachAssigned, ObjectDeadline: ReachAssigned, ObjectRegister: ReachOrg}},
	{role: RoleAssistanceOfficer, orgTypes: []OrgType{OrgAssistanceCenter},
		reach: map[Object]Reach{ObjectCase: ReachFiled | ReachReferred, ObjectApplication: ReachOrg, ObjectReferral: ReachOrg,
			ObjectWarning: ReachOrg, ObjectRecordation: ReachAll}},
	{role: RoleCourtLiaison, orgTypes: []OrgType{OrgCourt},
		reach: map[Object]Reach{ObjectCase: ReachFiled | ReachReferred, ObjectReferral: ReachOrg}},
	{role: RoleArbitrationClerk, orgTypes: []OrgType{OrgArbitration},
		reach: map[Object]Reach{ObjectCase: ReachReferred, ObjectReferral: ReachOrg}},
	{role: RoleCustomsOfficer, orgTypes: []OrgType{OrgCustoms},
		reach: map[Object]Reach{ObjectCase: ReachReferred, ObjectReferral: ReachOrg, ObjectRecordation: ReachAll}},
	{role: RoleEnforcementOfficer, orgTypes: []OrgType{OrgEnforcement},
		reach: map[Object]Reach{ObjectCase: ReachReferred, ObjectReferral: ReachOrg, ObjectCredit: ReachAll, ObjectWarning: ReachOrg}},
	{role: RoleAssociationStaff, orgTypes: []OrgType{OrgIndustryAssoc},
		reach: map[Object]Reach{ObjectCase: ReachMembers, ObjectApplication: ReachMembers, ObjectWarning: ReachOrg}},
	{role: RoleApplicant, orgTypes: []OrgType{OrgEnterprise},
		reach: map[Object]Reach{ObjectCase: ReachPartyTo, ObjectDeadline: ReachPartyTo, ObjectApplication: ReachPartyTo,
			ObjectCredit: ReachPartyTo, ObjectWarning: ReachPartyTo, ObjectRecordation: ReachPartyTo}},
}

// Roles lists every role in display order.
var Roles = func() []Role {
	out := make([]Role, len(specs))
	for i, s := range specs {
		out[i] = s.role
	}
	return out
}()

// SystemDomain is the authorization domain of global roles (sysadmin).
const SystemDomain = "system"

func (r Role) spec() (roleSpec, bool) {
	i := slices.IndexFunc(specs, func(s roleSpec) bool { return s.role == r })
	if i < 0 {
		return roleSpec{}, false
	}
	return specs[i], true
}

// RolesFor returns the roles that can be granted in an organisation of
// type t.
func RolesFor(t OrgType) []Role {
	var out []Role
	for _, s := range specs {
		if slices.Contains(s.orgTypes, t) {
			out = append(out, s.role)
		}
	}
	return out
}

// RolesWhere returns the roles, in display order, for which keep is true.
func RolesWhere(keep func(Role) bool) []Role {
	var out []Role
	for _, r := range Roles {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// RolesReaching returns the roles whose reach on o includes x.
func RolesReaching(o Object, x Reach) []Role {
	return RolesWhere(func(r Role) bool { return r.Reach(o).Has(x) })
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	_, ok := r.spec()
	return ok
}

// AllowedIn reports whether r can be granted in an organisation of type t.
func (r Role) AllowedIn(t OrgType) bool {
	s, _ := r.spec()
	return slices.Contains(s.orgTypes, t)
}

// Reach returns which rows of o the role's read permission reaches.
func (r Role) Reach(o Object) Reach {
	s, _ := r.spec()
	return s.reach[o]
}

// Head reports whether the role heads its organisation: overdue deadlines
// escalate to it, at city level it supervises the county committees, and
// it grants the staff roles of its organisation.
func (r Role) Head() bool {
	s, _ := r.spec()
	return s.head
}

// Staff reports whether a head may grant the role in their own
// organisation.
func (r Role) Staff() bool {
	s, _ := r.spec()
	return s.staff
}

// Assignable reports whether a case can be assigned to a holder of the
// role.
func (r Role) Assignable() bool {
	s, _ := r.spec()
	return s.assignable
}

// Docket reports whether the role handles every case of its organisation
// as its office (ReachOrg on cases): it works the committee's queue,
// files walk-in disputes there, seals agreements, records follow-ups and
// sees the repeat-infringer flag at intake.
func (r Role) Docket() bool { return r.Reach(ObjectCase).Has(ReachOrg) }
