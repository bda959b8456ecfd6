package identity

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttle limits attempts per client address with a fixed window counted
// in Redis, so every serve process shares the count. When Redis is
// unreachable it lets attempts through (and logs): the per-account lockout
// in PostgreSQL still protects the accounts.
type Throttle struct {
	rdb    *redis.Client
	name   string // what is counted: "login", "register"
	limit  int    // attempts allowed per window
	window time.Duration
	log    *slog.Logger
	now    func() time.Time
}

// NewThrottle returns the login throttle: perMinute attempts per address
// in a one-minute window.
func NewThrottle(rdb *redis.Client, perMinute int, log *slog.Logger, now func() time.Time) *Throttle {
	return &Throttle{rdb: rdb, name: "login", limit: perMinute, window: time.Minute, log: log, now: now}
}

// Named returns a throttle on the same Redis with its own count: limit
// attempts per address in each window. Each name counts apart, so
// registrations do not eat into the login budget, nor the other way round.
func (t *Throttle) Named(name string, limit int, window time.Duration) *Throttle {
	if t == nil {
		return nil
	}
	return &Throttle{rdb: t.rdb, name: name, limit: limit, window: window, log: t.log, now: t.now}
}

// Allow counts one attempt from addr and reports whether it is allowed.
func (t *Throttle) Allow(ctx context.Context, addr string) bool {
	if t == nil || t.rdb == nil || addr == "" {
		return true
	}
	secs := int64(t.window / time.Second)
	if secs < 1 {
		secs = 1
	}
	window := t.now().Unix() / secs
	key := fmt.Sprintf("ipm:%s:%s:%d", t.name, addr, window)
	pipe := t.rdb.TxPipeline()
	incr := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*t.window)
	if _, err := pipe.Exec(ctx); err != nil {
		t.log.WarnContext(ctx, "throttle unavailable; allowing attempt", "throttle", t.name, "err", err)
		return true
	}
	return incr.Val() <= int64(t.limit)
}
