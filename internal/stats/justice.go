package stats

import (
	"context"
	"fmt"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// ReturnLine is one committee's line of the statistical return of people's
// mediation work (人民调解工作统计) that the committees owe the justice
// administration, in a period (docs/design.md §10 maps each column):
//
//   - Mediators: the committee's active mediators now (人民调解员);
//   - Accepted: the cases it accepted in the period (受理纠纷);
//   - Settled, Failed: the mediations that ended so in the period
//     (调解成功, and the failures the success rate needs);
//   - Written, Oral: the agreements that took effect in the period, by
//     form (书面协议, 口头协议, People's Mediation Law art. 28);
//   - Performed: of those, the ones whose latest follow-up found them
//     performed (协议履行, art. 31);
//   - AmountFen: what the cases settled in the period claimed (涉及金额);
//   - Confirmations: the judicial confirmations it applied for in the
//     period (申请司法确认, art. 33) — the referral package's figure, which
//     the caller fills in (the referrals are that package's table).
type ReturnLine struct {
	OrgID                    int64
	Code, NameZH, NameEN     string
	Mediators, Accepted      int
	Settled, Failed          int
	Written, Oral, Performed int
	AmountFen                int64
	Confirmations            int
}

// Name is the committee's name in lang.
func (l ReturnLine) Name(lang string) string {
	return Committee{NameZH: l.NameZH, NameEN: l.NameEN}.Name(lang)
}

// SuccessRate is settled / (settled + failed) in whole percent; -1 when
// no mediation ended.
func (l ReturnLine) SuccessRate() int {
	return Committee{Settled: l.Settled, Failed: l.Failed}.SuccessRate()
}

func (l *ReturnLine) add(o ReturnLine) {
	l.Mediators += o.Mediators
	l.Accepted += o.Accepted
	l.Settled += o.Settled
	l.Failed += o.Failed
	l.Written += o.Written
	l.Oral += o.Oral
	l.Performed += o.Performed
	l.AmountFen += o.AmountFen
	l.Confirmations += o.Confirmations
}

// Return answers the return of period p for the committees the actor
// oversees (Report's scope), one line each (Total sums them); ok is false
// for an actor who reads no statistics.
func (s *Service) Return(ctx context.Context, p Period) (lines []ReturnLine, ok bool, err error) {
	r, ok, err := s.report(ctx, p, false)
	if err != nil || !ok || len(r.Committees) == 0 {
		return nil, ok, err
	}
	orgs := make([]int64, len(r.Committees))
	byOrg := map[int64]*ReturnLine{}
	lines = make([]ReturnLine, len(r.Committees))
	for i, c := range r.Committees {
		orgs[i] = c.OrgID
		lines[i] = ReturnLine{OrgID: c.OrgID, Code: c.Code, NameZH: c.NameZH, NameEN: c.NameEN, Settled: c.Settled, Failed: c.Failed}
		byOrg[c.OrgID] = &lines[i]
	}
	var rows []struct {
		OrgID                                         int64
		Mediators, Accepted, Written, Oral, Performed int
		AmountFen                                     int64
	}
	err = s.reads.Read(ctx).Raw(`SELECT m.org_id, count(DISTINCT m.user_id) AS mediators, 0 AS accepted, 0 AS written, 0 AS oral, 0 AS performed, 0 AS amount_fen
FROM memberships m JOIN users u ON u.id = m.user_id AND u.active WHERE m.org_id IN @orgs AND m.role IN @mediators GROUP BY m.org_id
UNION ALL
SELECT org_id, 0, count(*), 0, 0, 0, 0 FROM cases WHERE org_id IN @orgs AND accepted_at >= @from AND accepted_at < @to GROUP BY org_id
UNION ALL
SELECT c.org_id, 0, 0, count(*) FILTER (WHERE NOT a.oral), count(*) FILTER (WHERE a.oral),
    count(*) FILTER (WHERE (SELECT p.result FROM case_performance p WHERE p.case_id = c.id ORDER BY p.recorded_at DESC, p.id DESC LIMIT 1) = 'performed'), 0
FROM case_agreements a JOIN cases c ON c.id = a.case_id
WHERE c.org_id IN @orgs AND a.effective_at >= @from AND a.effective_at < @to GROUP BY c.org_id
UNION ALL
SELECT org_id, 0, 0, 0, 0, 0, sum(claim_amount_fen) FROM cases
WHERE org_id IN @orgs AND outcome = 'settled' AND outcome_at >= @from AND outcome_at < @to GROUP BY org_id`,
		map[string]any{"orgs": orgs, "from": p.From, "to": p.To, "mediators": domain.RolesWhere(domain.Role.Assignable)}).Scan(&rows).Error
	if err != nil {
		return nil, false, fmt.Errorf("statistical return: %w", err)
	}
	for _, row := range rows {
		if l := byOrg[row.OrgID]; l != nil {
			l.add(ReturnLine{Mediators: row.Mediators, Accepted: row.Accepted, Written: row.Written, Oral: row.Oral,
				Performed: row.Performed, AmountFen: row.AmountFen})
		}
	}
	return lines, true, nil
}

// Total sums lines (after the caller filled in the confirmations).
func Total(lines []ReturnLine) ReturnLine {
	var t ReturnLine
	for _, l := range lines {
		t.add(l)
	}
	return t
}
