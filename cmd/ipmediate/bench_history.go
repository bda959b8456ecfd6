package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/database"
)

// benchChains is how many audit chains the history is spread over; their
// organisation ids start at benchChainBase, which no real organisation
// reaches, so the bench's chains never continue a real one.
const (
	benchChains    = 16
	benchChainBase = 9_000_000
)

func newBenchHistoryCmd(g *globalFlags) *cobra.Command {
	var (
		rows, years, runs int
		verify            bool
	)
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Fill the case timeline and the audit log to --rows rows each and time what reads and writes them",
		Long: `Measure the tables that grow without bound, case_events and audit_log,
in whatever layout the database has (partitioned by year after migration
0043, plain tables when it is rolled back with "migrate down --steps 1"):

 1. Fill: unless the tables already hold --rows rows each, add the
    difference with COPY, spread evenly over the last --years years: events
    of random open cases, and audit rows on 16 chains of their own whose
    hashes and links are real (Verify accepts them). The chain heads are
    advanced in bulk with their guard trigger disabled inside the loading
    transaction. Progress goes to stderr every 250,000 rows.
 2. Time, --runs times each (p50, p95, max in ms):
      timeline        the events of one random case, as the case page reads them
      audit_newest    the sysadmin audit page, newest 50
      audit_org       one organisation's newest 50
      audit_month     the newest 50 of July two years back
      audit_action    the newest 50 of one action
      write           one event and one audit row in a transaction
 3. With --verify, "audit verify" over the whole log (rows/s).
 4. VACUUM ANALYZE of the whole audit log, and of this year's partition
    alone when it is partitioned; the size of each table with its indexes.

Run bench seed first (the cases must exist). Refused when env is production.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rows < 1000 || years < 1 || runs < 1 {
				return fmt.Errorf("--rows must be at least 1000 (got %d), --years and --runs at least 1 (got %d, %d)", rows, years, runs)
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if cfg.Env == "production" {
				return errors.New("bench history is refused when env is production: it writes synthetic history")
			}
			ctx := cmd.Context()
			log := app.NewLogger(cfg.Log, os.Stderr)
			db, err := database.Open(ctx, cfg.Database, log)
			if err != nil {
				return err
			}
			sqlDB, err := db.DB()
			if err != nil {
				return err
			}
			defer sqlDB.Close()
			conn, err := pgx.Connect(ctx, cfg.Database.URL)
			if err != nil {
				return err
			}
			defer conn.Close(context.Background())
			h := &history{db: db, conn: conn, out: cmd.OutOrStdout(), progress: cmd.ErrOrStderr(), now: time.Now()}
			return h.run(ctx, rows, years, runs, verify)
		},
	}
	cmd.Flags().IntVar(&rows, "rows", 5_000_000, "rows case_events and audit_log should each hold")
	cmd.Flags().IntVar(&years, "years", 5, "years the added rows are spread over, ending now")
	cmd.Flags().IntVar(&runs, "runs", 200, "timed runs per measurement")
	cmd.Flags().BoolVar(&verify, "verify", false, "also time audit verify over the whole log")
	return cmd
}

type history struct {
	db       *gorm.DB
	conn     *pgx.Conn
	out      io.Writer
	progress io.Writer
	now      time.Time
}

func (h *history) run(ctx context.Context, rows, years, runs int, verify bool) error {
	var partitioned bool
	if err := h.conn.QueryRow(ctx, `SELECT relkind = 'p' FROM pg_class WHERE oid = 'audit_log'::regclass`).Scan(&partitioned); err != nil {
		return err
	}
	var parts int
	if err := h.conn.QueryRow(ctx, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_log'::regclass`).Scan(&parts); err != nil {
		return err
	}
	layout := "plain tables"
	if partitioned {
		layout = fmt.Sprintf("partitioned by year (%d partitions each, the default one included)", parts)
	}
	fmt.Fprintf(h.out, "layout: %s\n", layout)
	from := h.now.AddDate(-years, 0, 0)
	if err := h.fillEvents(ctx, rows, from); err != nil {
		return err
	}
	if err := h.fillAudit(ctx, rows, from); err != nil {
		return err
	}
	if _, err := h.conn.Exec(ctx, `ANALYZE case_events; ANALYZE audit_log`); err != nil {
		return err
	}
	if err := h.measure(ctx, runs); err != nil {
		return err
	}
	if verify {
		t0 := time.Now()
		rep, err := audit.New(h.db, nil).Verify(ctx, func(chains, done int) {
			if done%500_000 < 2000 {
				fmt.Fprintf(h.progress, "  verify: %d rows, %d chains\n", done, chains)
			}
		})
		if err != nil {
			return err
		}
		el := time.Since(t0)
		state := "intact"
		if !rep.OK() {
			state = "BROKEN at " + rep.Broken.String()
		}
		fmt.Fprintf(h.out, "verify: %d rows on %d chains in %s (%.0f rows/s), %s\n",
			rep.Rows, rep.Chains, el.Round(time.Millisecond), float64(rep.Rows)/el.Seconds(), state)
	}
	return h.maintenance(ctx, partitioned)
}

