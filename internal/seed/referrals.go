package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// Demo referrals (docs/design.md §5), written after the demo cases through the
// referral service, at the time of the seeder's clock (the application's),
// so that every receiver's inbox has something to do and every sender
// something to follow. They file no case (the demo cases stay as seeded):
//
//   - 鼓楼区人民法院 delegates a dispute to the 鼓楼 committee (waiting to
//     be acknowledged); 马尾区人民法院 entrusts one to the 马尾 committee
//     (acknowledged, to accept);
//   - the committee of the most recently settled demo case applies for
//     judicial confirmation (while the 30 days run), a failed case goes to
//     a court for filing and to arbitration, a patent case to market
//     regulation for adjudication, a 鼓楼 case to market regulation (in
//     progress), to customs and to the assistance centre;
//   - market regulation transfers a suspected offence to the police.
//
// Each is recognised by its note; one that exists is skipped, so a second
// run changes nothing.

// demoReferralNote marks the demo referrals.
const demoReferralNote = "演示数据："

type referralSeeder struct {
	s      *Seeder
	svc    *referral.Service
	cases  *cases.Service
	orgs   map[string]int64
	actors map[string]*domain.Actor
	d      *CaseDeps
}

func (s *Seeder) seedReferrals(ctx context.Context, orgIDs map[string]int64) error {
	d := s.caseDeps
	svcs := d.Services(d.Now)
	rs := &referralSeeder{s: s, cases: svcs.Cases, orgs: orgIDs, actors: map[string]*domain.Actor{}, d: d, svc: svcs.Referrals}
	if err := rs.recordations(ctx); err != nil {
		return err
	}
	for _, step := range []struct {
		note string
		run  func(ctx context.Context, note string) error
	}{
		{"鼓楼区人民法院委派调解，待调委会签收", rs.delegationNew},
		{"马尾区人民法院委托调解，调委会已签收", rs.entrustmentReceived},
		{"调解协议生效后申请司法确认", rs.confirmation},
		{"调解不成转立案", rs.litigation},
		{"调解不成转仲裁", rs.arbitration},
		{"专利侵权纠纷请求行政裁决", rs.adjudication},
		{"移送市场监管局查处重复侵权", rs.enforcement},
		{"请求海关扣留侵权嫌疑货物", rs.customs},
		{"转介维权援助中心", rs.assistance},
		{"市场监管局移送公安机关", rs.criminal},
	} {
		note := demoReferralNote + step.note
		var n int64
		if err := d.DB.WithContext(ctx).Raw("SELECT count(*) FROM referrals WHERE note = ?", note).Scan(&n).Error; err != nil {
			return fmt.Errorf("seed referrals: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := step.run(ctx, note); err != nil {
			return fmt.Errorf("seed referral %q: %w", step.note, err)
		}
	}
	return nil
}

// as returns ctx acting as the demo user username.
func (r *referralSeeder) as(ctx context.Context, username string) (context.Context, error) {
	a, ok := r.actors[username]
	if !ok {
		var id int64
		if err := r.d.DB.WithContext(ctx).Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil || id == 0 {
			return nil, fmt.Errorf("demo user %s is missing (%v)", username, err)
		}
		var err error
		if a, err = r.s.users.Actor(ctx, id); err != nil {
			return nil, err
		}
		r.actors[username] = a
	}
	return domain.WithActor(ctx, a), nil
}

func fieldsJSON(m map[string]any) json.RawMessage {
	b, _ := json.Marshal(m)
	return b
}

// send sends in as username.
func (r *referralSeeder) send(ctx context.Context, username string, in referral.SendInput) (referral.Referral, error) {
	actx, err := r.as(ctx, username)
	if err != nil {
		return referral.Referral{}, err
	}
	return r.svc.Send(actx, in)
}

func (r *referralSeeder) courtDispute(summary, respondent string) *cases.IntakeInput {
	return &cases.IntakeInput{DisputeType: domain.DisputeCopyright, Summary: summary,
		Claims: "判令被告停止侵权并赔偿经济损失及合理开支。", ClaimAmountFen: 8_000_000,
		Parties: []cases.PartyInput{
			company(domain.PartyApplicant, "福州闽光软件科技有限公司", "91350100MA34A1B2CU", "13805910001", "福州市鼓楼区软件大道89号"),
			company(domain.PartyRespondent, respondent, creditCode("91350104MA2XR3K5P"), "13905910002", "福州市仓山区建新镇"),
		},
		Rights: []cases.RightInput{{Kind: domain.RightSoftwareCopyr, Number: "2021SR0456789", Title: "闽光云协同办公软件V3.0",
			Holder: "福州闽光软件科技有限公司"}}}
}

func (r *referralSeeder) delegationNew(ctx context.Context, note string) error {
	_, err := r.send(ctx, "liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: r.orgs["gulou"], Note: note,
		Case:   r.courtDispute("原告诉称被告未经许可在其官网提供原告享有著作权的办公软件下载，立案前经双方同意委派调解。", "福州云帆信息技术有限公司"),
		Fields: fieldsJSON(map[string]any{"pre_filing_number": "（2026）闽0102民诉前调218号"})})
	return err
}

