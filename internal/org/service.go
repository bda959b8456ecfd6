package org

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Authorizer answers system-level permission questions.
type Authorizer interface {
	CanSystem(userID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Service manages organisations (sysadmin) and answers directory lookups
// (everyone signed in: the organisations of the city are public).
type Service struct {
	db    *gorm.DB
	store *Store
	authz Authorizer
	audit Auditor
}

// Deps are the organisation service's collaborators, all required.
type Deps struct {
	DB    *gorm.DB
	Store *Store
	Authz Authorizer
	Audit Auditor
}

// NewService returns a Service. A missing collaborator is a wiring
// mistake: NewService panics naming it.
func NewService(d Deps) *Service {
	domain.RequireDeps("org.NewService", map[string]bool{"DB": d.DB == nil, "Store": d.Store == nil, "Authz": d.Authz == nil,
		"Audit": d.Audit == nil})
	return &Service{db: d.DB, store: d.Store, authz: d.Authz, audit: d.Audit}
}

// Directory lists every organisation except enterprises.
func (s *Service) Directory(ctx context.Context) ([]domain.Org, error) {
	if _, err := domain.RequireActor(ctx); err != nil {
		return nil, err
	}
	return s.store.List(ctx)
}

// Get returns an organisation: any non-enterprise organisation to anyone
// signed in; an enterprise only to its members and sysadmins.
func (s *Service) Get(ctx context.Context, id int64) (domain.Org, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.Org{}, err
	}
	o, err := s.store.ByID(ctx, id)
	if err != nil {
		return o, err
	}
	if o.Type == domain.OrgEnterprise && !a.Sysadmin && !a.IsMember(id) {
		return domain.Org{}, domain.NotFound("organisation")
	}
	return o, nil
}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// maxOrgName and maxShortCode bound an organisation's names and its case
// number abbreviation (鼓知调).
const (
	maxOrgName   = 200
	maxShortCode = 16
)

func (s *Service) validate(ctx context.Context, o *domain.Org, creating bool) error {
	var f domain.Fields
	o.Code = strings.TrimSpace(strings.ToLower(o.Code))
	o.NameZH = strings.TrimSpace(o.NameZH)
	o.NameEN = strings.TrimSpace(o.NameEN)
	o.ShortCode = strings.TrimSpace(o.ShortCode)
	if creating {
		if !codeRE.MatchString(o.Code) {
			f.Add("code", "validation.org_code")
		} else if _, err := s.store.ByCode(ctx, o.Code); err == nil {
			f.Add("code", "validation.org_code_taken")
		}
		if !o.Type.Valid() || o.Type == domain.OrgEnterprise {
			f.Add("type", "validation.org_type")
		}
	}
	// Limits in characters (docs/security.md, "Input boundary").
	f.Text("name_zh", o.NameZH, true, maxOrgName)
	f.Text("name_en", o.NameEN, false, maxOrgName)
	f.Text("short_code", o.ShortCode, false, maxShortCode)
	if o.RegionCode != "" && !regexp.MustCompile(`^[0-9]{6}$`).MatchString(o.RegionCode) {
		f.Add("region_code", "validation.region_code")
	}
	switch o.Level {
	case domain.LevelNone, domain.LevelCity, domain.LevelCounty:
	default:
		f.Add("level", "validation.org_level")
	}
	if o.Type == domain.OrgMediationCommittee && o.ShortCode == "" {
		f.Add("short_code", "validation.required")
	}
	if o.ShortCode != "" {
		// Case numbers are unique across committees (（2026）鼓知调字第0001号):
		// two organisations with one abbreviation would collide.
		var n int64
		if err := s.db.WithContext(ctx).Model(&row{}).Where("short_code = ? AND id <> ?", o.ShortCode, o.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("check short code: %w", err)
		}
		if n > 0 {
			f.Add("short_code", "validation.short_code_taken")
		}
	}
	if o.ParentID != nil {
		p, err := s.store.ByID(ctx, *o.ParentID)
		switch {
		case err != nil:
			f.Add("parent_id", "validation.org")
		case o.ID != 0 && p.ID == o.ID:
			f.Add("parent_id", "validation.org_parent_self")
		case o.Level == domain.LevelCounty && p.Level != domain.LevelCity:
			f.Add("parent_id", "validation.org_parent_level")
		}
	}
	return f.Err()
}

// Create adds an organisation (sysadmin only), audited.
func (s *Service) Create(ctx context.Context, o domain.Org) (domain.Org, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.Org{}, err
	}
	if !s.authz.CanSystem(a.UserID, "org", "manage") {
		return domain.Org{}, domain.Errorf(domain.EFORBIDDEN, "only system administrators manage organisations")
	}
	o.Active = true
	if err := s.validate(ctx, &o, true); err != nil {
		return domain.Org{}, err
	}
	var out domain.Org
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := fromDomain(o)
		r.ID = 0
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("create org: %w", err)
		}
		out = r.toDomain()
		return s.audit.Append(ctx, tx, audit.Entry{OrgID: &r.ID, Action: "org.create", ObjectType: "org", ObjectID: fmt.Sprint(r.ID),
			Detail: map[string]any{"code": r.Code, "type": r.Type, "name_zh": r.NameZH}})
	})
	return out, err
}

// Update changes an organisation's names, short code, region, parent and
// active flag (sysadmin only), audited with before and after.
func (s *Service) Update(ctx context.Context, o domain.Org) (domain.Org, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.Org{}, err
	}
	if !s.authz.CanSystem(a.UserID, "org", "manage") {
		return domain.Org{}, domain.Errorf(domain.EFORBIDDEN, "only system administrators manage organisations")
	}
	before, err := s.store.ByID(ctx, o.ID)
	if err != nil {
		return domain.Org{}, err
	}
	o.Code, o.Type = before.Code, before.Type
	if err := s.validate(ctx, &o, false); err != nil {
		return domain.Org{}, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&row{}).Where("id = ?", o.ID).Updates(map[string]any{
			"name_zh": o.NameZH, "name_en": o.NameEN, "short_code": o.ShortCode, "region_code": o.RegionCode,
			"level": string(o.Level), "parent_id": o.ParentID, "active": o.Active, "updated_at": gorm.Expr("now()"),
		}).Error; err != nil {
			return fmt.Errorf("update org: %w", err)
		}
		return s.audit.Append(ctx, tx, audit.Entry{OrgID: &o.ID, Action: "org.update", ObjectType: "org", ObjectID: fmt.Sprint(o.ID),
			Detail: map[string]any{
				"before": map[string]any{"name_zh": before.NameZH, "short_code": before.ShortCode, "active": before.Active},
				"after":  map[string]any{"name_zh": o.NameZH, "short_code": o.ShortCode, "active": o.Active},
			}})
	})
	if err != nil {
		return domain.Org{}, err
	}
	return s.store.ByID(ctx, o.ID)
}
