package assistance

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// appRow is an application row with the names joined in; the arrays and
// the rights come as JSON text.
type appRow struct {
	ID                   int64
	Number               string
	ApplicantOrgID       int64
	ApplicantName        string
	ApplicantCreditCode  string
	CenterOrgID          int64
	CenterName           string
	SubmittedBy          int64
	ContactName          string
	ContactPhoneEnc      string
	Rights               string
	Narrative            string
	RespondentName       string
	RespondentCreditCode string
	PlaceKind            string
	Place                string
	Country              string
	ExhibitionCode       string
	ExhibitionName       string
	ExhibitionNameEN     string
	HelpWanted           helpColumn
	Status               string
	PlanHelp             helpColumn
	PlanNote             string
	ResponsibleUserID    *int64
	ResponsibleName      string
	RejectReason         string
	DecidedAt            *time.Time
	Version              int
	CreatedAt            time.Time
	UpdatedAt            time.Time
	SupplementDueAt      *time.Time
}

const appSelect = `SELECT a.id, a.number, a.applicant_org_id, ao.name_zh AS applicant_name,
coalesce(ao.credit_code, '') AS applicant_credit_code, a.center_org_id, co.name_zh AS center_name,
coalesce(a.submitted_by, 0) AS submitted_by, a.contact_name, a.contact_phone_enc, a.rights::text AS rights, a.narrative,
a.respondent_name, a.respondent_credit_code, a.place_kind, a.place, a.country, coalesce(a.exhibition_code, '') AS exhibition_code,
coalesce(e.name_zh, '') AS exhibition_name, coalesce(e.name_en, '') AS exhibition_name_en,
array_to_json(a.help_wanted)::text AS help_wanted, a.status, array_to_json(a.plan_help)::text AS plan_help, a.plan_note,
a.responsible_user_id, coalesce(ru.display_name, '') AS responsible_name, a.reject_reason, a.decided_at, a.version,
a.created_at, a.updated_at,
(SELECT r.due_at FROM assistance_material_requests r WHERE r.application_id = a.id AND r.status = 'open') AS supplement_due_at
FROM assistance_applications a
JOIN orgs ao ON ao.id = a.applicant_org_id
JOIN orgs co ON co.id = a.center_org_id
LEFT JOIN exhibitions e ON e.code = a.exhibition_code
LEFT JOIN users ru ON ru.id = a.responsible_user_id`

// loadApp reads one application; lock takes its row lock (FOR UPDATE OF
// the application only). ok is false when it does not exist.
func loadApp(ctx context.Context, db *gorm.DB, id int64, lock bool) (appRow, bool, error) {
	q := appSelect + " WHERE a.id = ?"
	if lock {
		q += " FOR UPDATE OF a"
	}
	var rows []appRow
	if err := db.WithContext(ctx).Raw(q, id).Scan(&rows).Error; err != nil {
		return appRow{}, false, fmt.Errorf("load application %d: %w", id, err)
	}
	if len(rows) == 0 {
		return appRow{}, false, nil
	}
	return rows[0], true, nil
}

// helpColumn reads a jsonb array of kinds of help; a value that is not
// one fails the scan (and so the read) instead of reading as no help. It
// is a struct, not a slice, so that gorm scans it as one value.
type helpColumn struct{ help []Help }

// Scan implements sql.Scanner.
func (h *helpColumn) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case nil:
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	default:
		return fmt.Errorf("help list: unexpected %T", src)
	}
	h.help = nil
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, &h.help); err != nil {
		return fmt.Errorf("help list: %w", err)
	}
	return nil
}

// Value implements driver.Valuer (gorm asks for both halves).
func (h helpColumn) Value() (driver.Value, error) {
	b, err := json.Marshal(h.list())
	return string(b), err
}

// list returns the kinds of help, never nil.
func (h helpColumn) list() []Help {
	if h.help == nil {
		return []Help{}
	}
	return h.help
}

func (r appRow) status() Status { return Status(r.Status) }

func (r appRow) planHelp() []Help { return r.PlanHelp.list() }

// toApplication converts the row; the contact phone is decrypted and,
// unless whole, masked.
func (s *Service) toApplication(r appRow, whole bool) (Application, error) {
	app := Application{
		ID: r.ID, Number: r.Number, ApplicantOrgID: r.ApplicantOrgID, ApplicantName: r.ApplicantName,
		ApplicantCreditCode: r.ApplicantCreditCode, CenterOrgID: r.CenterOrgID, CenterName: r.CenterName,
		SubmittedBy: r.SubmittedBy, ContactName: r.ContactName, Narrative: r.Narrative, RespondentName: r.RespondentName,
		RespondentCreditCode: r.RespondentCreditCode, PlaceKind: PlaceKind(r.PlaceKind), Place: r.Place, Country: r.Country,
		ExhibitionCode: r.ExhibitionCode, ExhibitionName: r.ExhibitionName, HelpWanted: r.HelpWanted.list(),
		Status: Status(r.Status), PlanHelp: r.PlanHelp.list(), PlanNote: r.PlanNote, ResponsibleUserID: r.ResponsibleUserID,
		ResponsibleName: r.ResponsibleName, RejectReason: r.RejectReason, DecidedAt: r.DecidedAt, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SupplementDueAt: r.SupplementDueAt,
	}
	if err := json.Unmarshal([]byte(r.Rights), &app.Rights); err != nil {
		return Application{}, fmt.Errorf("application %d rights: %w", r.ID, err)
	}
	if app.Rights == nil {
		app.Rights = []Right{}
	}
	if r.ContactPhoneEnc != "" {
		phone, err := s.d.PII.Decrypt(r.ContactPhoneEnc)
		if err != nil {
			return Application{}, fmt.Errorf("application %d contact phone: %w", r.ID, err)
		}
		if !whole {
			phone = domain.MaskMobile(phone)
		}
		app.ContactPhone = phone
	}
	return app, nil
}