func (r *referralSeeder) entrustmentReceived(ctx context.Context, note string) error {
	ref, err := r.send(ctx, "liaison.mawei-court", referral.SendInput{Kind: referral.KindCourtEntrustment, ReceiverOrgID: r.orgs["mawei"], Note: note,
		Case:   r.courtDispute("原告诉称被告在马尾区开发的小程序中使用了原告软件的源代码，立案后经双方同意委托调解。", "福州马江数码科技有限公司"),
		Fields: fieldsJSON(map[string]any{"court_case_number": "（2026）闽0105民初1032号", "procedure": "simplified"})})
	if err != nil {
		return err
	}
	dir, err := r.as(ctx, "director.mawei")
	if err != nil {
		return err
	}
	_, err = r.svc.Receive(dir, ref.ID, referral.ReceiveInput{Version: ref.Version})
	return err
}

// courtOf is the court a committee's cases go to: its district court, else
// the intermediate court.
func courtOf(committee string) string {
	switch committee {
	case "gulou":
		return "gulou-court"
	case "mawei":
		return "mawei-court"
	}
	return "fz-court"
}

// caseRow is a demo case picked for a referral.
type caseRow struct {
	ID   int64
	Code string
}

// pick finds the first demo case of a committee matching where.
func (r *referralSeeder) pick(ctx context.Context, where string, args ...any) (caseRow, error) {
	var row caseRow
	err := r.d.DB.WithContext(ctx).Raw(`SELECT c.id, o.code FROM cases c JOIN orgs o ON o.id = c.org_id
WHERE o.type = 'mediation_committee' AND `+where+` ORDER BY c.id LIMIT 1`, args...).Scan(&row).Error
	return row, err
}

// confirmation: the latest agreement in effect, while its 30 days run,
// of a case that offers judicial confirmation (not a court-entrusted one,
// which goes back to the court that entrusted it).
func (r *referralSeeder) confirmation(ctx context.Context, note string) error {
	var row caseRow
	if err := r.d.DB.WithContext(ctx).Raw(`SELECT c.id, o.code FROM cases c JOIN orgs o ON o.id = c.org_id
JOIN case_agreements g ON g.case_id = c.id WHERE g.effective_at > ? AND c.outcome = 'settled'
AND c.source <> 'court_entrusted'
ORDER BY g.effective_at DESC LIMIT 1`, r.d.Now().AddDate(0, 0, -28)).Scan(&row).Error; err != nil || row.ID == 0 {
		return err
	}
	_, err := r.send(ctx, "clerk."+row.Code, referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: r.orgs[courtOf(row.Code)],
		CaseID: &row.ID, Note: note, Fields: fieldsJSON(map[string]any{"joint_application": true})})
	return err
}

func (r *referralSeeder) litigation(ctx context.Context, note string) error {
	row, err := r.pick(ctx, "c.outcome = 'failed'")
	if err != nil || row.ID == 0 {
		return err
	}
	_, err = r.send(ctx, "clerk."+row.Code, referral.SendInput{Kind: referral.KindLitigation, ReceiverOrgID: r.orgs[courtOf(row.Code)],
		CaseID: &row.ID, Note: note, Fields: fieldsJSON(map[string]any{"claims": "判令被申请人停止侵权并赔偿经济损失。"})})
	return err
}

func (r *referralSeeder) adjudication(ctx context.Context, note string) error {
	row, err := r.pick(ctx, "c.dispute_type = 'patent_infringement' AND c.status IN ('submitted', 'accepted', 'mediating')")
	if err != nil || row.ID == 0 {
		return err
	}
	_, err = r.send(ctx, "clerk."+row.Code, referral.SendInput{Kind: referral.KindAdministrative, ReceiverOrgID: r.orgs["fz-amr"],
		CaseID: &row.ID, Note: note, Fields: fieldsJSON(map[string]any{"request": "请求责令被请求人立即停止制造、销售侵犯涉案专利权的产品。"})})
	return err
}

