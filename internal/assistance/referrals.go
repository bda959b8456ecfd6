package assistance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// Referrals is the referral model as this package uses it
// (referral.Service): rights-assistance referrals produced by the rules,
// and enforcement and customs referrals sent from an approved plan.
type Referrals interface {
	ProduceTx(ctx context.Context, tx *gorm.DB, in referral.Produce) (referral.Referral, bool, error)
	Send(ctx context.Context, in referral.SendInput) (referral.Referral, error)
}

// txSender is a referral model that sends inside the caller's
// transaction, so that the plan's referrals, their links and the notices
// commit together.
type txSender interface {
	SendTx(ctx context.Context, tx *gorm.DB, in referral.SendInput) (referral.Referral, error)
}

// describeReferrals fills the kind, status and receiver of the referral
// links. The links are this package's own record of what it sent; the
// referral model's scope (the sender's and receiver's staff) does not
// cover the SME, who nevertheless follows what its application led to.
func (s *Service) describeReferrals(ctx context.Context, db *gorm.DB, links []Link) error {
	var ids []int64
	for _, l := range links {
		if l.ReferralID != nil {
			ids = append(ids, *l.ReferralID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID       int64
		Kind     string
		Status   string
		Receiver string
	}
	if err := db.WithContext(ctx).Raw(`SELECT r.id, r.kind, r.status, o.name_zh AS receiver FROM referrals r
JOIN orgs o ON o.id = r.receiver_org_id WHERE r.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return fmt.Errorf("describe referrals: %w", err)
	}
	for i, l := range links {
		if l.ReferralID == nil {
			continue
		}
		for _, r := range rows {
			if r.ID == *l.ReferralID {
				links[i].ReferralKind, links[i].ReferralStatus, links[i].ReceiverName = r.Kind, r.Status, r.Receiver
			}
		}
	}
	return nil
}

// CheckReferable is the referral model's check (referral.ApplicationCheck)
// that the assistance centre senderOrgID may refer application id: the
// application exists and is the centre's (ENOTFOUND otherwise), and it
// has not been turned down (EINVALID naming application_id for a rejected
// or lapsed one). It runs inside the send's transaction. That a plan's
// referrals follow its approval is SendReferrals' state check.
// It reads the application in tx only, so internal/app hands it to the
// referral service at construction, before this service exists.
func CheckReferable(ctx context.Context, tx *gorm.DB, id, senderOrgID int64) error {
	r, ok, err := loadApp(ctx, tx, id, false)
	if err != nil {
		return err
	}
	if !ok || r.CenterOrgID != senderOrgID {
		return domain.NotFound("application")
	}
	if st := r.status(); st == StatusRejected || st == StatusLapsed {
		return domain.Invalid(domain.FieldError{Field: "application_id", Message: "validation.assistance_not_approved"})
	}
	return nil
}

// EnforcementReferral asks an enforcement body to act on the suspected
// infringer the application names (suspected repeat or malicious
// infringement).
type EnforcementReferral struct {
	ReceiverOrgID int64 `json:"receiver_org_id"`
	// Grounds: repeat_infringement or malicious_infringement.
	Grounds string `json:"grounds"`
	// Facts default to the application's narrative.
	Facts string `json:"facts,omitempty"`
	// InfringerName and InfringerCreditCode identify the suspected
	// infringer; they default to the respondent the application names.
	// An enforcement body needs the credit code.
	InfringerName       string `json:"infringer_name,omitempty"`
	InfringerCreditCode string `json:"infringer_credit_code,omitempty"`
}

// CustomsReferral asks customs to protect the rights at the border.
type CustomsReferral struct {
	ReceiverOrgID int64 `json:"receiver_org_id"`
	// Mode: on_application (依申请) or ex_officio (依职权).
	Mode              string `json:"mode"`
	Goods             string `json:"goods"`
	Port              string `json:"port"`
	RecordationNumber string `json:"recordation_number,omitempty"`
}

// SendReferralsInput sends enforcement and/or customs referrals from an
// approved plan in one step.
type SendReferralsInput struct {
	Version     int                  `json:"version"`
	Enforcement *EnforcementReferral `json:"enforcement,omitempty"`
	Customs     *CustomsReferral     `json:"customs,omitempty"`
	Note        string               `json:"note,omitempty"`
}

// SentReferrals is the answer of SendReferrals.
type SentReferrals struct {
	Application Application
	Referrals   []referral.Referral
}

// referralFields maps the referral model's field names to this input's.
func referralFields(err error, prefix string) error {
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		return err
	}
	out := *de
	out.Fields = slices.Clone(de.Fields)
	for i, f := range out.Fields {
		name := strings.TrimPrefix(f.Field, "fields.")
		name = strings.Replace(name, "infringer.", "infringer_", 1)
		out.Fields[i].Field = prefix + "." + name
	}
	return &out
}

// SendReferrals sends, from an approved plan, an enforcement referral
// (about the suspected infringer the application names) and/or a customs
// referral, each with the application as its subject, links them to the
// application and tells the SME. EINVALID names enforcement.* (grounds,
// facts, receiver_org_id, infringer_name, infringer_credit_code) or
// customs.* (mode, goods, port …), or referrals when neither is asked
// for; ECONFLICT unless the application is approved.
//
// With a referral model that sends inside the caller's transaction
// (SendTx) the whole step is one transaction. Otherwise each referral is
// sent in its own transaction first and the links, notices and audit row
// follow in one more; a failure in between leaves sent referrals
// unlinked, which the referral inbox still shows.
func (s *Service) SendReferrals(ctx context.Context, id int64, in SendReferralsInput) (SentReferrals, error) {
	var f domain.Fields
	if in.Enforcement == nil && in.Customs == nil {
		f.Add("referrals", "validation.required")
	}
	if in.Enforcement != nil && in.Enforcement.ReceiverOrgID <= 0 {
		f.Add("enforcement.receiver_org_id", "validation.required")
	}
	if in.Customs != nil && in.Customs.ReceiverOrgID <= 0 {
		f.Add("customs.receiver_org_id", "validation.required")
	}
	note := text(&f, "note", in.Note, false, maxText)

	build := func(r appRow) ([]referral.SendInput, []string, error) {
		app, err := s.toApplication(r, true)
		if err != nil {
			return nil, nil, err
		}
		var out []referral.SendInput
		var prefixes []string
		appID := app.ID
		if e := in.Enforcement; e != nil {
			facts := strings.TrimSpace(e.Facts)
			if facts == "" {
				facts = app.Narrative
			}
			name, code := strings.TrimSpace(e.InfringerName), strings.TrimSpace(e.InfringerCreditCode)
			if name == "" {
				name = app.RespondentName
			}
			if code == "" {
				code = app.RespondentCreditCode
			}
			infringer := map[string]any{"kind": "organisation", "name": name, "credit_code": code}
			raw, err := json.Marshal(map[string]any{"grounds": e.Grounds, "facts": facts, "infringer": infringer})
			if err != nil {
				return nil, nil, err
			}
			out = append(out, referral.SendInput{Kind: referral.KindEnforcement, SenderOrgID: app.CenterOrgID, ReceiverOrgID: e.ReceiverOrgID,
				ApplicationID: &appID, Title: "维权援助：" + app.Number, Note: note, Fields: raw})
			prefixes = append(prefixes, "enforcement")
		}
		if c := in.Customs; c != nil {
			raw, err := json.Marshal(map[string]any{"mode": c.Mode, "goods": c.Goods, "port": c.Port,
				"recordation_number": c.RecordationNumber, "declaration_number": "", "guarantee_amount_fen": 0})
			if err != nil {
				return nil, nil, err
			}
			out = append(out, referral.SendInput{Kind: referral.KindCustoms, SenderOrgID: app.CenterOrgID, ReceiverOrgID: c.ReceiverOrgID,
				ApplicationID: &appID, Title: "维权援助：" + app.Number, Note: note, Fields: raw})
			prefixes = append(prefixes, "customs")
		}
		return out, prefixes, nil
	}

	var sent []referral.Referral
	record := func(tx *gorm.DB, r *appRow, now time.Time) error {
		a := domain.ActorFrom(ctx)
		ids := make([]int64, len(sent))
		for i, x := range sent {
			ids[i] = x.ID
			if err := tx.Exec(`INSERT INTO assistance_links (application_id, kind, referral_id, created_by, created_at) VALUES (?, 'referral', ?, ?, ?)`,
				r.ID, x.ID, a.UserIDRef(), now).Error; err != nil {
				return fmt.Errorf("link referral: %w", err)
			}
		}
		if err := setStatus(ctx, tx, r, StatusApproved, now, nil); err != nil {
			return err
		}
		kinds := make([]string, len(sent))
		for i, x := range sent {
			kinds[i] = string(x.Kind)
		}
		if err := addEvent(ctx, tx, r.ID, a, "send_referrals", StatusApproved, StatusApproved, map[string]any{
			"referral_ids": ids, "kinds": kinds}, now); err != nil {
			return err
		}
		for _, x := range sent {
			if err := s.tellApplicant(ctx, tx, *r, NoticeReferralSent, map[string]any{"Receiver": x.ReceiverOrgName,
				"Kind": x.Kind.Label(), "ReferralID": x.ID}); err != nil {
				return err
			}
		}
		return s.auditStep(ctx, tx, *r, "assistance.send_referrals", map[string]any{"referral_ids": ids, "kinds": kinds})
	}

	if txs, ok := s.d.Referrals.(txSender); ok {
		app, err := s.act(ctx, id, ActionSendReferrals, in.Version, func(tx *gorm.DB, r *appRow, _ viewer, now time.Time) error {
			if err := f.Err(); err != nil {
				return err
			}
			reqs, prefixes, err := build(*r)
			if err != nil {
				return err
			}
			for i, req := range reqs {
				x, err := txs.SendTx(ctx, tx, req)
				if err != nil {
					return referralFields(err, prefixes[i])
				}
				sent = append(sent, x)
			}
			return record(tx, r, now)
		})
		if err != nil {
			return SentReferrals{}, err
		}
		return SentReferrals{Application: app, Referrals: sent}, nil
	}

	// Without SendTx: check the step, send each referral, then record.
	var r appRow
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		r, _, err = s.step(ctx, tx, id, ActionSendReferrals, in.Version)
		if err != nil {
			return err
		}
		return f.Err()
	})
	if err != nil {
		return SentReferrals{}, fmt.Errorf("%s application %d: %w", ActionSendReferrals, id, err)
	}
	reqs, prefixes, err := build(r)
	if err != nil {
		return SentReferrals{}, err
	}
	var sendErr error
	for i, req := range reqs {
		x, err := s.d.Referrals.Send(ctx, req)
		if err != nil {
			sendErr = referralFields(err, prefixes[i])
			break
		}
		sent = append(sent, x)
	}
	if len(sent) == 0 {
		return SentReferrals{}, sendErr
	}
	app, err := s.act(ctx, id, ActionSendReferrals, r.Version, func(tx *gorm.DB, r *appRow, _ viewer, now time.Time) error {
		return record(tx, r, now)
	})
	if err != nil {
		return SentReferrals{}, err
	}
	return SentReferrals{Application: app, Referrals: sent}, sendErr
}

// The rules that produce rights_assistance referrals (docs/design.md §7). Each
// fires once per case: the referral model keeps (rule, key) unique.
const (
	// RuleSMEMediationFailed: a party to the case is an SME and the
	// mediation failed.
	RuleSMEMediationFailed = "sme_mediation_failed"
	// RuleRespondentCreditRecord: a respondent has a credit record
	// (intentional or repeated infringement) — the repeat-infringer flag
	// set at intake.
	RuleRespondentCreditRecord = "respondent_credit_record"
	// RuleExhibitionComplaint: the case is a complaint lodged at a named
	// exhibition.
	RuleExhibitionComplaint = "exhibition_complaint"
)

// Rules lists the rules in the order they run.
var Rules = []string{RuleSMEMediationFailed, RuleRespondentCreditRecord, RuleExhibitionComplaint}

// ruleCandidates are the queries for the cases each rule fires for and has
// not fired for yet (no referral with its rule and key). Each picks case
// ids in order.
var ruleCandidates = map[string]string{
	RuleSMEMediationFailed: `SELECT c.id FROM cases c
WHERE c.suggested_route <> '' AND c.status IN ('failed', 'closed')
AND EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND p.is_sme)`,
	RuleRespondentCreditRecord: `SELECT c.id FROM cases c
WHERE c.repeat_infringer AND c.status NOT IN ('rejected', 'withdrawn')`,
	RuleExhibitionComplaint: `SELECT c.id FROM exhibition_complaints e JOIN cases c ON c.id = e.case_id
WHERE c.status NOT IN ('rejected', 'withdrawn')`,
}

// ruleNotes explain to the assistance centre why a referral came.
var ruleNotes = map[string]string{
	RuleSMEMediationFailed:     "调解不成，当事人中有中小企业，可能需要维权援助（诉讼支持、行政裁决等）。",
	RuleRespondentCreditRecord: "被申请人有故意或重复侵权的信用记录，建议评估援助及移送执法的必要。",
	RuleExhibitionComplaint:    "展会知识产权投诉，需快速维权援助。",
}

// ruleBatch bounds how many referrals one rule produces per run; the next
// run continues.
const ruleBatch = 200

// RunReferralRules produces the rights_assistance referrals that the
// rules call for, to the assistance centre, each naming its rule: an SME
// party whose mediation failed, a respondent with a credit record, an
// exhibition complaint. It is idempotent: a rule fires once per case,
// however often it runs and however many workers run it at once (the
// referral model's unique (rule, key)); each referral is written in its
// own transaction with its event, notice and audit row. It returns how
// many referrals this run created. The scheduler leader runs it
// periodically (internal/worker).
func (s *Service) RunReferralRules(ctx context.Context) (int, error) {
	db := s.d.DB.WithContext(ctx)
	center, err := s.center(ctx, db)
	if err != nil {
		if domain.ErrorCode(err) == domain.EUNAVAILABLE {
			return 0, nil
		}
		return 0, err
	}
	created := 0
	for _, rule := range Rules {
		var ids []int64
		q := ruleCandidates[rule] + ` AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.kind = 'rights_assistance'
AND r.rule = ? AND r.idem_key = 'case:' || c.id) ORDER BY c.id LIMIT ?`
		if err := db.Raw(q, rule, ruleBatch).Scan(&ids).Error; err != nil {
			return created, fmt.Errorf("referral rule %s: %w", rule, err)
		}
		for _, id := range ids {
			caseID := id
			err := db.Transaction(func(tx *gorm.DB) error {
				_, ok, err := s.d.Referrals.ProduceTx(ctx, tx, referral.Produce{ReceiverOrgID: center.ID, CaseID: &caseID,
					Rule: rule, Key: "case:" + strconv.FormatInt(caseID, 10), Note: ruleNotes[rule]})
				if ok {
					created++
				}
				return err
			})
			if err != nil {
				return created, fmt.Errorf("referral rule %s, case %d: %w", rule, caseID, err)
			}
		}
	}
	return created, nil
}
