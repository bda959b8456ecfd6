// Package app wires ipmediate together: configuration -> database and
// Redis -> stores -> services -> HTTP server and background worker. The
// command line and the end-to-end tests both start the system through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/association"
	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/authz"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/i18n"
	"github.com/ipmediate/ipmediate/internal/idempotency"
	"github.com/ipmediate/ipmediate/internal/identity"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/org"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/pii"
	"github.com/ipmediate/ipmediate/internal/recordation"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/register"
	"github.com/ipmediate/ipmediate/internal/report"
	"github.com/ipmediate/ipmediate/internal/seed"
	"github.com/ipmediate/ipmediate/internal/service"
	"github.com/ipmediate/ipmediate/internal/stats"
	"github.com/ipmediate/ipmediate/internal/warning"
	"github.com/ipmediate/ipmediate/internal/web"
	"github.com/ipmediate/ipmediate/internal/worker"
)

// Options adjust how New starts the system.
type Options struct {
	// Demo seeds the demo organisations and users at start. Refused in
	// production.
	Demo bool
	// DemoCases also files and works the demo dispute cases through the
	// case service (implies Demo). serve --demo and seed set it; tests
	// ask for it with apptest.WithDemoCases, as it costs seconds.
	DemoCases bool
	// Logger replaces the logger built from the configuration (tests).
	Logger *slog.Logger
	// TimeTravel lets the demo's clock be moved ahead (/admin/clock), so
	// that reminders and escalations due days later can be shown now.
	// Demo mode only.
	TimeTravel bool
	// Clock replaces the wall clock (tests start the app on a clock set to
	// an instant they choose; see internal/testenv). With TimeTravel the
	// demo's clock page may move it too.
	Clock *clock.Clock
}

// App is the running system's parts.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *gorm.DB
	Redis    *redis.Client
	Orgs     *org.Store
	OrgSvc   *org.Service
	Audit    *audit.Log
	Authz    *authz.Enforcer
	Identity *identity.Service
	Cases    *cases.Service
	Docs     *document.Service
	Sessions *scs.SessionManager
	PII      *pii.Cipher
	Web      *web.Server
	// DemoLogins lists the demo users after a demo seed.
	DemoLogins []seed.Login
	// Clock is every service's "now": the wall clock, or in a demo with
	// time travel a clock that can be moved ahead.
	Clock *clock.Clock

	// Deadlines keeps the legal deadlines (docs/design.md §6); the case service
	// opens, moves and closes them in its actions.
	Deadlines *deadline.Service
	// DeadlinesRecomputed is what the recomputation of provisional
	// deadlines at start did.
	DeadlinesRecomputed deadline.RecomputeReport

	// Notify plans reminders and delivers notifications (docs/design.md §6, §7).
	Notify *notify.Service

	// Referrals is court docking and inter-agency referral (docs/design.md §5).
	Referrals *referral.Service

	// Assistance is SME rights-protection assistance and the exhibition
	// fast track (docs/design.md §8).
	Assistance *assistance.Service
	// Warnings is the industry risk warnings and their drafting rule.
	Warnings *warning.Service
	// Served is the service of documents on the parties (送达).
	Served *service.Service
	// Party is the parties online: personal access links, one-time codes
	// and the party's own view of its case.
	Party *party.Service
	// Credit is the IP credit records with their due process
	// (docs/design.md §9).
	Credit *credit.Service
	// Recordations is the customs recordation register (docs/design.md §5).
	Recordations *recordation.Service
	// Associations is an industry association working for its member
	// enterprises (docs/design.md §15).
	Associations *association.Service
	// Dossiers archives closed cases as their dossiers (卷宗,
	// docs/design.md §4).
	Dossiers *dossier.Service

	// Reads serves lists, statistics and exports from read replicas when
	// database.replica_urls names any, else from DB (internal/database).
	Reads *database.Reads
	// Register is the mediator register, the parties' feedback and their
	// complaints about mediators (docs/design.md §17).
	Register *register.Service

	// Stats answers the headline numbers of "my work" (docs/design.md §10, §14).
	Stats *stats.Service
	// Reports are the annual work reports to the leadership office.
	Reports *report.Service

	// cal and rules are the working-day calendar and the deadline rules
	// (legal.*), loaded once per process.
	cal   *calendar.Calendar
	rules calendar.Rules
	// texts are the message catalogs (web/i18n), loaded once per process
	// for the pages and for the notices the worker renders.
	texts *i18n.Translator

	registry *prometheus.Registry
	queues   *asynqmon.HTTPHandler
	blobs    *document.Blobs
	bgCancel context.CancelFunc
	bgDone   chan struct{}

	// mailer sends e-mail (nil without smtp settings): the notifications'
	// channel, and the parties' links and notices of service.
	mailer *notify.SMTPMailer
	// quickRedis is the Redis client for calls on a request's path (the
	// login throttle, the queue monitor's check): each gives up after
	// ThrottleRedisWait, so a Redis outage cannot stall requests.
	quickRedis *redis.Client
	// redisConn says how Redis is reached (directly or through Sentinel).
	redisConn redisConn
}

