package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func newDeadlineCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deadline",
		Short: "Legal deadlines: list the rules, compute a due date, recompute provisional ones",
		Long: `Legal time limits (docs/design.md §6) are rules in configs/deadlines.yaml (limit,
unit, extension, legal basis), counted on the Chinese working-day calendar
of configs/holidays/<year>.yaml, both built into the binary.

How a period is counted (Civil Code arts. 200–204): the event's own day is
not counted; a period in months or years ends on the corresponding day (or
the month's last day); a last day that is a rest day (weekend or public
holiday) moves to the next working day, a make-up working day (调休上班)
being a working day; the last day ends at 24:00 Beijing time; working-day
periods count working days only; a period in hours runs from the event's
moment.

A year whose official holiday arrangement is not published yet is counted
on a provisional calendar (the statutory holidays, lunar dates included):
such a result says "provisional", and stored deadlines computed on it are
recomputed when the official file ships (at every start of serve and
worker, or with "ipmediate deadline recompute").`,
	}
	cmd.AddCommand(newDeadlineRulesCmd(g), newDeadlineCalcCmd(g), newDeadlineRecomputeCmd(g))
	return cmd
}

// deadlineService is a service for computing only (no database), on the
// calendar and rules the configuration names (legal.*), as serve uses.
func deadlineService(g *globalFlags) (*deadline.Service, error) {
	cfg, err := loadConfig(g)
	if err != nil {
		return nil, err
	}
	cal, rules, err := calendar.LoadLegal(cfg.Legal.HolidaysDir, cfg.Legal.RulesFile)
	if err != nil {
		return nil, err
	}
	return deadline.NewService(deadline.Deps{Calendar: cal, Rules: rules}), nil
}

func newDeadlineRulesCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List the deadline rules: id, limit, unit, whether extendable, legal basis",
		Long: `List every rule of configs/deadlines.yaml as a table: the id that
deadlines and "deadline calc --rule" refer to, the limit and its unit
(calendar_days, working_days, months, years, hours, or an annual date),
whether and by how much the period may be extended, and the legal basis.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := deadlineService(g)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tLIMIT\tUNIT\tEXTENDABLE\tBASIS")
			for _, r := range svc.Rules() {
				limit := fmt.Sprint(r.Limit)
				if r.Unit == calendar.AnnualDate {
					limit = r.On
				}
				ext := "no"
				if r.Extendable {
					ext = "yes"
					if e := r.Extension; e != nil && e.Limit > 0 {
						ext = fmt.Sprintf("yes, +%d %s", e.Limit, e.Unit)
					}
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, limit, r.Unit, ext, r.Basis)
			}
			return w.Flush()
		},
	}
}

func newDeadlineCalcCmd(g *globalFlags) *cobra.Command {
	var rule, from string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "calc --rule RULE --from TIME",
		Short: "Compute when a rule's period runs out for an event",
		Long: `Compute the deadline of a rule for an event, as a clerk checks a date
before acting: the due time, the last day of the period, whether the
working-day calendar was provisional, the legal basis and how the date was
reached. Nothing is stored.

