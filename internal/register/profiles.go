package register

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Specialties are the fields of IP law a mediator may declare.
var Specialties = []string{"patent", "trademark", "copyright", "trade_secret"}

// Qualifications are the professional qualifications of the fixed list
// (anything else goes to QualificationOther).
var Qualifications = []string{"lawyer", "patent_attorney", "engineer"}

// Limits of the free-text fields.
const (
	maxShort = 200
	maxText  = 2000
)

// Profile is a mediator's entry in the register of one committee.
type Profile struct {
	OrgID              int64
	UserID             int64
	Name               string
	Specialties        []string
	TechnicalField     string
	Qualifications     []string
	QualificationOther string
	CourtInvited       bool
	CourtName          string
	InvitedFrom        *time.Time
	InvitedTo          *time.Time
	Version            int
	Trainings          []Training
	// The mediator's figures: cases assigned and not yet ended, cases
	// ended (closed, failed, withdrawn) and of those settled, and the
	// average feedback scores (0 without feedback).
	OpenCases     int
	EndedCases    int
	SettledCases  int
	FeedbackCount int
	AvgService    float64
	AvgFairness   float64
	AvgTimeliness float64
}

// SuccessRate is settled / ended in percent (0 when nothing ended).
func (p Profile) SuccessRate() float64 {
	if p.EndedCases == 0 {
		return 0
	}
	return float64(p.SettledCases) * 100 / float64(p.EndedCases)
}

// Training is a training a mediator attended.
type Training struct {
	ID            int64
	Title         string
	Hours         float64
	Certificate   string
	CertificateNo string
	TrainedOn     time.Time
}

// ProfileInput is the register's form for one mediator.
type ProfileInput struct {
	Specialties        []string
	TechnicalField     string
	Qualifications     []string
	QualificationOther string
	CourtInvited       bool
	CourtName          string
	InvitedFrom        string // YYYY-MM-DD
	InvitedTo          string // YYYY-MM-DD, optional
	// Version is the profile's version read with the form (0 for a
	// mediator without a profile yet).
	Version int
}

// TrainingInput is a training to record.
type TrainingInput struct {
	Title         string
	Hours         string
	Certificate   string
	CertificateNo string
	TrainedOn     string // YYYY-MM-DD
}

// openStatuses are the statuses of a case still being worked.
var openStatuses = []string{string(domain.StatusAccepted), string(domain.StatusMediating), string(domain.StatusAgreementDraft)}

// endedStatuses are the statuses of a case that has ended: feedback is
// open and it counts in the success rate.
var endedStatuses = []string{string(domain.StatusClosed), string(domain.StatusFailed), string(domain.StatusWithdrawn)}

// Register lists the mediators of committee org with their profiles and
// figures. ENOTFOUND for a committee whose register the actor does not
// read.
func (s *Service) Register(ctx context.Context, org int64) ([]Profile, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return nil, err
	}
	if !v.reads(org) {
		return nil, domain.NotFound("register")
	}
	return s.profiles(ctx, s.d.DB.WithContext(ctx), org, 0)
}

// Profile is one mediator's entry with its trainings. ENOTFOUND outside
// the actor's registers or for a user who is not a mediator of org.
func (s *Service) Profile(ctx context.Context, org, userID int64) (Profile, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Profile{}, err
	}
	if !v.reads(org) {
		return Profile{}, domain.NotFound("mediator")
	}
	db := s.d.DB.WithContext(ctx)
	ps, err := s.profiles(ctx, db, org, userID)
	if err != nil {
		return Profile{}, err
	}
	if len(ps) == 0 {
		return Profile{}, domain.NotFound("mediator")
	}
	p := ps[0]
	if err := db.Raw(`SELECT id, title, hours::float8 AS hours, certificate, certificate_no, trained_on FROM mediator_trainings
WHERE org_id = ? AND user_id = ? ORDER BY trained_on DESC, id DESC`, org, userID).Scan(&p.Trainings).Error; err != nil {
		return Profile{}, fmtErr("trainings", err)
	}
	return p, nil
}