// New opens the database (creating and migrating it when configured),
// connects Redis, and builds the HTTP server. Redis being down does not
// stop start-up: /readyz reports it and jobs wait for it.
func New(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	if (opts.Demo || opts.DemoCases) && cfg.Env == "production" {
		return nil, errors.New("demo mode is refused when env is production")
	}
	// Load checks this too; checking here as well holds for every caller
	// that builds its configuration another way.
	if err := cfg.Security.CheckKeys(cfg.Env); err != nil {
		return nil, err
	}
	if opts.TimeTravel && !opts.Demo && !opts.DemoCases {
		return nil, errors.New("time travel is for demo mode only: add --demo")
	}
	log := opts.Logger
	if log == nil {
		log = NewLogger(cfg.Log, os.Stderr)
	}
	clk := opts.Clock
	switch {
	case clk == nil:
		clk = clock.New(opts.TimeTravel)
	case opts.TimeTravel:
		clk.AllowTravel()
	}
	a := &App{Config: cfg, Log: log, Clock: clk}
	if cfg.Database.AutoMigrate {
		created, err := database.EnsureDatabase(ctx, cfg.Database.URL)
		if err != nil {
			return nil, err
		}
		if created {
			log.Info("database created", "url", config.Redacted(cfg.Database.URL))
		}
	}
	db, err := database.Open(ctx, cfg.Database, log, database.WithClock(clk.Now))
	if err != nil {
		return nil, err
	}
	a.DB = db
	if cfg.Database.AutoMigrate {
		sqlDB, err := db.DB()
		if err != nil {
			a.Close()
			return nil, err
		}
		if err := database.Migrate(ctx, sqlDB, log); err != nil {
			a.Close()
			return nil, err
		}
	}
	if a.Reads, err = database.OpenReads(ctx, db, cfg.Database, log); err != nil {
		a.Close()
		return nil, err
	}
	a.Reads.Start()
	rconn, err := newRedisConn(cfg.Redis)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.redisConn = rconn
	a.Redis = rconn.client()
	a.quickRedis = rconn.quick(ThrottleRedisWait)
	if err := a.buildServices(ctx); err != nil {
		a.Close()
		return nil, err
	}
	// Parties written before the phones' blind index (migration 0040) get
	// theirs now; with nothing to do this is one query on an empty index.
	if err := party.LogBackfill(ctx, a.DB, a.PII, a.Log); err != nil {
		a.Close()
		return nil, err
	}
	// The case timeline and the audit log are partitioned by year
	// (migration 0043): this year's and next year's partitions are made
	// now, and by the worker's scheduler as the years turn.
	if err := database.LogPartitions(ctx, a.DB, a.Clock.Now(), a.Log); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.Env == "production" {
		if err := a.checkDemoAccounts(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	// Deadlines computed on a provisional calendar are recomputed at every
	// start: a release that brings a year's official holiday file settles
	// them (and moves the cases' due dates) before anyone reads them. It
	// is cheap when there is nothing to do (one indexed query) and safe
	// when many processes start together (each deadline is locked).
	if a.DeadlinesRecomputed, err = a.Deadlines.RecomputeProvisional(ctx); err != nil {
		a.Log.Error("recompute provisional deadlines", "err", err)
	}

	if opts.Demo || opts.DemoCases {
		seedFn := a.Seed
		if opts.DemoCases {
			seedFn = a.SeedWithCases
		}
		res, err := seedFn(ctx)
		if err != nil {
			a.Close()
			return nil, err
		}
		a.DemoLogins = res.Logins
	}
	var demoUsers []web.DemoUser
	for _, l := range a.DemoLogins {
		demoUsers = append(demoUsers, web.DemoUser{Username: l.Username, Role: string(l.Role), Org: l.OrgName})
	}

	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv, err := web.NewServer(web.Deps{
		Config:         cfg.HTTP,
		Texts:          a.texts,
		Logger:         log,
		Registry:       a.registry,
		Sessions:       a.Sessions,
		Identity:       a.Identity,
		Orgs:           a.OrgSvc,
		Audit:          a.Audit,
		Authz:          a.Authz,
		DemoUsers:      demoUsers,
		Cases:          a.Cases,
		Deadlines:      a.Deadlines,
		Documents:      a.Docs,
		Notify:         a.Notify,
		Referrals:      a.Referrals,
		Assistance:     a.Assistance,
		Credit:         a.Credit,
		Warnings:       a.Warnings,
		Service:        a.Served,
		Party:          a.Party,
		Recordations:   a.Recordations,
		Associations:   a.Associations,
		Dossiers:       a.Dossiers,
		Register:       a.Register,
		Queues:         a.queues,
		QueuesPing:     func(ctx context.Context) error { return a.quickRedis.Ping(ctx).Err() },
		Clock:          a.Clock,
		Stats:          a.Stats,
		Reports:        a.Reports,
		Once:           idempotency.New(a.DB),
		Replicas:       a.Reads.States,
		ReadYourWrites: cfg.Database.ReadYourWrites,
		MaxUploadBytes: cfg.Storage.MaxUploadBytes,
		Ready: []web.Check{
			{Name: "postgres", Ping: func(ctx context.Context) error {
				sqlDB, err := a.DB.DB()
				if err != nil {
					return err
				}
				return sqlDB.PingContext(ctx)
			}},
			{Name: rconn.checkName(), Ping: func(ctx context.Context) error { return a.Redis.Ping(ctx).Err() }},
		},
	})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("build web server: %w", err)
	}
	a.Web = srv
	return a, nil
}

// buildServices constructs the stores and services in dependency order
// and starts the background listener that keeps authorization in step
// with other processes.
func (a *App) buildServices(ctx context.Context) error {
	cfg := a.Config
	keys, err := pii.ParseKeys(cfg.Security.PIIKeys)
	if err != nil {
		return &config.SettingError{Setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)", Problem: err.Error()}
	}
	hkey, err := pii.ParseKey(cfg.Security.PIIHMACKey)
	if err != nil {
		return &config.SettingError{Setting: "security.pii_hmac_key (IPM_SECURITY_PII_HMAC_KEY)", Problem: err.Error()}
	}
	if a.PII, err = pii.New(keys, cfg.Security.PIIActiveKey, hkey); err != nil {
		return &config.SettingError{Setting: "security.pii_active_key (IPM_SECURITY_PII_ACTIVE_KEY)", Problem: err.Error()}
	}
	a.Audit = audit.New(a.DB, nil)
	if a.Authz, err = authz.NewFromFile(ctx, a.DB, a.Log, cfg.Legal.PolicyFile); err != nil {
		return &config.SettingError{Setting: "legal.policy_file (IPM_LEGAL_POLICY_FILE)", Problem: err.Error()}
	}
	a.Orgs = org.NewStore(a.DB)
	a.OrgSvc = org.NewService(org.Deps{DB: a.DB, Store: a.Orgs, Authz: a.Authz, Audit: a.Audit})
	now := a.Clock.Now
	throttle := identity.NewThrottle(a.quickRedis, cfg.Security.LoginRatePerMinute, a.Log, time.Now)
	a.Identity = identity.NewService(identity.Deps{DB: a.DB, Roles: a.Authz, Audit: a.Audit, Orgs: a.Orgs, PII: a.PII, Throttle: throttle,
		Policy: identity.Policy{
			MaxFailures: cfg.Security.LoginMaxFailures, Lockout: cfg.Security.LockoutDuration, TokenTTL: cfg.Security.TokenTTL,
			RegisterPerHour: cfg.Security.RegisterRatePerHour,
		},
		// Lockouts and sessions run on real time, never the demo clock.
		Now: time.Now, Log: a.Log})

	cal, rules, err := loadLegal(cfg.Legal)
	if err != nil {
		return err
	}
	a.cal, a.rules = cal, rules
	if a.texts, err = loadTexts(); err != nil {
		return err
	}
	if err := a.buildNotify(); err != nil {
		return err
	}
	if a.blobs, err = document.NewBlobs(cfg.Storage.Dir); err != nil {
		return &config.SettingError{Setting: "storage.dir (IPM_STORAGE_DIR)", Problem: err.Error()}
	}
	c := a.capabilities(now)
	a.Deadlines, a.Cases, a.Docs, a.Referrals, a.Assistance, a.Credit = c.Deadlines, c.Cases, c.Docs, c.Referrals, c.Assistance, c.Credit
	a.Warnings = c.Warnings
	a.Served = c.Served
	a.Party = c.Party
	a.Recordations = c.Recordations
	a.Associations = c.Associations
	a.Dossiers = c.Dossiers
	a.Register = c.Register
	a.Stats = stats.New(stats.Deps{Reads: a.Reads, Authz: a.Authz, Now: now, Log: a.Log})
	dueRule, _ := rules.Rule(notify.RuleAnnualReport) // loadLegal required it
	due, err := monthDay(dueRule.On)
	if err != nil {
		return fmt.Errorf("configs/deadlines.yaml: rule annual_report: %w", err)
	}
	if a.Reports, err = report.New(report.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, Notify: a.Notify, Cases: a.Stats,
		Referrals: a.Referrals, OwedBy: annualOrgTypes(cfg), Due: due, Now: now, Log: a.Log}); err != nil {
		return err
	}

	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	sm := scs.New()
	sm.Store = postgresstore.NewWithCleanupInterval(sqlDB, 10*time.Minute)
	sm.IdleTimeout = cfg.Security.SessionIdleTimeout
	sm.Lifetime = cfg.Security.SessionLifetime
	sm.Cookie.Name = "ipm_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(cfg.HTTP.BaseURL, "https://")
	sm.Cookie.Persist = false // ends with the browser: shared office computers
	a.Sessions = sm

	bg, cancel := context.WithCancel(context.Background())
	a.bgCancel, a.bgDone = cancel, make(chan struct{})
	go func() {
		defer close(a.bgDone)
		if err := a.Authz.Listen(bg); err != nil && bg.Err() == nil {
			a.Log.Error("authorization listener stopped", "err", err)
		}
	}()
	return nil
}

