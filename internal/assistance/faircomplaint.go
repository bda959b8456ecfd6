package assistance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// The complaint procedure at a fair's complaint station (展会知识产权投诉,
// docs/design.md §8, docs/law.md §8). The fair's managers (exhibition:manage)
// put users of the assistance centre, an enforcement body or an industry
// association on the fair's station; those users (exhibition:complaint)
// then receive complaints at that fair only, the managers at every fair.
//
// A complaint is one record with a history of steps:
//
//	received → transferred → answered → decided → closed
//	received (not an infringement complaint) → closed
//	received (not an infringement complaint) | transferred | answered → mediation
//
// An infringement complaint opens the 24-hour transfer deadline (rule
// exhibition.complaint.transfer) that the transfer to an IP administration
// (an enforcement organisation, whose officers are told) closes. Mediation
// needs both sides' consent and files a case with source exhibition as the
// fast track does (fileExhibitionCase). Every step is one transaction that
// locks the record, checks the version, writes the change, an event, the
// deadline, the notices and the audit row.

// FairStatus is where a fair complaint stands.
type FairStatus string

// The statuses of a fair complaint.
const (
	FairReceived    FairStatus = "received"
	FairTransferred FairStatus = "transferred"
	FairAnswered    FairStatus = "answered"
	FairDecided     FairStatus = "decided"
	FairMediation   FairStatus = "mediation"
	FairClosed      FairStatus = "closed"
)

// FairStatuses lists every status in the order of the procedure.
var FairStatuses = []FairStatus{FairReceived, FairTransferred, FairAnswered, FairDecided, FairMediation, FairClosed}

// FairAction is a step on a fair complaint.
type FairAction string

// The steps after receipt.
const (
	FairTransfer FairAction = "transfer"
	FairAnswer   FairAction = "answer"
	FairDecide   FairAction = "decide"
	FairClose    FairAction = "close"
	FairMediate  FairAction = "mediate"
)

// FairActions lists every step in display order.
var FairActions = []FairAction{FairTransfer, FairAnswer, FairDecide, FairMediate, FairClose}

// The decisions and measures recorded at the decide step.
const (
	DecisionInfringing    = "infringing"
	DecisionNotInfringing = "not_infringing"
)

// Decisions lists the decisions.
var Decisions = []string{DecisionInfringing, DecisionNotInfringing}

// Measures lists the measures against an infringing exhibit: removal of
// the exhibits, covering them, withdrawal of the exhibitor from the fair,
// or none.
var Measures = []string{"removal", "covering", "withdrawal", "none"}

// Deadline kind and rule of the transfer.
const (
	KindFairTransfer = "fair_transfer"
	RuleFairTransfer = "exhibition.complaint.transfer"
	// NoticeFairTransferred tells the IP administration's officers.
	NoticeFairTransferred = "fair_complaint_transferred"
)

// SubjectFairComplaint is the deadline subject type of a fair complaint.
const SubjectFairComplaint deadline.SubjectType = "fair_complaint"

func fairSubject(id int64) deadline.Subject {
	return deadline.Subject{Type: SubjectFairComplaint, ID: id}
}

// FairComplaintLink is the page of a fair complaint.
func FairComplaintLink(id int64) string { return fmt.Sprintf("/exhibitions/complaints/%d", id) }

// stationRoles are the roles whose users can staff a station.
var stationRoles = []domain.Role{domain.RoleAssistanceOfficer, domain.RoleEnforcementOfficer, domain.RoleAssociationStaff}

// FairComplaintInput is a complaint received at a fair's station.
type FairComplaintInput struct {
	// Infringement: a complaint that an exhibit infringes the
	// complainant's right (transferred within 24 hours); otherwise another
	// dispute the station may mediate.
	Infringement          bool             `json:"infringement"`
	ComplainantName       string           `json:"complainant_name"`
	ComplainantCreditCode string           `json:"complainant_credit_code"`
	RightKind             domain.RightKind `json:"right_kind"`
	RightNumber           string           `json:"right_number"`
	RightTitle            string           `json:"right_title"`
	// RightProof names the proof of the right (a registration
	// certificate, a patent certificate with its fee receipt).
	RightProof           string `json:"right_proof"`
	RespondentName       string `json:"respondent_name"`
	RespondentCreditCode string `json:"respondent_credit_code"`
	Booth                string `json:"booth"`
	// Summary is what is complained of (the exhibits, the booth boards).
	Summary string `json:"summary"`
}

