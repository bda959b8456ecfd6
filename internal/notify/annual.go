package notify

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

// RuleAnnualReport is the rule of configs/deadlines.yaml that fixes the
// day the annual work report is due.
const RuleAnnualReport = "annual_report"

// PlanAnnualReports plans this year's annual work report reminders when
// today lies between the first reminder day (AnnualFrom) and the due day
// (AnnualDue): for each organisation that owes a report and each member
// holding a role that submits it, the announcement and every configured
// stage not yet past. It runs periodically on the scheduler leader and is
// idempotent: the year is part of each reminder's key, so a reminder is
// planned once, and a member who joins later in December gets theirs on
// the next run. It returns how many reminders it planned.
func (s *Service) PlanAnnualReports(ctx context.Context) (int, error) {
	if len(s.o.AnnualRoles) == 0 {
		return 0, nil
	}
	now := s.clock()
	year := calendar.DateOf(now).Year
	from := calendar.NewDate(year, s.o.AnnualFrom.Month, s.o.AnnualFrom.Day)
	dueDay := calendar.NewDate(year, s.o.AnnualDue.Month, s.o.AnnualDue.Day)
	due := dueDay.End()
	if calendar.DateOf(now).Before(from) || !now.Before(due) {
		return 0, nil
	}
	roles := make([]string, len(s.o.AnnualRoles))
	for i, r := range s.o.AnnualRoles {
		roles[i] = string(r)
	}
	var members []struct {
		OrgID  int64
		UserID int64
	}
	types := make([]string, len(s.o.AnnualOrgTypes))
	for i, t := range s.o.AnnualOrgTypes {
		types[i] = string(t)
	}
	err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT m.org_id, m.user_id FROM memberships m
JOIN orgs o ON o.id = m.org_id AND o.active AND (cardinality(?::text[]) = 0 OR o.type = ANY (?::text[]))
JOIN users u ON u.id = m.user_id AND u.active
WHERE m.role = ANY (?::text[]) ORDER BY m.org_id, m.user_id`, pgTextArray(types), pgTextArray(types), pgTextArray(roles)).Scan(&members).Error
	if err != nil {
		return 0, fmt.Errorf("annual report: who owes one: %w", err)
	}
	if len(members) == 0 {
		return 0, nil
	}
	open := s.o.SendTime.on(from)
	if open.Before(now) {
		open = now
	}
	type stageAt struct {
		name string
		at   any
	}
	stages := []stageAt{{StageAnnualOpen, open}}
	for _, p := range planStages(s.o.Calendar, s.o.SendTime, s.o.Stages, due, now) {
		if !p.Past {
			stages = append(stages, stageAt{p.Name, p.SendAt})
		}
	}
	var planned int
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		const perStatement = 500
		for start := 0; start < len(members); start += perStatement {
			chunk := members[start:min(start+perStatement, len(members))]
			var sb strings.Builder
			args := make([]any, 0, len(chunk)*len(stages)*6)
			sb.WriteString(`INSERT INTO reminders (org_id, topic, stage, due_at, send_at, recipient_user_id) VALUES `)
			first := true
			for _, m := range chunk {
				for _, st := range stages {
					if !first {
						sb.WriteString(", ")
					}
					first = false
					sb.WriteString("(?, ?, ?, ?, ?, ?)")
					args = append(args, m.OrgID, TaskAnnual, st.name, due, st.at, m.UserID)
				}
			}
			sb.WriteString(` ON CONFLICT (org_id, due_at, stage, recipient_user_id) WHERE deadline_id IS NULL DO NOTHING`)
			res := tx.Exec(sb.String(), args...)
			if res.Error != nil {
				return res.Error
			}
			planned += int(res.RowsAffected)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("annual report: plan reminders: %w", err)
	}
	return planned, nil
}
