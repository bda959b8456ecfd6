package seed

import (
	"github.com/ipmediate/ipmediate/internal/domain"
)

// DemoPassword is every demo user's password. Demo mode only: the app
// refuses demo mode in production.
const DemoPassword = "demo-pass-2026"

// demoUser is one demo login: a username of docs/design.md §11, a Chinese display
// name, and a role in one organisation (by org code).
type demoUser struct {
	Username, Name, Org string
	Role                domain.Role
}

// demoEnterprises are the demo SMEs; their credit codes are fictitious but
// carry valid GB 32100 check characters.
var demoEnterprises = []struct {
	Code, Name, NameEN, CreditCode, Region string
}{
	{Code: "ent-sme1", Name: "福州闽光软件科技有限公司", NameEN: "Fuzhou Minguang Software Technology Co., Ltd.", CreditCode: "91350100MA34A1B2CU", Region: "350102"},
	{Code: "ent-sme2", Name: "福州榕城茶业有限公司", NameEN: "Fuzhou Rongcheng Tea Co., Ltd.", CreditCode: "91350102MA2YK7Q8DR", Region: "350102"},
}

// committeeStaff are the demo names per committee: director, clerk and two
// mediators. The names are fictitious.
var committeeStaff = map[string][4]string{
	"city":                  {"林建国", "陈晓燕", "黄志明", "郑丽华"},
	"gulou":                 {"王海峰", "李静", "张伟", "刘芳"},
	"cangshan":              {"吴振华", "周敏", "徐强", "孙丽"},
	"jinan":                 {"朱永安", "胡玉梅", "高俊", "何雪"},
	"mawei":                 {"罗志刚", "梁晓红", "宋涛", "谢娟"},
	"changle":               {"韩国庆", "唐秀英", "冯磊", "董琳"},
	"fuqing":                {"萧明辉", "程慧", "曹杰", "袁媛"},
	"minhou":                {"邓建平", "许丹", "傅斌", "沈洁"},
	"fz-software-mediation": {"蔡文博", "潘婷", "杜鹏", "叶青"},
}

// demoUsers returns every demo login of docs/design.md §11 in a stable order.
func demoUsers() []demoUser {
	users := []demoUser{
		{Username: "leader", Name: "陈立新", Org: "leadership", Role: domain.RoleLeader},
		{Username: "sme1", Name: "林晓峰", Org: "ent-sme1", Role: domain.RoleApplicant},
		{Username: "sme2", Name: "黄美玲", Org: "ent-sme2", Role: domain.RoleApplicant},
	}
	for _, d := range demoOrgs {
		staff, ok := committeeStaff[d.Code]
		if !ok {
			continue
		}
		users = append(users,
			demoUser{Username: "director." + d.Code, Name: staff[0], Org: d.Code, Role: domain.RoleDirector},
			demoUser{Username: "clerk." + d.Code, Name: staff[1], Org: d.Code, Role: domain.RoleClerk},
			demoUser{Username: "mediator1." + d.Code, Name: staff[2], Org: d.Code, Role: domain.RoleMediator},
			demoUser{Username: "mediator2." + d.Code, Name: staff[3], Org: d.Code, Role: domain.RoleMediator},
		)
	}
	return append(users,
		demoUser{Username: "liaison.gulou-court", Name: "江涛", Org: "gulou-court", Role: domain.RoleCourtLiaison},
		demoUser{Username: "liaison.mawei-court", Name: "方琴", Org: "mawei-court", Role: domain.RoleCourtLiaison},
		demoUser{Username: "liaison.fz-court", Name: "游建华", Org: "fz-court", Role: domain.RoleCourtLiaison},
		demoUser{Username: "arbitration.fz", Name: "卢晓东", Org: "fz-arbitration", Role: domain.RoleArbitrationClerk},
		demoUser{Username: "customs.fz", Name: "石磊", Org: "fz-customs", Role: domain.RoleCustomsOfficer},
		demoUser{Username: "enforcement.fz-amr", Name: "魏国华", Org: "fz-amr", Role: domain.RoleEnforcementOfficer},
		demoUser{Username: "enforcement.fz-culture", Name: "柯雅琴", Org: "fz-culture", Role: domain.RoleEnforcementOfficer},
		demoUser{Username: "enforcement.fz-psb", Name: "严明", Org: "fz-psb", Role: domain.RoleEnforcementOfficer},
		demoUser{Username: "assistance.fz", Name: "詹慧敏", Org: "fz-assistance", Role: domain.RoleAssistanceOfficer},
		demoUser{Username: "association.fz-software", Name: "翁志远", Org: "fz-software", Role: domain.RoleAssociationStaff},
	)
}
