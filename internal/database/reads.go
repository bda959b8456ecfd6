package database

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"

	"github.com/ipmediate/ipmediate/internal/config"
)

// Reader hands out the connection for reads that may lag the primary by
// a moment: lists, statistics and exports. Everything else, every write
// and every read inside a use case's transaction, uses the primary.
type Reader interface {
	Read(ctx context.Context) *gorm.DB
}

// Direct returns a Reader that reads db itself (no replicas).
func Direct(db *gorm.DB) Reader { return direct{db} }

type direct struct{ db *gorm.DB }

func (d direct) Read(ctx context.Context) *gorm.DB { return d.db.WithContext(ctx) }

type primaryKey struct{}

// WithPrimary marks ctx so that Read answers from the primary: the user
// behind the request has just written and must read their own write.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

func wantsPrimary(ctx context.Context) bool {
	v, _ := ctx.Value(primaryKey{}).(bool)
	return v
}

// ReplicaState is one replica's health as last checked.
type ReplicaState struct {
	// Name is the replica's host:port (never its user or password).
	Name string
	// State is "ok", "lagging" (behind by more than the allowed lag) or
	// "down" (unreachable, or not a standby).
	State string
	// Lag is how far its replay is behind the primary, when reachable.
	Lag time.Duration
}

// replica is one read replica and its health.
type replica struct {
	name  string
	db    *gorm.DB
	state atomic.Value // string
	lag   atomic.Int64 // nanoseconds
}

func (r *replica) ok() bool { s, _ := r.state.Load().(string); return s == "ok" }