// Capabilities are the capability services, built together on one clock.
type Capabilities struct {
	Deadlines  *deadline.Service
	Cases      *cases.Service
	Docs       *document.Service
	Referrals  *referral.Service
	Assistance *assistance.Service
	Credit     *credit.Service
	Warnings   *warning.Service
	// Recordations is the customs recordation register.
	Recordations *recordation.Service
	// Associations files through Cases.
	Associations *association.Service
	// Dossiers reads cases through Cases.
	Dossiers *dossier.Service
	// Served serves the printed notices on the parties.
	Served *service.Service
	// Party is the parties online (docs/design.md §16).
	Party *party.Service
	// Register is the mediator register, feedback and complaints.
	Register *register.Service
}

// capabilities builds the capability services on the clock now, in
// dependency order, each given everything it uses at construction: no
// service is completed afterwards. The application builds them once on
// its own clock; the demo seeder builds them again the same way on the
// clock it moves through the past months (SeedWithCases). They share the
// process's database, authorization, audit log, cipher, file store,
// calendar and rules, and notification service (on the application's
// clock).
func (a *App) capabilities(now func() time.Time) Capabilities {
	cfg := a.Config
	dl := deadline.NewService(deadline.Deps{DB: a.DB, Calendar: a.cal, Rules: a.rules, Authz: a.Authz, Now: now, Log: a.Log})
	// Every deadline opened, moved, closed or handed over plans (or
	// cancels) its reminders in the transaction of that change.
	dl.OnChange("notify", func(ctx context.Context, tx *gorm.DB, d deadline.Deadline) error {
		return a.Notify.PlanTx(ctx, tx, d.ID)
	})
	cs := cases.NewService(cases.Deps{DB: a.DB, Reads: a.Reads, Authz: a.Authz, Audit: a.Audit, PII: a.PII, Deadlines: dl, Notices: a.Notify, Now: now, Log: a.Log})
	docs := document.NewService(document.Deps{DB: a.DB, Blobs: a.blobs, Cases: cs, Referrals: referral.NewFiles(a.DB, a.Authz), Audit: a.Audit,
		MaxBytes: cfg.Storage.MaxUploadBytes, Now: now})
	cr := credit.NewService(credit.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, PII: a.PII, Deadlines: dl, Notify: a.Notify,
		Now: now, Log: a.Log})
	refs := referral.NewService(referral.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, PII: a.PII, Cases: cs, Deadlines: dl, Documents: docs,
		Notify: a.Notify, AppCheck: assistance.CheckReferable, Credit: cr, Now: now, Log: a.Log})
	as := assistance.NewService(assistance.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, PII: a.PII, Cases: cs,
		Deadlines: dl, Documents: docs, Notify: a.Notify, Blobs: a.blobs, Referrals: refs, MaxUploadBytes: cfg.Storage.MaxUploadBytes,
		Now: now, Log: a.Log})
	w := cfg.Warnings
	ws := warning.NewService(warning.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, Notify: a.Notify, Now: now, Log: a.Log,
		Settings: warning.Settings{RespondentMatters: w.RespondentMatters, RespondentDays: w.RespondentDays,
			IndustryCases: w.IndustryCases, IndustryDays: w.IndustryDays, DraftOrg: w.DraftOrg}})
	rec := recordation.NewService(recordation.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, Deadlines: dl, Now: now, Log: a.Log})
	assoc := association.NewService(association.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, Notify: a.Notify, Cases: cs,
		Now: now, Log: a.Log})
	pc := cfg.Party
	pd := party.Deps{DB: a.DB, Cases: cs, Authz: a.Authz, Audit: a.Audit, PII: a.PII, Texts: a.texts, Timeline: cs, Notify: a.Notify, Signer: cs, BaseURL: cfg.HTTP.BaseURL,
		Settings: party.Settings{LinkTTL: pc.LinkTTL, CodeTTL: pc.CodeTTL, CodeAttempts: pc.CodeAttempts,
			CodesPerHour: pc.CodesPerHour, SessionIdle: pc.SessionIdle}, Now: now, Log: a.Log}
	// Links and codes go straight through the gateway, never through
	// the outbox, so that they are stored nowhere.
	if s := cfg.SMS; s.GatewayURL != "" {
		pd.SMS = notify.NewSMSGateway(notify.SMSConfig{URL: s.GatewayURL, Token: s.Token, TokenHeader: s.TokenHeader, Timeout: s.Timeout})
	}
	if a.mailer != nil {
		pd.Mail = a.mailer
	}
	ps := party.NewService(pd)
	served := service.New(service.Deps{DB: a.DB, Blobs: a.blobs, Cases: cs, Authz: a.Authz, Audit: a.Audit,
		Teller: ps.Teller(service.InboxTeller{Notify: a.Notify}), Texts: func(key string) string { return a.texts.T("zh-CN", key, nil) },
		OpenWithin: cfg.Service.OpenWithin, Now: now, Log: a.Log})
	// The other capabilities' material in every dossier, in order.
	var sections []dossier.Section
	// The proof of service (送达回证) of every notice served on the parties.
	sections = append(sections, served.DossierSection())
	// The parties' choices of mediator and their attendance answers.
	sections = append(sections, ps.DossierSection())
	dos := dossier.New(dossier.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, Cases: cs, Store: a.blobs,
		Words: func(id string) string { return a.texts.T("zh-CN", id, nil) }, Sections: sections, Now: now, Log: a.Log})
	reg := register.New(register.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, Notify: a.Notify, Deadlines: dl, Cases: cs,
		PII: a.PII, Now: now})
	// Ended cases invite their enterprise parties to rate them.
	cs.OnOutcome("register", reg.CaseOutcome)
	return Capabilities{Deadlines: dl, Cases: cs, Docs: docs, Referrals: refs, Assistance: as, Credit: cr, Warnings: ws,
		Recordations: rec, Associations: assoc, Dossiers: dos, Served: served, Party: ps, Register: reg}
}