--from is the event's time: RFC 3339 with an offset, seconds optional
(2026-09-28T10:00:00+08:00, 2026-09-28T10:00+08:00), or a Beijing local time
(2026-09-28T10:00), or a Beijing date (2026-09-28, read as 00:00). "ipmediate deadline rules" lists the rule ids.`,
		Example: `  ipmediate deadline calc --rule mediation.court_delegated --from 2026-09-28T10:00:00+08:00
  ipmediate deadline calc --rule mediation.court_delegated --from 2026-01-10T10:00+08:00
  ipmediate deadline calc --rule judicial_confirmation.apply --from 2026-10-22 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(rule) == "" {
				return errors.New("--rule is required (see ipmediate deadline rules)")
			}
			if strings.TrimSpace(from) == "" {
				return errors.New("--from is required: the time of the event the period runs from")
			}
			svc, err := deadlineService(g)
			if err != nil {
				return err
			}
			if _, ok := svc.Rule(strings.TrimSpace(rule)); !ok {
				return fmt.Errorf("--rule: no rule %q (see ipmediate deadline rules)", rule)
			}
			t, err := deadline.ParseEventTime(from)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			res, err := svc.Calculate(rule, t)
			if err != nil {
				var de *domain.Error
				if errors.As(err, &de) && len(de.Fields) > 0 {
					return fmt.Errorf("--%s: %s is outside the years the calendar covers (%d–%d)",
						de.Fields[0].Field, from, calendar.FirstProvisionalYear, calendar.LastYear)
				}
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				years := res.ProvisionalYears
				if years == nil {
					years = []int{}
				}
				return enc.Encode(map[string]any{
					"rule_id": res.Rule.ID, "rule_name": res.Rule.Name, "from": res.Event.In(calendar.Beijing),
					"due_at": res.Due.In(calendar.Beijing), "last_day": res.LastDay.String(),
					"nominal_last_day": res.Nominal.String(), "extended": res.Extended,
					"provisional": res.Provisional, "provisional_years": years,
					"basis": res.Basis, "explanation": res.Explanation,
				})
			}
			yes := func(b bool) string {
				if b {
					return "yes"
				}
				return "no"
			}
			prov := yes(res.Provisional)
			if res.Provisional {
				prov += fmt.Sprintf(" (no official holiday arrangement for %v yet; recompute when it is published)", res.ProvisionalYears)
			}
			last := res.LastDay.String()
			if res.Extended {
				last += fmt.Sprintf(" (moved from %s, a rest day)", res.Nominal)
			}
			w := tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
			fmt.Fprintf(w, "rule:\t%s (%s)\n", res.Rule.ID, res.Rule.Name)
			fmt.Fprintf(w, "from:\t%s\n", res.Event.In(calendar.Beijing).Format("2006-01-02T15:04:05-07:00"))
			fmt.Fprintf(w, "due:\t%s\n", res.Due.In(calendar.Beijing).Format("2006-01-02T15:04:05-07:00"))
			fmt.Fprintf(w, "last day:\t%s\n", last)
			fmt.Fprintf(w, "provisional:\t%s\n", prov)
			fmt.Fprintf(w, "basis:\t%s\n", res.Basis)
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(out, "explanation:")
			for _, line := range strings.Split(strings.TrimRight(res.Explanation, "\n"), "\n") {
				fmt.Fprintln(out, "  "+line)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&rule, "rule", "", "rule id, e.g. mediation.court_delegated (see ipmediate deadline rules)")
	f.StringVar(&from, "from", "", "time of the event the period runs from: 2026-09-28T10:00:00+08:00, 2026-09-28T10:00+08:00, 2026-09-28T10:00 (Beijing) or 2026-09-28")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func newDeadlineRecomputeCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "recompute",
		Short: "Recompute open deadlines computed on a provisional holiday calendar",
		Long: `Recompute every open deadline that was computed on a provisional calendar
(a year without an official holiday arrangement in configs/holidays) with
the calendar of this binary: a deadline whose year now has its official
file moves if it must and stops being provisional, and a case's mediation
due date follows (with a timeline entry and an audit row). serve and worker
do the same at every start; this command does it on demand and reports.
Connects to the database of the configuration (IPM_DATABASE_URL).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			a, err := app.New(cmd.Context(), cfg, app.Options{})
			if err != nil {
				return err
			}
			defer a.Close()
			// app.New has recomputed at start; a second pass reports an
			// error, if any, and whatever the first could not finish.
			rep := a.DeadlinesRecomputed
			again, err := a.Deadlines.RecomputeProvisional(cmd.Context())
			if err != nil {
				return err
			}
			rep.Checked = max(rep.Checked, again.Checked)
			rep.Moved += again.Moved
			rep.Confirmed += again.Confirmed
			fmt.Fprintf(cmd.OutOrStdout(), "provisional deadlines: %d checked, %d moved, %d now official\n",
				rep.Checked, rep.Moved, rep.Confirmed)
			return nil
		},
	}
}
