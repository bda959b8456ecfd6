package party

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// A party's answer whether it will attend the case's next scheduled
// mediation session (case_sessions.next_session_at, still to come).

// AttendanceInput is the party's answer: Attends nil is no answer; a
// party that cannot attend says why in Note.
type AttendanceInput struct {
	Attends *bool
	Note    string
}

// Attendance is one recorded answer of a party for the session at
// SessionAt.
type Attendance struct {
	ID        int64
	CaseID    int64
	PartyID   int64
	AccessID  int64
	SessionAt time.Time
	Attends   bool
	Note      string
	At        time.Time `gorm:"column:created_at"`
}

// CurrentAttendance is an answer with the party named, for the staff.
type CurrentAttendance struct {
	PartyRole string
	PartyName string
	Attendance
}

// nextSessionTx is the case's next scheduled session, when it is still
// to come: the next_session_at of its latest session logged (as View
// shows it).
func (s *Service) nextSessionTx(ctx context.Context, tx *gorm.DB, caseID int64) (*time.Time, error) {
	var rows []struct{ NextSessionAt *time.Time }
	if err := tx.WithContext(ctx).Raw(`SELECT next_session_at FROM case_sessions WHERE case_id = ? ORDER BY held_at DESC, id DESC LIMIT 1`,
		caseID).Scan(&rows).Error; err != nil {
		return nil, fmtErr("next session", err)
	}
	if len(rows) == 0 || rows[0].NextSessionAt == nil || !rows[0].NextSessionAt.After(s.clock()) {
		return nil, nil
	}
	t := rows[0].NextSessionAt.UTC()
	return &t, nil
}

// NextSession is the signed-in party's case's next scheduled session,
// or nil when none is still to come.
func (s *Service) NextSession(ctx context.Context) (*time.Time, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	return s.nextSessionTx(ctx, s.d.DB, p.CaseID)
}