// profiles reads the mediators of org (one when user > 0).
func (s *Service) profiles(ctx context.Context, db *gorm.DB, org, user int64) ([]Profile, error) {
	var rows []struct {
		UserID             int64
		Name               string
		Specialties        string
		TechnicalField     string
		Qualifications     string
		QualificationOther string
		CourtInvited       bool
		CourtName          string
		InvitedFrom        *time.Time
		InvitedTo          *time.Time
		Version            int
		OpenCases          int
		EndedCases         int
		SettledCases       int
		FeedbackCount      int
		AvgService         float64
		AvgFairness        float64
		AvgTimeliness      float64
	}
	if err := db.Raw(`SELECT u.id AS user_id, COALESCE(NULLIF(u.display_name, ''), u.username) AS name,
  array_to_string(COALESCE(p.specialties, '{}'), ',') AS specialties, COALESCE(p.technical_field, '') AS technical_field,
  array_to_string(COALESCE(p.qualifications, '{}'), ',') AS qualifications, COALESCE(p.qualification_other, '') AS qualification_other,
  COALESCE(p.court_invited, false) AS court_invited, COALESCE(p.court_name, '') AS court_name,
  p.invited_from, p.invited_to, COALESCE(p.version, 0) AS version,
  (SELECT count(*) FROM case_mediators cm JOIN cases c ON c.id = cm.case_id
    WHERE cm.user_id = u.id AND cm.removed_at IS NULL AND c.org_id = ? AND c.status IN ?) AS open_cases,
  (SELECT count(*) FROM case_mediators cm JOIN cases c ON c.id = cm.case_id
    WHERE cm.user_id = u.id AND cm.removed_at IS NULL AND c.org_id = ? AND c.status IN ?) AS ended_cases,
  (SELECT count(*) FROM case_mediators cm JOIN cases c ON c.id = cm.case_id
    WHERE cm.user_id = u.id AND cm.removed_at IS NULL AND c.org_id = ? AND c.status = 'closed'
      AND EXISTS (SELECT 1 FROM case_agreements a WHERE a.case_id = c.id AND a.effective_at IS NOT NULL)) AS settled_cases,
  f.n AS feedback_count, f.service AS avg_service, f.fairness AS avg_fairness, f.timeliness AS avg_timeliness
FROM users u
LEFT JOIN mediator_profiles p ON p.org_id = ? AND p.user_id = u.id
CROSS JOIN LATERAL (SELECT count(*) AS n, COALESCE(avg(fb.service), 0)::float8 AS service,
    COALESCE(avg(fb.fairness), 0)::float8 AS fairness, COALESCE(avg(fb.timeliness), 0)::float8 AS timeliness
  FROM case_feedback fb WHERE fb.case_id IN (SELECT cm.case_id FROM case_mediators cm JOIN cases c ON c.id = cm.case_id
    WHERE cm.user_id = u.id AND cm.removed_at IS NULL AND c.org_id = ?)) f
WHERE u.active AND u.id IN (SELECT m.user_id FROM memberships m WHERE m.org_id = ? AND m.role IN ?)
  AND (? = 0 OR u.id = ?)
ORDER BY name, u.id`, org, openStatuses, org, endedStatuses, org, org, org, org,
		domain.RolesWhere(domain.Role.Assignable), user, user).Scan(&rows).Error; err != nil {
		return nil, fmtErr("register", err)
	}
	out := make([]Profile, len(rows))
	for i, r := range rows {
		out[i] = Profile{OrgID: org, UserID: r.UserID, Name: r.Name, Specialties: split(r.Specialties), TechnicalField: r.TechnicalField,
			Qualifications: split(r.Qualifications), QualificationOther: r.QualificationOther, CourtInvited: r.CourtInvited,
			CourtName: r.CourtName, InvitedFrom: r.InvitedFrom, InvitedTo: r.InvitedTo, Version: r.Version,
			OpenCases: r.OpenCases, EndedCases: r.EndedCases, SettledCases: r.SettledCases, FeedbackCount: r.FeedbackCount,
			AvgService: r.AvgService, AvgFairness: r.AvgFairness, AvgTimeliness: r.AvgTimeliness}
	}
	return out, nil
}

// date reads an optional YYYY-MM-DD field.
func date(f *domain.Fields, field, s string, required bool) *time.Time {
	if s == "" {
		if required {
			f.Add(field, "validation.required")
		}
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		f.Add(field, "validation.date")
		return nil
	}
	return &t
}

