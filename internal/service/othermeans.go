package service

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// recordOrgs are the committees in which the actor records service by
// other means (service:record).
func (s *Service) recordOrgs(a *domain.Actor) []int64 {
	var out []int64
	for _, m := range a.Memberships {
		if s.can(a, m.OrgID, "record") {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// RecordsOtherMeans reports whether the actor records service by other
// means in some committee (the overdue list is theirs).
func (s *Service) RecordsOtherMeans(a *domain.Actor) bool { return len(s.recordOrgs(a)) > 0 }

// Overdue lists the records of the actor's committees served
// electronically and not opened within service.open_within, oldest
// first: the notices to serve by other means (待以其他方式送达).
func (s *Service) Overdue(ctx context.Context) ([]Record, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	orgs := s.recordOrgs(a)
	if len(orgs) == 0 {
		return nil, nil
	}
	rows, err := s.rows(ctx, s.d.DB, `WHERE c.org_id IN ? AND r.method = 'electronic' AND r.opened_at IS NULL AND r.sent_at <= ?
		ORDER BY r.sent_at, r.id`, orgs, s.clock().Add(-s.d.OpenWithin))
	return records(rows), err
}

// CountOverdue is len(Overdue) ("my work").
func (s *Service) CountOverdue(ctx context.Context) (int, error) {
	r, err := s.Overdue(ctx)
	return len(r), err
}

// OtherMeansInput is service by post or in person.
type OtherMeansInput struct {
	// Method is MethodPost or MethodInPerson.
	Method Method
	// ServedOn is the day of posting or of handing over (YYYY-MM-DD,
	// Beijing), not in the future nor before the notice was sent.
	ServedOn string
	// TrackingNumber of the registered letter (post; required).
	TrackingNumber string
	// Receiver who took the notice (in person; required).
	Receiver string
	Note     string
}

// RecordOtherMeans records that record id was served by post or in
// person, audited (service.other_means). EINVALID names the fields;
// ENOTFOUND: not a record of the actor's committees; ECONFLICT: already
// served by other means.
func (s *Service) RecordOtherMeans(ctx context.Context, id int64, in OtherMeansInput) (Record, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Record{}, err
	}
	orgs := s.recordOrgs(a)
	if len(orgs) == 0 {
		return Record{}, notFound()
	}
	in.TrackingNumber, in.Receiver, in.Note = strings.TrimSpace(in.TrackingNumber), strings.TrimSpace(in.Receiver), strings.TrimSpace(in.Note)
	var out Record
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := s.rows(ctx, tx, "WHERE r.id = ? AND c.org_id IN ? FOR UPDATE OF r", id, orgs)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return notFound()
		}
		r := rows[0]
		now := s.clock()
		day, err := s.validate(&in, r, now)
		if err != nil {
			return err
		}
		if Method(r.Method) != MethodElectronic {
			return domain.Errorf(domain.ECONFLICT, "the notice was already served by other means")
		}
		if err := tx.Exec(`UPDATE service_records SET method = ?, served_on = ?, tracking_number = ?, receiver = ?, note = ?,
			recorded_by = ?, recorded_at = ? WHERE id = ?`, string(in.Method), day, in.TrackingNumber, in.Receiver, in.Note,
			a.UserID, now, r.ID).Error; err != nil {
			return fmtErr("record other means", err)
		}
		detail := map[string]any{"case_id": r.CaseID, "party_id": r.PartyID, "doc": r.Doc, "method": string(in.Method),
			"served_on": in.ServedOn, "tracking_number": in.TrackingNumber, "receiver": in.Receiver, "note": in.Note}
		if err := s.d.Cases.AddEventTx(ctx, tx, r.CaseID, a, "service_other_means", detail, now); err != nil {
			return err
		}
		if err := s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &r.OrgID, Action: "service.other_means", ObjectType: "service_record",
			ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail}); err != nil {
			return err
		}
		r.Method, r.ServedOn, r.TrackingNumber, r.Receiver, r.Note = string(in.Method), &day, in.TrackingNumber, in.Receiver, in.Note
		out = r.record()
		return nil
	})
	return out, err
}

var beijing = time.FixedZone("CST", 8*3600)

// validate checks the input against the record; the day as a date.
func (s *Service) validate(in *OtherMeansInput, r recordRow, now time.Time) (time.Time, error) {
	var f domain.Fields
	if in.Method != MethodPost && in.Method != MethodInPerson {
		f.Add("method", "validation.invalid")
	}
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.ServedOn), beijing)
	switch {
	case strings.TrimSpace(in.ServedOn) == "":
		f.Add("served_on", "validation.required")
	case err != nil:
		f.Add("served_on", "validation.date")
	case day.After(now.In(beijing)):
		f.Add("served_on", "validation.future")
	case day.Before(truncDay(r.SentAt)):
		f.Add("served_on", "service.before_sent")
	}
	if in.Method == MethodPost && in.TrackingNumber == "" {
		f.Add("tracking_number", "validation.required")
	}
	if in.Method == MethodInPerson && in.Receiver == "" {
		f.Add("receiver", "validation.required")
	}
	for field, v := range map[string]string{"tracking_number": in.TrackingNumber, "receiver": in.Receiver} {
		if utf8.RuneCountInString(v) > 64 {
			f.Add(field, "validation.too_long", "Max", 64)
		}
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "validation.too_long", "Max", 500)
	}
	if err := f.Err(); err != nil {
		return time.Time{}, err
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC), nil
}

// truncDay is the Beijing day of t, at its midnight.
func truncDay(t time.Time) time.Time {
	t = t.In(beijing)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, beijing)
}