// FairStepInput is a step on a fair complaint; each step reads its own
// fields.
type FairStepInput struct {
	Version int `json:"version"`
	// transfer: the IP administration (an enforcement organisation).
	EnforcementOrgID int64 `json:"enforcement_org_id"`
	// answer: the respondent's answer, or that none came.
	Answer   string `json:"answer"`
	NoAnswer bool   `json:"no_answer"`
	// decide: the decision, the measures and the reasons.
	Decision string   `json:"decision"`
	Measures []string `json:"measures"`
	Reason   string   `json:"reason"`
	// close: a note.
	Note string `json:"note"`
	// mediate: both sides' consent, the committee, the complainant's
	// phone (personal data: kept encrypted with the case's parties).
	ComplainantConsent bool   `json:"complainant_consent"`
	RespondentConsent  bool   `json:"respondent_consent"`
	OrgID              int64  `json:"org_id"`
	ContactPhone       string `json:"contact_phone"`
}

// FairComplaint is a complaint as the station sees it.
type FairComplaint struct {
	ID                    int64            `json:"id"`
	ExhibitionCode        string           `json:"exhibition_code"`
	ExhibitionName        string           `json:"exhibition_name"`
	StationOrgID          int64            `json:"station_org_id"`
	StationOrg            string           `json:"station_org"`
	Status                FairStatus       `json:"status"`
	Infringement          bool             `json:"infringement"`
	ComplainantName       string           `json:"complainant_name"`
	ComplainantCreditCode string           `json:"complainant_credit_code"`
	RightKind             domain.RightKind `json:"right_kind"`
	RightNumber           string           `json:"right_number"`
	RightTitle            string           `json:"right_title"`
	RightProof            string           `json:"right_proof"`
	RespondentName        string           `json:"respondent_name"`
	RespondentCreditCode  string           `json:"respondent_credit_code"`
	Booth                 string           `json:"booth"`
	Summary               string           `json:"summary"`
	ReceivedAt            time.Time        `json:"received_at"`
	TransferDue           *time.Time       `json:"transfer_due,omitempty"`
	EnforcementOrgID      *int64           `json:"enforcement_org_id,omitempty"`
	EnforcementOrg        string           `json:"enforcement_org"`
	TransferredAt         *time.Time       `json:"transferred_at,omitempty"`
	Answer                string           `json:"answer"`
	NoAnswer              bool             `json:"no_answer"`
	AnsweredAt            *time.Time       `json:"answered_at,omitempty"`
	Decision              string           `json:"decision"`
	Measures              []string         `json:"measures" gorm:"-"`
	DecidedAt             *time.Time       `json:"decided_at,omitempty"`
	CaseID                *int64           `json:"case_id,omitempty"`
	CaseRef               string           `json:"case_ref"`
	ClosedAt              *time.Time       `json:"closed_at,omitempty"`
	Version               int              `json:"version"`
	// Overdue: an infringement complaint not transferred by its due time.
	Overdue bool `json:"overdue"`
}

// FairEvent is one step in a complaint's history.
type FairEvent struct {
	At         time.Time      `json:"at"`
	ActorName  string         `json:"actor_name"`
	Action     string         `json:"action"`
	FromStatus string         `json:"from_status"`
	ToStatus   string         `json:"to_status"`
	Detail     map[string]any `json:"detail"`
}

// RepeatHit is an earlier complaint decided as infringing against the same
// respondent; Visible says whether the viewer may open it.
type RepeatHit struct {
	ID             int64     `json:"id"`
	ExhibitionName string    `json:"exhibition_name"`
	DecidedAt      time.Time `json:"decided_at"`
	Visible        bool      `json:"visible"`
}

// FairComplaintView is a complaint with its history, the repeat flag and
// the steps the viewer may take now.
type FairComplaintView struct {
	FairComplaint
	Events  []FairEvent  `json:"events"`
	Repeat  []RepeatHit  `json:"repeat"`
	Allowed []FairAction `json:"allowed"`
}

// StaffMember is a user on a station (or who could be).
type StaffMember struct {
	UserID  int64  `json:"user_id"`
	Name    string `json:"name"`
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
}

// fairViewer is what an actor may do with fair complaints.
type fairViewer struct {
	manageOrg int64            // > 0: a manager (every fair)
	staff     map[string]int64 // fair code -> the organisation staffing it
}

func (v fairViewer) sees(code string) bool { return v.manageOrg > 0 || v.staff[code] > 0 }

// actOrg is the organisation through which the viewer acts at a fair.
func (v fairViewer) actOrg(code string) int64 {
	if o := v.staff[code]; o > 0 {
		return o
	}
	return v.manageOrg
}

