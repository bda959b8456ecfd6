package domain

// Role is what a user may do inside one organisation. Permissions are
// granted to roles (configs/policy.csv), never to single users.
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

// Roles lists every role in display order.
var Roles = []Role{
	RoleSysadmin, RoleLeader, RoleDirector, RoleClerk, RoleMediator, RoleAssistanceOfficer,
	RoleCourtLiaison, RoleArbitrationClerk, RoleCustomsOfficer, RoleEnforcementOfficer,
	RoleAssociationStaff, RoleApplicant,
}

// SystemDomain is the authorization domain of global roles (sysadmin).
const SystemDomain = "system"

// rolesByOrgType says which roles exist inside each organisation type.
var rolesByOrgType = map[OrgType][]Role{
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

// RolesFor returns the roles that can be granted in an organisation of
// type t.
func RolesFor(t OrgType) []Role { return rolesByOrgType[t] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// AllowedIn reports whether r can be granted in an organisation of type t.
func (r Role) AllowedIn(t OrgType) bool {
	for _, k := range rolesByOrgType[t] {
		if k == r {
			return true
		}
	}
	return false
}
