// Package database opens PostgreSQL through GORM (pgx driver), creates the
// database when it is missing and applies the embedded goose migrations.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/migrations"
)

// Option changes how Open sets up the connection.
type Option func(*options)

type options struct{ now func() time.Time }

// WithClock makes GORM stamp created_at and updated_at from now (the
// application's clock) instead of the wall clock, so that rows written on
// a demo or test clock are dated on it.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Open connects to the database named in cfg.URL and configures the pool.
// It does not create the database or migrate; see EnsureDatabase and Migrate.
func Open(ctx context.Context, cfg config.Database, log *slog.Logger, opts ...Option) (*gorm.DB, error) {
	o := options{now: clock.Wall}
	for _, f := range opts {
		f(&o)
	}
	pcfg, err := pgx.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	sqlDB := stdlib.OpenDB(*pcfg)
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 newGormLogger(log, cfg.SlowQuery),
		SkipDefaultTransaction: true, // services open their own transactions
		NowFunc:                func() time.Time { return o.now().UTC() },
		TranslateError:         true,
	})
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	if err := registerArchived(gdb); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("register callbacks: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to postgres at %s: %w", hostOf(cfg.URL), err)
	}
	return gdb, nil
}

// EnsureDatabase creates the database named in rawURL when it does not
// exist, connecting to the server's "postgres" maintenance database.
func EnsureDatabase(ctx context.Context, rawURL string) (created bool, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false, fmt.Errorf("parse database url: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return false, errors.New("database url names no database")
	}
	admin := *u
	admin.Path = "/postgres"
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return false, fmt.Errorf("connect to postgres at %s: %w", u.Host, err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("look up database %q: %w", name, err)
	}
	if exists {
		return false, nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		// Another process may have created it between our check and now.
		if strings.Contains(err.Error(), "already exists") {
			return false, nil
		}
		return false, fmt.Errorf("create database %q: %w", name, err)
	}
	return true, nil
}

// NewMigrator returns a goose provider over the embedded migrations. A
// Postgres session lock serialises concurrent migrators, so many serve and
// worker processes may start at once.
func NewMigrator(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and logs each one.
func Migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	p, err := NewMigrator(db)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	return u.Host
}
