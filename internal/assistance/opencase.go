package assistance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// committeeTypes are the organisations that handle cases.
var committeeTypes = []string{string(domain.OrgMediationCommittee), string(domain.OrgSocialMediation)}

// committeeName returns the name of an active committee, or ok false.
func committeeName(ctx context.Context, tx *gorm.DB, orgID int64) (string, bool, error) {
	var names []string
	if err := tx.WithContext(ctx).Raw(`SELECT name_zh FROM orgs WHERE id = ? AND active AND type IN ?`, orgID, committeeTypes).
		Scan(&names).Error; err != nil {
		return "", false, fmt.Errorf("find committee: %w", err)
	}
	if len(names) == 0 {
		return "", false, nil
	}
	return names[0], true, nil
}

// disputeTypeOf is the dispute type a right's kind suggests.
func disputeTypeOf(rights []Right) domain.DisputeType {
	if len(rights) == 0 {
		return domain.DisputeOther
	}
	switch rights[0].Kind {
	case domain.RightInvention, domain.RightUtilityModel, domain.RightDesign:
		return domain.DisputePatent
	case domain.RightTrademark, domain.RightGeographical:
		return domain.DisputeTrademark
	case domain.RightCopyright, domain.RightSoftwareCopyr:
		return domain.DisputeCopyright
	case domain.RightTradeSecret:
		return domain.DisputeTradeSecret
	default:
		return domain.DisputeOther
	}
}

// caseRights turns an application's rights into a case's.
func caseRights(rs []Right) []cases.RightInput {
	out := make([]cases.RightInput, len(rs))
	for i, r := range rs {
		out[i] = cases.RightInput{Kind: r.Kind, Number: r.Number, Title: r.Title, Holder: r.Holder}
	}
	return out
}

// fieldNames maps the case intake's field names to this input's.
var fieldNames = map[string]string{
	"parties[1].name":        "respondent_name",
	"parties[1].kind":        "respondent_kind",
	"parties[1].credit_code": "respondent_credit_code",
}

// renameFields rewrites the field errors of a case intake for the
// caller's input.
func renameFields(err error, names map[string]string) error {
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		return err
	}
	out := *de
	out.Fields = slices.Clone(de.Fields)
	for i, f := range out.Fields {
		if n, ok := names[f.Field]; ok {
			out.Fields[i].Field = n
		}
	}
	return &out
}

// OpenedCase is the answer of OpenCase.
type OpenedCase struct {
	Application Application
	Case        domain.Case
}

