package authz

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Reconnect and retry timing for Listen.
const (
	backoffMin = 250 * time.Millisecond
	backoffMax = 30 * time.Second
	// A listening connection that lasted this long was healthy: when it
	// drops, reconnecting starts again from backoffMin.
	healthySession = time.Minute
	// listenerAppName names the listening connection in pg_stat_activity.
	listenerAppName = "ipmediate-authz-listener"
)

// Listen keeps a dedicated connection LISTENing on NotifyChannel and
// reloads the role assignments on every notification, until ctx ends; it
// then returns nil. Run it in a goroutine of every serve and worker
// process.
//
// When the connection drops it reconnects with exponential backoff
// (250 ms doubling to 30 s, jittered). Notifications sent while it was
// away are lost, so it reloads after every LISTEN, which also covers
// changes made between New and Listen. Notifications that arrive during a
// reload are folded into one further reload, and a failed reload is
// retried with the same backoff.
func (e *Enforcer) Listen(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	kick := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.reloadOnKick(ctx, kick)
	}()
	defer wg.Wait()
	defer cancel() // runs before wg.Wait: stop the reloader, then wait for it

	d := &dialer{config: e.listenConfig}
	l := &pgxlisten.Listener{
		Connect: d.connect,
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				e.log.Warn("authz: listener failed; reconnecting with backoff", "err", err)
			}
		},
		// connect waits instead, with backoff; pgxlisten's delay is fixed.
		ReconnectDelay: -1,
	}
	l.Handle(NotifyChannel, kicker(kick))
	err := l.Listen(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// reloadOnKick reloads once per kick; kicks that arrive while it reloads
// coalesce in the channel's single slot.
func (e *Enforcer) reloadOnKick(ctx context.Context, kick <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		}
		for attempt := 0; ; attempt++ {
			err := e.Reload(ctx)
			if err == nil || ctx.Err() != nil {
				break
			}
			wait := backoff(attempt)
			e.log.Warn("authz: reload failed; retrying", "err", err, "retry_in", wait)
			if !sleep(ctx, wait) {
				return
			}
		}
	}
}

// kicker asks for a reload on every notification and after every LISTEN
// (pgxlisten calls HandleBacklog once the connection listens).
type kicker chan<- struct{}

func (k kicker) kick() {
	select {
	case k <- struct{}{}:
	default: // a reload is already due
	}
}

// HandleNotification implements pgxlisten.Handler.
func (k kicker) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	k.kick()
	return nil
}

// HandleBacklog implements pgxlisten.BacklogHandler.
func (k kicker) HandleBacklog(context.Context, string, *pgx.Conn) error {
	k.kick()
	return nil
}

// dialer opens the listening connection, waiting before each reconnect.
// pgxlisten calls connect from a single goroutine.
type dialer struct {
	config      *pgx.ConnConfig
	dialed      bool      // connect has been called before
	attempt     int       // reconnects since the last healthy session
	connectedAt time.Time // when the current session began; zero if none
}

func (d *dialer) connect(ctx context.Context) (*pgx.Conn, error) {
	if d.dialed {
		if !d.connectedAt.IsZero() && time.Since(d.connectedAt) >= healthySession {
			d.attempt = 0
		}
		d.connectedAt = time.Time{}
		wait := backoff(d.attempt)
		d.attempt++
		if !sleep(ctx, wait) {
			return nil, ctx.Err()
		}
	}
	d.dialed = true
	cfg := d.config.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = listenerAppName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d.connectedAt = time.Now()
	return conn, nil
}

// backoff returns the wait before retry number attempt (from 0): it
// doubles from backoffMin up to backoffMax, and is jittered down by up to
// half so that many processes do not reconnect in step after an outage.
func backoff(attempt int) time.Duration {
	d := backoffMax
	if attempt < 16 {
		d = min(backoffMin<<attempt, backoffMax)
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
