// Package idempotency keeps one-time submission tokens, so that a repeated
// submission (a double click on a slow line, a form sent again, an API
// client retrying with the same Idempotency-Key) gets the first answer
// instead of doing the work twice. It owns the table "submissions".
package idempotency

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Answer is what the first submission answered: a status, and a
// redirect location (forms) or a body (the API).
type Answer struct {
	Status   int
	Location string
	Body     []byte
}

// ErrInFlight: the first submission with this token is still being
// worked on after the wait.
var ErrInFlight = errors.New("the first submission with this token is still in progress")

// Store claims tokens and records answers.
type Store struct {
	db *gorm.DB
	// Wait is how long a repeat waits for the first submission's answer.
	Wait time.Duration
	// Keep is how long a token is remembered.
	Keep time.Duration
}

// New returns a store on db that remembers tokens for a day and lets a
// repeat wait up to 10 seconds for the first answer.
func New(db *gorm.DB) *Store { return &Store{db: db, Wait: 10 * time.Second, Keep: 24 * time.Hour} }

// Claim claims token for user and scope (the method and path). It
// answers (nil, nil) when the token is new: the caller does the work and
// then calls Finish or Release. For a token claimed before it answers the
// first submission's answer, waiting for it while that submission runs
// (ErrInFlight when the wait is over).
func (s *Store) Claim(ctx context.Context, userID int64, scope, token string) (*Answer, error) {
	db := s.db.WithContext(ctx)
	if err := db.Exec("DELETE FROM submissions WHERE created_at < ?", time.Now().Add(-s.Keep)).Error; err != nil {
		return nil, fmt.Errorf("claim submission: %w", err)
	}
	res := db.Exec(`INSERT INTO submissions (user_id, scope, token) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, userID, scope, token)
	if res.Error != nil {
		return nil, fmt.Errorf("claim submission: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil, nil
	}
	until := time.Now().Add(s.Wait)
	for {
		var row struct {
			Status   *int
			Location string
			Body     []byte
		}
		err := db.Raw("SELECT status, location, body FROM submissions WHERE user_id = ? AND scope = ? AND token = ?",
			userID, scope, token).Scan(&row).Error
		if err != nil {
			return nil, fmt.Errorf("claim submission: %w", err)
		}
		if row.Status != nil {
			return &Answer{Status: *row.Status, Location: row.Location, Body: row.Body}, nil
		}
		if time.Now().After(until) {
			return nil, ErrInFlight
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		// Released by a failed first submission meanwhile: claim it now.
		res := db.Exec(`INSERT INTO submissions (user_id, scope, token) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, userID, scope, token)
		if res.Error != nil {
			return nil, fmt.Errorf("claim submission: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			return nil, nil
		}
	}
}

// Finish records the answer of a claimed token.
func (s *Store) Finish(ctx context.Context, userID int64, scope, token string, a Answer) error {
	if err := s.db.WithContext(ctx).Exec("UPDATE submissions SET status = ?, location = ?, body = ? WHERE user_id = ? AND scope = ? AND token = ?",
		a.Status, a.Location, a.Body, userID, scope, token).Error; err != nil {
		return fmt.Errorf("finish submission: %w", err)
	}
	return nil
}

// Release forgets a claimed token whose submission failed, so that the
// corrected submission can be made.
func (s *Store) Release(ctx context.Context, userID int64, scope, token string) error {
	if err := s.db.WithContext(ctx).Exec("DELETE FROM submissions WHERE user_id = ? AND scope = ? AND token = ? AND status IS NULL",
		userID, scope, token).Error; err != nil {
		return fmt.Errorf("release submission: %w", err)
	}
	return nil
}