// SaveProfile writes the register entry of mediator user of committee
// org. EFORBIDDEN for a reader who does not keep the register, ENOTFOUND
// outside the actor's registers or for a user who is not a mediator of
// org, EINVALID naming the fields, ECONFLICT for a stale version.
func (s *Service) SaveProfile(ctx context.Context, org, user int64, in ProfileInput) (Profile, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Profile{}, err
	}
	if !v.reads(org) {
		return Profile{}, domain.NotFound("mediator")
	}
	if !v.keeps(org) {
		return Profile{}, domain.Errorf(domain.EFORBIDDEN, "only the committee's director keeps its register")
	}
	var f domain.Fields
	spec := pick(&f, "specialties", in.Specialties, Specialties)
	quals := pick(&f, "qualifications", in.Qualifications, Qualifications)
	tech := f.Text("technical_field", in.TechnicalField, false, maxShort)
	other := f.Text("qualification_other", in.QualificationOther, false, maxShort)
	court := f.Text("court_name", in.CourtName, in.CourtInvited, maxShort)
	from := date(&f, "invited_from", in.InvitedFrom, in.CourtInvited)
	to := date(&f, "invited_to", in.InvitedTo, false)
	if from != nil && to != nil && to.Before(*from) {
		f.Add("invited_to", "validation.date_order")
	}
	if !in.CourtInvited {
		court, from, to = "", nil, nil
	}
	if err := f.Err(); err != nil {
		return Profile{}, err
	}
	a := v.a
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock()
		ps, err := s.profiles(ctx, tx, org, user)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return domain.NotFound("mediator")
		}
		if ps[0].Version != in.Version {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
				Message: "the profile was changed by someone else (current version " + strconv.Itoa(ps[0].Version) + "); reload and try again"}
		}
		res := tx.Exec(`INSERT INTO mediator_profiles (org_id, user_id, specialties, technical_field, qualifications, qualification_other,
  court_invited, court_name, invited_from, invited_to, version, updated_by, updated_at)
VALUES (?, ?, string_to_array(?, ','), ?, string_to_array(?, ','), ?, ?, ?, ?, ?, 1, ?, ?)
ON CONFLICT (org_id, user_id) DO UPDATE SET specialties = EXCLUDED.specialties, technical_field = EXCLUDED.technical_field,
  qualifications = EXCLUDED.qualifications, qualification_other = EXCLUDED.qualification_other,
  court_invited = EXCLUDED.court_invited, court_name = EXCLUDED.court_name, invited_from = EXCLUDED.invited_from,
  invited_to = EXCLUDED.invited_to, version = mediator_profiles.version + 1, updated_by = EXCLUDED.updated_by,
  updated_at = EXCLUDED.updated_at
WHERE mediator_profiles.version = ?`, org, user, strings.Join(spec, ","), tech, strings.Join(quals, ","), other, in.CourtInvited, court,
			from, to, a.UserID, now, in.Version)
		if res.Error != nil {
			return fmtErr("save profile", res.Error)
		}
		if res.RowsAffected == 0 {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale, Message: "the profile was changed by someone else; reload and try again"}
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "register.profile", ObjectType: "mediator",
			ObjectID: strconv.FormatInt(user, 10), Detail: map[string]any{"specialties": spec, "technical_field": tech,
				"qualifications": quals, "qualification_other": other, "court_invited": in.CourtInvited, "court_name": court}})
	})
	if err != nil {
		return Profile{}, err
	}
	return s.Profile(ctx, org, user)
}

// pick keeps the values of in that are in allowed, refusing any other.
func pick(f *domain.Fields, field string, in, allowed []string) []string {
	out := []string{}
	for _, x := range in {
		if !slices.Contains(allowed, x) {
			f.Add(field, "validation.invalid")
			return nil
		}
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// AddTraining records a training of mediator user of committee org. The
// errors are SaveProfile's.
func (s *Service) AddTraining(ctx context.Context, org, user int64, in TrainingInput) (Training, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Training{}, err
	}
	if !v.reads(org) {
		return Training{}, domain.NotFound("mediator")
	}
	if !v.keeps(org) {
		return Training{}, domain.Errorf(domain.EFORBIDDEN, "only the committee's director keeps its register")
	}
	var f domain.Fields
	title := f.Text("title", in.Title, true, maxShort)
	hours, perr := strconv.ParseFloat(in.Hours, 64)
	if in.Hours == "" {
		f.Add("hours", "validation.required")
	} else if perr != nil || hours <= 0 || hours > 10000 {
		f.Add("hours", "validation.number")
	}
	cert := f.Text("certificate", in.Certificate, false, maxShort)
	certNo := f.Text("certificate_no", in.CertificateNo, false, maxShort)
	on := date(&f, "trained_on", in.TrainedOn, true)
	if err := f.Err(); err != nil {
		return Training{}, err
	}
	out := Training{Title: title, Hours: hours, Certificate: cert, CertificateNo: certNo, TrainedOn: *on}
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ps, err := s.profiles(ctx, tx, org, user)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return domain.NotFound("mediator")
		}
		if err := tx.Raw(`INSERT INTO mediator_trainings (org_id, user_id, title, hours, certificate, certificate_no, trained_on,
  recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, org, user, title, hours, cert, certNo, *on,
			v.a.UserID, s.clock()).Scan(&out.ID).Error; err != nil {
			return fmtErr("record training", err)
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "register.training", ObjectType: "mediator",
			ObjectID: strconv.FormatInt(user, 10), Detail: map[string]any{"training_id": out.ID, "title": title, "hours": hours,
				"trained_on": on.Format(time.DateOnly)}})
	})
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			return Training{}, de
		}
		return Training{}, err
	}
	return out, nil
}

// split reads a comma-joined list ("" is none).
func split(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