func (s *Service) fairViewerOf(ctx context.Context, db *gorm.DB, a *domain.Actor) (fairViewer, error) {
	v := fairViewer{manageOrg: s.fairOrg(a), staff: map[string]int64{}}
	var rows []struct {
		ExhibitionCode string
		OrgID          int64
	}
	if err := db.WithContext(ctx).Raw(`SELECT exhibition_code, org_id FROM fair_station_staff WHERE user_id = ?`, a.UserID).
		Scan(&rows).Error; err != nil {
		return v, fmt.Errorf("station staff: %w", err)
	}
	for _, r := range rows {
		if s.d.Authz.Can(a.UserID, r.OrgID, "exhibition", "complaint") {
			v.staff[r.ExhibitionCode] = r.OrgID
		}
	}
	return v, nil
}

// CanFairComplaints reports whether the actor works with fair complaints
// at all (the navigation): a manager, or a holder of exhibition:complaint.
func (s *Service) CanFairComplaints(a *domain.Actor) bool {
	if a == nil {
		return false
	}
	for _, m := range a.Memberships {
		if s.d.Authz.Can(a.UserID, m.OrgID, "exhibition", "complaint") || s.d.Authz.Can(a.UserID, m.OrgID, "exhibition", "manage") {
			return true
		}
	}
	return false
}