func (r *referralSeeder) assistance(ctx context.Context, note string) error {
	row, err := r.pick(ctx, "o.code = 'gulou' AND c.status IN ('accepted', 'mediating') AND EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND p.is_sme)")
	if err != nil || row.ID == 0 {
		return err
	}
	_, err = r.send(ctx, "clerk.gulou", referral.SendInput{Kind: referral.KindRightsAssistance, ReceiverOrgID: r.orgs["fz-assistance"],
		CaseID: &row.ID, Note: note, Fields: fieldsJSON(map[string]any{"help": "申请人为中小企业，请求提供侵权判定咨询和维权援助律师。"})})
	return err
}

// demoCase finds a demo case of committee in one of statuses.
func (r *referralSeeder) demoCase(ctx context.Context, committee string, statuses ...domain.CaseStatus) (int64, error) {
	var id int64
	err := r.d.DB.WithContext(ctx).Raw("SELECT id FROM cases WHERE org_id = ? AND status IN ? ORDER BY id LIMIT 1", r.orgs[committee], statuses).Scan(&id).Error
	return id, err
}

func (r *referralSeeder) enforcement(ctx context.Context, note string) error {
	id, err := r.demoCase(ctx, "gulou", domain.StatusMediating, domain.StatusAgreementDraft, domain.StatusSettled, domain.StatusAccepted)
	if err != nil || id == 0 {
		return err
	}
	var party int64
	if err := r.d.DB.WithContext(ctx).Raw("SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent' AND (credit_code <> '' OR id_number_hash <> '') ORDER BY position LIMIT 1", id).
		Scan(&party).Error; err != nil || party == 0 {
		return err
	}
	ref, err := r.send(ctx, "director.gulou", referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: r.orgs["fz-amr"], CaseID: &id, Note: note,
		Fields: fieldsJSON(map[string]any{"grounds": "repeat_infringement", "party_id": party,
			"facts": "被申请人在调解期间仍在电商平台销售同款侵权商品，涉嫌重复侵权。"})})
	if err != nil {
		return err
	}
	amr, err := r.as(ctx, "enforcement.fz-amr")
	if err != nil {
		return err
	}
	_, err = r.svc.Accept(amr, ref.ID, referral.AcceptInput{Version: ref.Version, Note: "已立案调查"})
	return err
}

func (r *referralSeeder) customs(ctx context.Context, note string) error {
	id, err := r.demoCase(ctx, "gulou", domain.StatusMediating, domain.StatusAccepted, domain.StatusAgreementDraft, domain.StatusSettled)
	if err != nil || id == 0 {
		return err
	}
	_, err = r.send(ctx, "clerk.gulou", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: r.orgs["fz-customs"], CaseID: &id, Note: note,
		Fields: fieldsJSON(map[string]any{"mode": "on_application", "goods": "侵犯申请人注册商标专用权的运动鞋 1200 双",
			"port": "福州海关马尾港区", "declaration_number": "350520260001234567", "recordation_number": "T2020-41235",
			"guarantee_amount_fen": 5_000_000})})
	return err
}

func (r *referralSeeder) arbitration(ctx context.Context, note string) error {
	var row struct {
		ID   int64
		Code string
	}
	if err := r.d.DB.WithContext(ctx).Raw(`SELECT c.id, o.code FROM cases c JOIN orgs o ON o.id = c.org_id
WHERE c.outcome = 'failed' AND o.type = 'mediation_committee' ORDER BY c.id LIMIT 1`).Scan(&row).Error; err != nil || row.ID == 0 {
		return err
	}
	_, err := r.send(ctx, "clerk."+row.Code, referral.SendInput{Kind: referral.KindArbitration, ReceiverOrgID: r.orgs["fz-arbitration"], CaseID: &row.ID,
		Note: note, Fields: fieldsJSON(map[string]any{"arbitration_clause": "双方在《软件许可合同》第十二条约定：因本合同引起的争议，提交福州仲裁委员会仲裁。"})})
	return err
}

func (r *referralSeeder) criminal(ctx context.Context, note string) error {
	_, err := r.send(ctx, "enforcement.fz-amr", referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: r.orgs["fz-psb"], Note: note,
		Fields: fieldsJSON(map[string]any{"offence": "涉嫌销售假冒注册商标的商品罪",
			"items": "假冒“闽茶”注册商标的茶叶 860 盒、外包装 2000 个、销售账册 3 本", "decided_at": r.d.Now().Add(-3 * time.Hour)})})
	return err
}
