// Package org stores organisations, the authorization domains of ipmediate.
package org

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// row is the GORM mapping of the orgs table; domain.Org stays free of tags.
type row struct {
	ID         int64 `gorm:"primaryKey"`
	Code       string
	Type       string
	Level      string
	ParentID   *int64
	NameZH     string `gorm:"column:name_zh"`
	NameEN     string `gorm:"column:name_en"`
	RegionCode string
	ShortCode  string
	CreditCode *string
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (row) TableName() string { return "orgs" }

func (r row) toDomain() domain.Org {
	return domain.Org{
		ID: r.ID, Code: r.Code, Type: domain.OrgType(r.Type), Level: domain.OrgLevel(r.Level),
		ParentID: r.ParentID, NameZH: r.NameZH, NameEN: r.NameEN, RegionCode: r.RegionCode,
		ShortCode: r.ShortCode, CreditCode: r.CreditCode, Active: r.Active,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func fromDomain(o domain.Org) row {
	return row{
		ID: o.ID, Code: o.Code, Type: string(o.Type), Level: string(o.Level), ParentID: o.ParentID,
		NameZH: o.NameZH, NameEN: o.NameEN, RegionCode: o.RegionCode, ShortCode: o.ShortCode,
		CreditCode: o.CreditCode, Active: o.Active,
	}
}

// Store reads and writes organisations.
type Store struct{ db *gorm.DB }

// NewStore returns a Store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// ByCode returns the organisation with the given code, or ENOTFOUND.
func (s *Store) ByCode(ctx context.Context, code string) (domain.Org, error) {
	var r row
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Org{}, domain.NotFound("organisation")
	}
	if err != nil {
		return domain.Org{}, fmt.Errorf("org by code: %w", err)
	}
	return r.toDomain(), nil
}

// ByID returns the organisation with the given id, or ENOTFOUND.
func (s *Store) ByID(ctx context.Context, id int64) (domain.Org, error) {
	var r row
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Org{}, domain.NotFound("organisation")
	}
	if err != nil {
		return domain.Org{}, fmt.Errorf("org by id: %w", err)
	}
	return r.toDomain(), nil
}

// List returns every organisation except enterprises, ordered by type and
// code; enterprises are many and listed elsewhere.
func (s *Store) List(ctx context.Context) ([]domain.Org, error) {
	var rows []row
	if err := s.db.WithContext(ctx).Where("type <> ?", domain.OrgEnterprise).Order("type, code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list orgs: %w", err)
	}
	out := make([]domain.Org, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Upsert inserts o or, when its code exists, updates the descriptive
// fields, and returns the stored organisation. It is what makes seeding
// idempotent: running it twice leaves one row with the same values.
func (s *Store) Upsert(ctx context.Context, o domain.Org) (domain.Org, error) {
	r := fromDomain(o)
	r.ID = 0
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"type", "level", "parent_id", "name_zh", "name_en", "region_code", "short_code", "credit_code", "active",
		}),
	}).Create(&r).Error
	if err != nil {
		return domain.Org{}, fmt.Errorf("upsert org %s: %w", o.Code, err)
	}
	return s.ByCode(ctx, o.Code)
}

// CreateEnterpriseTx registers an enterprise inside tx, the transaction of
// the self-registration that creates its first user: code ent-<credit
// code>, active, no level or parent. A credit code already registered is
// EINVALID naming credit_code.
func (s *Store) CreateEnterpriseTx(ctx context.Context, tx *gorm.DB, name, creditCode string, now time.Time) (domain.Org, error) {
	cc := creditCode
	r := row{Code: "ent-" + strings.ToLower(creditCode), Type: string(domain.OrgEnterprise), NameZH: name, CreditCode: &cc,
		Active: true, CreatedAt: now, UpdatedAt: now}
	if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
		if strings.Contains(err.Error(), "credit_code") || strings.Contains(err.Error(), "orgs_code_key") {
			return domain.Org{}, domain.Invalid(domain.FieldError{Field: "credit_code", Message: "validation.credit_code_taken"})
		}
		return domain.Org{}, fmt.Errorf("create enterprise: %w", err)
	}
	return r.toDomain(), nil
}
