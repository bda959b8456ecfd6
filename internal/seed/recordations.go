package seed

import (
	"context"
	"fmt"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
)

// demoCustomsRecordation is the recordation the demo customs referral
// names (rs.customs): the register must hold it for the holder.
const demoCustomsRecordation = "T2020-41235"

// recordations records the demo SMEs' customs recordations (docs/design.md
// §5) as the assistance centre, unless their numbers are in the register:
// the trademark the demo customs referral names, a software copyright,
// and a tea trademark whose ten years end within months, so that its
// reminder and the renewal window show.
func (r *referralSeeder) recordations(ctx context.Context) error {
	svc := r.d.Services(r.d.Now).Recordations
	if svc == nil {
		return nil
	}
	ctx, err := r.as(ctx, "assistance.fz")
	if err != nil {
		return err
	}
	// The customs referral's trademark belongs to the enterprise whose
	// rights the demo case is about, when one is registered here.
	holder := r.orgs["ent-sme1"]
	if id, err := r.demoCase(ctx, "gulou", domain.StatusMediating, domain.StatusAccepted, domain.StatusAgreementDraft, domain.StatusSettled); err != nil {
		return err
	} else if id > 0 {
		holders, err := recordation.HoldersTx(ctx, r.d.DB, &id, nil)
		if err != nil {
			return err
		}
		if len(holders) > 0 {
			holder = holders[0]
		}
	}
	today := calendar.DateOf(r.d.Now())
	lapsing := today.AddMonths(4 - recordation.ValidityMonths)
	for _, in := range []recordation.Input{
		{HolderOrgID: holder, Number: demoCustomsRecordation, RightKind: domain.RightTrademark, RightNumber: "第41235678号",
			RightName: "“闽步”注册商标（第25类 运动鞋）", ValidFrom: "2020-06-15"},
		{HolderOrgID: r.orgs["ent-sme1"], Number: "C2021-00318", RightKind: domain.RightSoftwareCopyr, RightNumber: "2021SR0456789",
			RightName: "闽光企业资源管理软件V3.0", ValidFrom: "2021-04-20"},
		{HolderOrgID: r.orgs["ent-sme2"], Number: fmt.Sprintf("T%d-20517", lapsing.Year), RightKind: domain.RightTrademark,
			RightNumber: "第8765432号", RightName: "“榕城”注册商标（第30类 茶叶）", ValidFrom: lapsing.String(),
			Note: "出口东南亚的茶叶使用该商标，需在届满前申请续展。"},
		{HolderOrgID: r.orgs["ent-sme2"], Number: "P2019-00872", RightKind: domain.RightDesign, RightNumber: "ZL201830123456.7",
			RightName: "茶叶包装盒（外观设计）", ValidFrom: "2019-08-01"},
	} {
		var n int64
		if err := r.d.DB.WithContext(ctx).Raw("SELECT count(*) FROM customs_recordations WHERE number = ?", in.Number).Scan(&n).Error; err != nil {
			return fmt.Errorf("seed recordation %s: %w", in.Number, err)
		}
		if n > 0 || in.HolderOrgID == 0 {
			continue
		}
		if _, err := svc.Create(ctx, in); err != nil {
			return fmt.Errorf("seed recordation %s: %w", in.Number, err)
		}
	}
	return nil
}
