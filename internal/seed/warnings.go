package seed

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/org"
	"github.com/ipmediate/ipmediate/internal/warning"
)

// demoIndustries are the industries the demo's enterprises and its
// association chose (internal/warning).
var demoIndustries = map[string][]string{
	"ent-sme1":    {"software", "electronics"},
	"ent-sme2":    {"tea", "food_beverage"},
	"fz-software": {"software"},
}

// demoWarnings are the published warnings of the demo: the issuer's user,
// then the warning.
var demoWarnings = []struct {
	user string
	in   warning.Input
}{
	{"assistance.fz", warning.Input{Title: "关于境外电商平台批量投诉我市茶叶品牌的风险提示",
		Situation: "近两个月，多家我市茶企在境外电商平台上的店铺被同一代理机构以商标侵权为由批量投诉下架。经核查，投诉所依据的商标系在我市企业进入当地市场前抢先注册。",
		Rights:    "注册商标（茶叶、茶饮料类）",
		Advice:    "一、尽快通过马德里体系在主要出口市场申请商标注册；\n二、保存在先使用证据（销售记录、宣传资料）；\n三、收到投诉后及时申请维权援助，不要自行删除商品链接。",
		Links:     []string{"https://www.wipo.int/madrid/zh/"}, Industries: []string{"tea"}}},
	{"association.fz-software", warning.Input{Title: "软件著作权批量维权诉讼风险提示",
		Situation:  "有权利人委托律师事务所就一款常用设计软件向多家中小企业发出律师函并提起诉讼，索赔金额较高。",
		Rights:     "计算机软件著作权",
		Advice:     "请核查本企业在用软件的授权情况，保留购买凭证；收到律师函后可向协会或维权援助中心咨询，不要急于签署和解协议。",
		Industries: []string{"software"}}},
}

// seedWarnings writes the demo's industries and publishes its warnings
// (once: a warning of the same title is not issued again), then runs the
// drafting rule once over the demo cases.
func (s *Seeder) seedWarnings(ctx context.Context, db *gorm.DB, svc *warning.Service) error {
	for code, inds := range demoIndustries {
		var id int64
		if err := db.Raw("SELECT id FROM orgs WHERE code = ?", code).Scan(&id).Error; err != nil || id == 0 {
			return fmt.Errorf("seed industries: organisation %s: %v", code, err)
		}
		var n int64
		if err := db.Raw("SELECT count(*) FROM org_industries WHERE org_id = ?", id).Scan(&n).Error; err != nil {
			return fmt.Errorf("seed industries: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := db.Transaction(func(tx *gorm.DB) error { return org.SetIndustriesTx(ctx, tx, id, inds) }); err != nil {
			return fmt.Errorf("seed industries of %s: %w", code, err)
		}
	}
	for _, w := range demoWarnings {
		var n int64
		if err := db.Raw("SELECT count(*) FROM risk_warnings WHERE title = ?", w.in.Title).Scan(&n).Error; err != nil {
			return fmt.Errorf("seed warnings: %w", err)
		}
		if n > 0 {
			continue
		}
		var uid int64
		if err := db.Raw("SELECT id FROM users WHERE username = ?", w.user).Scan(&uid).Error; err != nil || uid == 0 {
			return fmt.Errorf("seed warnings: user %s: %v", w.user, err)
		}
		a, err := s.users.Actor(ctx, uid)
		if err != nil {
			return fmt.Errorf("seed warnings: %w", err)
		}
		actx := domain.WithActor(ctx, a)
		d, err := svc.Create(actx, w.in)
		if err != nil {
			return fmt.Errorf("seed warning %q: %w", w.in.Title, err)
		}
		if _, err := svc.Publish(actx, d.ID, d.Version); err != nil {
			return fmt.Errorf("seed warning %q: %w", w.in.Title, err)
		}
	}
	if _, err := svc.Draft(ctx); err != nil {
		return fmt.Errorf("seed warning drafts: %w", err)
	}
	return nil
}