// viewer is the actor's assistance scope, as the role table declares it
// (domain.ObjectApplication): the enterprises whose applications they
// follow (reach party-to, with assistance:read) and the centres whose
// applications they review (reach organisation, with assistance:review);
// the leadership office reads every application (reach all, with
// assistance:read) and takes no step on any, nor reads its documents; an
// industry association reads the applications of its members that
// consent to it (reach members, with assistance:read), read-only and
// without their documents or contact phone.
type viewer struct {
	a            *domain.Actor
	applicant    []int64
	centers      []int64
	associations []int64
	all          bool
}

func (s *Service) viewerOf(a *domain.Actor) viewer {
	v := viewer{a: a}
	for _, m := range a.Memberships {
		switch {
		case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachPartyTo) && s.d.Authz.Can(a.UserID, m.OrgID, "assistance", "read"):
			if !slices.Contains(v.applicant, m.OrgID) {
				v.applicant = append(v.applicant, m.OrgID)
			}
		case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachOrg) && s.d.Authz.Can(a.UserID, m.OrgID, "assistance", "review"):
			if !slices.Contains(v.centers, m.OrgID) {
				v.centers = append(v.centers, m.OrgID)
			}
		case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachAll) && s.d.Authz.Can(a.UserID, m.OrgID, "assistance", "read"):
			v.all = true
		case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachMembers) && s.d.Authz.Can(a.UserID, m.OrgID, "assistance", "read"):
			if !slices.Contains(v.associations, m.OrgID) {
				v.associations = append(v.associations, m.OrgID)
			}
		}
	}
	return v
}

// The roles that reach an application as its enterprise and as its
// centre, and the roles that handle a committee's docket (told of an
// exhibition complaint filed there).
var (
	enterpriseRoles = domain.RolesReaching(domain.ObjectApplication, domain.ReachPartyTo)
	officerRoles    = domain.RolesReaching(domain.ObjectApplication, domain.ReachOrg)
	docketRoles     = domain.RolesReaching(domain.ObjectCase, domain.ReachOrg)
)

func (v viewer) empty() bool {
	return len(v.applicant)+len(v.centers)+len(v.associations) == 0 && !v.all
}

// scope is the viewer's rows as a condition on assistance_applications a.
func (v viewer) scope() (string, []any) {
	if v.all {
		return "TRUE", nil
	}
	var parts []string
	var args []any
	if len(v.applicant) > 0 {
		parts = append(parts, "a.applicant_org_id IN ?")
		args = append(args, v.applicant)
	}
	if len(v.centers) > 0 {
		parts = append(parts, "a.center_org_id IN ?")
		args = append(args, v.centers)
	}
	if len(v.associations) > 0 {
		parts = append(parts, "a.applicant_org_id IN ("+domain.ConsentingMembers+")")
		args = append(args, v.associations)
	}
	if len(parts) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

func (v viewer) sees(r appRow) bool { return v.all || v.isApplicant(r) || v.isOfficer(r) }

// readsAsAssociation reports whether v reads r as an association its
// enterprise is a member of and consents to: the consent is read now, so
// a withdrawal takes effect on the next request.
func (s *Service) readsAsAssociation(ctx context.Context, db *gorm.DB, v viewer, r appRow) (bool, error) {
	if len(v.associations) == 0 {
		return false, nil
	}
	var n int64
	if err := db.WithContext(ctx).Raw("SELECT count(*) FROM ("+domain.ConsentingMembers+") m WHERE m.member_org_id = ?",
		v.associations, r.ApplicantOrgID).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("association consent for application %d: %w", r.ID, err)
	}
	return n > 0, nil
}

// handles reports whether v is the application's enterprise or centre,
// who alone read its documents.
func (v viewer) handles(r appRow) bool { return v.isApplicant(r) || v.isOfficer(r) }

func (v viewer) isApplicant(r appRow) bool { return slices.Contains(v.applicant, r.ApplicantOrgID) }

func (v viewer) isOfficer(r appRow) bool { return slices.Contains(v.centers, r.CenterOrgID) }