// StaffFairs lists the fairs whose complaints the actor sees: every fair
// for a manager, the fairs on whose station they are otherwise.
// EFORBIDDEN for anyone without exhibition:complaint or manage.
func (s *Service) StaffFairs(ctx context.Context) ([]Exhibition, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !s.CanFairComplaints(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you do not work at a fair's complaint station")
	}
	v, err := s.fairViewerOf(ctx, s.d.DB, a)
	if err != nil {
		return nil, err
	}
	var all []Exhibition
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT code, name_zh, name_en, season FROM exhibitions ORDER BY active DESC, position, code`).
		Scan(&all).Error; err != nil {
		return nil, fmt.Errorf("list fairs: %w", err)
	}
	out := all[:0]
	for _, e := range all {
		if v.sees(e.Code) {
			out = append(out, e)
		}
	}
	return out, nil
}

// fairRowSQL selects a complaint with its names.
const fairRowSQL = `SELECT c.id, c.exhibition_code, e.name_zh AS exhibition_name, c.station_org_id, so.name_zh AS station_org, c.status,
c.infringement, c.complainant_name, c.complainant_credit_code, c.right_kind, c.right_number, c.right_title, c.right_proof,
c.respondent_name, c.respondent_credit_code, c.booth, c.summary, c.received_at, c.transfer_due, c.enforcement_org_id,
coalesce(eo.name_zh, '') AS enforcement_org, c.transferred_at, c.answer, c.no_answer, c.answered_at, c.decision,
array_to_string(c.measures, ',') AS measures_csv, c.decided_at, c.case_id, coalesce(nullif(k.number, ''), k.registration_number, '') AS case_ref,
c.closed_at, c.version
FROM fair_complaints c JOIN exhibitions e ON e.code = c.exhibition_code JOIN orgs so ON so.id = c.station_org_id
LEFT JOIN orgs eo ON eo.id = c.enforcement_org_id LEFT JOIN cases k ON k.id = c.case_id`

type fairRowScan struct {
	FairComplaint
	MeasuresCSV string
}

func (r fairRowScan) complaint(now time.Time) FairComplaint {
	c := r.FairComplaint
	c.Measures = nil
	if r.MeasuresCSV != "" {
		c.Measures = strings.Split(r.MeasuresCSV, ",")
	}
	c.Overdue = c.Status == FairReceived && c.TransferDue != nil && !now.Before(*c.TransferDue)
	return c
}

// FairComplaints lists the complaints of fair code ("" every fair the
// actor sees), newest first. EFORBIDDEN for a fair whose station the
// actor is not on (and who does not manage the fairs).
func (s *Service) FairComplaints(ctx context.Context, code string) ([]FairComplaint, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !s.CanFairComplaints(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you do not work at a fair's complaint station")
	}
	v, err := s.fairViewerOf(ctx, s.d.DB, a)
	if err != nil {
		return nil, err
	}
	q := fairRowSQL + ` WHERE true`
	var args []any
	switch {
	case code != "":
		var n int64
		if err := s.d.DB.WithContext(ctx).Raw(`SELECT count(*) FROM exhibitions WHERE code = ?`, code).Scan(&n).Error; err != nil {
			return nil, fmt.Errorf("find fair: %w", err)
		}
		if n == 0 {
			return nil, domain.NotFound("exhibition")
		}
		if !v.sees(code) {
			return nil, domain.Errorf(domain.EFORBIDDEN, "you are not on this fair's complaint station")
		}
		q += ` AND c.exhibition_code = ?`
		args = append(args, code)
	case v.manageOrg == 0:
		codes := []string{""}
		for c := range v.staff {
			codes = append(codes, c)
		}
		q += ` AND c.exhibition_code IN ?`
		args = append(args, codes)
	}
	var rows []fairRowScan
	if err := s.d.DB.WithContext(ctx).Raw(q+` ORDER BY c.received_at DESC, c.id DESC LIMIT 500`, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list fair complaints: %w", err)
	}
	now := s.clock()
	out := make([]FairComplaint, len(rows))
	for i, r := range rows {
		out[i] = r.complaint(now)
	}
	return out, nil
}

// loadFair reads complaint id (locked for a step when lock).
func loadFair(ctx context.Context, tx *gorm.DB, id int64, lock bool, now time.Time) (FairComplaint, bool, error) {
	if lock {
		var n int64
		if err := tx.WithContext(ctx).Raw(`SELECT id FROM fair_complaints WHERE id = ? FOR UPDATE`, id).Scan(&n).Error; err != nil {
			return FairComplaint{}, false, fmt.Errorf("lock fair complaint: %w", err)
		}
	}
	var rows []fairRowScan
	if err := tx.WithContext(ctx).Raw(fairRowSQL+` WHERE c.id = ?`, id).Scan(&rows).Error; err != nil {
		return FairComplaint{}, false, fmt.Errorf("load fair complaint: %w", err)
	}
	if len(rows) == 0 {
		return FairComplaint{}, false, nil
	}
	return rows[0].complaint(now), true, nil
}

// fairAllows says whether the complaint's status allows act now.
func fairAllows(c FairComplaint, act FairAction) bool {
	switch act {
	case FairTransfer:
		return c.Status == FairReceived && c.Infringement
	case FairAnswer:
		return c.Status == FairTransferred
	case FairDecide:
		return c.Status == FairAnswered
	case FairClose:
		return c.Status == FairDecided || (c.Status == FairReceived && !c.Infringement)
	case FairMediate:
		return c.Status == FairTransferred || c.Status == FairAnswered || (c.Status == FairReceived && !c.Infringement)
	}
	return false
}

// FairComplaint returns complaint id with its history and repeat flag.
// ENOTFOUND outside the actor's fairs.
func (s *Service) FairComplaint(ctx context.Context, id int64) (FairComplaintView, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return FairComplaintView{}, err
	}
	if !s.CanFairComplaints(a) {
		return FairComplaintView{}, domain.NotFound("fair_complaint")
	}
	db := s.d.DB.WithContext(ctx)
	v, err := s.fairViewerOf(ctx, db, a)
	if err != nil {
		return FairComplaintView{}, err
	}
	c, ok, err := loadFair(ctx, db, id, false, s.clock())
	if err != nil {
		return FairComplaintView{}, err
	}
	if !ok || !v.sees(c.ExhibitionCode) {
		return FairComplaintView{}, domain.NotFound("fair_complaint")
	}
	out := FairComplaintView{FairComplaint: c}
	var evs []struct {
		At                                      time.Time
		ActorName, Action, FromStatus, ToStatus string
		Detail                                  string
	}
	if err := db.Raw(`SELECT at, actor_name, action, from_status, to_status, detail::text AS detail FROM fair_complaint_events
WHERE complaint_id = ? ORDER BY id`, id).Scan(&evs).Error; err != nil {
		return out, fmt.Errorf("fair complaint events: %w", err)
	}
	for _, e := range evs {
		ev := FairEvent{At: e.At, ActorName: e.ActorName, Action: e.Action, FromStatus: e.FromStatus, ToStatus: e.ToStatus}
		_ = json.Unmarshal([]byte(e.Detail), &ev.Detail)
		out.Events = append(out.Events, ev)
	}
	if out.Repeat, err = s.repeatHits(ctx, db, v, c); err != nil {
		return out, err
	}
	for _, act := range FairActions {
		if fairAllows(c, act) {
			out.Allowed = append(out.Allowed, act)
		}
	}
	return out, nil
}

// repeatHits are the earlier complaints decided as infringing against the
// respondent, by name or credit code.
func (s *Service) repeatHits(ctx context.Context, db *gorm.DB, v fairViewer, c FairComplaint) ([]RepeatHit, error) {
	var rows []struct {
		ID             int64
		ExhibitionCode string
		ExhibitionName string
		DecidedAt      time.Time
	}
	if err := db.WithContext(ctx).Raw(`SELECT c.id, c.exhibition_code, e.name_zh AS exhibition_name, c.decided_at
FROM fair_complaints c JOIN exhibitions e ON e.code = c.exhibition_code
WHERE c.decision = 'infringing' AND c.id <> ? AND c.received_at <= ?
  AND (c.respondent_name = ? OR (? <> '' AND c.respondent_credit_code = ?))
ORDER BY c.decided_at DESC, c.id DESC LIMIT 20`, c.ID, c.ReceivedAt, c.RespondentName, c.RespondentCreditCode, c.RespondentCreditCode).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("repeat respondent: %w", err)
	}
	out := make([]RepeatHit, len(rows))
	for i, r := range rows {
		out[i] = RepeatHit{ID: r.ID, ExhibitionName: r.ExhibitionName, DecidedAt: r.DecidedAt, Visible: v.sees(r.ExhibitionCode)}
	}
	return out, nil
}

// ReceiveFairComplaint records a complaint received at fair code's
// station and, for an infringement complaint, opens its 24-hour transfer
// deadline. EFORBIDDEN for a fair whose station the actor is not on;
// EINVALID names the field; ENOTFOUND for an unknown fair.
func (s *Service) ReceiveFairComplaint(ctx context.Context, code string, in FairComplaintInput) (FairComplaint, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return FairComplaint{}, err
	}
	if !s.CanFairComplaints(a) {
		return FairComplaint{}, domain.Errorf(domain.EFORBIDDEN, "you do not work at a fair's complaint station")
	}
	var out FairComplaint
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		var exh []struct{ Active bool }
		if err := tx.Raw(`SELECT active FROM exhibitions WHERE code = ?`, code).Scan(&exh).Error; err != nil {
			return fmt.Errorf("find fair: %w", err)
		}
		if len(exh) == 0 {
			return domain.NotFound("exhibition")
		}
		v, err := s.fairViewerOf(ctx, tx, a)
		if err != nil {
			return err
		}
		if !v.sees(code) {
			return domain.Errorf(domain.EFORBIDDEN, "you are not on this fair's complaint station")
		}
		var f domain.Fields
		if !exh[0].Active {
			f.Add("exhibition_code", "validation.exhibition")
		}
		name := f.Text("complainant_name", in.ComplainantName, true, maxName)
		cc := creditCode(&f, "complainant_credit_code", in.ComplainantCreditCode)
		rights := validateRights(&f, []Right{{Kind: in.RightKind, Number: in.RightNumber, Title: in.RightTitle}})
		proof := f.Text("right_proof", in.RightProof, true, maxShort)
		resp := f.Text("respondent_name", in.RespondentName, true, maxName)
		rcc := creditCode(&f, "respondent_credit_code", in.RespondentCreditCode)
		booth := f.Text("booth", in.Booth, true, maxName)
		summary := f.Text("summary", in.Summary, true, maxText)
		if err := renameFields(f.Err(), map[string]string{"rights[0].kind": "right_kind", "rights[0].number": "right_number",
			"rights[0].title": "right_title"}); err != nil {
			return err
		}
		r := rights[0]
		org := v.actOrg(code)
		var id int64
		if err := tx.Raw(`INSERT INTO fair_complaints (exhibition_code, station_org_id, status, infringement, complainant_name,
complainant_credit_code, right_kind, right_number, right_title, right_proof, respondent_name, respondent_credit_code, booth, summary,
received_by, received_at, updated_at) VALUES (?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			code, org, in.Infringement, name, cc, string(r.Kind), r.Number, r.Title, proof, resp, rcc, booth, summary, a.UserID, now, now).
			Scan(&id).Error; err != nil {
			return fmt.Errorf("record fair complaint: %w", err)
		}
		detail := map[string]any{"exhibition_code": code, "infringement": in.Infringement, "respondent_name": resp, "booth": booth}
		if in.Infringement {
			uid := a.UserID
			d, err := s.d.Deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: fairSubject(id), OrgID: org, Kind: KindFairTransfer,
				RuleID: RuleFairTransfer, Event: now, Responsible: &uid, Now: now})
			if err != nil {
				return err
			}
			if err := tx.Exec(`UPDATE fair_complaints SET transfer_due = ? WHERE id = ?`, d.DueAt, id).Error; err != nil {
				return fmt.Errorf("record transfer due: %w", err)
			}
			detail["transfer_due"] = stamp(d.DueAt)
		}
		if err := s.fairEvent(ctx, tx, a, id, "receive", "", FairReceived, detail, now); err != nil {
			return err
		}
		if err := s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "fair_complaint.receive", ObjectType: "fair_complaint",
			ObjectID: strconv.FormatInt(id, 10), Detail: detail}); err != nil {
			return err
		}
		c, _, err := loadFair(ctx, tx, id, false, now)
		out = c
		return err
	})
	return out, err
}

