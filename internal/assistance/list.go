package assistance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// List returns a page of the applications the actor may see, newest
// first: an SME its enterprise's, an officer the centre's. EFORBIDDEN
// when the actor has no assistance scope at all; EINVALID naming status,
// cursor or limit.
func (s *Service) List(ctx context.Context, f ListFilter) ([]ListItem, string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	v := s.viewerOf(a)
	if v.empty() {
		return nil, "", domain.Errorf(domain.EFORBIDDEN, "you may not read assistance applications")
	}
	var fe domain.Fields
	for _, st := range f.Statuses {
		if !st.Valid() {
			fe.Add("status", "validation.status")
			break
		}
	}
	var after int64
	if f.Cursor != "" {
		n, err := keyset.DecodeID(f.Cursor)
		if err != nil {
			fe.Add("cursor", "validation.cursor")
		}
		after = n
	}
	if f.Help != "" && !slices.Contains(Helps, f.Help) {
		fe.Add("help", "validation.assistance_help")
	}
	if f.Limit < 0 {
		fe.Add("limit", "validation.number")
	}
	f.Limit = keyset.Limit(f.Limit)
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	where, args := v.scope()
	q := `SELECT a.id, a.number, a.applicant_org_id, ao.name_zh AS applicant_name, a.status, a.place_kind,
array_to_json(a.help_wanted)::text AS help_wanted, a.created_at, a.updated_at, a.version,
(SELECT r.due_at FROM assistance_material_requests r WHERE r.application_id = a.id AND r.status = 'open') AS supplement_due_at,
(SELECT count(*) FROM assistance_links l WHERE l.application_id = a.id AND l.kind = 'case') AS cases,
(SELECT count(*) FROM assistance_links l WHERE l.application_id = a.id AND l.kind = 'referral') AS referrals
FROM assistance_applications a JOIN orgs ao ON ao.id = a.applicant_org_id WHERE ` + where
	if len(f.Statuses) > 0 {
		sts := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			sts[i] = string(st)
		}
		q += " AND a.status IN ?"
		args = append(args, sts)
	}
	if f.Help != "" {
		q += " AND ? = ANY (a.help_wanted)"
		args = append(args, string(f.Help))
	}
	if !f.SubmittedFrom.IsZero() {
		q += " AND a.created_at >= ?"
		args = append(args, f.SubmittedFrom)
	}
	if !f.SubmittedTo.IsZero() {
		q += " AND a.created_at < ?"
		args = append(args, f.SubmittedTo)
	}
	if after > 0 {
		q += " AND a.id < ?"
		args = append(args, after)
	}
	q += " ORDER BY a.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	var rows []struct {
		ID              int64
		Number          string
		ApplicantOrgID  int64
		ApplicantName   string
		Status          Status
		PlaceKind       PlaceKind
		HelpWanted      helpColumn
		SupplementDueAt *time.Time
		Cases           int
		Referrals       int
		CreatedAt       time.Time
		UpdatedAt       time.Time
		Version         int
	}
	if err := s.d.DB.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list applications: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = keyset.ID(rows[len(rows)-1].ID)
	}
	out := make([]ListItem, len(rows))
	for i, r := range rows {
		out[i] = ListItem{ID: r.ID, Number: r.Number, ApplicantOrgID: r.ApplicantOrgID, ApplicantName: r.ApplicantName,
			Status: r.Status, PlaceKind: r.PlaceKind, HelpWanted: r.HelpWanted.list(), SupplementDueAt: r.SupplementDueAt,
			Cases: r.Cases, Referrals: r.Referrals, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	}
	return out, next, nil
}

// Get returns an application with its requests for materials, the cases
// and referrals it led to, its timeline, documents and the actions the
// actor may take now. ENOTFOUND outside the actor's scope.
func (s *Service) Get(ctx context.Context, id int64) (View, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return View{}, err
	}
	v := s.viewerOf(a)
	db := s.d.DB.WithContext(ctx)
	r, ok, err := loadApp(ctx, db, id, false)
	if err != nil {
		return View{}, err
	}
	if !ok {
		return View{}, domain.NotFound("application")
	}
	if !v.sees(r) {
		member, err := s.readsAsAssociation(ctx, db, v, r)
		if err != nil {
			return View{}, err
		}
		if !member {
			return View{}, domain.NotFound("application")
		}
	}
	return s.view(ctx, db, v, r)
}

// view assembles the page of r for v. The contact phone is whole and the
// documents listed for the application's enterprise and centre alone.
func (s *Service) view(ctx context.Context, db *gorm.DB, v viewer, r appRow) (View, error) {
	app, err := s.toApplication(r, v.handles(r))
	if err != nil {
		return View{}, err
	}
	out := View{Application: app, Officer: v.isOfficer(r), Applicant: v.isApplicant(r)}
	if err := db.Raw(`SELECT id, message, requested_at, due_at, status, answer, answered_at
FROM assistance_material_requests WHERE application_id = ? ORDER BY id`, r.ID).Scan(&out.Requests).Error; err != nil {
		return View{}, fmt.Errorf("requests of application %d: %w", r.ID, err)
	}
	if out.Links, err = s.links(ctx, db, r.ID); err != nil {
		return View{}, err
	}
	var evs []struct {
		At         time.Time
		ActorName  string
		Action     string
		FromStatus string
		ToStatus   string
		Detail     string
	}
	if err := db.Raw(`SELECT at, actor_name, action, from_status, to_status, detail::text AS detail
FROM assistance_events WHERE application_id = ? ORDER BY id`, r.ID).Scan(&evs).Error; err != nil {
		return View{}, fmt.Errorf("events of application %d: %w", r.ID, err)
	}
	for _, e := range evs {
		ev := Event{At: e.At, ActorName: e.ActorName, Action: e.Action, FromStatus: Status(e.FromStatus), ToStatus: Status(e.ToStatus)}
		if e.Detail != "" {
			if err := json.Unmarshal([]byte(e.Detail), &ev.Detail); err != nil {
				return View{}, fmt.Errorf("event of application %d: %w", r.ID, err)
			}
		}
		out.Events = append(out.Events, ev)
	}
	if v.handles(r) {
		if out.Documents, err = documentsOf(ctx, db, r.ID); err != nil {
			return View{}, err
		}
	}
	if out.Officer {
		if err := db.Raw(`SELECT DISTINCT u.id, u.display_name AS name FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? AND m.role IN ? ORDER BY u.id`, r.CenterOrgID, officerRoles).Scan(&out.Officers).Error; err != nil {
			return View{}, fmt.Errorf("officers of centre %d: %w", r.CenterOrgID, err)
		}
	}
	linked := 0
	for _, l := range out.Links {
		if l.Kind == "case" {
			linked++
		}
	}
	out.Allowed = s.allowed(v, r, linked)
	return out, nil
}

// links lists what the application led to: cases with their number,
// status and committee; referrals as the referral model describes them.
func (s *Service) links(ctx context.Context, db *gorm.DB, appID int64) ([]Link, error) {
	var out []Link
	if err := db.WithContext(ctx).Raw(`SELECT l.kind, l.case_id, coalesce(nullif(c.number, ''), c.registration_number, '') AS case_number,
coalesce(c.status, '') AS case_status, coalesce(o.name_zh, '') AS case_org, l.referral_id, l.created_at
FROM assistance_links l LEFT JOIN cases c ON c.id = l.case_id LEFT JOIN orgs o ON o.id = c.org_id
WHERE l.application_id = ? ORDER BY l.id`, appID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("links of application %d: %w", appID, err)
	}
	if err := s.describeReferrals(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}