// Reads routes reads among streaming replicas with gorm's dbresolver
// plugin. The resolver's replica list is the replicas followed by the
// primary; its policy picks a healthy replica in turn and the primary
// when none is healthy, so a replica that falls behind or goes away costs
// freshness of nothing and availability of nothing: its reads move to the
// primary until it recovers. Health is checked every
// database.replica_check_interval by comparing the replica's replayed WAL
// position with the primary's.
type Reads struct {
	primary  *gorm.DB
	routed   *gorm.DB // primary's pool with dbresolver registered; nil without replicas
	replicas []*replica
	maxLag   time.Duration
	interval time.Duration
	log      *slog.Logger
	next     atomic.Uint64

	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// OpenReads connects to cfg.ReplicaURLs beside primary. A replica that
// cannot be reached at start is not an error: it is logged, reported as
// down (State) and read from once it answers. Only an URL that cannot be
// parsed is an error, naming the replica by its position. Without
// replicas every read goes to the primary.
func OpenReads(ctx context.Context, primary *gorm.DB, cfg config.Database, log *slog.Logger) (*Reads, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reads{primary: primary, maxLag: cfg.ReplicaMaxLag, interval: cfg.ReplicaCheckInterval, log: log, stop: make(chan struct{})}
	if len(cfg.ReplicaURLs) == 0 {
		return r, nil
	}
	primarySQL, err := primary.DB()
	if err != nil {
		return nil, err
	}
	var dialectors []gorm.Dialector
	for i, raw := range cfg.ReplicaURLs {
		pcfg, err := pgx.ParseConfig(raw)
		if err != nil {
			return nil, fmt.Errorf("database.replica_urls[%d]: %w", i, err)
		}
		sqlDB := stdlib.OpenDB(*pcfg)
		sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
		sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
		sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
		rep := &replica{name: hostOf(raw)}
		rep.state.Store("down")
		rep.db, err = gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{SkipDefaultTransaction: true, Logger: primary.Logger, DisableAutomaticPing: true})
		if err != nil {
			return nil, fmt.Errorf("database.replica_urls[%d]: %w", i, err)
		}
		r.replicas = append(r.replicas, rep)
		dialectors = append(dialectors, postgres.New(postgres.Config{Conn: sqlDB}))
	}
	// The primary is the resolver's last "replica": the policy's fallback.
	dialectors = append(dialectors, postgres.New(postgres.Config{Conn: primarySQL}))
	routed, err := gorm.Open(postgres.New(postgres.Config{Conn: primarySQL}), &gorm.Config{
		SkipDefaultTransaction: true,
		Logger:                 primary.Logger,
		NowFunc:                primary.NowFunc,
		TranslateError:         true,
		// The resolver opens each replica with this configuration: a
		// replica that is down at start must not fail the start.
		DisableAutomaticPing: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open read router: %w", err)
	}
	if err := routed.Use(dbresolver.Register(dbresolver.Config{
		Replicas: dialectors,
		Policy:   dbresolver.PolicyFunc(r.resolve),
	})); err != nil {
		return nil, fmt.Errorf("register read replicas: %w", err)
	}
	r.routed = routed
	r.Check(ctx)
	for _, rep := range r.replicas {
		if !rep.ok() {
			log.Warn("read replica not usable at start; reading from the primary until it is", "replica", rep.name, "state", rep.state.Load())
		}
	}
	return r, nil
}

// resolve is the dbresolver policy: pools are the replicas in order and
// then the primary.
func (r *Reads) resolve(pools []gorm.ConnPool) gorm.ConnPool {
	n := len(r.replicas)
	if len(pools) != n+1 {
		return pools[len(pools)-1]
	}
	start := r.next.Add(1)
	for i := 0; i < n; i++ {
		k := int((start + uint64(i)) % uint64(n))
		if r.replicas[k].ok() {
			return pools[k]
		}
	}
	return pools[n]
}

// Read returns the connection for a lag-tolerant read: a healthy replica,
// or the primary when ctx asks for it (WithPrimary), when there are no
// replicas or when none is healthy. Inside a transaction the caller uses
// its transaction, not Read.
func (r *Reads) Read(ctx context.Context) *gorm.DB {
	if r.routed == nil {
		return r.primary.WithContext(ctx)
	}
	if wantsPrimary(ctx) {
		return r.routed.WithContext(ctx).Clauses(dbresolver.Write)
	}
	// An explicit Read sends raw statements that do not begin with SELECT
	// (WITH ...) and transactions begun on the result to the replica too.
	return r.routed.WithContext(ctx).Clauses(dbresolver.Read)
}

// Check measures every replica once: reachable, in recovery, and how far
// its replayed WAL is behind the primary's current position. Caught up
// means no lag; behind means the time since its last replayed
// transaction.
func (r *Reads) Check(ctx context.Context) {
	if len(r.replicas) == 0 {
		return
	}
	var primaryLSN string
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	err := r.primary.WithContext(pctx).Raw(`SELECT pg_current_wal_lsn()::text`).Scan(&primaryLSN).Error
	cancel()
	for _, rep := range r.replicas {
		state, lag := r.measure(ctx, rep, primaryLSN, err == nil)
		if old, _ := rep.state.Load().(string); old != state {
			r.log.Info("read replica state", "replica", rep.name, "from", old, "to", state, "lag", lag)
		}
		rep.state.Store(state)
		rep.lag.Store(int64(lag))
	}
}

func (r *Reads) measure(ctx context.Context, rep *replica, primaryLSN string, havePrimary bool) (string, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var row struct {
		Standby  bool
		Behind   bool
		LagSecs  float64
		Replayed string
	}
	q := `SELECT pg_is_in_recovery() AS standby,
  (? <> '' AND pg_last_wal_replay_lsn() < ?::pg_lsn) AS behind,
  COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8 AS lag_secs,
  COALESCE(pg_last_wal_replay_lsn()::text, '') AS replayed`
	lsn := primaryLSN
	if !havePrimary {
		lsn = ""
	}
	if err := rep.db.WithContext(ctx).Raw(q, lsn, nonEmptyLSN(lsn)).Scan(&row).Error; err != nil {
		return "down", 0
	}
	if !row.Standby {
		return "down", 0
	}
	if !row.Behind {
		return "ok", 0
	}
	lag := time.Duration(row.LagSecs * float64(time.Second))
	if lag > r.maxLag {
		return "lagging", lag
	}
	return "ok", lag
}

// nonEmptyLSN keeps the cast valid when the primary's position is unknown.
func nonEmptyLSN(s string) string {
	if s == "" {
		return "0/0"
	}
	return s
}

// Start checks the replicas every interval until Close.
func (r *Reads) Start() {
	if len(r.replicas) == 0 || r.interval <= 0 {
		return
	}
	r.done.Add(1)
	go func() {
		defer r.done.Done()
		t := time.NewTicker(r.interval)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
				r.Check(context.Background())
			}
		}
	}()
}

// States reports each replica's last measured health, in configuration
// order.
func (r *Reads) States() []ReplicaState {
	out := make([]ReplicaState, len(r.replicas))
	for i, rep := range r.replicas {
		s, _ := rep.state.Load().(string)
		out[i] = ReplicaState{Name: rep.name, State: s, Lag: time.Duration(rep.lag.Load())}
	}
	return out
}

// Close stops the health checks and closes the replicas' pools (the
// primary's pool belongs to its opener).
func (r *Reads) Close() {
	r.once.Do(func() {
		close(r.stop)
		r.done.Wait()
		for _, rep := range r.replicas {
			if db, err := rep.db.DB(); err == nil {
				_ = db.Close()
			}
		}
	})
}
