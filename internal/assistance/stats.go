package assistance

import (
	"context"
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Stats are the applications a centre received in a period (by the day
// submitted): how many, where each stands now, and by kind of help asked
// for. Each figure counts the rows of the application list with the
// matching filters (status, help, submitted_from/submitted_to).
type Stats struct {
	Submitted int
	// ByStatus: every status, in the order of Statuses, even when zero.
	ByStatus []StatusCount
	// ByHelp: every kind of help, in the order of Helps; an application
	// asking for two kinds counts in both rows.
	ByHelp []HelpCount
}

// StatusCount is how many of the period's applications are in a status.
type StatusCount struct {
	Status Status
	N      int
}

// HelpCount is how many of the period's applications asked for a kind of
// help, and how many of those were approved.
type HelpCount struct {
	Help            Help
	Asked, Approved int
}

// Stats answers the figures of the applications submitted in [from, to)
// to the centres the actor reviews for (to every centre for the
// leadership office); ok is false for an actor who reviews for none (an
// applicant reads its applications, not figures).
func (s *Service) Stats(ctx context.Context, from, to time.Time) (out Stats, ok bool, err error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Stats{}, false, err
	}
	v := s.viewerOf(a)
	if len(v.centers) == 0 && !v.all {
		return Stats{}, false, nil
	}
	centers := v.centers
	if centers == nil {
		centers = []int64{}
	}
	var rows []struct {
		Status   Status
		Help     Help
		N        int
		Approved int
	}
	// One pass: by status (help ''), and by each kind of help asked for.
	err = s.d.DB.WithContext(ctx).Raw(`SELECT a.status, '' AS help, count(*) AS n, 0 AS approved FROM assistance_applications a
WHERE (a.center_org_id IN @centers OR @all) AND a.created_at >= @from AND a.created_at < @to GROUP BY a.status
UNION ALL
SELECT '', h.help, count(*), count(*) FILTER (WHERE a.status = 'approved') FROM assistance_applications a
CROSS JOIN LATERAL unnest(a.help_wanted) AS h(help)
WHERE (a.center_org_id IN @centers OR @all) AND a.created_at >= @from AND a.created_at < @to GROUP BY h.help`,
		map[string]any{"centers": centers, "all": v.all, "from": from, "to": to}).Scan(&rows).Error
	if err != nil {
		return Stats{}, false, fmt.Errorf("assistance statistics: %w", err)
	}
	for _, st := range Statuses {
		c := StatusCount{Status: st}
		for _, r := range rows {
			if r.Help == "" && r.Status == st {
				c.N = r.N
			}
		}
		out.ByStatus = append(out.ByStatus, c)
		out.Submitted += c.N
	}
	for _, h := range Helps {
		c := HelpCount{Help: h}
		for _, r := range rows {
			if r.Status == "" && r.Help == h {
				c.Asked, c.Approved = r.N, r.Approved
			}
		}
		out.ByHelp = append(out.ByHelp, c)
	}
	return out, true, nil
}
