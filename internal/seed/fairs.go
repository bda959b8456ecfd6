package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// seedFairComplaints puts the association's staff and the centre's
// officer on the 5·18 fair's complaint station and takes three complaints
// there through the assistance service: one closed with infringement
// found and exhibits removed, one against the same exhibitor received
// this morning (flagged, its 24-hour transfer running), and one
// transferred that waits for the respondent's answer. A second run changes
// nothing (recognised by any complaint at all).
func (s *Seeder) seedFairComplaints(ctx context.Context) error {
	d := s.caseDeps
	db := d.DB.WithContext(ctx)
	var n int64
	if err := db.Raw("SELECT count(*) FROM fair_complaints").Scan(&n).Error; err != nil {
		return fmt.Errorf("seed fair complaints: %w", err)
	}
	if n > 0 {
		return nil
	}
	clk := &seedClock{t: d.Now().Add(-30 * 24 * time.Hour)}
	svc := d.Services(clk.now).Assistance
	as := func(username string) (context.Context, int64, error) {
		var id int64
		if err := db.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil || id == 0 {
			return nil, 0, fmt.Errorf("seed fair complaints: user %s: %v", username, err)
		}
		a, err := s.users.Actor(ctx, id)
		if err != nil {
			return nil, 0, fmt.Errorf("seed fair complaints: actor %s: %w", username, err)
		}
		return domain.WithActor(ctx, a), id, nil
	}
	centre, centreID, err := as("assistance.fz")
	if err != nil {
		return err
	}
	staff, staffID, err := as("association.fz-software")
	if err != nil {
		return err
	}
	for _, u := range []int64{centreID, staffID} {
		if err := svc.SetStationStaff(centre, "fair-518", u, true); err != nil {
			return fmt.Errorf("seed station staff: %w", err)
		}
	}
	var amr int64
	if err := db.Raw("SELECT id FROM orgs WHERE code = 'fz-amr'").Scan(&amr).Error; err != nil || amr == 0 {
		return fmt.Errorf("seed fair complaints: fz-amr: %v", err)
	}
	complaint := func(respondent, booth, summary string) assistance.FairComplaintInput {
		return assistance.FairComplaintInput{Infringement: true, ComplainantName: "福州闽光软件科技有限公司",
			RightKind: domain.RightTrademark, RightNumber: "12345678", RightTitle: "闽光", RightProof: "商标注册证第12345678号复印件及续展证明",
			RespondentName: respondent, Booth: booth, Summary: summary}
	}
	step := func(c assistance.FairComplaint, act assistance.FairAction, in assistance.FairStepInput) (assistance.FairComplaint, error) {
		clk.t = clk.t.Add(3 * time.Hour)
		in.Version = c.Version
		return svc.FairStep(staff, c.ID, act, in)
	}
	// Last year's fair: infringement found, exhibits removed, closed.
	c, err := svc.ReceiveFairComplaint(staff, "fair-518", complaint("厦门某信息技术有限公司", "3号馆 A-12",
		"展位展出的财务软件包装盒使用与“闽光”注册商标近似的标识。"))
	if err == nil {
		c, err = step(c, assistance.FairTransfer, assistance.FairStepInput{EnforcementOrgID: amr})
	}
	if err == nil {
		c, err = step(c, assistance.FairAnswer, assistance.FairStepInput{Answer: "包装标识为我司自行设计，与投诉人商标不构成近似。"})
	}
	if err == nil {
		c, err = step(c, assistance.FairDecide, assistance.FairStepInput{Decision: assistance.DecisionInfringing,
			Measures: []string{"removal", "covering"}, Reason: "被投诉包装使用的标识与注册商标在字形和呼叫上近似，易使相关公众混淆。"})
	}
	if err == nil {
		_, err = step(c, assistance.FairClose, assistance.FairStepInput{})
	}
	if err != nil {
		return fmt.Errorf("seed fair complaint (closed): %w", err)
	}
	// Transferred, waiting for the answer.
	clk.t = d.Now().Add(-26 * time.Hour)
	c, err = svc.ReceiveFairComplaint(staff, "fair-518", complaint("泉州某电子商务有限公司", "5号馆 C-08",
		"展台宣传册介绍的软件产品使用“闽光”商标。"))
	if err == nil {
		_, err = step(c, assistance.FairTransfer, assistance.FairStepInput{EnforcementOrgID: amr})
	}
	if err != nil {
		return fmt.Errorf("seed fair complaint (transferred): %w", err)
	}
	// This morning, the same exhibitor again: flagged, transfer running.
	clk.t = d.Now().Add(-2 * time.Hour)
	if _, err := svc.ReceiveFairComplaint(staff, "fair-518", complaint("厦门某信息技术有限公司", "3号馆 A-16",
		"该展商再次在展位展出使用近似标识的软件包装。")); err != nil {
		return fmt.Errorf("seed fair complaint (received): %w", err)
	}
	return nil
}
