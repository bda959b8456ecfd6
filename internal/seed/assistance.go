package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// demoApplication is one demo assistance application of sme1 and how far
// it has come: submitted, waiting for materials, or approved.
type demoApplication struct {
	in    assistance.ApplyInput
	steps string // "", "materials", "approved"
}

func demoApplications() []demoApplication {
	contact := func(in assistance.ApplyInput) assistance.ApplyInput {
		in.ContactName, in.ContactPhone = "林晓峰", "13805910021"
		return in
	}
	return []demoApplication{
		{in: contact(assistance.ApplyInput{
			Rights: []assistance.Right{{Kind: domain.RightSoftwareCopyr, Number: "2021SR0123456", Title: "闽光财务管理软件V3.0", Holder: "福州闽光软件科技有限公司"}},
			Narrative: "我司在某电商平台发现多家店铺低价销售我司财务管理软件的破解版安装包及激活码，销量较大，" +
				"已向平台投诉但处理缓慢。希望获得侵权判定意见并协助调解。",
			RespondentName: "某电商平台店铺经营者", PlaceKind: assistance.PlaceOnline, Place: "某电商平台“软件之家”店铺",
			HelpWanted: []assistance.Help{assistance.HelpInfringementOpinion, assistance.HelpMediation},
		})},
		{steps: "materials", in: contact(assistance.ApplyInput{
			Rights:         []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光", Holder: "福州闽光软件科技有限公司"}},
			Narrative:      "在第二十六届海峡两岸经贸交易会上，发现一展商展出的软件产品包装使用与我司“闽光”注册商标近似的标识。",
			RespondentName: "厦门某信息技术有限公司", PlaceKind: assistance.PlaceExhibition, ExhibitionCode: "fair-518", Place: "3号馆 A-12 展位",
			HelpWanted: []assistance.Help{assistance.HelpExhibitionResponse, assistance.HelpMediation},
		})},
		{steps: "approved", in: contact(assistance.ApplyInput{
			Rights:    []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光", Holder: "福州闽光软件科技有限公司"}},
			Narrative: "我司在东南亚某国申请商标注册时被告知已有当地公司抢注“闽光”商标，并收到对方的侵权警告函。",
			PlaceKind: assistance.PlaceAbroad, Country: "马来西亚",
			HelpWanted: []assistance.Help{assistance.HelpOverseasGuidance, assistance.HelpConsultation},
		})},
	}
}

// seedAssistance files and works the demo assistance applications of
// sme1 through the assistance service, as sme1 and assistance.fz, unless
// they exist (recognised by their narratives): a second run changes
// nothing. It needs the demo cases' dependencies (WithCases).
func (s *Seeder) seedAssistance(ctx context.Context) error {
	d := s.caseDeps
	db := d.DB.WithContext(ctx)
	clk := &seedClock{t: d.Now().Add(-72 * time.Hour)}
	svc := d.Services(clk.now).Assistance
	as := func(username string) (context.Context, error) {
		var id int64
		if err := db.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil || id == 0 {
			return nil, fmt.Errorf("seed assistance: user %s: %v", username, err)
		}
		a, err := s.users.Actor(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("seed assistance: actor %s: %w", username, err)
		}
		return domain.WithActor(ctx, a), nil
	}
	sme, err := as("sme1")
	if err != nil {
		return err
	}
	officer, err := as("assistance.fz")
	if err != nil {
		return err
	}
	for i, demo := range demoApplications() {
		var n int64
		if err := db.Raw("SELECT count(*) FROM assistance_applications WHERE narrative = ?", demo.in.Narrative).Scan(&n).Error; err != nil {
			return fmt.Errorf("seed assistance: %w", err)
		}
		if n > 0 {
			continue
		}
		clk.t = d.Now().Add(time.Duration(-72+i) * time.Hour)
		app, err := svc.Apply(sme, demo.in)
		if err != nil {
			return fmt.Errorf("seed assistance application %d: %w", i, err)
		}
		clk.t = clk.t.Add(20 * time.Hour)
		switch demo.steps {
		case "materials":
			_, err = svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Version: app.Version,
				Message: "请补充展位照片、展品实物照片及“闽光”商标注册证复印件。"})
		case "approved":
			_, err = svc.Approve(officer, app.ID, assistance.ApproveInput{Version: app.Version,
				Help: []assistance.Help{assistance.HelpOverseasGuidance, assistance.HelpConsultation},
				Note: "邀请海外知识产权纠纷应对指导专家提供异议及无效宣告程序指导，并协助评估当地诉讼风险。"})
		}
		if err != nil {
			return fmt.Errorf("seed assistance application %d: %w", i, err)
		}
	}
	return s.seedFairComplaints(ctx)
}