func (h *history) count(ctx context.Context, table string) (int, error) {
	var n int
	err := h.conn.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n)
	return n, err
}

// spread returns the instant of the i-th of n rows spread evenly from
// from to now, at whole seconds.
func (h *history) spread(from time.Time, i, n int) time.Time {
	span := h.now.Sub(from)
	return from.Add(time.Duration(float64(span) * float64(i) / float64(n))).Truncate(time.Second)
}

var historyActions = []string{"note", "session", "document", "assign", "accept", "remind"}

func (h *history) fillEvents(ctx context.Context, rows int, from time.Time) error {
	have, err := h.count(ctx, "case_events")
	if err != nil || have >= rows {
		return err
	}
	r, err := h.conn.Query(ctx, `SELECT id FROM cases WHERE archived_at IS NULL`)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(r, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errors.New("no open cases: run bench seed first")
	}
	todo := rows - have
	rnd := rand.New(rand.NewPCG(1, uint64(have)))
	fmt.Fprintf(h.progress, "adding %d case events\n", todo)
	t0 := time.Now()
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == todo {
			return nil, nil
		}
		at := h.spread(from, i, todo)
		i++
		if i%250_000 == 0 {
			fmt.Fprintf(h.progress, "  %8d/%d events  %6.1fs\n", i, todo, time.Since(t0).Seconds())
		}
		return []any{ids[rnd.IntN(len(ids))], at, "bench", historyActions[rnd.IntN(len(historyActions))], `{"bench": true}`}, nil
	})
	_, err = h.conn.CopyFrom(ctx, pgx.Identifier{"case_events"}, []string{"case_id", "at", "actor_name", "action", "detail"}, src)
	if err != nil {
		return fmt.Errorf("copy case events: %w", err)
	}
	fmt.Fprintf(h.out, "added %d case events in %s\n", todo, time.Since(t0).Round(time.Millisecond))
	return nil
}

// fillAudit appends rows to the bench's chains, continuing each from its
// head, in one transaction with the heads' guard disabled for it (a bulk
// load cannot advance a head one seq per statement).
func (h *history) fillAudit(ctx context.Context, rows int, from time.Time) error {
	have, err := h.count(ctx, "audit_log")
	if err != nil || have >= rows {
		return err
	}
	todo := rows - have
	fmt.Fprintf(h.progress, "adding %d audit rows\n", todo)
	t0 := time.Now()
	tx, err := h.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // after Commit it is a no-op
	type headState struct {
		seq  int64
		hash string
	}
	heads := make([]headState, benchChains)
	chain := func(c int) string {
		org := int64(benchChainBase + c)
		return audit.ChainOf(&org)
	}
	for c := range heads {
		heads[c] = headState{hash: zeroHex}
		err := tx.QueryRow(ctx, `SELECT last_seq, last_hash FROM audit_chain_heads WHERE chain = $1 FOR UPDATE`, chain(c)).
			Scan(&heads[c].seq, &heads[c].hash)
		if errors.Is(err, pgx.ErrNoRows) {
			if _, err := tx.Exec(ctx, `INSERT INTO audit_chain_heads (chain) VALUES ($1)`, chain(c)); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	rnd := rand.New(rand.NewPCG(2, uint64(have)))
	i := 0
	var copyErr error
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == todo {
			return nil, nil
		}
		c := i % benchChains
		org := int64(benchChainBase + c)
		actor := int64(1 + rnd.IntN(500))
		rec := audit.Record{Chain: chain(c), Seq: heads[c].seq + 1, OccurredAt: h.spread(from, i, todo).UTC(),
			OrgID: &org, ActorID: &actor, ActorName: "bench" + strconv.FormatInt(actor, 10),
			Action: "case." + historyActions[rnd.IntN(len(historyActions))], ObjectType: "case",
			ObjectID: strconv.Itoa(rnd.IntN(1_000_000)), Detail: []byte(`{"bench":true}`), PrevHash: heads[c].hash}
		sum, err := rec.ComputeHash()
		if err != nil {
			copyErr = err
			return nil, err
		}
		heads[c] = headState{seq: rec.Seq, hash: sum}
		i++
		if i%250_000 == 0 {
			fmt.Fprintf(h.progress, "  %8d/%d audit rows  %6.1fs\n", i, todo, time.Since(t0).Seconds())
		}
		return []any{rec.Chain, rec.Seq, rec.OccurredAt, rec.OrgID, rec.ActorID, rec.ActorName, rec.Action,
			rec.ObjectType, rec.ObjectID, string(rec.Detail), "", "", rec.PrevHash, sum}, nil
	})
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"audit_log"}, []string{"chain", "seq", "occurred_at", "org_id", "actor_id",
		"actor_name", "action", "object_type", "object_id", "detail", "ip", "request_id", "prev_hash", "hash"}, src)
	if err != nil {
		return fmt.Errorf("copy audit rows: %w", errors.Join(err, copyErr))
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE audit_chain_heads DISABLE TRIGGER audit_chain_heads_guard`); err != nil {
		return err
	}
	for c, hd := range heads {
		if _, err := tx.Exec(ctx, `UPDATE audit_chain_heads SET last_seq = $1, last_hash = $2 WHERE chain = $3`, hd.seq, hd.hash, chain(c)); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE audit_chain_heads ENABLE TRIGGER audit_chain_heads_guard`); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	fmt.Fprintf(h.out, "added %d audit rows in %s\n", todo, time.Since(t0).Round(time.Millisecond))
	return nil
}

