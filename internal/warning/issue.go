package warning

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/org"
)

// Input is a warning's text, written or edited by its issuer.
type Input struct {
	// OrgID is the issuing body; 0 picks the actor's only one.
	OrgID     int64  `json:"org_id"`
	Title     string `json:"title"`
	Situation string `json:"situation"`
	// Rights are the rights concerned (kinds, numbers, marks), as text.
	Rights string `json:"rights"`
	Advice string `json:"advice"`
	// Links are the public facts: http(s) addresses, one per entry.
	Links      []string `json:"links"`
	Industries []string `json:"industries"`
	// Version is the version the issuer saw (Update only).
	Version int `json:"version"`
}

const (
	maxTitle = 200
	maxText  = 4000
	maxLinks = 10
	maxLink  = 500
)

// Warning is a warning as its readers see it.
type Warning struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	OrgName     string     `json:"org_name"`
	Status      Status     `json:"status"`
	Title       string     `json:"title"`
	Situation   string     `json:"situation"`
	Rights      string     `json:"rights"`
	Advice      string     `json:"advice"`
	Links       []string   `json:"links"`
	Industries  []string   `json:"industries"`
	Rule        Rule       `json:"rule,omitempty"`
	Sources     []Source   `json:"sources"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Reached     int        `json:"reached"`
	Read        int        `json:"read"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	// DiscardReason says why a discarded draft was not published.
	DiscardReason string `json:"discard_reason,omitempty"`
	// ReadAt is when the reader's enterprise first opened it (recipients).
	ReadAt *time.Time `json:"read_at,omitempty"`
}

// Source is a matter a drafted warning came from.
type Source struct {
	Type   string `json:"type"` // case or application
	ID     int64  `json:"id"`
	Number string `json:"number"`
}

// row is a risk_warnings row.
type row struct {
	ID            int64
	OrgID         int64
	Status        string
	Title         string
	Situation     string
	Rights        string
	Advice        string
	Links         strs `gorm:"type:jsonb"`
	Industries    strs `gorm:"type:jsonb"`
	Rule          string
	RuleKey       string
	RuleWindow    int
	Sources       []byte
	CreatedBy     *int64
	PublishedBy   *int64
	PublishedAt   *time.Time
	DiscardedAt   *time.Time
	DiscardReason string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (row) TableName() string { return "risk_warnings" }

func (r row) toWarning(orgName string) Warning {
	w := Warning{ID: r.ID, OrgID: r.OrgID, OrgName: orgName, Status: Status(r.Status), Title: r.Title, Situation: r.Situation,
		Rights: r.Rights, Advice: r.Advice, Links: append([]string{}, r.Links...), Industries: append([]string{}, r.Industries...),
		Rule: Rule(r.Rule), PublishedAt: r.PublishedAt, Version: r.Version, CreatedAt: r.CreatedAt, DiscardReason: r.DiscardReason,
		Sources: []Source{}}
	if len(r.Sources) > 0 {
		_ = json.Unmarshal(r.Sources, &w.Sources)
	}
	return w
}

// check validates and normalises in; issuerIndustries, when not empty,
// bounds the industries (an association warns its own industries).
func (s *Service) check(ctx context.Context, db *gorm.DB, in *Input, issuerIndustries []string) error {
	var f domain.Fields
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "":
		f.Add("title", "validation.required")
	case utf8.RuneCountInString(in.Title) > maxTitle:
		f.Add("title", "validation.too_long", "Max", maxTitle)
	}
	for name, p := range map[string]*string{"situation": &in.Situation, "rights": &in.Rights, "advice": &in.Advice} {
		*p = strings.TrimSpace(*p)
		if utf8.RuneCountInString(*p) > maxText {
			f.Add(name, "validation.too_long", "Max", maxText)
		}
	}
	if in.Situation == "" {
		f.Add("situation", "validation.required")
	}
	links := in.Links[:0:0]
	for _, l := range in.Links {
		if l = strings.TrimSpace(l); l != "" {
			links = append(links, l)
		}
	}
	in.Links = links
	if len(in.Links) > maxLinks {
		f.Add("links", "validation.too_many", "Max", maxLinks)
	}
	for _, l := range in.Links {
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l) > maxLink {
			f.Add("links", "validation.warning_link", "Link", l)
			break
		}
	}
	known, err := org.Industries(ctx, db)
	if err != nil {
		return err
	}
	var inds []string
	for _, c := range in.Industries {
		c = strings.TrimSpace(c)
		if c == "" || slices.Contains(inds, c) {
			continue
		}
		if !slices.Contains(known, c) {
			f.Add("industries", "validation.one_of", "Values", strings.Join(known, ", "))
			break
		}
		if len(issuerIndustries) > 0 && !slices.Contains(issuerIndustries, c) {
			f.Add("industries", "validation.warning_own_industry")
			break
		}
		inds = append(inds, c)
	}
	slices.Sort(inds)
	in.Industries = inds
	return f.Err()
}