// creditCode reads an optional unified social credit code.
func creditCode(f *domain.Fields, field, v string) string {
	v = domain.NormalizeCreditCode(v)
	if v != "" && !domain.ValidCreditCode(v) {
		f.Add(field, "validation.credit_code")
	}
	return v
}

// FairStep takes act on complaint id. ENOTFOUND outside the actor's fairs
// (or an unknown step), ECONFLICT when the status does not allow it now or
// the version is stale, EINVALID naming the field.
func (s *Service) FairStep(ctx context.Context, id int64, act FairAction, in FairStepInput) (FairComplaint, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return FairComplaint{}, err
	}
	if !slices.Contains(FairActions, act) || !s.CanFairComplaints(a) {
		return FairComplaint{}, domain.NotFound("fair_complaint")
	}
	var out FairComplaint
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		v, err := s.fairViewerOf(ctx, tx, a)
		if err != nil {
			return err
		}
		c, ok, err := loadFair(ctx, tx, id, true, now)
		if err != nil {
			return err
		}
		if !ok || !v.sees(c.ExhibitionCode) {
			return domain.NotFound("fair_complaint")
		}
		if !fairAllows(c, act) {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow,
				Message: fmt.Sprintf("%s is not allowed while the complaint is %s", act, c.Status)}
		}
		var f domain.Fields
		if in.Version <= 0 {
			f.Add("version", "validation.required")
		}
		to, detail, set, args := fairStepFields(ctx, tx, &f, c, act, &in, now)
		if err := f.Err(); err != nil {
			return err
		}
		if in.Version != c.Version {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
				Message: fmt.Sprintf("the complaint was changed by someone else (current version %d); reload and try again", c.Version)}
		}
		org := v.actOrg(c.ExhibitionCode)
		switch act {
		case FairTransfer:
			if _, err := s.d.Deadlines.CloseTx(ctx, tx, fairSubject(id), KindFairTransfer, deadline.Met, now); err != nil {
				return err
			}
			if err := s.tellTransferred(ctx, tx, c, in.EnforcementOrgID); err != nil {
				return err
			}
		case FairMediate:
			var exh Exhibition
			if err := tx.Raw(`SELECT code, name_zh, name_en, season FROM exhibitions WHERE code = ?`, c.ExhibitionCode).Scan(&exh).Error; err != nil {
				return fmt.Errorf("find fair: %w", err)
			}
			committee, _, err := committeeName(ctx, tx, in.OrgID)
			if err != nil {
				return err
			}
			filed, err := s.fileExhibitionCase(ctx, tx, exhibitionCase{Exh: exh, Booth: c.Booth, OrgID: in.OrgID, Committee: committee,
				Summary: c.Summary, ComplainantName: c.ComplainantName, ComplainantCreditCode: c.ComplainantCreditCode,
				ContactPhone: in.ContactPhone, RespondentName: c.RespondentName, RespondentCreditCode: c.RespondentCreditCode,
				Rights: []Right{{Kind: c.RightKind, Number: c.RightNumber, Title: c.RightTitle, Holder: c.ComplainantName}}}, now)
			if err != nil {
				return renameFields(err, map[string]string{"contact_phone": "contact_phone", "rights[0].number": "right_number"})
			}
			set, args = append(set, "case_id = ?"), append(args, filed.Case.ID)
			detail["case_id"], detail["case_number"] = filed.Case.ID, filed.Case.Ref()
		}
		set = append(set, "status = ?", "version = version + 1", "updated_at = ?")
		args = append(args, string(to), now, id)
		if err := tx.Exec(`UPDATE fair_complaints SET `+strings.Join(set, ", ")+` WHERE id = ?`, args...).Error; err != nil {
			return fmt.Errorf("fair complaint %s: %w", act, err)
		}
		if err := s.fairEvent(ctx, tx, a, id, string(act), c.Status, to, detail, now); err != nil {
			return err
		}
		detail["exhibition_code"], detail["respondent_name"] = c.ExhibitionCode, c.RespondentName
		if err := s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "fair_complaint." + string(act), ObjectType: "fair_complaint",
			ObjectID: strconv.FormatInt(id, 10), Detail: detail}); err != nil {
			return err
		}
		out, _, err = loadFair(ctx, tx, id, false, now)
		return err
	})
	return out, err
}

