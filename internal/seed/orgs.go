// Package seed creates the demo data of a Fuzhou-like city: its
// organisations now, and the users, cases and referrals of later
// capabilities. Every step is an upsert keyed by a stable code, so running
// the seed twice changes nothing.
package seed

import "github.com/ipmediate/ipmediate/internal/domain"

// demoOrg describes one demo organisation; Parent is the code of its
// parent, resolved to an id while seeding (parents come first).
type demoOrg struct {
	Code, Parent, NameZH, NameEN, Region, Short string
	Type                                        domain.OrgType
	Level                                       domain.OrgLevel
}

// demoOrgs are the organisations of docs/design.md §3 with real Fuzhou names and the
// org codes of docs/design.md §11. Region codes follow GB/T 2260. Order matters:
// a parent precedes its children.
var demoOrgs = []demoOrg{
	{Code: "leadership", Type: domain.OrgLeadershipOffice, NameZH: "福州市知识产权工作领导小组办公室", NameEN: "Fuzhou IP Work Leading Group Office", Region: "350100"},
	{Code: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCity, NameZH: "福州市知识产权纠纷调解委员会", NameEN: "Fuzhou IP Dispute Mediation Committee", Region: "350100", Short: "榕知调"},
	{Code: "gulou", Parent: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, NameZH: "鼓楼区知识产权纠纷调解委员会", NameEN: "Gulou District IP Dispute Mediation Committee", Region: "350102", Short: "鼓知调"},
	{Code: "cangshan", Parent: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, NameZH: "仓山区知识产权纠纷调解委员会", NameEN: "Cangshan District IP Dispute Mediation Committee", Region: "350104", Short: "仓知调"},
	{Code: "jinan", Parent: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, NameZH: "晋安区知识产权纠纷调解委员会", NameEN: "Jin'an District IP Dispute Mediation Committee", Region: "350111", Short: "晋知调"},
	{Code: "mawei", Parent: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, NameZH: "马尾区知识产权纠纷调解委员会", NameEN: "Mawei District IP Dispute Mediation Committee", Region: "350105", Short: "马知调"},
	{Code: "changle", Parent: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, NameZH: "长乐区知识产权纠纷调解委员会", NameEN: "Changle District IP Dispute Mediation Committee", Region: "350112", Short: "长知调"},
	{Code: "fuqing", Parent: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, NameZH: "福清市知识产权纠纷调解委员会", NameEN: "Fuqing City IP Dispute Mediation Committee", Region: "350181", Short: "融知调"},
	{Code: "minhou", Parent: "city", Type: domain.OrgMediationCommittee, Level: domain.LevelCounty, NameZH: "闽侯县知识产权纠纷调解委员会", NameEN: "Minhou County IP Dispute Mediation Committee", Region: "350121", Short: "侯知调"},
	{Code: "fz-software-mediation", Type: domain.OrgSocialMediation, NameZH: "福州市软件行业协会知识产权调解室", NameEN: "Fuzhou Software Industry Association IP Mediation Room", Region: "350100", Short: "榕软调"},
	{Code: "fz-assistance", Type: domain.OrgAssistanceCenter, NameZH: "福州市知识产权维权援助中心", NameEN: "Fuzhou IP Rights Protection Assistance Center", Region: "350100"},
	{Code: "gulou-court", Type: domain.OrgCourt, NameZH: "福州市鼓楼区人民法院", NameEN: "Gulou District People's Court of Fuzhou", Region: "350102"},
	{Code: "mawei-court", Type: domain.OrgCourt, NameZH: "福州市马尾区人民法院", NameEN: "Mawei District People's Court of Fuzhou", Region: "350105"},
	{Code: "fz-court", Type: domain.OrgCourt, NameZH: "福州市中级人民法院", NameEN: "Fuzhou Intermediate People's Court", Region: "350100"},
	{Code: "fz-arbitration", Type: domain.OrgArbitration, NameZH: "福州仲裁委员会", NameEN: "Fuzhou Arbitration Commission", Region: "350100"},
	{Code: "fz-customs", Type: domain.OrgCustoms, NameZH: "中华人民共和国福州海关", NameEN: "Fuzhou Customs", Region: "350100"},
	{Code: "fz-amr", Type: domain.OrgEnforcement, NameZH: "福州市市场监督管理局", NameEN: "Fuzhou Administration for Market Regulation", Region: "350100"},
	{Code: "fz-culture", Type: domain.OrgEnforcement, NameZH: "福州市文化广电和旅游局（版权）", NameEN: "Fuzhou Bureau of Culture and Tourism (Copyright)", Region: "350100"},
	{Code: "fz-psb", Type: domain.OrgEnforcement, NameZH: "福州市公安局", NameEN: "Fuzhou Public Security Bureau", Region: "350100"},
	{Code: "fz-software", Type: domain.OrgIndustryAssoc, NameZH: "福州市软件行业协会", NameEN: "Fuzhou Software Industry Association", Region: "350100"},
}