// may reports whether the viewer may take action on r as far as the
// permission goes (not the state).
func (s *Service) may(v viewer, r appRow, act Action) bool {
	if slices.Contains(officerActions, act) {
		return v.isOfficer(r) && s.d.Authz.Can(v.a.UserID, r.CenterOrgID, "assistance", "review")
	}
	return v.isApplicant(r) && s.d.Authz.Can(v.a.UserID, r.ApplicantOrgID, "assistance", "apply")
}

// stateAllows reports whether the application's state (and plan and
// links) allow act now.
func stateAllows(r appRow, act Action, casesLinked int) bool {
	if !slices.Contains(from[act], r.status()) {
		return false
	}
	if act == ActionOpenCase {
		return slices.Contains(r.planHelp(), HelpMediation) && casesLinked == 0
	}
	return true
}

// allowed lists the actions v may take on r now.
func (s *Service) allowed(v viewer, r appRow, casesLinked int) []Action {
	out := []Action{}
	for _, act := range Actions {
		if stateAllows(r, act, casesLinked) && s.may(v, r, act) {
			out = append(out, act)
		}
	}
	return out
}

// conflict is the answer to a step the state does not allow now.
func conflict(act Action, st Status, allowed []Action) error {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return &domain.Error{Code: domain.ECONFLICT, Allowed: names, ID: domain.MsgNotNow,
		Message: fmt.Sprintf("%s is not allowed while the application is %s (allowed now: %s)", act, st, orNone(names))}
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// errStale is the answer to a step on a version that is no longer current.
func errStale(current int) error {
	return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
		Message: fmt.Sprintf("the application was changed by someone else (current version %d); reload and try again", current)}
}

// casesLinked counts the cases opened from an application.
func casesLinked(ctx context.Context, db *gorm.DB, id int64) (int, error) {
	var n int
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM assistance_links WHERE application_id = ? AND kind = 'case'`, id).
		Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("links of application %d: %w", id, err)
	}
	return n, nil
}

// step is the common opening of every action: lock the application,
// check scope (ENOTFOUND), state (ECONFLICT with the allowed actions),
// permission (EFORBIDDEN), the version (EINVALID when missing, ECONFLICT
// when stale). It returns the locked row and the viewer.
func (s *Service) step(ctx context.Context, tx *gorm.DB, id int64, act Action, version int) (appRow, viewer, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return appRow{}, viewer{}, err
	}
	v := s.viewerOf(a)
	r, ok, err := loadApp(ctx, tx, id, true)
	if err != nil {
		return appRow{}, viewer{}, err
	}
	if !ok || !v.sees(r) {
		return appRow{}, viewer{}, domain.NotFound("application")
	}
	if !v.handles(r) {
		return appRow{}, viewer{}, domain.Errorf(domain.EFORBIDDEN, "you may read this application, not %s it", act)
	}
	linked, err := casesLinked(ctx, tx, id)
	if err != nil {
		return appRow{}, viewer{}, err
	}
	if !stateAllows(r, act, linked) {
		return appRow{}, viewer{}, conflict(act, r.status(), s.allowed(v, r, linked))
	}
	if !s.may(v, r, act) {
		return appRow{}, viewer{}, domain.Errorf(domain.EFORBIDDEN, "you may not %s this application", act)
	}
	if version <= 0 {
		return appRow{}, viewer{}, domain.Invalid(domain.FieldError{Field: "version", Message: "validation.required"})
	}
	if version != r.Version {
		return appRow{}, viewer{}, errStale(r.Version)
	}
	return r, v, nil
}

// eventRow maps assistance_events.
type eventRow struct {
	ID            int64 `gorm:"primaryKey"`
	ApplicationID int64
	At            time.Time
	ActorID       *int64
	ActorName     string
	Action        string
	FromStatus    string
	ToStatus      string
	Detail        string `gorm:"type:jsonb"`
}

func (eventRow) TableName() string { return "assistance_events" }

// addEvent writes a timeline entry.
func addEvent(ctx context.Context, tx *gorm.DB, appID int64, a *domain.Actor, action string, fromSt, toSt Status, detail map[string]any, at time.Time) error {
	d, err := encode(detail)
	if err != nil {
		return err
	}
	ev := eventRow{ApplicationID: appID, At: at, ActorID: a.UserIDRef(), ActorName: a.Name(), Action: action,
		FromStatus: string(fromSt), ToStatus: string(toSt), Detail: d}
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return fmt.Errorf("record application event: %w", err)
	}
	return nil
}

// setStatus moves the locked application to st, bumping its version.
func setStatus(ctx context.Context, tx *gorm.DB, r *appRow, st Status, at time.Time, extra map[string]any) error {
	upd := map[string]any{"status": string(st), "version": r.Version + 1, "updated_at": at}
	for k, v := range extra {
		upd[k] = v
	}
	res := tx.WithContext(ctx).Table("assistance_applications").Where("id = ? AND version = ?", r.ID, r.Version).Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("update application %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return errStale(r.Version)
	}
	r.Status, r.Version, r.UpdatedAt = string(st), r.Version+1, at
	return nil
}