// fairStepFields validates a step's fields and returns the status it
// leads to, the event's detail and the columns it sets.
func fairStepFields(ctx context.Context, tx *gorm.DB, f *domain.Fields, c FairComplaint, act FairAction,
	in *FairStepInput, now time.Time) (FairStatus, map[string]any, []string, []any) {
	detail := map[string]any{}
	var set []string
	var args []any
	switch act {
	case FairTransfer:
		var org struct {
			ID     int64
			Type   string
			NameZh string
		}
		if in.EnforcementOrgID > 0 {
			if err := tx.WithContext(ctx).Raw(`SELECT id, type, name_zh FROM orgs WHERE id = ? AND active`, in.EnforcementOrgID).
				Scan(&org).Error; err != nil {
				f.Add("enforcement_org_id", "validation.required")
			}
		}
		if org.ID == 0 || org.Type != string(domain.OrgEnforcement) {
			f.Add("enforcement_org_id", "validation.fair_enforcement_org")
		}
		detail["enforcement_org"] = org.NameZh
		detail["late"] = c.Overdue
		set, args = []string{"enforcement_org_id = ?", "transferred_at = ?"}, []any{in.EnforcementOrgID, now}
		return FairTransferred, detail, set, args
	case FairAnswer:
		answer := f.Text("answer", in.Answer, false, maxText)
		if answer == "" && !in.NoAnswer {
			f.Add("answer", "validation.fair_answer")
		}
		if answer != "" && in.NoAnswer {
			f.Add("no_answer", "validation.fair_no_answer")
		}
		detail["no_answer"] = in.NoAnswer
		if answer != "" {
			detail["answer"] = answer
		}
		return FairAnswered, detail, []string{"answer = ?", "no_answer = ?", "answered_at = ?"}, []any{answer, in.NoAnswer, now}
	case FairDecide:
		if !slices.Contains(Decisions, in.Decision) {
			f.Add("decision", "validation.one_of", "Values", strings.Join(Decisions, ", "))
		}
		var ms []string
		for _, m := range in.Measures {
			m = strings.TrimSpace(m)
			if m == "" || slices.Contains(ms, m) {
				continue
			}
			if !slices.Contains(Measures, m) {
				f.Add("measures", "validation.one_of", "Values", strings.Join(Measures, ", "))
				break
			}
			ms = append(ms, m)
		}
		switch {
		case slices.Contains(ms, "none") && len(ms) > 1:
			f.Add("measures", "validation.fair_measures_none")
		case in.Decision == DecisionInfringing && (len(ms) == 0 || slices.Contains(ms, "none")):
			f.Add("measures", "validation.fair_measures_required")
		case in.Decision == DecisionNotInfringing && len(ms) > 0 && !slices.Contains(ms, "none"):
			f.Add("measures", "validation.fair_measures_not_infringing")
		}
		if len(ms) == 0 {
			ms = []string{"none"}
		}
		reason := f.Text("reason", in.Reason, true, maxText)
		detail["decision"], detail["measures"], detail["reason"] = in.Decision, ms, reason
		return FairDecided, detail, []string{"decision = ?", "measures = string_to_array(?, ',')", "decided_at = ?"},
			[]any{in.Decision, strings.Join(ms, ","), now}
	case FairClose:
		if note := f.Text("note", in.Note, c.Status == FairReceived, maxText); note != "" {
			detail["note"] = note
		}
		return FairClosed, detail, []string{"closed_at = ?"}, []any{now}
	case FairMediate:
		if !in.ComplainantConsent {
			f.Add("complainant_consent", "validation.fair_consent")
		}
		if !in.RespondentConsent {
			f.Add("respondent_consent", "validation.fair_consent")
		}
		if in.OrgID <= 0 {
			f.Add("org_id", "validation.required")
		} else if _, ok, err := committeeName(ctx, tx, in.OrgID); err != nil || !ok {
			f.Add("org_id", "validation.committee")
		}
		return FairMediation, detail, nil, nil
	}
	return c.Status, detail, nil, nil
}

