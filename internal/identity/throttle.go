package identity

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttle limits login attempts per client address with a fixed
// one-minute window counted in Redis, so every serve process shares the
// count. When Redis is unreachable it lets attempts through (and logs):
// the per-account lockout in PostgreSQL still protects the accounts.
type Throttle struct {
	rdb       *redis.Client
	perMinute int
	log       *slog.Logger
	now       func() time.Time
}

// NewThrottle returns a Throttle allowing perMinute attempts per address.
func NewThrottle(rdb *redis.Client, perMinute int, log *slog.Logger, now func() time.Time) *Throttle {
	return &Throttle{rdb: rdb, perMinute: perMinute, log: log, now: now}
}

// Allow counts one attempt from addr and reports whether it is allowed.
func (t *Throttle) Allow(ctx context.Context, addr string) bool {
	if t == nil || t.rdb == nil || addr == "" {
		return true
	}
	window := t.now().Unix() / 60
	key := fmt.Sprintf("ipm:login:%s:%d", addr, window)
	pipe := t.rdb.TxPipeline()
	incr := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*time.Minute)
	if _, err := pipe.Exec(ctx); err != nil {
		t.log.WarnContext(ctx, "login throttle unavailable; allowing attempt", "err", err)
		return true
	}
	return incr.Val() <= int64(t.perMinute)
}