// CapabilitiesAt builds a second set of the capability services, wired
// exactly as the application's, on the clock now (tests that move a
// service's clock without moving the application's).
func (a *App) CapabilitiesAt(now func() time.Time) Capabilities { return a.capabilities(now) }

// Seed writes the demo organisations and users (idempotent).
func (a *App) Seed(ctx context.Context) (seed.Result, error) {
	return seed.New(a.Orgs, a.Identity, a.Log).Run(ctx)
}

// SeedWithCases writes the demo organisations and users and then files and
// works the demo dispute cases (idempotent), through services wired as the
// application's own.
func (a *App) SeedWithCases(ctx context.Context) (seed.Result, error) {
	return seed.New(a.Orgs, a.Identity, a.Log).WithCases(seed.CaseDeps{DB: a.DB, Now: a.Clock.Now,
		Services: func(now func() time.Time) seed.Services {
			c := a.capabilities(now)
			return seed.Services{Cases: c.Cases, Referrals: c.Referrals, Assistance: c.Assistance, Credit: c.Credit,
				Warnings: c.Warnings, Recordations: c.Recordations, Associations: c.Associations}
		}}).Run(ctx)
}

// ServeHTTP serves on ln until ctx is cancelled (SIGTERM), then stops in
// three steps: for the drain (http.shutdown_drain) it keeps serving while
// /readyz answers 503 and responses close their connections, so that a
// load balancer takes the instance out before anything is refused; then
// it closes the listener; then it lets in-flight requests finish within
// the shutdown timeout. A request's context is not cancelled by the stop,
// so a write in progress commits and its client gets the answer.
func (a *App) ServeHTTP(ctx context.Context, ln net.Listener) error {
	hs := a.Web.NewHTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	a.Web.SetDraining()
	if drain := a.Config.HTTP.Drain(); drain > 0 {
		a.Log.Info("draining http server: /readyz answers 503, requests are still served", "drain", drain)
		hs.SetKeepAlivesEnabled(false)
		t := time.NewTimer(drain)
		select {
		case <-t.C:
		case err := <-errc:
			t.Stop()
			return fmt.Errorf("http server: %w", err)
		}
	}
	a.Log.Info("shutting down http server", "timeout", a.Config.HTTP.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.HTTP.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// MetricsHandler serves the Prometheus metrics of this process.
func (a *App) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)})
}

