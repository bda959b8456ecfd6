package notify

import (
	"fmt"

	"gorm.io/gorm"
)

// A notice about a deadline names what the deadline belongs to: the case
// (its number, or its registration number before acceptance, and the kind
// of dispute), the referral (its kind and title, and its case when it has
// one), the assistance application (its number) or the credit record
// (its subject and the decision's number), the customs recordation
// (its number) or the complaint at a fair (the fair and the respondent
// exhibitor). Two notices about two
// cases therefore never read the same. The words are put together when
// the notice is shown (Render), in the reader's language.

// Subject is what a notice needs to name a deadline's subject.
type Subject struct {
	SCaseRef        string
	SDispute        string
	SReferralTitle  string
	SReferralKind   string
	SApplication    string
	SCreditName     string
	SCreditDoc      string
	SRecordation    string
	SFair           string
	SFairRespondent string
}

// subjectColumns and subjectJoins read a Subject next to a deadline d.
const (
	subjectColumns = `coalesce(nullif(sc.number, ''), sc.registration_number, '') AS s_case_ref, coalesce(sc.dispute_type, '') AS s_dispute,
       coalesce(sr.title, '') AS s_referral_title, coalesce(sr.kind, '') AS s_referral_kind, coalesce(sa.number, '') AS s_application,
       coalesce(scr.name, '') AS s_credit_name, coalesce(scr.document_number, '') AS s_credit_doc,
       coalesce(scu.number, '') AS s_recordation, coalesce(sfe.name_zh, '') AS s_fair,
       coalesce(sfc.respondent_name, '') AS s_fair_respondent`
	subjectJoins = `
LEFT JOIN cases sc ON sc.id = d.case_id
LEFT JOIN referrals sr ON d.subject_type = 'referral' AND sr.id = d.subject_id
LEFT JOIN assistance_applications sa ON d.subject_type = 'application' AND sa.id = d.subject_id
LEFT JOIN credit_records scr ON d.subject_type = 'credit_record' AND scr.id = d.subject_id
LEFT JOIN customs_recordations scu ON d.subject_type = 'customs_recordation' AND scu.id = d.subject_id
LEFT JOIN fair_complaints sfc ON d.subject_type = 'fair_complaint' AND sfc.id = d.subject_id
LEFT JOIN exhibitions sfe ON sfe.code = sfc.exhibition_code`
)

// subjectOf reads the subject of deadline id inside tx.
func subjectOf(tx *gorm.DB, id int64) (Subject, error) {
	var s Subject
	if err := tx.Raw(`SELECT `+subjectColumns+` FROM deadlines d`+subjectJoins+` WHERE d.id = ?`, id).Scan(&s).Error; err != nil {
		return s, fmt.Errorf("subject of deadline %d: %w", id, err)
	}
	return s, nil
}

// addTo puts the subject into a notice's params (only what is known).
func (s Subject) addTo(params map[string]any) {
	set := func(k, v string) {
		if v != "" {
			params[k] = v
		}
	}
	set("CaseRef", s.SCaseRef)
	set("Dispute", s.SDispute)
	set("ReferralTitle", s.SReferralTitle)
	set("ReferralKind", s.SReferralKind)
	set("ApplicationRef", s.SApplication)
	set("CreditName", s.SCreditName)
	set("CreditDocument", s.SCreditDoc)
	set("Recordation", s.SRecordation)
	set("Fair", s.SFair)
	set("FairRespondent", s.SFairRespondent)
}

// about says in words what a notice is about, from the params addTo set,
// or "" when they name nothing.
func about(tr Texts, lang string, params map[string]any) string {
	str := func(k string) string { v, _ := params[k].(string); return v }
	caseWords := ""
	if ref := str("CaseRef"); ref != "" {
		p := map[string]any{"Ref": ref}
		if d := str("Dispute"); d != "" {
			p["Dispute"] = tr.T(lang, "dispute."+d, nil)
		}
		caseWords = tr.T(lang, "notify.about.case", p)
	}
	switch {
	case str("FairRespondent") != "":
		return tr.T(lang, "notify.about.fair_complaint", map[string]any{"Fair": str("Fair"), "Respondent": str("FairRespondent")})
	case str("Recordation") != "":
		return tr.T(lang, "notify.about.recordation", map[string]any{"Number": str("Recordation")})
	case str("CreditName") != "":
		return tr.T(lang, "notify.about.credit", map[string]any{"Name": str("CreditName"), "Document": str("CreditDocument")})
	case str("ApplicationRef") != "":
		return tr.T(lang, "notify.about.application", map[string]any{"Ref": str("ApplicationRef")})
	case str("ReferralTitle") != "":
		p := map[string]any{"Title": str("ReferralTitle"), "Case": caseWords}
		if k := str("ReferralKind"); k != "" {
			p["Kind"] = tr.T(lang, "referral.kind."+k, nil)
		}
		return tr.T(lang, "notify.about.referral", p)
	}
	return caseWords
}
