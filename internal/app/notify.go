package app

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/i18n"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/web"
	"github.com/ipmediate/ipmediate/internal/worker"
	webfs "github.com/ipmediate/ipmediate/web"
)

// annualOrgTypes are the types of organisation that owe the annual work
// report (reminders.annual_report_org_types, checked by config.Validate).
func annualOrgTypes(cfg config.Config) []domain.OrgType {
	out := make([]domain.OrgType, len(cfg.Reminders.AnnualReportOrgTypes))
	for i, t := range cfg.Reminders.AnnualReportOrgTypes {
		out[i] = domain.OrgType(t)
	}
	return out
}

// buildNotify builds the reminder and notification service from the
// reminders, smtp and sms settings, and the job queue monitor.
func (a *App) buildNotify() error {
	cfg := a.Config
	// The calendar and rules the deadline services compute with, parsed
	// once per process.
	cal, rules := a.cal, a.rules
	stages, err := notify.ParseStages(cfg.Reminders.Stages)
	if err != nil {
		return &config.SettingError{Setting: "reminders.stages (IPM_REMINDERS_STAGES)", Problem: err.Error()}
	}
	sendAt, err := notify.ParseClockTime(cfg.Reminders.SendTime)
	if err != nil {
		return &config.SettingError{Setting: "reminders.send_time (IPM_REMINDERS_SEND_TIME)", Problem: err.Error()}
	}
	from, err := monthDay(cfg.Reminders.AnnualReportFrom)
	if err != nil {
		return &config.SettingError{Setting: "reminders.annual_report_from (IPM_REMINDERS_ANNUAL_REPORT_FROM)", Problem: err.Error()}
	}
	rule, ok := rules.Rule(notify.RuleAnnualReport)
	if !ok {
		return fmt.Errorf("deadline rules: the rule %s is missing", notify.RuleAnnualReport)
	}
	due, err := monthDay(rule.On)
	if err != nil {
		return fmt.Errorf("configs/deadlines.yaml: rule annual_report: %w", err)
	}
	var annualRoles []domain.Role
	for _, r := range domain.Roles {
		if r != domain.RoleSysadmin && a.Authz.Allowed(r, "report", "submit") {
			annualRoles = append(annualRoles, r)
		}
	}
	o := notify.Options{
		Calendar: cal, Stages: stages, SendTime: sendAt, EscalateAfter: cfg.Reminders.EscalateAfter,
		AnnualFrom: from, AnnualDue: due, AnnualRoles: annualRoles, AnnualOrgTypes: annualOrgTypes(cfg),
		Texts: a.texts, BaseURL: cfg.HTTP.BaseURL, PII: a.PII, Now: a.Clock.Now, Log: a.Log,
	}
	if s := cfg.SMTP; s.Host != "" {
		m, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password,
			From: s.From, TLS: s.TLS, Timeout: s.Timeout})
		if err != nil {
			return &config.SettingError{Setting: "smtp (IPM_SMTP_*)", Problem: err.Error()}
		}
		o.Email = m
		a.mailer = m
	}
	if s := cfg.SMS; s.GatewayURL != "" {
		o.SMS = notify.NewSMSGateway(notify.SMSConfig{URL: s.GatewayURL, Token: s.Token, TokenHeader: s.TokenHeader, Timeout: s.Timeout})
	}
	if a.Notify, err = notify.New(a.DB, o); err != nil {
		return err
	}
	a.queues = asynqmon.New(asynqmon.Options{RootPath: web.QueuesPath, RedisConnOpt: a.redisConn.asynqOpt()})
	return nil
}

// monthDay parses MM-DD into a date of a leap year, so 02-29 passes; only
// its month and day are used.
func monthDay(s string) (calendar.Date, error) {
	t, err := time.Parse("2006-01-02", "2000-"+s)
	if err != nil {
		return calendar.Date{}, fmt.Errorf("%q is not a day MM-DD", s)
	}
	return calendar.NewDate(2000, t.Month(), t.Day()), nil
}

// notifyWork is the worker's share of reminders: task handlers and the
// scheduler leader's jobs (relay, sweeper, annual report planner).
func (a *App) notifyWork() (map[string]asynq.Handler, []worker.Job) {
	r := a.Config.Reminders
	enq := worker.NewEnqueuer(a.Redis, r.MaxRetry).WithClock(a.Clock.Now)
	jobs := worker.NotifyJobs(a.Notify, enq, worker.NotifySettings{
		RelayInterval: r.RelayInterval, RelayBatch: r.RelayBatch, TaskBatch: r.TaskBatch, Lookahead: r.Lookahead,
		SweepInterval: r.SweepInterval, StaleAfter: r.StaleAfter,
	})
	return worker.NotifyHandlers(a.Notify), jobs
}

// loadTexts loads the message catalogs embedded in the binary.
func loadTexts() (*i18n.Translator, error) {
	ifs, err := fs.Sub(webfs.FS, "i18n")
	if err != nil {
		return nil, err
	}
	return i18n.NewTranslator(ifs)
}
