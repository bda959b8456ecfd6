package assistance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Input limits: generous, so that a pasted document cannot be stored as a
// name, not to constrain real applications.
const (
	maxName   = 200
	maxShort  = 1000
	maxText   = 20000
	maxRights = 20
)

// text trims s and checks presence and length, adding field errors.
func text(f *domain.Fields, field, s string, required bool, max int) string {
	return f.Text(field, s, required, max)
}

// numberedRights are the kinds whose numbers have a checked format.
var numberedRights = []domain.RightKind{domain.RightInvention, domain.RightUtilityModel, domain.RightDesign,
	domain.RightTrademark, domain.RightCopyright, domain.RightSoftwareCopyr}

// validateRights checks the rights concerned (the same rules as a case's,
// so that a case opened from the application accepts them).
func validateRights(f *domain.Fields, in []Right) []Right {
	if len(in) == 0 {
		f.Add("rights", "validation.required")
	}
	if len(in) > maxRights {
		f.Add("rights", "validation.too_many", "Max", maxRights)
	}
	out := make([]Right, 0, len(in))
	for i, r := range in {
		field := func(name string) string { return "rights[" + strconv.Itoa(i) + "]." + name }
		ip := domain.IPRight{Kind: r.Kind, Number: strings.TrimSpace(r.Number)}
		switch {
		case !slices.Contains(domain.RightKinds, r.Kind):
			f.Add(field("kind"), "validation.right_kind")
		case !slices.Contains(numberedRights, r.Kind):
			ip.Number = text(f, field("number"), ip.Number, false, maxName)
		case ip.Number == "":
			f.Add(field("number"), "validation.required")
		default:
			ip.ValidateNumber(f, field("number"))
		}
		out = append(out, Right{Kind: r.Kind, Number: ip.Number, Title: text(f, field("title"), r.Title, false, maxShort),
			Holder: text(f, field("holder"), r.Holder, false, maxName)})
	}
	return out
}

