package warning

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/org"
)

// IndustryList is the active industries (for forms and names).
func (s *Service) IndustryList(ctx context.Context) ([]org.Industry, error) {
	return org.IndustryList(ctx, s.d.DB)
}

// ProfileOrgs are the organisations whose industries the actor sets on
// its profile: its enterprises (an applicant) and its associations
// (their staff).
func ProfileOrgs(a *domain.Actor) []domain.Membership {
	var out []domain.Membership
	for _, m := range a.Memberships {
		if m.Role == domain.RoleApplicant || m.Role == domain.RoleAssociationStaff {
			out = append(out, m)
		}
	}
	return out
}

// SetOwnIndustries sets the industries of an organisation the actor
// speaks for (ProfileOrgs), audited. Warnings published later reach it
// by the new choice; those already published keep their recipients.
func (s *Service) SetOwnIndustries(ctx context.Context, orgID int64, codes []string) ([]string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(ProfileOrgs(a), func(m domain.Membership) bool { return m.OrgID == orgID }) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not set the industries of organisation %d", orgID)
	}
	var out []string
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if out, err = org.CheckIndustries(ctx, tx, "industries", codes); err != nil {
			return err
		}
		before, err := org.OrgIndustries(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := org.SetIndustriesTx(ctx, tx, orgID, out); err != nil {
			return err
		}
		id := orgID
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &id, Action: "org.industries", ObjectType: "org",
			ObjectID: strconv.FormatInt(orgID, 10), Detail: map[string]any{"before": before, "after": out}})
	})
	return out, err
}

// sees reports whether the viewer reads r: the office every one, the
// issuer its own, an enterprise a published one that reached it.
func (v viewer) sees(ctx context.Context, db *gorm.DB, r row) bool {
	if v.all || slices.Contains(v.issuers, r.OrgID) {
		return true
	}
	if len(v.received) == 0 || r.Status != string(StatusPublished) {
		return false
	}
	var n int64
	db.WithContext(ctx).Raw("SELECT count(*) FROM risk_warning_recipients WHERE warning_id = ? AND org_id IN ?", r.ID, v.received).Scan(&n)
	return n > 0
}

// Filter narrows a list.
type Filter struct {
	Status Status
	// Box: "issued" (the issuer's own), "received" (an enterprise's);
	// "" is every warning the viewer reads.
	Box   string
	Limit int
}

// List is the warnings the actor reads, newest first. An enterprise sees
// when it first opened each (ReadAt).
func (s *Service) List(ctx context.Context, f Filter) ([]Warning, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewerOf(a)
	if v.none() {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not read risk warnings")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, domain.Invalid(domain.FieldError{Field: "status", Message: "validation.one_of",
			Params: map[string]any{"Values": "draft, published, discarded"}})
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 200
	}
	db := s.d.DB.WithContext(ctx)
	q := db.Model(&row{})
	issued := db.Where("org_id IN ?", append([]int64{0}, v.issuers...))
	received := db.Where("status = 'published' AND id IN (SELECT warning_id FROM risk_warning_recipients WHERE org_id IN ?)",
		append([]int64{0}, v.received...))
	switch {
	case f.Box == "issued":
		q = q.Where(issued)
	case f.Box == "received":
		q = q.Where(received)
	case v.all:
	default:
		q = q.Where(db.Where(issued).Or(received))
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var rows []row
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmtErr("list", err)
	}
	out := make([]Warning, 0, len(rows))
	for _, r := range rows {
		w, err := s.view(ctx, db, r)
		if err != nil {
			return nil, err
		}
		if len(v.received) > 0 {
			if w.ReadAt, err = readAt(ctx, db, r.ID, v.received); err != nil {
				return nil, err
			}
		}
		out = append(out, w)
	}
	return out, nil
}