// issuerOrg picks the issuing body of in for the actor.
func (s *Service) issuerOrg(v viewer, orgID int64) (int64, error) {
	switch {
	case len(v.issuers) == 0:
		return 0, domain.Errorf(domain.EFORBIDDEN, "you may not issue risk warnings")
	case orgID == 0 && len(v.issuers) == 1:
		return v.issuers[0], nil
	case orgID == 0:
		return 0, domain.Invalid(domain.FieldError{Field: "org_id", Message: "validation.required"})
	case !slices.Contains(v.issuers, orgID):
		return 0, domain.Errorf(domain.EFORBIDDEN, "you may not issue risk warnings for organisation %d", orgID)
	}
	return orgID, nil
}

// ownIndustries bounds an association's warnings to the industries it
// chose; other bodies warn any industry.
func ownIndustries(ctx context.Context, db *gorm.DB, orgID int64) ([]string, error) {
	var typ domain.OrgType
	if err := db.WithContext(ctx).Raw("SELECT type FROM orgs WHERE id = ?", orgID).Scan(&typ).Error; err != nil {
		return nil, fmtErr("issuer", err)
	}
	if typ != domain.OrgIndustryAssoc {
		return nil, nil
	}
	return org.OrgIndustries(ctx, db, orgID)
}

// Create writes a draft warning for the actor's issuing body
// (warning:issue). EINVALID names the field.
func (s *Service) Create(ctx context.Context, in Input) (Warning, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Warning{}, err
	}
	orgID, err := s.issuerOrg(s.viewerOf(a), in.OrgID)
	if err != nil {
		return Warning{}, err
	}
	var out Warning
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		own, err := ownIndustries(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := s.check(ctx, tx, &in, own); err != nil {
			return err
		}
		now := s.clock()
		r := row{OrgID: orgID, Status: string(StatusDraft), Title: in.Title, Situation: in.Situation, Rights: in.Rights,
			Advice: in.Advice, Links: strs(in.Links), Industries: strs(in.Industries), Sources: []byte("[]"), CreatedBy: &a.UserID,
			Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Omit("PublishedAt", "PublishedBy", "DiscardedAt").Create(&r).Error; err != nil {
			return fmtErr("insert", err)
		}
		if err := s.audit(ctx, tx, r, "warning.create", map[string]any{"title": r.Title, "industries": in.Industries}); err != nil {
			return err
		}
		out, err = s.view(ctx, tx, r)
		return err
	})
	return out, err
}

// loadFor locks warning id for a change by its issuer.
func (s *Service) loadFor(ctx context.Context, tx *gorm.DB, v viewer, id int64, version int) (row, error) {
	var r row
	err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row{}, notFound()
	}
	if err != nil {
		return row{}, fmtErr("load "+strconv.FormatInt(id, 10), err)
	}
	if !v.sees(ctx, tx, r) {
		return row{}, notFound()
	}
	if !slices.Contains(v.issuers, r.OrgID) {
		return row{}, domain.Errorf(domain.EFORBIDDEN, "only the issuing body changes a warning")
	}
	if r.Status != string(StatusDraft) {
		return row{}, conflict("a change", Status(r.Status))
	}
	if version <= 0 {
		return row{}, domain.Invalid(domain.FieldError{Field: "version", Message: "validation.required"})
	}
	if version != r.Version {
		return row{}, stale(r.Version)
	}
	return r, nil
}

// Update edits a draft (its issuer). ECONFLICT once published or
// discarded, or on a stale version.
func (s *Service) Update(ctx context.Context, id int64, in Input) (Warning, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Warning{}, err
	}
	v := s.viewerOf(a)
	var out Warning
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.loadFor(ctx, tx, v, id, in.Version)
		if err != nil {
			return err
		}
		own, err := ownIndustries(ctx, tx, r.OrgID)
		if err != nil {
			return err
		}
		if err := s.check(ctx, tx, &in, own); err != nil {
			return err
		}
		now := s.clock()
		if err := tx.Model(&row{}).Where("id = ?", id).Updates(map[string]any{"title": in.Title, "situation": in.Situation,
			"rights": in.Rights, "advice": in.Advice, "links": strs(in.Links), "industries": strs(in.Industries),
			"version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return fmtErr("update", err)
		}
		if err := s.audit(ctx, tx, r, "warning.update", map[string]any{"title": in.Title, "industries": in.Industries,
			"before": map[string]any{"title": r.Title, "industries": []string(r.Industries)}}); err != nil {
			return err
		}
		out, err = s.reload(ctx, tx, id)
		return err
	})
	return out, err
}

