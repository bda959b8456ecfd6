package assistance

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// The named fairs are managed by the assistance centre and the IP office
// (exhibition:manage): name, organiser, venue, dates, whether complaints
// can name it. A fair is never deleted (applications and complaints name
// it); it is made inactive instead.

// Fair is a named fair as its managers see it.
type Fair struct {
	Exhibition
	Organiser string         `json:"organiser"`
	Venue     string         `json:"venue"`
	StartsOn  *calendar.Date `json:"starts_on,omitempty"`
	EndsOn    *calendar.Date `json:"ends_on,omitempty"`
	Active    bool           `json:"active"`
	Position  int            `json:"position"`
	Version   int            `json:"version"`
}

// FairInput is a fair to add or change. Code names the fair (lower-case
// letters, digits and hyphens) and cannot change; Version is the version
// the manager saw (a change only).
type FairInput struct {
	Code      string `json:"code"`
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en"`
	Organiser string `json:"organiser"`
	Venue     string `json:"venue"`
	Season    string `json:"season"`
	// StartsOn and EndsOn are Beijing days (2026-05-18), either may be
	// empty.
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
	Active   bool   `json:"active"`
	Version  int    `json:"version"`
}

var fairCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// fairRow maps exhibitions.
type fairRow struct {
	Code, NameZH, NameEN, Season, Organiser, Venue string
	StartsOn, EndsOn                               *time.Time
	Active                                         bool
	Position, Version                              int
}

func (r fairRow) fair() Fair {
	f := Fair{Exhibition: Exhibition{Code: r.Code, NameZH: r.NameZH, NameEN: r.NameEN, Season: r.Season},
		Organiser: r.Organiser, Venue: r.Venue, Active: r.Active, Position: r.Position, Version: r.Version}
	day := func(t *time.Time) *calendar.Date {
		if t == nil {
			return nil
		}
		d := calendar.NewDate(t.Year(), t.Month(), t.Day())
		return &d
	}
	f.StartsOn, f.EndsOn = day(r.StartsOn), day(r.EndsOn)
	return f
}

// CanManageFairs reports whether the actor manages the named fairs.
func (s *Service) CanManageFairs(a *domain.Actor) bool { return s.fairOrg(a) > 0 }

// fairOrg is the organisation through which the actor manages fairs (0:
// none); the audit row is on its chain.
func (s *Service) fairOrg(a *domain.Actor) int64 {
	if a == nil {
		return 0
	}
	for _, m := range a.Memberships {
		if s.d.Authz.Can(a.UserID, m.OrgID, "exhibition", "manage") {
			return m.OrgID
		}
	}
	return 0
}

// Fairs lists every named fair, inactive ones too, for their managers.
// EFORBIDDEN for anyone else.
func (s *Service) Fairs(ctx context.Context) ([]Fair, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !s.CanManageFairs(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not manage the fairs")
	}
	var rows []fairRow
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT code, name_zh, name_en, season, organiser, venue, starts_on, ends_on, active, position, version
FROM exhibitions ORDER BY active DESC, position, code`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list fairs: %w", err)
	}
	out := make([]Fair, len(rows))
	for i, r := range rows {
		out[i] = r.fair()
	}
	return out, nil
}

// Fair returns one fair for its managers. ENOTFOUND for an unknown code.
func (s *Service) Fair(ctx context.Context, code string) (Fair, error) {
	fairs, err := s.Fairs(ctx)
	if err != nil {
		return Fair{}, err
	}
	for _, f := range fairs {
		if f.Code == code {
			return f, nil
		}
	}
	return Fair{}, domain.NotFound("exhibition")
}

// SaveFair adds a fair (create) or changes one. EINVALID names the field
// (a code taken, a name missing, a date malformed or an end before the
// start); ECONFLICT for a stale version; ENOTFOUND for a change of an
// unknown fair; EFORBIDDEN without exhibition:manage. Audited as
// exhibition.create or exhibition.update.
func (s *Service) SaveFair(ctx context.Context, in FairInput, create bool) (Fair, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Fair{}, err
	}
	org := s.fairOrg(a)
	if org == 0 {
		return Fair{}, domain.Errorf(domain.EFORBIDDEN, "you may not manage the fairs")
	}
	var f domain.Fields
	in.Code = strings.TrimSpace(in.Code)
	if create && !fairCode.MatchString(in.Code) {
		f.Add("code", "validation.fair_code")
	}
	nameZH := f.Text("name_zh", in.NameZH, true, 200)
	nameEN := f.Text("name_en", in.NameEN, false, 200)
	organiser := f.Text("organiser", in.Organiser, false, 200)
	venue := f.Text("venue", in.Venue, false, 200)
	season := f.Text("season", in.Season, false, 100)
	day := func(field, v string) *string {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		d, err := calendar.ParseDate(v)
		if err != nil {
			f.Add(field, "validation.date")
			return nil
		}
		s := d.String()
		return &s
	}
	starts, ends := day("starts_on", in.StartsOn), day("ends_on", in.EndsOn)
	if starts != nil && ends != nil && *ends < *starts {
		f.Add("ends_on", "validation.date_order")
	}
	if !create && in.Version <= 0 {
		f.Add("version", "validation.required")
	}
	if err := f.Err(); err != nil {
		return Fair{}, err
	}
	var out Fair
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		action := "exhibition.update"
		if create {
			action = "exhibition.create"
			res := tx.Exec(`INSERT INTO exhibitions (code, name_zh, name_en, season, organiser, venue, starts_on, ends_on, active, position, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM exhibitions), ?) ON CONFLICT (code) DO NOTHING`,
				in.Code, nameZH, nameEN, season, organiser, venue, starts, ends, in.Active, now)
			if res.Error != nil {
				return fmt.Errorf("add fair: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return domain.Invalid(domain.FieldError{Field: "code", Message: "validation.fair_code_taken"})
			}
		} else {
			var cur fairRow
			err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Table("exhibitions").
				Where("code = ?", in.Code).Take(&cur).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.NotFound("exhibition")
			}
			if err != nil {
				return fmt.Errorf("change fair: %w", err)
			}
			if cur.Version != in.Version {
				return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
					Message: fmt.Sprintf("the fair was changed by someone else (current version %d); reload and try again", cur.Version)}
			}
			if err := tx.Exec(`UPDATE exhibitions SET name_zh = ?, name_en = ?, season = ?, organiser = ?, venue = ?, starts_on = ?, ends_on = ?,
active = ?, version = version + 1, updated_at = ? WHERE code = ?`, nameZH, nameEN, season, organiser, venue, starts, ends, in.Active, now,
				in.Code).Error; err != nil {
				return fmt.Errorf("change fair: %w", err)
			}
		}
		var r fairRow
		if err := tx.Table("exhibitions").Where("code = ?", in.Code).Take(&r).Error; err != nil {
			return fmt.Errorf("reload fair: %w", err)
		}
		out = r.fair()
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: action, ObjectType: "exhibition", ObjectID: in.Code,
			Detail: map[string]any{"name_zh": nameZH, "organiser": organiser, "venue": venue, "starts_on": starts, "ends_on": ends,
				"active": in.Active}})
	})
	return out, err
}