// tellTransferred tells the IP administration's officers that a complaint
// was transferred to them.
func (s *Service) tellTransferred(ctx context.Context, tx *gorm.DB, c FairComplaint, orgID int64) error {
	users, err := notify.MembersTx(ctx, tx, orgID, []domain.Role{domain.RoleEnforcementOfficer})
	if err != nil {
		return err
	}
	params := map[string]any{"Exhibition": c.ExhibitionName, "Respondent": c.RespondentName, "Booth": c.Booth,
		"Number": strconv.FormatInt(c.ID, 10)}
	for _, u := range users {
		if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeFairTransferred, Params: params,
			Link: FairComplaintLink(c.ID), DedupKey: fmt.Sprintf("fair_complaint:%d:transfer:%d", c.ID, u)}); err != nil {
			return fmt.Errorf("notify %s: %w", NoticeFairTransferred, err)
		}
	}
	return nil
}

func (s *Service) fairEvent(ctx context.Context, tx *gorm.DB, a *domain.Actor, id int64, action string, from, to FairStatus,
	detail map[string]any, at time.Time) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("fair complaint event detail: %w", err)
	}
	if err := tx.WithContext(ctx).Exec(`INSERT INTO fair_complaint_events (complaint_id, at, actor_user_id, actor_name, action, from_status, to_status, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)`, id, at, a.UserID, a.DisplayName, action, string(from), string(to), string(b)).Error; err != nil {
		return fmt.Errorf("fair complaint event: %w", err)
	}
	return nil
}

