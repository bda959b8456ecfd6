package warning

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// disputeNames are the dispute types as a drafted warning's Chinese text
// names them (drafts are written in the working language of the bodies
// that review and publish them).
var disputeNames = map[string]string{
	"patent_infringement": "专利侵权", "trademark_infringement": "商标侵权", "copyright_infringement": "著作权侵权",
	"trade_secret": "商业秘密", "unfair_competition": "不正当竞争", "ownership": "权属", "licensing_contract": "许可合同",
	"other": "其他知识产权",
}

// window is the number of the window of days days that holds the
// Beijing day of now: the drafting rule fires once per pattern in each.
func window(now time.Time, days int) int {
	d := calendar.DateOf(now)
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	n := int(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Sub(epoch).Hours() / 24)
	return n / days
}

// match is one pattern the rule found.
type match struct {
	Key        string
	Name       string
	Dispute    string
	Industry   string
	N          int
	Sources    []byte
	Industries []byte
}

// draftOrg is the body that reviews the rule's drafts: the configured
// one, else the first active assistance centre (0: none, no drafts).
func (s *Service) draftOrg(ctx context.Context, db *gorm.DB) (int64, error) {
	var ids []int64
	q := db.WithContext(ctx)
	var err error
	if code := strings.TrimSpace(s.d.Settings.DraftOrg); code != "" {
		err = q.Raw("SELECT id FROM orgs WHERE code = ? AND active AND type IN ?", code,
			[]domain.OrgType{domain.OrgAssistanceCenter, domain.OrgEnforcement, domain.OrgIndustryAssoc}).Scan(&ids).Error
	} else {
		err = q.Raw("SELECT id FROM orgs WHERE type = ? AND active ORDER BY id LIMIT 1", domain.OrgAssistanceCenter).Scan(&ids).Error
	}
	if err != nil {
		return 0, fmtErr("drafting body", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// Draft runs the drafting rule once: each pattern found in its window
// that has no draft yet gets one, for the reviewing body, whose issuers
// are told. Several workers may run it at once: the unique index on
// (rule, rule_key, rule_window) lets one insert win and the others find
// the row. It returns the number of drafts written.
func (s *Service) Draft(ctx context.Context) (int, error) {
	db := s.d.DB.WithContext(ctx)
	org, err := s.draftOrg(ctx, db)
	if err != nil || org == 0 {
		if err == nil {
			s.d.Log.Warn("warning drafts: no active assistance centre (or warnings.draft_org) to review them")
		}
		return 0, err
	}
	now := s.clock()
	st := s.d.Settings
	n := 0
	respondents, err := s.respondentMatches(ctx, now, st)
	if err != nil {
		return 0, err
	}
	for _, m := range respondents {
		title := fmt.Sprintf("风险提示：%s在%d日内涉及%d件纠纷", m.Name, st.RespondentDays, m.N)
		situation := fmt.Sprintf("%d日内，%s作为被申请人（被投诉方）出现在%d件案件或维权援助申请中（见下列来源）。"+
			"同一主体在短期内针对多家企业的纠纷可能预示批量维权、恶意诉讼或集中侵权，请核实后决定是否向相关行业发布。",
			st.RespondentDays, m.Name, m.N)
		ok, err := s.draftOne(ctx, org, RuleRespondent, m.Key, window(now, st.RespondentDays), title, situation, m, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	industries, err := s.industryMatches(ctx, now, st)
	if err != nil {
		return n, err
	}
	for _, m := range industries {
		title := fmt.Sprintf("风险提示：%s行业%d日内%d件%s纠纷", m.Name, st.IndustryDays, m.N, disputeNames[m.Dispute])
		situation := fmt.Sprintf("%d日内，%s行业的企业提起或涉及%d件%s纠纷（见下列来源），明显多于平常。请核实原因后决定是否向该行业发布。",
			st.IndustryDays, m.Name, m.N, disputeNames[m.Dispute])
		ok, err := s.draftOne(ctx, org, RuleIndustry, m.Key, window(now, st.IndustryDays), title, situation, m, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// draftOne writes one draft unless its pattern already has one in the
// window, tells the reviewing body's issuers and audits it, in one
// transaction.
func (s *Service) draftOne(ctx context.Context, org int64, rule Rule, key string, win int, title, situation string, m match,
	now time.Time) (bool, error) {
	inserted := false
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Raw(`INSERT INTO risk_warnings (org_id, status, title, situation, industries, rule, rule_key, rule_window,
sources, created_at, updated_at) VALUES (?, 'draft', ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?)
ON CONFLICT (rule, rule_key, rule_window) WHERE rule <> '' DO NOTHING RETURNING id`,
			org, title, situation, string(m.Industries), string(rule), key, win, string(m.Sources), now, now).Scan(&ids).Error; err != nil {
			return fmtErr("draft", err)
		}
		if len(ids) == 0 {
			return nil
		}
		inserted = true
		id := ids[0]
		o := org
		if err := s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &o, Action: "warning.draft", ObjectType: "risk_warning",
			ObjectID: fmt.Sprint(id), Detail: map[string]any{"rule": rule, "key": key, "window": win, "matters": m.N}}); err != nil {
			return err
		}
		users, err := notify.MembersTx(ctx, tx, org, issuerRoles)
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeDrafted, Link: Link(id),
				Params: map[string]any{"Title": title}, DedupKey: fmt.Sprintf("warning-draft:%d:%d", id, u)}); err != nil {
				return fmtErr("notify", err)
			}
		}
		return nil
	})
	return inserted, err
}

// enterprisesCTE is "enterprises (case_id, org_id)": the registered
// enterprises that are applicants in the cases filed since its two
// arguments (the same instant), whether the case links the enterprise (an enterprise's own
// filing) or names it by its credit code (a clerk's intake).
const enterprisesCTE = `enterprises AS (
  SELECT c.id AS case_id, c.applicant_org_id AS org_id FROM cases c
  WHERE c.created_at >= ? AND c.applicant_org_id IS NOT NULL
  UNION
  SELECT c.id, o.id FROM cases c JOIN case_parties p ON p.case_id = c.id AND p.role = 'applicant'
  JOIN orgs o ON o.type = 'enterprise' AND (o.id = p.org_id OR (p.credit_code <> '' AND o.credit_code = p.credit_code))
  WHERE c.created_at >= ?
)`

// respondentMatches finds respondents in at least RespondentMatters cases
// or applications filed within RespondentDays (an application that became
// a case counts once, as the case). A respondent is its credit code, or
// else its name without case or surrounding spaces.
func (s *Service) respondentMatches(ctx context.Context, now time.Time, st Settings) ([]match, error) {
	since := now.AddDate(0, 0, -st.RespondentDays)
	var out []match
	err := s.d.DB.WithContext(ctx).Raw(`WITH `+enterprisesCTE+`, m AS (
  SELECT DISTINCT CASE WHEN p.credit_code <> '' THEN 'code:' || p.credit_code ELSE 'name:' || lower(btrim(p.name)) END AS key,
         btrim(p.name) AS name, 'case' AS type, c.id, c.number, c.created_at,
         NULL::bigint AS applicant_org
  FROM cases c JOIN case_parties p ON p.case_id = c.id AND p.role = 'respondent'
  WHERE c.created_at >= ?
  UNION
  SELECT CASE WHEN a.respondent_credit_code <> '' THEN 'code:' || a.respondent_credit_code
              ELSE 'name:' || lower(btrim(a.respondent_name)) END,
         btrim(a.respondent_name), 'application', a.id, a.number, a.created_at, a.applicant_org_id
  FROM assistance_applications a
  WHERE a.respondent_name <> '' AND a.created_at >= ?
    AND NOT EXISTS (SELECT 1 FROM assistance_links l WHERE l.application_id = a.id AND l.kind = 'case')
)
SELECT m.key, min(m.name) AS name, count(*) AS n,
       jsonb_agg(jsonb_build_object('type', m.type, 'id', m.id, 'number', m.number) ORDER BY m.created_at, m.id) AS sources,
       COALESCE((SELECT jsonb_agg(DISTINCT oi.industry) FROM org_industries oi
                 WHERE oi.org_id IN (SELECT m2.applicant_org FROM m m2 WHERE m2.key = m.key AND m2.type = 'application'
                                     UNION SELECT e.org_id FROM enterprises e
                                     WHERE e.case_id IN (SELECT m3.id FROM m m3 WHERE m3.key = m.key AND m3.type = 'case'))),
                '[]') AS industries
FROM m GROUP BY m.key HAVING count(*) >= ? ORDER BY m.key`, since, since, since, since, st.RespondentMatters).Scan(&out).Error
	if err != nil {
		return nil, fmtErr("respondent pattern", err)
	}
	return out, nil
}

// industryMatches finds an industry and dispute type with at least
// IndustryCases cases filed within IndustryDays by (or for) enterprises
// of that industry.
func (s *Service) industryMatches(ctx context.Context, now time.Time, st Settings) ([]match, error) {
	since := now.AddDate(0, 0, -st.IndustryDays)
	var out []match
	err := s.d.DB.WithContext(ctx).Raw(`WITH `+enterprisesCTE+`, m AS (
  SELECT DISTINCT oi.industry, c.dispute_type, c.id, c.number, c.created_at
  FROM cases c JOIN enterprises e ON e.case_id = c.id
  JOIN org_industries oi ON oi.org_id = e.org_id
)
SELECT m.industry || ':' || m.dispute_type AS key, i.name_zh AS name, m.industry, m.dispute_type AS dispute, count(*) AS n,
       jsonb_agg(jsonb_build_object('type', 'case', 'id', m.id, 'number', m.number) ORDER BY m.created_at, m.id) AS sources,
       jsonb_build_array(m.industry) AS industries
FROM m JOIN industries i ON i.code = m.industry
GROUP BY m.industry, m.dispute_type, i.name_zh HAVING count(*) >= ? ORDER BY 1`, since, since, st.IndustryCases).Scan(&out).Error
	if err != nil {
		return nil, fmtErr("industry pattern", err)
	}
	return out, nil
}
