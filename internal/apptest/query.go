package apptest

import (
	"context"
	"testing"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// As is a context acting as the user username (a demo user), as a
// service test calls a service on someone's behalf.
func As(t testing.TB, a *app.App, username string) context.Context {
	t.Helper()
	act, err := a.Identity.Actor(context.Background(), Scalar[int64](t, a, "SELECT id FROM users WHERE username = ?", username))
	if err != nil {
		t.Fatalf("actor %s: %v", username, err)
	}
	return domain.WithActor(context.Background(), act)
}

// Scalar is the one value query q answers (a count, an id, a name); the
// test fails on an error.
func Scalar[T any](t testing.TB, a *app.App, q string, args ...any) T {
	t.Helper()
	var v T
	if err := a.DB.Raw(q, args...).Scan(&v).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// Told counts the notices of kind queued in the outbox for username that
// lead to link.
func Told(t testing.TB, a *app.App, username, kind, link string) int64 {
	t.Helper()
	return Scalar[int64](t, a, `SELECT count(*) FROM outbox WHERE topic = 'notify:send' AND payload->>'kind' = ?
AND payload->>'link' = ? AND (payload->>'user_id')::bigint = (SELECT id FROM users WHERE username = ?)`, kind, link, username)
}
