// Package association is an industry association (行业协会) working for its
// member enterprises (docs/design.md §15).
//
// An association keeps a list of its member enterprises: its staff add a
// registered enterprise (named by its unified social credit code) and end
// a membership. A member's applicant users see which associations it
// belongs to and grant or withdraw each one's consent to read the
// member's cases and assistance applications; the consent is recorded
// with who gave or withdrew it and when, and audited. While the consent
// stands the association's staff read those cases and applications as
// the enterprise does, read-only (the role table's reach members; the
// case and assistance services read the consent on every request, so a
// withdrawal takes effect at once). Without it they see only that the
// enterprise is a member.
//
// With the consent standing the staff may also act for the member in two
// ways, through the existing flows and no other: file a mediation case at
// a committee (source association, the member as the applicant linked as
// its party, the member told in its inbox), and apply for rights
// assistance (the member as the applicant, internal/assistance). Filing
// needs the consent because the association follows what it filed only
// through it; a non-member is never filed for.
//
// The package owns association_members and association_consent_events.
// Every change is one transaction that checks the version the client saw,
// writes the change, its notices and the audit row.
package association

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Notification kinds (texts: web/i18n/association.*.yaml, notify.<kind>.*).
const (
	// NoticeFiledForMember tells a member's users that the association
	// filed a case on its behalf, naming the case and the committee.
	NoticeFiledForMember = "association_filed_case"
	// NoticeMemberAdded tells a new member's users that it was added, so
	// that they may grant the association its consent.
	NoticeMemberAdded = "association_member_added"
	// NoticeConsentChanged tells the association's staff that a member
	// granted or withdrew its consent.
	NoticeConsentGranted   = "association_consent_granted"
	NoticeConsentWithdrawn = "association_consent_withdrawn"
)

// Status is where a membership stands.
type Status string

// The statuses of a membership.
const (
	StatusActive Status = "active"
	StatusEnded  Status = "ended"
)

// Member is one membership as the association's staff see it. The open
// matters are counted only while the member's consent stands (nil
// otherwise).
type Member struct {
	ID               int64      `json:"id"`
	AssociationOrgID int64      `json:"association_org_id"`
	AssociationName  string     `json:"association_name"`
	MemberOrgID      int64      `json:"member_org_id"`
	MemberName       string     `json:"member_name"`
	CreditCode       string     `json:"credit_code"`
	Since            string     `json:"since"`
	Status           Status     `json:"status"`
	Consent          bool       `json:"consent"`
	ConsentAt        *time.Time `json:"consent_at,omitempty"`
	OpenCases        *int       `json:"open_cases,omitempty"`
	OpenApplications *int       `json:"open_applications,omitempty"`
	Version          int        `json:"version"`
}

// AddInput adds an enterprise to an association's members.
type AddInput struct {
	AssociationOrgID int64 `json:"association_org_id"`
	// CreditCode names the enterprise (registered here).
	CreditCode string `json:"credit_code"`
	// Since is the date it joined (YYYY-MM-DD); empty is today.
	Since string `json:"since"`
}

// VersionInput is a step on a membership the client saw at Version.
type VersionInput struct {
	Version int `json:"version"`
}

// FileInput files a mediation case for a member.
type FileInput struct {
	AssociationOrgID int64 `json:"association_org_id"`
	MemberOrgID      int64 `json:"member_org_id"`
	// Case is the dispute; its source is association, its first party
	// the member as applicant (set here, whatever the client sent).
	Case cases.IntakeInput `json:"case"`
}

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends to the audit log inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Notifier sends a notice inside the caller's transaction.
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// Intake files a case inside the caller's transaction (the case
// service's own intake; internal/cases).
type Intake interface {
	SubmitInternal(ctx context.Context, tx *gorm.DB, in cases.IntakeInput) (domain.Case, error)
}