// ServeMetrics serves /metrics (and nothing else) on ln, the listener of
// http.metrics_addr, until ctx is cancelled. It is apart from the public
// listener because metrics tell anyone who reads them the routes, the
// traffic and the process's internals.
func (a *App) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.MetricsHandler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("metrics server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("metrics server shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// PartitionInterval is how often the worker's scheduler makes the coming
// year's partitions; a year's partition exists a year before it is needed,
// so a missed run costs nothing.
const PartitionInterval = 6 * time.Hour

// RunWorker runs the background worker until ctx is cancelled.
func (a *App) RunWorker(ctx context.Context) error {
	handlers, jobs := a.notifyWork()
	jobs = append(jobs, worker.AssistanceJobs(a.Assistance, a.Assistance, worker.AssistanceInterval)...)
	jobs = append(jobs, worker.DeadlineJobs(a.Deadlines, a.Audit, worker.DeadlineInterval)...)
	jobs = append(jobs, worker.CreditJobs(a.Credit, worker.CreditInterval)...)
	jobs = append(jobs, worker.WarningJobs(a.Warnings, worker.WarningInterval)...)
	jobs = append(jobs, worker.Job{Name: "partitions", Every: PartitionInterval, Run: func(ctx context.Context) error {
		return database.LogPartitions(ctx, a.DB, a.Clock.Now(), a.Log)
	}})
	r := a.Config.Reminders
	w := worker.New(worker.Deps{DB: a.DB, Redis: a.Redis, Logger: a.Log, Concurrency: a.Config.Worker.Concurrency,
		Handlers: handlers, Jobs: jobs, RetryDelay: worker.Backoff(r.RetryBackoff, r.RetryBackoffMax)})
	return w.Run(ctx)
}

// Close releases the database and Redis connections.
func (a *App) Close() {
	if a.bgCancel != nil {
		a.bgCancel()
		<-a.bgDone
		a.bgCancel = nil
	}
	if a.Sessions != nil {
		if st, ok := a.Sessions.Store.(*postgresstore.PostgresStore); ok {
			st.StopCleanup()
		}
	}
	if a.blobs != nil {
		_ = a.blobs.Close()
	}
	if a.queues != nil {
		_ = a.queues.Close()
		a.queues = nil
	}
	if a.Redis != nil {
		_ = a.Redis.Close()
	}
	if a.quickRedis != nil {
		_ = a.quickRedis.Close()
		a.quickRedis = nil
	}
	if a.Reads != nil {
		a.Reads.Close()
	}
	if a.DB != nil {
		if sqlDB, err := a.DB.DB(); err == nil {
			_ = sqlDB.Close()
		}
	}
}

// NewLogger builds the structured logger the configuration asks for.
func NewLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level))
	hopts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, hopts))
	}
	return slog.New(slog.NewJSONHandler(w, hopts))
}