// Get is warning id for the actor. An enterprise's user opening a
// warning that reached it records that the enterprise has read it (the
// first time, with who and when): the issuer sees it among the readers.
func (s *Service) Get(ctx context.Context, id int64) (Warning, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Warning{}, err
	}
	v := s.viewerOf(a)
	var out Warning
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r row
		err := tx.Where("id = ?", id).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound()
		}
		if err != nil {
			return fmtErr("load", err)
		}
		if !v.sees(ctx, tx, r) {
			return notFound()
		}
		if len(v.received) > 0 && r.Status == string(StatusPublished) {
			if err := tx.Exec(`UPDATE risk_warning_recipients SET read_at = ?, read_by = ?
WHERE warning_id = ? AND org_id IN ? AND read_at IS NULL`, s.clock(), a.UserID, id, v.received).Error; err != nil {
				return fmtErr("mark read", err)
			}
		}
		if out, err = s.view(ctx, tx, r); err != nil {
			return err
		}
		if len(v.received) > 0 {
			if out.ReadAt, err = readAt(ctx, tx, id, v.received); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Recipient is an enterprise a warning reached.
type Recipient struct {
	OrgID     int64      `json:"org_id"`
	Name      string     `json:"name"`
	ReachedAt time.Time  `json:"reached_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// Recipients are the enterprises warning id reached, unread first, for
// its issuer and the office. EFORBIDDEN for a recipient.
func (s *Service) Recipients(ctx context.Context, id int64) ([]Recipient, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewerOf(a)
	db := s.d.DB.WithContext(ctx)
	var r row
	err = db.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmtErr("load", err)
	}
	if !v.sees(ctx, db, r) {
		return nil, notFound()
	}
	if !v.all && !slices.Contains(v.issuers, r.OrgID) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "only the issuing body sees who a warning reached")
	}
	var out []Recipient
	if err := db.Raw(`SELECT r.org_id, o.name_zh AS name, r.reached_at, r.read_at FROM risk_warning_recipients r
JOIN orgs o ON o.id = r.org_id WHERE r.warning_id = ? ORDER BY r.read_at IS NOT NULL, o.name_zh`, id).Scan(&out).Error; err != nil {
		return nil, fmtErr("recipients", err)
	}
	return out, nil
}

// Issued is an issuing body's figures for its first page: drafts to
// review and the warnings it published, with their reach.
func (s *Service) Issued(ctx context.Context) (drafts int64, published []Warning, err error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return 0, nil, err
	}
	v := s.viewerOf(a)
	if len(v.issuers) == 0 {
		return 0, nil, nil
	}
	if err := s.d.DB.WithContext(ctx).Model(&row{}).Where("org_id IN ? AND status = 'draft'", v.issuers).Count(&drafts).Error; err != nil {
		return 0, nil, fmtErr("drafts", err)
	}
	published, err = s.List(ctx, Filter{Box: "issued", Status: StatusPublished, Limit: 5})
	return drafts, published, err
}

// OrgChoice is an organisation the actor speaks for with the industries
// it chose.
type OrgChoice struct {
	ID     int64
	Name   string
	Chosen []string
}

// Has reports whether o chose code.
func (o OrgChoice) Has(code string) bool { return slices.Contains(o.Chosen, code) }

// ProfileChoices are the industries of each organisation the actor sets
// them for (ProfileOrgs); none for anyone else.
func (s *Service) ProfileChoices(ctx context.Context) ([]OrgChoice, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var out []OrgChoice
	db := s.d.DB.WithContext(ctx)
	for _, m := range ProfileOrgs(a) {
		name, err := orgNameOf(ctx, db, m.OrgID)
		if err != nil {
			return nil, err
		}
		chosen, err := org.OrgIndustries(ctx, db, m.OrgID)
		if err != nil {
			return nil, err
		}
		out = append(out, OrgChoice{ID: m.OrgID, Name: name, Chosen: chosen})
	}
	return out, nil
}

// readAt is when one of orgs first opened warning id (nil: not yet).
func readAt(ctx context.Context, db *gorm.DB, id int64, orgs []int64) (*time.Time, error) {
	var r struct{ At *time.Time }
	if err := db.WithContext(ctx).Raw("SELECT min(read_at) AS at FROM risk_warning_recipients WHERE warning_id = ? AND org_id IN ?",
		id, orgs).Scan(&r).Error; err != nil {
		return nil, fmtErr("read", err)
	}
	return r.At, nil
}
