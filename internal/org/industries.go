package org

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Industry is one of the industries an organisation chooses (an
// enterprise at registration and on its profile, an association the
// industries it speaks for): industry risk warnings go out by industry
// (internal/warning). The list is data (table industries) with its names.
type Industry struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// Name is the industry's name in lang ("en" or Chinese).
func (i Industry) Name(lang string) string {
	if lang == "en" && i.NameEn != "" {
		return i.NameEn
	}
	return i.NameZh
}

// IndustryList is the active industries in display order.
func IndustryList(ctx context.Context, db *gorm.DB) ([]Industry, error) {
	var out []Industry
	if err := db.WithContext(ctx).Raw("SELECT code, name_zh, name_en FROM industries WHERE active ORDER BY position, code").
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("org: industries: %w", err)
	}
	return out, nil
}

// Industries are the codes of the active industries, in display order.
func Industries(ctx context.Context, db *gorm.DB) ([]string, error) {
	list, err := IndustryList(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.Code
	}
	return out, nil
}

// OrgIndustries are the industries organisation id chose, in display order.
func OrgIndustries(ctx context.Context, db *gorm.DB, id int64) ([]string, error) {
	var out []string
	if err := db.WithContext(ctx).Raw(`SELECT oi.industry FROM org_industries oi JOIN industries i ON i.code = oi.industry
WHERE oi.org_id = ? ORDER BY i.position, i.code`, id).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("org: industries of %d: %w", id, err)
	}
	return out, nil
}

// CheckIndustries normalises a choice of industries: known codes, each
// once, in display order. EINVALID names field.
func CheckIndustries(ctx context.Context, db *gorm.DB, field string, codes []string) ([]string, error) {
	known, err := Industries(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !slices.Contains(known, c) {
			return nil, domain.Invalid(domain.FieldError{Field: field, Message: "validation.one_of",
				Params: map[string]any{"Values": strings.Join(known, ", ")}})
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(known, a) - slices.Index(known, b) })
	return out, nil
}

// SetIndustriesTx replaces organisation id's industries inside the
// caller's transaction; codes must have passed CheckIndustries. The
// caller audits the change.
func SetIndustriesTx(ctx context.Context, tx *gorm.DB, id int64, codes []string) error {
	db := tx.WithContext(ctx)
	if err := db.Exec("DELETE FROM org_industries WHERE org_id = ?", id).Error; err != nil {
		return fmt.Errorf("org: clear industries: %w", err)
	}
	for _, c := range codes {
		if err := db.Exec("INSERT INTO org_industries (org_id, industry) VALUES (?, ?)", id, c).Error; err != nil {
			return fmt.Errorf("org: industry %s: %w", c, err)
		}
	}
	return nil
}

// CheckIndustriesTx is CheckIndustries for the registration (identity's
// Enterprises).
func (s *Store) CheckIndustriesTx(ctx context.Context, tx *gorm.DB, field string, codes []string) ([]string, error) {
	return CheckIndustries(ctx, tx, field, codes)
}

// SetIndustriesTx is SetIndustriesTx for the registration (identity's
// Enterprises).
func (s *Store) SetIndustriesTx(ctx context.Context, tx *gorm.DB, id int64, codes []string) error {
	return SetIndustriesTx(ctx, tx, id, codes)
}