// loadLegal loads the holiday calendar and the deadline rules as
// configured (legal.*: files over the embedded ones) and checks that the
// rules define every rule id the code opens deadlines with, so that a
// renamed or dropped rule stops the start, naming it, instead of failing
// a clerk's action later.
func loadLegal(l config.Legal) (*calendar.Calendar, calendar.Rules, error) {
	cal, rules, err := calendar.LoadLegal(l.HolidaysDir, l.RulesFile)
	if err != nil {
		return nil, calendar.Rules{}, &config.SettingError{Setting: "legal.holidays_dir / legal.rules_file", Problem: err.Error()}
	}
	if err := rules.Require(UsedRules()...); err != nil {
		setting := "configs/deadlines.yaml"
		if l.RulesFile != "" {
			setting = "legal.rules_file (IPM_LEGAL_RULES_FILE)"
		}
		return nil, calendar.Rules{}, &config.SettingError{Setting: setting, Problem: err.Error()}
	}
	return cal, rules, nil
}

// UsedRules lists every deadline rule id the code opens deadlines with:
// the case actions', the referral steps', assistance's and the annual
// report's.
func UsedRules() []string {
	ids := slices.Concat(deadline.CaseDeadlineRules, referral.DeadlineRules, assistance.DeadlineRules, register.DeadlineRules)
	return append(ids, notify.RuleAnnualReport)
}