// Deps are the service's collaborators; all but Now and Log are required.
type Deps struct {
	DB     *gorm.DB
	Authz  Authorizer
	Audit  Auditor
	Notify Notifier
	Cases  Intake
	// Now is the clock (default: the wall clock).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the association service.
type Service struct{ d Deps }

// NewService builds the service; it panics naming a missing collaborator.
func NewService(d Deps) *Service {
	domain.RequireDeps("association.NewService", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil,
		"Audit": d.Audit == nil, "Notify": d.Notify == nil, "Cases": d.Cases == nil})
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d}
}

func (s *Service) clock() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// The roles told as a member enterprise (its applicant users) and as
// the association (its staff).
var (
	memberRoles = domain.RolesReaching(domain.ObjectCase, domain.ReachPartyTo)
	staffRoles  = domain.RolesReaching(domain.ObjectCase, domain.ReachMembers)
)

// Associations returns the associations in which the actor holds perm
// ("manage" or "file").
func (s *Service) Associations(a *domain.Actor, perm string) []int64 {
	var out []int64
	for _, m := range a.Memberships {
		if m.OrgType == domain.OrgIndustryAssoc && s.d.Authz.Can(a.UserID, m.OrgID, "association", perm) && !slices.Contains(out, m.OrgID) {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// enterprises returns the enterprises in which the actor may grant
// consent.
func (s *Service) enterprises(a *domain.Actor) []int64 {
	var out []int64
	for _, m := range a.Memberships {
		if m.OrgType == domain.OrgEnterprise && s.d.Authz.Can(a.UserID, m.OrgID, "association", "consent") && !slices.Contains(out, m.OrgID) {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// pick returns the association the actor acts for: id when given and
// theirs (ENOTFOUND otherwise), else their only one.
func pick(orgs []int64, id int64) (int64, error) {
	if len(orgs) == 0 {
		return 0, domain.Errorf(domain.EFORBIDDEN, "only an industry association's staff may do this")
	}
	if id == 0 {
		return orgs[0], nil
	}
	if !slices.Contains(orgs, id) {
		return 0, domain.NotFound("organisation")
	}
	return id, nil
}

type memberRow struct {
	ID               int64
	AssociationOrgID int64
	AssociationName  string
	MemberOrgID      int64
	MemberName       string
	CreditCode       string
	Since            string
	Status           string
	ConsentAt        *time.Time
	Version          int
}

const memberSelect = `SELECT am.id, am.association_org_id, ao.name_zh AS association_name, am.member_org_id,
mo.name_zh AS member_name, coalesce(mo.credit_code, '') AS credit_code, am.since::text AS since, am.status, am.consent_at, am.version
FROM association_members am JOIN orgs ao ON ao.id = am.association_org_id JOIN orgs mo ON mo.id = am.member_org_id`

func (r memberRow) toMember() Member {
	return Member{ID: r.ID, AssociationOrgID: r.AssociationOrgID, AssociationName: r.AssociationName, MemberOrgID: r.MemberOrgID,
		MemberName: r.MemberName, CreditCode: r.CreditCode, Since: r.Since, Status: Status(r.Status),
		Consent: r.ConsentAt != nil, ConsentAt: r.ConsentAt, Version: r.Version}
}

// Members lists the active members of the actor's association (assoc, or
// their only one) by name, with each consenting member's open cases and
// applications counted. EFORBIDDEN for anyone but its staff.
func (s *Service) Members(ctx context.Context, assoc int64) ([]Member, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	org, err := pick(s.Associations(a, "manage"), assoc)
	if err != nil {
		return nil, err
	}
	var rows []memberRow
	if err := s.d.DB.WithContext(ctx).Raw(memberSelect+` WHERE am.association_org_id = ? AND am.status = 'active'
ORDER BY mo.name_zh, am.id`, org).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("members of association %d: %w", org, err)
	}
	out := make([]Member, len(rows))
	var consenting []int64
	for i, r := range rows {
		out[i] = r.toMember()
		if r.ConsentAt != nil {
			consenting = append(consenting, r.MemberOrgID)
		}
	}
	if len(consenting) == 0 {
		return out, nil
	}
	var counts []struct {
		Org          int64
		Cases        int
		Applications int
	}
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT o.id AS org,
(SELECT count(*) FROM cases c WHERE c.status NOT IN ? AND (c.applicant_org_id = o.id
  OR EXISTS (SELECT 1 FROM case_parties cp WHERE cp.case_id = c.id AND cp.org_id = o.id))) AS cases,
(SELECT count(*) FROM assistance_applications x WHERE x.applicant_org_id = o.id AND x.status IN ?) AS applications
FROM orgs o WHERE o.id IN ?`, closedStatuses, openApplications, consenting).Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("open matters of members: %w", err)
	}
	for i := range out {
		for _, c := range counts {
			if c.Org == out[i].MemberOrgID && out[i].Consent {
				nc, na := c.Cases, c.Applications
				out[i].OpenCases, out[i].OpenApplications = &nc, &na
			}
		}
	}
	return out, nil
}

// closedStatuses are the case statuses that are no longer open matters;
// openApplications the application statuses that are.
var (
	closedStatuses   = []string{string(domain.StatusRejected), string(domain.StatusWithdrawn), string(domain.StatusClosed)}
	openApplications = []string{"submitted", "under_review", "materials_requested"}
)

// Memberships lists the active memberships of the actor's enterprises,
// with their consent, for the enterprise's own page. EFORBIDDEN for
// anyone but an enterprise's applicant users.
func (s *Service) Memberships(ctx context.Context) ([]Member, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	ents := s.enterprises(a)
	if len(ents) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "only an enterprise's users see its associations")
	}
	var rows []memberRow
	if err := s.d.DB.WithContext(ctx).Raw(memberSelect+` WHERE am.member_org_id IN ? AND am.status = 'active'
ORDER BY ao.name_zh, am.id`, ents).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	out := make([]Member, len(rows))
	for i, r := range rows {
		out[i] = r.toMember()
	}
	return out, nil
}

// Add makes a registered enterprise a member of the actor's association.
// EINVALID naming credit_code (missing, malformed, no enterprise
// registered with it) or since (malformed, in the future); ECONFLICT when
// it is a member already. A membership that had ended starts again,
// without the consent it had: the enterprise grants it anew.
func (s *Service) Add(ctx context.Context, in AddInput) (Member, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Member{}, err
	}
	org, err := pick(s.Associations(a, "manage"), in.AssociationOrgID)
	if err != nil {
		return Member{}, err
	}
	now := s.clock()
	var f domain.Fields
	code := domain.NormalizeCreditCode(in.CreditCode)
	switch {
	case code == "":
		f.Add("credit_code", "validation.required")
	case !domain.ValidCreditCode(code):
		f.Add("credit_code", "validation.credit_code")
	}
	since := calendar.DateOf(now)
	if v := strings.TrimSpace(in.Since); v != "" {
		d, err := calendar.ParseDate(v)
		switch {
		case err != nil:
			f.Add("since", "validation.date")
		case d.After(since):
			f.Add("since", "validation.future_date")
		default:
			since = d
		}
	}
	db := s.d.DB.WithContext(ctx)
	var ent []int64
	if code != "" && domain.ValidCreditCode(code) {
		if err := db.Raw(`SELECT id FROM orgs WHERE credit_code = ? AND type = ? AND active`, code, domain.OrgEnterprise).
			Scan(&ent).Error; err != nil {
			return Member{}, fmt.Errorf("find enterprise: %w", err)
		}
		if len(ent) == 0 {
			f.Add("credit_code", "validation.association_enterprise")
		}
	}
	if err := f.Err(); err != nil {
		return Member{}, err
	}
	var out Member
	err = db.Transaction(func(tx *gorm.DB) error {
		var rows []memberRow
		if err := tx.Raw(memberSelect+` WHERE am.association_org_id = ? AND am.member_org_id = ? FOR UPDATE OF am`, org, ent[0]).
			Scan(&rows).Error; err != nil {
			return fmt.Errorf("find membership: %w", err)
		}
		var id int64
		switch {
		case len(rows) > 0 && rows[0].Status == string(StatusActive):
			return &domain.Error{Code: domain.ECONFLICT, ID: "association.already_member",
				Message: fmt.Sprintf("%s is already a member", rows[0].MemberName)}
		case len(rows) > 0:
			id = rows[0].ID
			if err := tx.Exec(`UPDATE association_members SET status = 'active', ended_at = NULL, consent_at = NULL, consent_by = NULL,
since = ?, added_by = ?, version = version + 1, updated_at = ? WHERE id = ?`, since.String(), a.UserIDRef(), now, id).Error; err != nil {
				return fmt.Errorf("renew membership: %w", err)
			}
		default:
			if err := tx.Raw(`INSERT INTO association_members (association_org_id, member_org_id, since, added_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, org, ent[0], since.String(), a.UserIDRef(), now, now).Scan(&id).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					// Added by someone else since the look-up.
					return &domain.Error{Code: domain.ECONFLICT, ID: "association.already_member", Message: "the enterprise is already a member"}
				}
				return fmt.Errorf("add member: %w", err)
			}
		}
		m, err := s.load(ctx, tx, id, false)
		if err != nil {
			return err
		}
		out = m.toMember()
		if err := s.tellMember(ctx, tx, m, NoticeMemberAdded, nil); err != nil {
			return err
		}
		return s.auditStep(ctx, tx, m, "association.member_add", map[string]any{"since": since.String()})
	})
	if err != nil {
		return Member{}, err
	}
	return out, nil
}

