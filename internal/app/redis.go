package app

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ipmediate/ipmediate/internal/config"
)

// redisConn is how the app reaches Redis: directly at redis.url, or
// through Redis Sentinel when redis.sentinel.master_name is set.
type redisConn struct {
	opts     *redis.Options                // parsed redis.url: user, password, db, TLS (and the host without Sentinel)
	failover *asynq.RedisFailoverClientOpt // nil without Sentinel
}

// newRedisConn reads cfg. With Sentinel, redis.url's host is not used;
// its username, password, database and TLS settings are.
func newRedisConn(cfg config.Redis) (redisConn, error) {
	opts, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return redisConn{}, &config.SettingError{Setting: "redis.url (IPM_REDIS_URL)", Problem: err.Error()}
	}
	rc := redisConn{opts: opts}
	if st := cfg.Sentinel; st.MasterName != "" {
		rc.failover = &asynq.RedisFailoverClientOpt{
			MasterName:       st.MasterName,
			SentinelAddrs:    append([]string(nil), st.Addrs...),
			SentinelPassword: st.Password,
			Username:         opts.Username,
			Password:         opts.Password,
			DB:               opts.DB,
			TLSConfig:        opts.TLSConfig,
		}
	}
	return rc, nil
}

// checkName is the name of the Redis check of /readyz: "redis", or
// "redis (sentinel mymaster)" through Sentinel, so that a Sentinel which
// knows no master is named in the answer.
func (rc redisConn) checkName() string {
	if rc.failover == nil {
		return "redis"
	}
	return fmt.Sprintf("redis (sentinel %s)", rc.failover.MasterName)
}

// client returns the client for the queues (worker, enqueuer, scheduler
// and readiness). Through Sentinel it asks the sentinels for the master
// and follows it when they fail over.
func (rc redisConn) client() *redis.Client {
	if rc.failover == nil {
		return redis.NewClient(rc.opts)
	}
	return rc.failover.MakeRedisClient().(*redis.Client)
}

// quick returns the client for calls on a request's path, bounded by wait
// (see newBoundedRedis).
func (rc redisConn) quick(wait time.Duration) *redis.Client {
	if rc.failover == nil {
		return newBoundedRedis(rc.opts, wait)
	}
	return newBoundedFailoverRedis(rc.failover, wait)
}

// asynqOpt is the connection option of the queue monitor.
func (rc redisConn) asynqOpt() asynq.RedisConnOpt {
	if rc.failover != nil {
		return *rc.failover
	}
	o := rc.opts
	return asynq.RedisClientOpt{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password,
		DB: o.DB, TLSConfig: o.TLSConfig}
}

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

// newBoundedFailoverRedis is newBoundedRedis through Sentinel: the same
// bounds on every dial (which includes asking the sentinels for the
// master), command and pooled connection, and no retries.
func newBoundedFailoverRedis(f *asynq.RedisFailoverClientOpt, wait time.Duration) *redis.Client {
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:            f.MasterName,
		SentinelAddrs:         f.SentinelAddrs,
		SentinelUsername:      f.SentinelUsername,
		SentinelPassword:      f.SentinelPassword,
		Username:              f.Username,
		Password:              f.Password,
		DB:                    f.DB,
		TLSConfig:             f.TLSConfig,
		MaxRetries:            -1,
		DialTimeout:           wait,
		ReadTimeout:           wait,
		WriteTimeout:          wait,
		PoolTimeout:           wait,
		ContextTimeoutEnabled: true,
	})
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
