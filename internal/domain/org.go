package domain

import "time"

// OrgType is the kind of organisation; it decides which roles exist in it.
type OrgType string

// Organisation types (docs/design.md §3).
const (
	OrgLeadershipOffice   OrgType = "leadership_office"    // 知识产权工作领导小组办公室
	OrgMediationCommittee OrgType = "mediation_committee"  // 知识产权纠纷调解委员会
	OrgSocialMediation    OrgType = "social_mediation_org" // 社会调解组织
	OrgAssistanceCenter   OrgType = "assistance_center"    // 维权援助中心
	OrgCourt              OrgType = "court"                // 人民法院
	OrgArbitration        OrgType = "arbitration_commission"
	OrgCustoms            OrgType = "customs"
	OrgEnforcement        OrgType = "enforcement" // market regulation, copyright, IP office, public security
	OrgIndustryAssoc      OrgType = "industry_association"
	OrgEnterprise         OrgType = "enterprise"
)

// OrgTypes lists every organisation type in display order.
var OrgTypes = []OrgType{
	OrgLeadershipOffice, OrgMediationCommittee, OrgSocialMediation, OrgAssistanceCenter,
	OrgCourt, OrgArbitration, OrgCustoms, OrgEnforcement, OrgIndustryAssoc, OrgEnterprise,
}

// Valid reports whether t is a known organisation type.
func (t OrgType) Valid() bool {
	for _, k := range OrgTypes {
		if k == t {
			return true
		}
	}
	return false
}

// OrgLevel places a committee in the city -> county tree.
type OrgLevel string

// Levels of the organisation tree.
const (
	LevelNone   OrgLevel = ""
	LevelCity   OrgLevel = "city"
	LevelCounty OrgLevel = "county"
)

// Org is an organisation and the authorization domain of its members.
type Org struct {
	ID         int64
	Code       string // stable machine name, e.g. "gulou"
	Type       OrgType
	Level      OrgLevel
	ParentID   *int64
	NameZH     string
	NameEN     string
	RegionCode string // GB/T 2260
	ShortCode  string // used in case numbers: （2026）榕知调字第0001号
	CreditCode *string
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Name returns the organisation's name in the given language, falling back
// to Chinese, which every organisation has.
func (o Org) Name(lang string) string {
	if lang == "en" && o.NameEN != "" {
		return o.NameEN
	}
	return o.NameZH
}