// validateHelp checks a set of kinds of help; duplicates are dropped.
func validateHelp(f *domain.Fields, field string, in []Help) []Help {
	var out []Help
	for _, h := range in {
		if !slices.Contains(Helps, h) {
			f.Add(field, "validation.assistance_help")
			return nil
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		f.Add(field, "validation.required")
	}
	return out
}

// pgArray writes a text[] literal of plain words (the kinds of help).
func pgArray(hs []Help) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = `"` + string(h) + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Apply files a new application for the actor's enterprise (docs/design.md §8):
// EFORBIDDEN when the actor may not apply (assistance:apply as an
// enterprise's applicant), ENOTFOUND for an enterprise that is not
// theirs, EINVALID naming each bad field (rights[i].number, place_kind,
// country, exhibition_code, help_wanted, contact_phone …). The
// application is numbered per centre and year; the SME's users and the
// centre's officers are notified.
func (s *Service) Apply(ctx context.Context, in ApplyInput) (Application, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Application{}, err
	}
	var ents []int64
	for _, m := range a.Memberships {
		if m.Role.Reach(domain.ObjectApplication).Has(domain.ReachPartyTo) && s.d.Authz.Can(a.UserID, m.OrgID, "assistance", "apply") && !slices.Contains(ents, m.OrgID) {
			ents = append(ents, m.OrgID)
		}
	}
	// An industry association's staff apply on behalf of a member
	// enterprise that consents to the association reading its
	// applications (docs/design.md §15): the member is the applicant.
	var association *int64
	if len(ents) == 0 {
		id, err := s.onBehalfOf(ctx, a, in.ApplicantOrgID)
		if err != nil {
			return Application{}, err
		}
		association = &id
		ents = []int64{in.ApplicantOrgID}
	}
	ent := ents[0]
	if in.ApplicantOrgID != 0 {
		if !slices.Contains(ents, in.ApplicantOrgID) {
			return Application{}, domain.NotFound("organisation")
		}
		ent = in.ApplicantOrgID
	}

	var f domain.Fields
	rights := validateRights(&f, in.Rights)
	narrative := text(&f, "narrative", in.Narrative, true, maxText)
	respondent := text(&f, "respondent_name", in.RespondentName, false, maxName)
	respCode := domain.NormalizeCreditCode(in.RespondentCreditCode)
	if respCode != "" && !domain.ValidCreditCode(respCode) {
		f.Add("respondent_credit_code", "validation.credit_code")
	}
	if !slices.Contains(PlaceKinds, in.PlaceKind) {
		f.Add("place_kind", "validation.assistance_place")
	}
	place := text(&f, "place", in.Place, false, maxShort)
	country := text(&f, "country", in.Country, in.PlaceKind == PlaceAbroad, maxName)
	if in.PlaceKind != PlaceAbroad && country != "" {
		f.Add("country", "validation.not_applicable")
	}
	exhibition := strings.TrimSpace(in.ExhibitionCode)
	switch {
	case in.PlaceKind == PlaceExhibition && exhibition == "":
		f.Add("exhibition_code", "validation.required")
	case in.PlaceKind != PlaceExhibition && exhibition != "":
		f.Add("exhibition_code", "validation.not_applicable")
	}
	help := validateHelp(&f, "help_wanted", in.HelpWanted)
	contact := text(&f, "contact_name", in.ContactName, true, maxName)
	phone := domain.NormalizeMobile(in.ContactPhone)
	switch {
	case phone == "":
		f.Add("contact_phone", "validation.required")
	case !domain.ValidMobile(phone):
		f.Add("contact_phone", "validation.mobile")
	}
	db := s.d.DB.WithContext(ctx)
	if exhibition != "" && in.PlaceKind == PlaceExhibition {
		if ok, err := exhibitionExists(ctx, db, exhibition); err != nil {
			return Application{}, err
		} else if !ok {
			f.Add("exhibition_code", "validation.exhibition")
		}
	}
	if err := f.Err(); err != nil {
		return Application{}, err
	}
	var exhibitionArg any
	if exhibition != "" {
		exhibitionArg = exhibition
	}

	center, err := s.center(ctx, db)
	if err != nil {
		return Application{}, err
	}
	phoneEnc, err := s.d.PII.Encrypt(phone)
	if err != nil {
		return Application{}, fmt.Errorf("encrypt contact phone: %w", err)
	}
	rightsJSON, err := json.Marshal(rights)
	if err != nil {
		return Application{}, fmt.Errorf("encode rights: %w", err)
	}

	var out Application
	err = db.Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		year := now.In(beijing).Year()
		var seq int
		if err := tx.Raw(`INSERT INTO assistance_counters (org_id, year, last_no) VALUES (?, ?, 1)
ON CONFLICT (org_id, year) DO UPDATE SET last_no = assistance_counters.last_no + 1 RETURNING last_no`, center.ID, year).
			Scan(&seq).Error; err != nil {
			return fmt.Errorf("next application number: %w", err)
		}
		number := fmt.Sprintf("（%d）%s字第%04d号", year, center.prefix(), seq)
		var id int64
		if err := tx.Raw(`INSERT INTO assistance_applications (number, year, seq, applicant_org_id, center_org_id, submitted_by,
contact_name, contact_phone_enc, rights, narrative, respondent_name, respondent_credit_code, place_kind, place, country,
exhibition_code, help_wanted, status, version, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, 1, ?, ?) RETURNING id`,
			number, year, seq, ent, center.ID, a.UserID, contact, phoneEnc, string(rightsJSON), narrative, respondent, respCode,
			string(in.PlaceKind), place, country, exhibitionArg, pgArray(help), string(StatusSubmitted), now, now).
			Scan(&id).Error; err != nil {
			return fmt.Errorf("insert application: %w", err)
		}
		detail := map[string]any{"help_wanted": help, "place_kind": in.PlaceKind, "rights": len(rights)}
		if association != nil {
			detail["association_org_id"] = *association
		}
		if err := addEvent(ctx, tx, id, a, "apply", "", StatusSubmitted, detail, now); err != nil {
			return err
		}
		r, _, err := loadApp(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := s.tellApplicant(ctx, tx, r, "assistance_submitted", nil); err != nil {
			return err
		}
		if err := s.tellOfficers(ctx, tx, r, "assistance_new", nil); err != nil {
			return err
		}
		if err := s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &center.ID, Action: "assistance.apply", ObjectType: "assistance_application",
			ObjectID: strconv.FormatInt(id, 10), Detail: map[string]any{"number": number, "applicant_org_id": ent,
				"help_wanted": help, "place_kind": string(in.PlaceKind), "association_org_id": association}}); err != nil {
			return err
		}
		out, err = s.toApplication(r, true)
		return err
	})
	if err != nil {
		return Application{}, fmt.Errorf("apply for assistance: %w", err)
	}
	return out, nil
}

