package assistance

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Exhibition is a named exhibition of the fast track (the exhibitions
// table: data, so a new fair needs no release).
type Exhibition struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Season string `json:"season"`
}

// Name returns the exhibition's name in lang.
func (e Exhibition) Name(lang string) string {
	if lang == "en" && e.NameEN != "" {
		return e.NameEN
	}
	return e.NameZH
}

// Exhibitions lists the active named exhibitions.
func (s *Service) Exhibitions(ctx context.Context) ([]Exhibition, error) {
	var out []Exhibition
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT code, name_zh, name_en, season FROM exhibitions WHERE active ORDER BY position, code`).
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list exhibitions: %w", err)
	}
	return out, nil
}

// ComplaintInput is a complaint lodged at a named exhibition. An SME
// lodges for its own enterprise; an assistance officer at the fair's
// complaint station lodges for the complainant it names.
type ComplaintInput struct {
	ExhibitionCode string `json:"exhibition_code"`
	Booth          string `json:"booth"`
	// OrgID is the committee that handles the complaint.
	OrgID       int64              `json:"org_id"`
	DisputeType domain.DisputeType `json:"dispute_type,omitempty"`
	Summary     string             `json:"summary"`
	Claims      string             `json:"claims,omitempty"`
	// Complainant: required when an officer lodges; an SME's own
	// enterprise otherwise.
	ComplainantName       string           `json:"complainant_name,omitempty"`
	ComplainantCreditCode string           `json:"complainant_credit_code,omitempty"`
	ContactPhone          string           `json:"contact_phone,omitempty"`
	RespondentName        string           `json:"respondent_name"`
	RespondentKind        domain.PartyKind `json:"respondent_kind,omitempty"`
	RespondentCreditCode  string           `json:"respondent_credit_code,omitempty"`
	Rights                []Right          `json:"rights"`
}

// Complaint is a lodged exhibition complaint: the case it created and the
// first-response deadline.
type Complaint struct {
	Case            domain.Case
	ExhibitionCode  string
	ExhibitionName  string
	Booth           string
	FirstResponseAt time.Time
	Provisional     bool
}

// complaintFields maps the case intake's field names to ComplaintInput's.
var complaintFields = map[string]string{
	"parties[0].name":        "complainant_name",
	"parties[0].credit_code": "complainant_credit_code",
	"parties[0].phone":       "contact_phone",
	"parties[1].name":        "respondent_name",
	"parties[1].kind":        "respondent_kind",
	"parties[1].credit_code": "respondent_credit_code",
}

// LodgeComplaint lodges a complaint at a named exhibition (fast track): a
// case with source exhibition at the chosen committee and, in the same
// transaction, its 24-hour first-response deadline (rule
// exhibition.first_response, counted from now), the complaint record, the
// notices (the complainant's users, the committee's directors and
// clerks) and the audit row. EFORBIDDEN for anyone but an SME's applicant
// or an assistance officer; EINVALID names exhibition_code, org_id,
// summary, respondent_name, rights[i].number ….
func (s *Service) LodgeComplaint(ctx context.Context, in ComplaintInput) (Complaint, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Complaint{}, err
	}
	var ents, centers []int64
	for _, m := range a.Memberships {
		switch {
		case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachPartyTo) && s.d.Authz.Can(a.UserID, m.OrgID, "assistance", "apply"):
			ents = append(ents, m.OrgID)
		case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachOrg) && s.d.Authz.Can(a.UserID, m.OrgID, "assistance", "review"):
			centers = append(centers, m.OrgID)
		}
	}
	officer := len(centers) > 0
	if !officer && len(ents) == 0 {
		return Complaint{}, domain.Errorf(domain.EFORBIDDEN, "only an enterprise's applicant or an assistance officer may lodge an exhibition complaint")
	}
	db := s.d.DB.WithContext(ctx)
	var out Complaint
	err = db.Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		var f domain.Fields
		code := strings.TrimSpace(in.ExhibitionCode)
		var exh []Exhibition
		if code == "" {
			f.Add("exhibition_code", "validation.required")
		} else if err := tx.Raw(`SELECT code, name_zh, name_en, season FROM exhibitions WHERE code = ? AND active`, code).Scan(&exh).Error; err != nil {
			return fmt.Errorf("find exhibition: %w", err)
		} else if len(exh) == 0 {
			f.Add("exhibition_code", "validation.exhibition")
		}
		booth := text(&f, "booth", in.Booth, false, maxName)
		committee := ""
		if in.OrgID <= 0 {
			f.Add("org_id", "validation.required")
		} else {
			name, ok, err := committeeName(ctx, tx, in.OrgID)
			if err != nil {
				return err
			}
			if !ok {
				f.Add("org_id", "validation.committee")
			}
			committee = name
		}
		rights := validateRights(&f, in.Rights)
		var complainant struct {
			ID         int64
			NameZh     string
			CreditCode string
		}
		var entID *int64
		if officer {
			complainant.NameZh = text(&f, "complainant_name", in.ComplainantName, true, maxName)
			complainant.CreditCode = in.ComplainantCreditCode
		} else {
			if err := tx.Raw(`SELECT id, name_zh, coalesce(credit_code, '') AS credit_code FROM orgs WHERE id = ?`, ents[0]).
				Scan(&complainant).Error; err != nil {
				return fmt.Errorf("load enterprise: %w", err)
			}
			entID = &complainant.ID
		}
		if err := f.Err(); err != nil {
			return err
		}
		out, err = s.fileExhibitionCase(ctx, tx, exhibitionCase{Exh: exh[0], Booth: booth, OrgID: in.OrgID, Committee: committee,
			DisputeType: in.DisputeType, Summary: in.Summary, Claims: in.Claims, ComplainantName: complainant.NameZh,
			ComplainantCreditCode: complainant.CreditCode, ContactPhone: in.ContactPhone, ComplainantOrgID: entID,
			RespondentName: in.RespondentName, RespondentKind: in.RespondentKind, RespondentCreditCode: in.RespondentCreditCode,
			Rights: rights}, now)
		return err
	})
	if err != nil {
		return Complaint{}, fmt.Errorf("lodge exhibition complaint: %w", err)
	}
	return out, nil
}

// exhibitionCase is a case to file from a complaint at a fair: the fast
// track (LodgeComplaint) and a station's mediation (fair complaints,
// action mediate) file it the same way.
type exhibitionCase struct {
	Exh                   Exhibition
	Booth                 string
	OrgID                 int64
	Committee             string
	DisputeType           domain.DisputeType
	Summary, Claims       string
	ComplainantName       string
	ComplainantCreditCode string
	ContactPhone          string
	// ComplainantOrgID is the SME that lodged for itself (nil when an
	// officer lodged for the complainant it names).
	ComplainantOrgID     *int64
	RespondentName       string
	RespondentKind       domain.PartyKind
	RespondentCreditCode string
	Rights               []Right
}

// fileExhibitionCase files a case with source exhibition at the chosen
// committee inside tx, with its 24-hour first-response deadline (rule
// exhibition.first_response, counted from now), the exhibition_complaints
// row, the notices and the audit row. EINVALID names the complaint's
// fields (complaintFields).
func (s *Service) fileExhibitionCase(ctx context.Context, tx *gorm.DB, in exhibitionCase, now time.Time) (Complaint, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Complaint{}, err
	}
	dt := in.DisputeType
	if dt == "" {
		dt = disputeTypeOf(in.Rights)
	}
	kind := in.RespondentKind
	if kind == "" {
		kind = domain.PartyOrganisation
	}
	e, booth, entID := in.Exh, in.Booth, in.ComplainantOrgID
	ref := e.NameZH
	if booth != "" {
		ref += " " + booth
	}
	if len([]rune(ref)) > maxName {
		ref = string([]rune(ref)[:maxName])
	}
	c, err := s.d.Cases.SubmitInternal(ctx, tx, cases.IntakeInput{
		OrgID: in.OrgID, Source: domain.SourceExhibition, DisputeType: dt, Summary: in.Summary, Claims: in.Claims,
		ExternalRef: ref,
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: in.ComplainantName,
				CreditCode: in.ComplainantCreditCode, Phone: in.ContactPhone, IsSME: entID != nil},
			{Role: domain.PartyRespondent, Kind: kind, Name: in.RespondentName, CreditCode: in.RespondentCreditCode},
		},
		Rights:         caseRights(in.Rights),
		ApplicantOrgID: entID,
	})
	if err != nil {
		return Complaint{}, renameFields(err, complaintFields)
	}
	caseID := c.ID
	d, err := s.d.Deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: deadline.CaseSubject(c.ID), OrgID: c.OrgID, CaseID: &caseID,
		Kind: KindFirstResponse, RuleID: RuleFirstResponse, Event: now, Now: now})
	if err != nil {
		return Complaint{}, err
	}
	if err := tx.Exec(`INSERT INTO exhibition_complaints (case_id, exhibition_code, booth, complainant_org_id, lodged_by, lodged_at, first_response_due)
VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, e.Code, booth, entID, a.UserID, now, d.DueAt).Error; err != nil {
		return Complaint{}, fmt.Errorf("record exhibition complaint: %w", err)
	}
	if err := s.tellComplaint(ctx, tx, c, e, entID, in.Committee, d.DueAt); err != nil {
		return Complaint{}, err
	}
	org := c.OrgID
	if err := s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "exhibition.complaint", ObjectType: "case",
		ObjectID: strconv.FormatInt(c.ID, 10), Detail: map[string]any{"number": c.Ref(), "exhibition_code": e.Code,
			"booth": booth, "first_response_due": stamp(d.DueAt), "deadline_id": d.ID}}); err != nil {
		return Complaint{}, err
	}
	return Complaint{Case: c, ExhibitionCode: e.Code, ExhibitionName: e.NameZH, Booth: booth, FirstResponseAt: d.DueAt,
		Provisional: d.Provisional}, nil
}

// tellComplaint notifies the complainant enterprise's users and the
// committee's directors and clerks of a new exhibition complaint.
func (s *Service) tellComplaint(ctx context.Context, tx *gorm.DB, c domain.Case, e Exhibition, entID *int64, committee string, due time.Time) error {
	var users []int64
	if entID != nil {
		u, err := notify.MembersTx(ctx, tx, *entID, enterpriseRoles)
		if err != nil {
			return err
		}
		users = append(users, u...)
	}
	{
		u, err := notify.MembersTx(ctx, tx, c.OrgID, docketRoles)
		if err != nil {
			return err
		}
		for _, id := range u {
			if !slices.Contains(users, id) {
				users = append(users, id)
			}
		}
	}
	params := map[string]any{"CaseNumber": c.Ref(), "Exhibition": e.NameZH, "Committee": committee, "Due": notify.FormatDue(due)}
	for _, u := range users {
		if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeExhibitionFiled, Params: params,
			Link: fmt.Sprintf("/cases/%d", c.ID), DedupKey: fmt.Sprintf("exhibition:%d:%d", c.ID, u)}); err != nil {
			return fmt.Errorf("notify %s: %w", NoticeExhibitionFiled, err)
		}
	}
	return nil
}