// OpenCase opens a mediation case from an approved plan that includes
// mediation, at the committee the officer chose (source
// assistance_referred): the enterprise is the applicant (an SME), the
// respondent the one named (by default the application's), the rights
// the application's. The SME follows the case from its portal. EINVALID
// names org_id, dispute_type, respondent_name …; ECONFLICT when the plan
// has no mediation or a case is already open.
func (s *Service) OpenCase(ctx context.Context, id int64, in OpenCaseInput) (OpenedCase, error) {
	var out OpenedCase
	app, err := s.act(ctx, id, ActionOpenCase, in.Version, func(tx *gorm.DB, r *appRow, _ viewer, now time.Time) error {
		a := domain.ActorFrom(ctx)
		var f domain.Fields
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
		app, err := s.toApplication(*r, true)
		if err != nil {
			return err
		}
		dt := in.DisputeType
		if dt == "" {
			dt = disputeTypeOf(app.Rights)
		}
		respondent := strings.TrimSpace(in.RespondentName)
		code := in.RespondentCreditCode
		if respondent == "" {
			respondent, code = app.RespondentName, app.RespondentCreditCode
		}
		if respondent == "" {
			f.Add("respondent_name", "validation.required")
		}
		kind := in.RespondentKind
		if kind == "" {
			kind = domain.PartyOrganisation
		}
		if err := f.Err(); err != nil {
			return err
		}
		summary := strings.TrimSpace(in.Summary)
		if summary == "" {
			summary = app.Narrative
		}
		c, err := s.d.Cases.SubmitInternal(ctx, tx, cases.IntakeInput{
			OrgID: in.OrgID, Source: domain.SourceAssistance, DisputeType: dt, Summary: summary, Claims: in.Claims,
			ExternalRef: app.Number,
			Parties: []cases.PartyInput{
				{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: app.ApplicantName,
					CreditCode: app.ApplicantCreditCode, Phone: app.ContactPhone, IsSME: true},
				{Role: domain.PartyRespondent, Kind: kind, Name: respondent, CreditCode: code},
			},
			Rights:         caseRights(app.Rights),
			ApplicantOrgID: &r.ApplicantOrgID,
		})
		if err != nil {
			return renameFields(err, fieldNames)
		}
		if err := tx.Exec(`INSERT INTO assistance_links (application_id, kind, case_id, created_by, created_at) VALUES (?, 'case', ?, ?, ?)`,
			r.ID, c.ID, a.UserIDRef(), now).Error; err != nil {
			return fmt.Errorf("link case: %w", err)
		}
		docs, err := s.copyDocuments(ctx, tx, a, r.ID, c, now)
		if err != nil {
			return err
		}
		if err := setStatus(ctx, tx, r, StatusApproved, now, nil); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, r.ID, a, "open_case", StatusApproved, StatusApproved, map[string]any{
			"case_id": c.ID, "case_number": c.Ref(), "org_id": in.OrgID, "documents": docs}, now); err != nil {
			return err
		}
		if err := s.tellApplicant(ctx, tx, *r, NoticeCaseOpened, map[string]any{"CaseNumber": c.Ref(), "Committee": committee}); err != nil {
			return err
		}
		out.Case = c
		return s.auditStep(ctx, tx, *r, "assistance.open_case", map[string]any{"case_id": c.ID, "case_number": c.Ref(), "org_id": in.OrgID})
	})
	if err != nil {
		return OpenedCase{}, err
	}
	out.Application = app
	return out, nil
}

// copyDocuments gives the case opened from an application the files the
// SME sent with it, so that the committee works from the same evidence
// without asking for it again. The case's documents point at the same
// stored bytes (stored files are never rewritten); the kinds map onto the
// case's (a right certificate is evidence, a business licence "other").
// The document service writes them, with their timeline entries and
// audit rows, in tx.
func (s *Service) copyDocuments(ctx context.Context, tx *gorm.DB, a *domain.Actor, appID int64, c domain.Case, now time.Time) (int, error) {
	var rows []struct {
		Kind        string
		FileName    string
		SizeBytes   int64
		ContentType string
		SHA256      string `gorm:"column:sha256"`
		StorageKey  string
		UploadedBy  *int64
		UploadedAt  time.Time
	}
	if err := tx.WithContext(ctx).Raw(`SELECT kind, file_name, size_bytes, content_type, sha256, storage_key, uploaded_by, uploaded_at
FROM assistance_documents WHERE application_id = ? ORDER BY id`, appID).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("the application's documents: %w", err)
	}
	files := make([]document.StoredFile, len(rows))
	for i, r := range rows {
		kind := document.KindOther
		switch r.Kind {
		case "evidence", "right_certificate":
			kind = document.KindEvidence
		case "power_of_attorney":
			kind = document.KindPowerOfAttorney
		}
		files[i] = document.StoredFile{Kind: kind, FileName: r.FileName, SizeBytes: r.SizeBytes, ContentType: r.ContentType,
			SHA256: r.SHA256, StorageKey: r.StorageKey, UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt}
	}
	n, err := s.d.Documents.AddStoredTx(ctx, tx, c.ID, c.OrgID, a, files, now)
	if err != nil {
		return 0, fmt.Errorf("copy the application's documents to case %d: %w", c.ID, err)
	}
	return n, nil
}