// ConfirmAttendance records whether the signed-in party will attend its
// case's next scheduled session, with a note (required when it cannot).
// A new answer is a new row; the latest for the session counts. The
// committee's director(s) and the case's mediators are told in their
// inbox, the timeline shows party_attends or party_absent, and it is
// audited (party.attendance), in one transaction. No answer, or a
// "cannot" without a note, or an over-long note is EINVALID naming the
// field; no session to come (or an ended case) is ECONFLICT.
func (s *Service) ConfirmAttendance(ctx context.Context, in AttendanceInput) (Attendance, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return Attendance{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	in.Note = strings.TrimSpace(in.Note)
	var fields []domain.FieldError
	if in.Attends == nil {
		fields = append(fields, domain.FieldError{Field: "attends", Message: "validation.party_attends"})
	} else if !*in.Attends && in.Note == "" {
		fields = append(fields, domain.FieldError{Field: "note", Message: "validation.party_absent_note"})
	}
	if utf8.RuneCountInString(in.Note) > maxConsentNote {
		fields = append(fields, domain.FieldError{Field: "note", Message: "validation.too_long", Params: map[string]any{"Max": maxConsentNote}})
	}
	if len(fields) > 0 {
		return Attendance{}, domain.Invalid(fields...)
	}
	if s.d.Timeline == nil || s.d.Notify == nil {
		return Attendance{}, domain.Errorf(domain.EINTERNAL, "party: attendance needs the timeline and the inbox")
	}
	now := s.clock()
	out := Attendance{CaseID: p.CaseID, PartyID: p.PartyID, AccessID: p.AccessID, Attends: *in.Attends, Note: in.Note, At: now}
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rv, err := s.byActor(ctx, tx, p, true)
		if err != nil {
			return err
		}
		var status string
		if err := tx.Raw("SELECT status FROM cases WHERE id = ? FOR UPDATE", p.CaseID).Scan(&status).Error; err != nil {
			return fmtErr("attendance case", err)
		}
		next, err := s.nextSessionTx(ctx, tx, p.CaseID)
		if err != nil {
			return err
		}
		st := domain.CaseStatus(status)
		if next == nil || (st != domain.StatusMediating && st != domain.StatusAgreementDraft) {
			return &domain.Error{Code: domain.ECONFLICT, ID: "party.error.no_session", Message: "no mediation session is scheduled"}
		}
		out.SessionAt = *next
		if err := tx.Raw(`INSERT INTO party_attendance (case_id, party_id, access_id, session_at, attends, note, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.CaseID, p.PartyID, p.AccessID, out.SessionAt, out.Attends, in.Note, now).Scan(&out.ID).Error; err != nil {
			return fmtErr("record attendance", err)
		}
		event := NoticeAttends
		if !out.Attends {
			event = NoticeAbsent
		}
		if err := s.d.Timeline.AddEventTx(ctx, tx, p.CaseID, &domain.Actor{DisplayName: p.Name}, event,
			map[string]any{"party": rv.party.Name, "attendance_id": out.ID, "session_at": out.SessionAt}, now); err != nil {
			return err
		}
		told, err := notify.MembersTx(ctx, tx, rv.orgID, domain.RolesWhere(domain.Role.Head))
		if err != nil {
			return err
		}
		var mediators []int64
		if err := tx.Raw(`SELECT DISTINCT cm.user_id FROM case_mediators cm JOIN users u ON u.id = cm.user_id AND u.active
WHERE cm.case_id = ? AND cm.removed_at IS NULL ORDER BY cm.user_id`, p.CaseID).Scan(&mediators).Error; err != nil {
			return fmtErr("case mediators", err)
		}
		for _, m := range mediators {
			if !containsID(told, m) {
				told = append(told, m)
			}
		}
		for _, u := range told {
			if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: event, Link: "/cases/" + strconv.FormatInt(p.CaseID, 10),
				Params: map[string]any{"Number": rv.number, "Party": rv.party.Name, "At": out.SessionAt.In(beijing).Format("2006-01-02 15:04")}}); err != nil {
				return err
			}
		}
		return s.d.Audit.Append(ctx, tx, rv.entry("party.attendance", map[string]any{"attendance_id": out.ID, "attends": out.Attends,
			"session_at": out.SessionAt}))
	})
	if err != nil {
		return Attendance{}, err
	}
	return out, nil
}

// beijing is the time zone of the sessions' times in the notices.
var beijing = time.FixedZone("CST", 8*3600)

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// MyAttendance is the signed-in party's answers, latest first.
func (s *Service) MyAttendance(ctx context.Context) ([]Attendance, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	var out []Attendance
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT id, case_id, party_id, access_id, session_at, attends, note, created_at FROM party_attendance
WHERE case_id = ? AND party_id = ? ORDER BY created_at DESC, id DESC`, p.CaseID, p.PartyID).Scan(&out).Error; err != nil {
		return nil, fmtErr("my attendance", err)
	}
	return out, nil
}

// AttendanceOf is every party's answers on case id, latest first, for
// the staff who may read the case (cases.Service.Access decides).
func (s *Service) AttendanceOf(ctx context.Context, caseID int64) ([]CurrentAttendance, error) {
	if _, err := s.d.Cases.Access(ctx, caseID); err != nil {
		return nil, err
	}
	return caseAttendance(s.d.DB.WithContext(ctx), caseID, "DESC")
}

// caseAttendance are every answer on case caseID with the party named,
// in the order of their recording (dir "DESC": latest first, "ASC").
func caseAttendance(db *gorm.DB, caseID int64, dir string) ([]CurrentAttendance, error) {
	var out []CurrentAttendance
	if err := db.Raw(`SELECT pa.id, pa.case_id, pa.party_id, pa.access_id, pa.session_at, pa.attends, pa.note, pa.created_at,
  cp.role AS party_role, cp.name AS party_name
FROM party_attendance pa JOIN case_parties cp ON cp.id = pa.party_id
WHERE pa.case_id = ? ORDER BY pa.created_at `+dir+`, pa.id `+dir, caseID).Scan(&out).Error; err != nil {
		return nil, fmtErr("attendance", err)
	}
	return out, nil
}

// LatestAttendance keeps, of answers listed latest first, each party's
// latest answer for the session at (all sessions when at is nil).
func LatestAttendance(all []CurrentAttendance, at *time.Time) []CurrentAttendance {
	seen := map[int64]bool{}
	var out []CurrentAttendance
	for _, a := range all {
		if at != nil && !a.SessionAt.Equal(*at) {
			continue
		}
		if !seen[a.PartyID] {
			seen[a.PartyID] = true
			out = append(out, a)
		}
	}
	return out
}

// NextSessionOf is case id's next scheduled session still to come, or
// nil, for the staff who may read the case.
func (s *Service) NextSessionOf(ctx context.Context, caseID int64) (*time.Time, error) {
	if _, err := s.d.Cases.Access(ctx, caseID); err != nil {
		return nil, err
	}
	return s.nextSessionTx(ctx, s.d.DB, caseID)
}