var zeroHex = hex.EncodeToString(make([]byte, 32))

func (h *history) measure(ctx context.Context, runs int) error {
	// A 1% sample of the pages; a small table may yield none, and is then
	// read whole.
	var cases []int64
	for _, q := range []string{
		`SELECT DISTINCT case_id FROM case_events TABLESAMPLE SYSTEM (1) LIMIT 1000`,
		`SELECT DISTINCT case_id FROM case_events LIMIT 1000`,
	} {
		r, err := h.conn.Query(ctx, q)
		if err != nil {
			return err
		}
		if cases, err = pgx.CollectRows(r, pgx.RowTo[int64]); err != nil {
			return fmt.Errorf("sample the cases with events: %w", err)
		}
		if len(cases) > 0 {
			break
		}
	}
	if len(cases) == 0 {
		return errors.New("no case has events: run bench seed first")
	}
	log := audit.New(h.db, nil)
	org := int64(benchChainBase + 3)
	// July two years back: the middle of a year, neither the best nor the
	// worst case for a table partitioned by year.
	month := time.Date(h.now.Year()-2, time.July, 1, 0, 0, 0, 0, calendar.Beijing)
	rnd := rand.New(rand.NewPCG(3, 3))
	var someCase int64
	steps := []struct {
		name string
		run  func() error
	}{
		{"timeline", func() error {
			id := cases[rnd.IntN(len(cases))]
			r, err := h.conn.Query(ctx, `SELECT id, at, actor_id, actor_name, action, from_status, to_status, detail
FROM case_events WHERE case_id = $1 ORDER BY id`, id)
			if err != nil {
				return err
			}
			r.Close()
			someCase = id
			return r.Err()
		}},
		{"audit_newest", func() error { _, _, err := log.List(ctx, audit.Filter{Limit: 50}); return err }},
		{"audit_org", func() error { _, _, err := log.List(ctx, audit.Filter{OrgID: &org, Limit: 50}); return err }},
		{"audit_month", func() error {
			_, _, err := log.List(ctx, audit.Filter{From: month, To: month.AddDate(0, 1, 0), Limit: 50})
			return err
		}},
		{"audit_action", func() error { _, _, err := log.List(ctx, audit.Filter{Action: "case.accept", Limit: 50}); return err }},
		{"write", func() error {
			return h.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec(`INSERT INTO case_events (case_id, at, actor_name, action) VALUES (?, now(), 'bench', 'note')`, someCase).Error; err != nil {
					return err
				}
				return log.Append(ctx, tx, audit.Entry{OrgID: &org, ActorName: "bench", Action: "case.note", ObjectType: "case",
					ObjectID: strconv.FormatInt(someCase, 10)})
			})
		}},
	}
	tw := tabwriter.NewWriter(h.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\truns\tp50 ms\tp95 ms\tmax ms\t")
	for _, s := range steps {
		var d []time.Duration
		for i := 0; i < runs+3; i++ {
			t0 := time.Now()
			if err := s.run(); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if i >= 3 {
				d = append(d, time.Since(t0))
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t\n", s.name, runs, ms(benchseed.Percentile(d, 50)), ms(benchseed.Percentile(d, 95)), ms(benchseed.Percentile(d, 100)))
	}
	return tw.Flush()
}

func (h *history) maintenance(ctx context.Context, partitioned bool) error {
	timed := func(what, sql string) error {
		t0 := time.Now()
		if _, err := h.conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		fmt.Fprintf(h.out, "%s: %s\n", what, time.Since(t0).Round(time.Millisecond))
		return nil
	}
	if err := timed("VACUUM ANALYZE audit_log (all of it)", `VACUUM ANALYZE audit_log`); err != nil {
		return err
	}
	if partitioned {
		part := "audit_log_" + strconv.Itoa(h.now.Year())
		if err := timed("VACUUM ANALYZE "+part+" (this year only)", `VACUUM ANALYZE `+part); err != nil {
			return err
		}
	}
	for _, t := range []string{"case_events", "audit_log"} {
		var size string
		err := h.conn.QueryRow(ctx, `SELECT pg_size_pretty(sum(pg_total_relation_size(c))) FROM (
	SELECT $1::regclass AS c UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = $1::regclass) t`, t).Scan(&size)
		if err != nil {
			return err
		}
		fmt.Fprintf(h.out, "size of %s with its indexes: %s\n", t, size)
	}
	return nil
}