// Publish sends a draft to every active enterprise of its industries,
// once: a recipient row each and a notice to each of its users. It
// returns the warning with the number of enterprises reached. EINVALID
// when the draft names no industry.
func (s *Service) Publish(ctx context.Context, id int64, version int) (Warning, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Warning{}, err
	}
	v := s.viewerOf(a)
	var out Warning
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.loadFor(ctx, tx, v, id, version)
		if err != nil {
			return err
		}
		if len(r.Industries) == 0 {
			return domain.Invalid(domain.FieldError{Field: "industries", Message: "validation.required"})
		}
		if strings.TrimSpace(r.Situation) == "" {
			return domain.Invalid(domain.FieldError{Field: "situation", Message: "validation.required"})
		}
		now := s.clock()
		if err := tx.Model(&row{}).Where("id = ?", id).Updates(map[string]any{"status": string(StatusPublished),
			"published_at": now, "published_by": a.UserID, "version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return fmtErr("publish", err)
		}
		var orgs []int64
		if err := tx.Raw(`INSERT INTO risk_warning_recipients (warning_id, org_id, reached_at)
SELECT ?, o.id, ? FROM orgs o WHERE o.type = ? AND o.active
  AND EXISTS (SELECT 1 FROM org_industries oi JOIN risk_warnings w ON w.id = ?
              WHERE oi.org_id = o.id AND w.industries @> jsonb_build_array(oi.industry))
ON CONFLICT DO NOTHING RETURNING org_id`, id, now, domain.OrgEnterprise, id).Scan(&orgs).Error; err != nil {
			return fmtErr("recipients", err)
		}
		issuer, err := orgNameOf(ctx, tx, r.OrgID)
		if err != nil {
			return err
		}
		for _, org := range orgs {
			users, err := notify.MembersTx(ctx, tx, org, recipientRoles)
			if err != nil {
				return err
			}
			for _, u := range users {
				m := notify.Message{UserID: u, Kind: NoticePublished, Link: Link(id),
					Params:   map[string]any{"Title": r.Title, "Issuer": issuer},
					DedupKey: fmt.Sprintf("warning:%d:%d", id, u)}
				if err := s.d.Notify.SendTx(ctx, tx, m); err != nil {
					return fmtErr("notify", err)
				}
			}
		}
		if err := s.audit(ctx, tx, r, "warning.publish", map[string]any{"title": r.Title, "industries": []string(r.Industries),
			"reached": len(orgs)}); err != nil {
			return err
		}
		out, err = s.reload(ctx, tx, id)
		return err
	})
	return out, err
}

// Discard sets a draft aside with a reason (its issuer).
func (s *Service) Discard(ctx context.Context, id int64, version int, reason string) (Warning, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Warning{}, err
	}
	v := s.viewerOf(a)
	reason = strings.TrimSpace(reason)
	var out Warning
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := s.loadFor(ctx, tx, v, id, version)
		if err != nil {
			return err
		}
		switch {
		case reason == "":
			return domain.Invalid(domain.FieldError{Field: "reason", Message: "validation.required"})
		case utf8.RuneCountInString(reason) > maxText:
			return domain.Invalid(domain.FieldError{Field: "reason", Message: "validation.too_long", Params: map[string]any{"Max": maxText}})
		}
		now := s.clock()
		if err := tx.Model(&row{}).Where("id = ?", id).Updates(map[string]any{"status": string(StatusDiscarded),
			"discarded_at": now, "discard_reason": reason, "version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return fmtErr("discard", err)
		}
		if err := s.audit(ctx, tx, r, "warning.discard", map[string]any{"title": r.Title, "reason": reason}); err != nil {
			return err
		}
		out, err = s.reload(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *Service) audit(ctx context.Context, tx *gorm.DB, r row, action string, detail map[string]any) error {
	org := r.OrgID
	return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: action, ObjectType: "risk_warning",
		ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail})
}

// orgNameOf is the Chinese name of organisation id.
func orgNameOf(ctx context.Context, db *gorm.DB, id int64) (string, error) {
	var name string
	if err := db.WithContext(ctx).Raw("SELECT name_zh FROM orgs WHERE id = ?", id).Scan(&name).Error; err != nil {
		return "", fmtErr("organisation", err)
	}
	return name, nil
}

// reload is warning id as a step left it, for the step's answer.
func (s *Service) reload(ctx context.Context, tx *gorm.DB, id int64) (Warning, error) {
	var r row
	if err := tx.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return Warning{}, fmtErr("reload", err)
	}
	return s.view(ctx, tx, r)
}

// view is r with its issuer's name and reach.
func (s *Service) view(ctx context.Context, db *gorm.DB, r row) (Warning, error) {
	name, err := orgNameOf(ctx, db, r.OrgID)
	if err != nil {
		return Warning{}, err
	}
	w := r.toWarning(name)
	var c struct{ Reached, Read int }
	if err := db.WithContext(ctx).Raw(`SELECT count(*) AS reached, count(read_at) AS read FROM risk_warning_recipients
WHERE warning_id = ?`, r.ID).Scan(&c).Error; err != nil {
		return Warning{}, fmtErr("reach", err)
	}
	w.Reached, w.Read = c.Reached, c.Read
	return w, nil
}

// strs is a list of strings kept as a JSON array (jsonb).
type strs []string

// Value implements driver.Valuer.
func (s strs) Value() (driver.Value, error) {
	if s == nil {
		s = strs{}
	}
	b, err := json.Marshal([]string(s))
	return string(b), err
}

// Scan implements sql.Scanner.
func (s *strs) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*s = strs{}
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("warning: cannot scan %T into a list", src)
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	*s = out
	return nil
}
