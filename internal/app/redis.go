package app

import (
	"context"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// ThrottleRedisWait bounds every Redis call of the login throttle. The
// throttle sits in front of every sign-in; while Redis is down or hangs,
// go-redis's defaults (5 s dial timeout, three retries with backoff) made
// each login wait seconds. With this bound a login waits at most this
// long for the throttle and then goes on without it (fail open; see
// docs/security.md "Operations and keys").
const ThrottleRedisWait = 200 * time.Millisecond

// newBoundedRedis returns a client for opts whose every dial and command
// gives up after wait: a context deadline on each call (a hook, so it
// holds whatever context the caller passes), the same bound on socket
// reads and writes and on waiting for a pooled connection, and no
// retries.
func newBoundedRedis(opts *redis.Options, wait time.Duration) *redis.Client {
	o := *opts
	o.MaxRetries = -1
	o.DialTimeout = wait
	o.ReadTimeout = wait
	o.WriteTimeout = wait
	o.PoolTimeout = wait
	o.ContextTimeoutEnabled = true
	c := redis.NewClient(&o)
	c.AddHook(deadlineHook{wait: wait})
	return c
}

// deadlineHook puts a deadline of wait on every dial, command and
// pipeline.
type deadlineHook struct{ wait time.Duration }

func (h deadlineHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, h.wait)
		defer cancel()
		return next(ctx, network, addr)
	}
}

func (h deadlineHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		ctx, cancel := context.WithTimeout(ctx, h.wait)
		defer cancel()
		return next(ctx, cmd)
	}
}

func (h deadlineHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		ctx, cancel := context.WithTimeout(ctx, h.wait)
		defer cancel()
		return next(ctx, cmds)
	}
}