// onBehalfOf returns the industry association through which the actor
// applies for member: one in which they hold association:file and of
// which member is an active member whose consent stands. EFORBIDDEN when
// the actor applies for no enterprise at all, EINVALID naming
// applicant_org_id when no member is named, ENOTFOUND when the named
// enterprise is not such a member (a non-member, or one that withdrew
// its consent).
func (s *Service) onBehalfOf(ctx context.Context, a *domain.Actor, member int64) (int64, error) {
	var assocs []int64
	for _, m := range a.Memberships {
		if m.Role.Reach(domain.ObjectApplication).Has(domain.ReachMembers) && s.d.Authz.Can(a.UserID, m.OrgID, "association", "file") &&
			!slices.Contains(assocs, m.OrgID) {
			assocs = append(assocs, m.OrgID)
		}
	}
	if len(assocs) == 0 {
		return 0, domain.Errorf(domain.EFORBIDDEN, "only an enterprise's applicant, or its association for it, may apply for assistance")
	}
	if member <= 0 {
		return 0, domain.Invalid(domain.FieldError{Field: "applicant_org_id", Message: "validation.required"})
	}
	var ids []int64
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT am.association_org_id FROM association_members am
WHERE am.association_org_id IN ? AND am.member_org_id = ? AND am.status = 'active' AND am.consent_at IS NOT NULL
ORDER BY am.association_org_id LIMIT 1`, assocs, member).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("association membership: %w", err)
	}
	if len(ids) == 0 {
		return 0, domain.NotFound("organisation")
	}
	return ids[0], nil
}

// centerRow is the assistance centre that takes applications.
type centerRow struct {
	ID        int64
	ShortCode string
}

// prefix is the short code in application numbers: the centre's own, or
// 榕知援 (Fuzhou IP assistance) when it has none.
func (c centerRow) prefix() string {
	if c.ShortCode != "" {
		return c.ShortCode
	}
	return "榕知援"
}

// center returns the active assistance centre (the first by id when a
// deployment has several).
func (s *Service) center(ctx context.Context, db *gorm.DB) (centerRow, error) {
	var c centerRow
	err := db.WithContext(ctx).Table("orgs").Select("id, short_code").
		Where("type = ? AND active", domain.OrgAssistanceCenter).Order("id").Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return centerRow{}, domain.Errorf(domain.EUNAVAILABLE, "no assistance centre is set up to take applications")
	}
	if err != nil {
		return centerRow{}, fmt.Errorf("find assistance centre: %w", err)
	}
	return c, nil
}

func exhibitionExists(ctx context.Context, db *gorm.DB, code string) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Table("exhibitions").Where("code = ? AND active", code).Count(&n).Error; err != nil {
		return false, fmt.Errorf("find exhibition: %w", err)
	}
	return n > 0, nil
}