// StationStaff lists the users on fair code's station, for its managers.
func (s *Service) StationStaff(ctx context.Context, code string) ([]StaffMember, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !s.CanManageFairs(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not manage the fairs")
	}
	var out []StaffMember
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT s.user_id, u.display_name AS name, s.org_id, o.name_zh AS org_name
FROM fair_station_staff s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = s.org_id
WHERE s.exhibition_code = ? ORDER BY o.name_zh, u.display_name, s.user_id`, code).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("station staff: %w", err)
	}
	return out, nil
}

// StationCandidates lists the active users who can staff a station: the
// assistance centre's officers, the enforcement bodies' and the industry
// associations' staff.
func (s *Service) StationCandidates(ctx context.Context) ([]StaffMember, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !s.CanManageFairs(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not manage the fairs")
	}
	var rows []StaffMember
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT DISTINCT m.user_id, u.display_name AS name, m.org_id, o.name_zh AS org_name
FROM memberships m JOIN users u ON u.id = m.user_id AND u.active JOIN orgs o ON o.id = m.org_id AND o.active
WHERE m.role IN ? ORDER BY o.name_zh, u.display_name, m.user_id`, stationRoles).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("station candidates: %w", err)
	}
	out := rows[:0]
	for _, r := range rows {
		if s.d.Authz.Can(r.UserID, r.OrgID, "exhibition", "complaint") {
			out = append(out, r)
		}
	}
	return out, nil
}

// SetStationStaff puts user userID on fair code's station (add) or takes
// them off. EINVALID names user_id for a user who cannot staff a station;
// ENOTFOUND for an unknown fair; EFORBIDDEN without exhibition:manage.
// Audited as exhibition.staff_add or exhibition.staff_remove; a change that
// changes nothing writes nothing.
func (s *Service) SetStationStaff(ctx context.Context, code string, userID int64, add bool) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	org := s.fairOrg(a)
	if org == 0 {
		return domain.Errorf(domain.EFORBIDDEN, "you may not manage the fairs")
	}
	return s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		var n int64
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Raw(`SELECT count(*) FROM exhibitions WHERE code = ?`, code).
			Scan(&n).Error; err != nil {
			return fmt.Errorf("find fair: %w", err)
		}
		if n == 0 {
			return domain.NotFound("exhibition")
		}
		action := "exhibition.staff_remove"
		var staffOrg int64
		if add {
			action = "exhibition.staff_add"
			var ms []struct {
				OrgID int64
			}
			if userID > 0 {
				if err := tx.Raw(`SELECT m.org_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.user_id = ? AND m.role IN ? ORDER BY m.org_id`, userID, stationRoles).Scan(&ms).Error; err != nil {
					return fmt.Errorf("station user: %w", err)
				}
			}
			for _, m := range ms {
				if s.d.Authz.Can(userID, m.OrgID, "exhibition", "complaint") {
					staffOrg = m.OrgID
					break
				}
			}
			if staffOrg == 0 {
				return domain.Invalid(domain.FieldError{Field: "user_id", Message: "validation.fair_staff_user"})
			}
			res := tx.Exec(`INSERT INTO fair_station_staff (exhibition_code, user_id, org_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING`, code, userID, staffOrg, a.UserID, now)
			if res.Error != nil {
				return fmt.Errorf("add station staff: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return nil
			}
		} else {
			res := tx.Exec(`DELETE FROM fair_station_staff WHERE exhibition_code = ? AND user_id = ?`, code, userID)
			if res.Error != nil {
				return fmt.Errorf("remove station staff: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return nil
			}
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: action, ObjectType: "exhibition", ObjectID: code,
			Detail: map[string]any{"user_id": userID, "staff_org_id": staffOrg}})
	})
}