// Remove ends a membership of the actor's association; the consent ends
// with it. ENOTFOUND for a membership of another association; ECONFLICT
// when the version is stale or it has ended already.
func (s *Service) Remove(ctx context.Context, id int64, in VersionInput) (Member, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Member{}, err
	}
	orgs := s.Associations(a, "manage")
	if len(orgs) == 0 {
		return Member{}, domain.Errorf(domain.EFORBIDDEN, "only an industry association's staff may do this")
	}
	return s.step(ctx, id, in.Version, func(m memberRow) bool { return slices.Contains(orgs, m.AssociationOrgID) },
		func(tx *gorm.DB, m memberRow, now time.Time) error {
			if m.ConsentAt != nil {
				if err := consentEvent(tx, m.ID, false, a, now); err != nil {
					return err
				}
			}
			if err := tx.Exec(`UPDATE association_members SET status = 'ended', ended_at = ?, consent_at = NULL, consent_by = NULL,
version = version + 1, updated_at = ? WHERE id = ?`, now, now, m.ID).Error; err != nil {
				return fmt.Errorf("end membership: %w", err)
			}
			return s.auditStep(ctx, tx, m, "association.member_remove", map[string]any{"consent_ended": m.ConsentAt != nil})
		})
}

// SetConsent grants (grant true) or withdraws the association's consent
// to read the member's cases and applications, as the member
// enterprise's applicant user. Withdrawal takes effect at once. ENOTFOUND
// for a membership of another enterprise; ECONFLICT when stale, ended or
// already so.
func (s *Service) SetConsent(ctx context.Context, id int64, grant bool, in VersionInput) (Member, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Member{}, err
	}
	ents := s.enterprises(a)
	if len(ents) == 0 {
		return Member{}, domain.Errorf(domain.EFORBIDDEN, "only the member enterprise's users may grant or withdraw its consent")
	}
	return s.step(ctx, id, in.Version, func(m memberRow) bool { return slices.Contains(ents, m.MemberOrgID) },
		func(tx *gorm.DB, m memberRow, now time.Time) error {
			if (m.ConsentAt != nil) == grant {
				return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow,
					Message: fmt.Sprintf("the consent is already %s", map[bool]string{true: "granted", false: "withdrawn"}[grant])}
			}
			var at any
			var by *int64
			if grant {
				at, by = now, a.UserIDRef()
			}
			if err := tx.Exec(`UPDATE association_members SET consent_at = ?, consent_by = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				at, by, now, m.ID).Error; err != nil {
				return fmt.Errorf("record consent: %w", err)
			}
			if err := consentEvent(tx, m.ID, grant, a, now); err != nil {
				return err
			}
			kind, action := NoticeConsentWithdrawn, "association.consent_withdraw"
			if grant {
				kind, action = NoticeConsentGranted, "association.consent_grant"
			}
			users, err := notify.MembersTx(ctx, tx, m.AssociationOrgID, staffRoles)
			if err != nil {
				return err
			}
			if err := s.tell(ctx, tx, users, m, kind, "/association/members", nil); err != nil {
				return err
			}
			return s.auditStep(ctx, tx, m, action, nil)
		})
}

// step is the common frame of a change to one membership: lock it, check
// that the actor may touch it (mine, else ENOTFOUND), that it is active
// and the version current, run change, and answer the row as it is then.
func (s *Service) step(ctx context.Context, id int64, version int, mine func(memberRow) bool,
	change func(tx *gorm.DB, m memberRow, now time.Time) error) (Member, error) {
	var out Member
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.load(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !mine(m) {
			return domain.NotFound("membership")
		}
		if version <= 0 {
			return domain.Invalid(domain.FieldError{Field: "version", Message: "validation.required"})
		}
		if m.Status != string(StatusActive) {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow, Message: "the membership has ended"}
		}
		if m.Version != version {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
				Message: fmt.Sprintf("the membership was changed by someone else (current version %d); reload and try again", m.Version)}
		}
		if err := change(tx, m, s.clock()); err != nil {
			return err
		}
		after, err := s.load(ctx, tx, id, false)
		if err != nil {
			return err
		}
		out = after.toMember()
		return nil
	})
	if err != nil {
		return Member{}, err
	}
	return out, nil
}

func (s *Service) load(ctx context.Context, tx *gorm.DB, id int64, lock bool) (memberRow, error) {
	q := memberSelect + ` WHERE am.id = ?`
	if lock {
		q += ` FOR UPDATE OF am`
	}
	var rows []memberRow
	if err := tx.WithContext(ctx).Raw(q, id).Scan(&rows).Error; err != nil {
		return memberRow{}, fmt.Errorf("load membership %d: %w", id, err)
	}
	if len(rows) == 0 {
		return memberRow{}, domain.NotFound("membership")
	}
	return rows[0], nil
}

func consentEvent(tx *gorm.DB, id int64, granted bool, a *domain.Actor, now time.Time) error {
	if err := tx.Exec(`INSERT INTO association_consent_events (member_id, granted, user_id, at) VALUES (?, ?, ?, ?)`,
		id, granted, a.UserIDRef(), now).Error; err != nil {
		return fmt.Errorf("record consent event: %w", err)
	}
	return nil
}

// auditStep writes the audit row of a change to membership m, on the
// association's chain.
func (s *Service) auditStep(ctx context.Context, tx *gorm.DB, m memberRow, action string, detail map[string]any) error {
	d := map[string]any{"association_org_id": m.AssociationOrgID, "member_org_id": m.MemberOrgID}
	for k, v := range detail {
		d[k] = v
	}
	org := m.AssociationOrgID
	return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: action, ObjectType: "association_member",
		ObjectID: strconv.FormatInt(m.ID, 10), Detail: d})
}

// tell sends kind about m to each user but the actor.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, users []int64, m memberRow, kind, link string, params map[string]any) error {
	a := domain.ActorFrom(ctx)
	p := map[string]any{"Association": m.AssociationName, "Member": m.MemberName}
	for k, v := range params {
		p[k] = v
	}
	for _, u := range users {
		if a != nil && u == a.UserID {
			continue
		}
		if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: kind, Params: p, Link: link,
			DedupKey: fmt.Sprintf("association:%d:%s:%d:%d:%s", m.ID, kind, m.Version, u, link)}); err != nil {
			return fmt.Errorf("notify %s: %w", kind, err)
		}
	}
	return nil
}

// tellMember tells the member enterprise's applicant users.
func (s *Service) tellMember(ctx context.Context, tx *gorm.DB, m memberRow, kind string, params map[string]any) error {
	return s.tellMemberAt(ctx, tx, m, kind, "/memberships", params)
}

func (s *Service) tellMemberAt(ctx context.Context, tx *gorm.DB, m memberRow, kind, link string, params map[string]any) error {
	users, err := notify.MembersTx(ctx, tx, m.MemberOrgID, memberRoles)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, users, m, kind, link, params)
}

// underCase names the intake's field errors as the fields of FileInput
// (case.summary, case.parties[1].name …).
func underCase(err error) error {
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		return err
	}
	out := *de
	out.Fields = slices.Clone(de.Fields)
	for i := range out.Fields {
		out.Fields[i].Field = "case." + out.Fields[i].Field
	}
	return &out
}

// consenting returns the active membership of member in assoc whose
// consent stands, locked for the rest of tx; ENOTFOUND naming the
// enterprise otherwise (not a member, or no consent).
func (s *Service) consenting(ctx context.Context, tx *gorm.DB, assoc, member int64) (memberRow, error) {
	var rows []memberRow
	if err := tx.WithContext(ctx).Raw(memberSelect+` WHERE am.association_org_id = ? AND am.member_org_id = ?
AND am.status = 'active' AND am.consent_at IS NOT NULL FOR SHARE OF am`, assoc, member).Scan(&rows).Error; err != nil {
		return memberRow{}, fmt.Errorf("find membership: %w", err)
	}
	if len(rows) == 0 {
		return memberRow{}, domain.Invalid(domain.FieldError{Field: "member_org_id", Message: "validation.association_member"})
	}
	return rows[0], nil
}

// FileCase files a mediation case at a committee on behalf of a member
// (docs/design.md §15) through the case service's own intake: source
// association, the member the first party and applicant, linked as its
// party as an SME's own filing is, the association's staff user its
// submitter. The member must be an active member whose consent stands
// (EINVALID naming member_org_id otherwise); the intake's own field
// errors are named under case (case.summary, case.parties[1].name …). The member's users are told in
// their inbox, naming the case and the committee.
func (s *Service) FileCase(ctx context.Context, in FileInput) (domain.Case, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.Case{}, err
	}
	org, err := pick(s.Associations(a, "file"), in.AssociationOrgID)
	if err != nil {
		return domain.Case{}, err
	}
	if in.MemberOrgID <= 0 {
		return domain.Case{}, domain.Invalid(domain.FieldError{Field: "member_org_id", Message: "validation.required"})
	}
	var out domain.Case
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := s.consenting(ctx, tx, org, in.MemberOrgID)
		if err != nil {
			return err
		}
		c := in.Case
		c.Source = domain.SourceAssociation
		member := m.MemberOrgID
		c.ApplicantOrgID = &member
		first := cases.PartyInput{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: m.MemberName,
			CreditCode: m.CreditCode, IsSME: true}
		if len(c.Parties) > 0 && c.Parties[0].Role == domain.PartyApplicant {
			// The client's details of the member (address, phone, agent,
			// representative) are kept; who it is is not the client's.
			p := c.Parties[0]
			p.Kind, p.Name, p.CreditCode, p.IDNumber = first.Kind, first.Name, first.CreditCode, ""
			first = p
			c.Parties = c.Parties[1:]
		}
		c.Parties = append([]cases.PartyInput{first}, c.Parties...)
		filed, err := s.d.Cases.SubmitInternal(ctx, tx, c)
		if err != nil {
			return underCase(err)
		}
		var committee string
		if err := tx.Raw(`SELECT name_zh FROM orgs WHERE id = ?`, filed.OrgID).Scan(&committee).Error; err != nil {
			return fmt.Errorf("committee name: %w", err)
		}
		if err := s.tellMemberAt(ctx, tx, m, NoticeFiledForMember, "/cases/"+strconv.FormatInt(filed.ID, 10),
			map[string]any{"CaseRef": filed.Ref(), "Committee": committee}); err != nil {
			return err
		}
		out = filed
		return s.auditStep(ctx, tx, m, "association.file_case", map[string]any{"case_id": filed.ID, "case_ref": filed.Ref(),
			"committee_org_id": filed.OrgID})
	})
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			return domain.Case{}, err
		}
		return domain.Case{}, fmt.Errorf("file a case for a member: %w", err)
	}
	return out, nil
}
