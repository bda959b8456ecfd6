package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// PerformanceInput records one follow-up (回访) of how the agreement in
// effect was performed.
type PerformanceInput struct {
	Version int                      `json:"version"`
	Result  domain.PerformanceResult `json:"result"` // performed, partly, refused
	// PerformedOn is the Beijing date the result refers to (YYYY-MM-DD):
	// when the agreement was performed, or the day the result was
	// established. Not in the future, not before the day the agreement
	// took effect.
	PerformedOn string `json:"performed_on"`
	// Note says what was found; required unless the agreement was
	// performed.
	Note string `json:"note"`
}

// performanceRow maps case_performance.
type performanceRow struct {
	ID          int64 `gorm:"primaryKey"`
	CaseID      int64
	AgreementID int64
	Result      string
	PerformedOn time.Time `gorm:"type:date"`
	Note        string
	RecordedBy  *int64
	RecordedAt  time.Time
	// RecorderName is filled by the case page's join.
	RecorderName string `gorm:"->;-:migration"`
}

func (performanceRow) TableName() string { return "case_performance" }

func (r performanceRow) toDomain() domain.Performance {
	p := domain.Performance{ID: r.ID, Result: domain.PerformanceResult(r.Result), PerformedOn: r.PerformedOn,
		Note: r.Note, RecorderName: r.RecorderName, RecordedAt: r.RecordedAt}
	if r.RecordedBy != nil {
		p.RecordedBy = *r.RecordedBy
	}
	return p
}

// RecordPerformance records a follow-up of how the agreement of a settled
// or closed case was performed (People's Mediation Law art. 31: the
// committee supervises performance and urges the parties to perform): the
// result, the day it refers to and a note (required for a partial
// performance or a refusal). It may be recorded again after a later
// visit; the latest record is the case's result. The agreement must be in
// effect. An assigned mediator, the clerk or the director of the handling
// committee records it.
//
// The performance date the agreement fixes (a soft deadline, the
// mediator's follow-up) closes once the result is known: performed, met
// when performed by that date and otherwise missed; refused, missed (the
// agreement was not performed). A partial performance leaves it open.
func (s *Service) RecordPerformance(ctx context.Context, id int64, in PerformanceInput) (domain.Case, error) {
	var (
		note string
		on   *time.Time
	)
	return s.run(ctx, id, step{action: domain.ActionPerformance, version: in.Version,
		check: func(f *domain.Fields, now time.Time) {
			if !containsValue(domain.PerformanceResults, in.Result) {
				f.Add("result", "validation.performance_result")
			}
			note = text(f, "note", in.Note, in.Result == domain.PerformancePartly || in.Result == domain.PerformanceRefused, maxText)
			if strings.TrimSpace(in.PerformedOn) == "" {
				f.Add("performed_on", "validation.required")
				return
			}
			if on = date(f, "performed_on", in.PerformedOn); on != nil && dayOf(*on).After(calendar.DateOf(now)) {
				f.Add("performed_on", "validation.future_date")
			}
		},
		checkCase: func(f *domain.Fields, st *caseState) {
			if !st.effective() {
				f.Add("agreement", "validation.agreement_not_effective")
				return
			}
			if on != nil && dayOf(*on).Before(calendar.DateOf(*st.agreement.EffectiveAt)) {
				f.Add("performed_on", "validation.before_agreement_effect")
			}
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *caseState) (change, error) {
			db := tx.WithContext(ctx)
			var previous string
			if err := db.Model(&performanceRow{}).Select("result").Where("case_id = ?", st.row.ID).
				Order("recorded_at DESC, id DESC").Limit(1).Scan(&previous).Error; err != nil {
				return change{}, fmt.Errorf("load performance: %w", err)
			}
			r := performanceRow{CaseID: st.row.ID, AgreementID: st.agreement.ID, Result: string(in.Result), PerformedOn: *on,
				Note: note, RecordedBy: st.actor.UserIDRef(), RecordedAt: st.now}
			if err := db.Create(&r).Error; err != nil {
				return change{}, fmt.Errorf("record performance: %w", err)
			}
			var closed []deadline.Deadline
			if in.Result != domain.PerformancePartly {
				d := s.deadlines
				status := deadline.Met
				if in.Result == domain.PerformanceRefused {
					status = deadline.Missed
				}
				// Judged by the day it was performed, not the day the
				// follow-up was recorded.
				var err error
				if closed, err = d.CloseDoneTx(ctx, tx, st.subject(), deadline.KindPerformance, status,
					dayOf(*on).Start(), st.now); err != nil {
					return change{}, err
				}
			}
			ev := deadlineNote(closed)
			ev["performance_id"], ev["performed_on"], ev["note"] = r.ID, dayOf(*on).String(), note
			return change{
				before: map[string]any{"performance_result": previous},
				after:  map[string]any{"performance_result": string(in.Result)},
				note:   ev,
			}, nil
		}})
}

// dayOf reads a date parsed by date (midnight UTC) as a calendar date.
func dayOf(t time.Time) calendar.Date { return calendar.NewDate(t.Year(), t.Month(), t.Day()) }

// performanceOf lists the follow-ups of a case, oldest first, with their
// recorders' names.
func performanceOf(db *gorm.DB, caseID int64) ([]domain.Performance, error) {
	var rows []performanceRow
	if err := db.Table("case_performance").Select("case_performance.*, coalesce(users.display_name, '') AS recorder_name").
		Joins("LEFT JOIN users ON users.id = case_performance.recorded_by").
		Where("case_performance.case_id = ?", caseID).Order("case_performance.recorded_at, case_performance.id").
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Performance, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
