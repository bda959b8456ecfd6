package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Enqueuer puts tasks on the queue (asynq; internal/worker implements it).
type Enqueuer interface {
	// Enqueue queues a task of type typ with payload under the task id
	// taskID, to be processed at processAt or at once when that has
	// passed (or is zero). A task with that id still on the queue is
	// success: nil.
	Enqueue(ctx context.Context, typ, taskID string, payload []byte, processAt time.Time) error
}

// RelayOptions say how RelayReminders packs reminders into tasks.
type RelayOptions struct {
	// Limit is how many rows one call claims.
	Limit int
	// PerTask is how many reminders of the same type one task carries
	// (at least 1). A task costs the queue the same whether it carries one
	// reminder or a hundred, so batches keep the lag low when many
	// deadlines fall due at once.
	PerTask int
	// Lookahead queues reminders this long before they are due, to be
	// processed at their send time: the queue then holds a known spike
	// (every deadline of the day due at 09:00) before it comes, and at the
	// due instant only the deliveries remain. It must stay below the
	// sweeper's stale limit.
	Lookahead time.Duration
}

// relayParallelism bounds the enqueues in flight from one batch.
const relayParallelism = 32

// TaskPayload is the payload of every notify task: the rows it delivers,
// reminders (IDs, several per task) or one outbox row (ID).
type TaskPayload struct {
	ID  int64   `json:"id,omitempty"`
	IDs []int64 `json:"ids,omitempty"`
}

// ParsePayload returns the row ids of a notify task's payload.
func ParsePayload(b []byte) ([]int64, error) {
	var p TaskPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("notify task payload %q: %w", b, err)
	}
	ids := p.IDs
	if p.ID > 0 {
		ids = append(ids, p.ID)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("notify task payload %q: want {\"id\": N} or {\"ids\": [...]}", b)
	}
	return ids, nil
}

// ReminderTaskID is the deterministic task id of a task delivering the
// reminders ids (in claim order): remind:<id> for one, and
// remind:<first>-<last>.<count> for a batch. A reminder belongs to one
// task at a time, so two live tasks never share an id.
func ReminderTaskID(ids []int64) string {
	if len(ids) == 1 {
		return "remind:" + strconv.FormatInt(ids[0], 10)
	}
	return fmt.Sprintf("remind:%d-%d.%d", ids[0], ids[len(ids)-1], len(ids))
}

// OutboxTaskID is the deterministic task id of an outbox row.
func OutboxTaskID(id int64) string { return "outbox:" + strconv.FormatInt(id, 10) }

// task is one task to enqueue for claimed rows.
type task struct {
	Topic string
	ID    string
	Rows  []int64
	// At is when it may run: the latest send time of its rows.
	At time.Time
}

func (t task) payload(outbox bool) []byte {
	p := TaskPayload{IDs: t.Rows}
	if outbox {
		p = TaskPayload{ID: t.Rows[0]}
	}
	b, _ := json.Marshal(p)
	return b
}

// RelayReminders moves pending reminders due within the lookahead to the
// queue, packed into tasks (see RelayOptions), and marks them enqueued
// under their task id; it returns how many it moved. Rows are claimed
// with FOR UPDATE SKIP LOCKED, so relays running at once (there should be
// one, the scheduler leader) share the work instead of doubling it.
func (s *Service) RelayReminders(ctx context.Context, enq Enqueuer, o RelayOptions) (int, error) {
	now := s.clock()
	var (
		n      int
		enqErr error
	)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Claim, pack and mark in one statement: rows of one topic in
		// send order, perTask to a task, each task named by ReminderTaskID.
		var rows []struct {
			ID     int64
			Topic  string
			SendAt time.Time
			TaskID string
		}
		if err := tx.Raw(`WITH due AS (
	SELECT id, topic, send_at FROM reminders WHERE status = 'pending' AND send_at <= ?
	ORDER BY send_at, id LIMIT ? FOR UPDATE SKIP LOCKED
), packed AS (
	SELECT id, topic, send_at, (row_number() OVER (PARTITION BY topic ORDER BY send_at, id) - 1) / ? AS chunk FROM due
), named AS (
	SELECT id, CASE WHEN count(*) OVER w = 1 THEN 'remind:' || id
		ELSE 'remind:' || first_value(id) OVER w || '-' || last_value(id) OVER w || '.' || count(*) OVER w END AS task_id
	FROM packed
	WINDOW w AS (PARTITION BY topic, chunk ORDER BY send_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
UPDATE reminders AS r SET status = 'enqueued', enqueued_at = ?, task_id = named.task_id
FROM named WHERE r.id = named.id
RETURNING r.id, r.topic, r.send_at, r.task_id`, now.Add(max(o.Lookahead, 0)), o.Limit, max(o.PerTask, 1), now).Scan(&rows).Error; err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		sort.Slice(rows, func(i, j int) bool {
			if !rows[i].SendAt.Equal(rows[j].SendAt) {
				return rows[i].SendAt.Before(rows[j].SendAt)
			}
			return rows[i].ID < rows[j].ID
		})
		var tasks []task
		index := map[string]int{}
		for _, r := range rows {
			i, ok := index[r.TaskID]
			if !ok {
				tasks = append(tasks, task{Topic: r.Topic, ID: r.TaskID})
				i = len(tasks) - 1
				index[r.TaskID] = i
			}
			tasks[i].Rows = append(tasks[i].Rows, r.ID)
			tasks[i].At = r.SendAt
		}
		var done []task
		done, enqErr = enqueueAll(ctx, enq, tasks)
		if len(done) < len(tasks) {
			// What could not be queued stays pending for the next run.
			queued := map[string]bool{}
			for _, t := range done {
				queued[t.ID] = true
			}
			var back []string
			for _, t := range tasks {
				if !queued[t.ID] {
					for _, id := range t.Rows {
						back = append(back, strconv.FormatInt(id, 10))
					}
				}
			}
			if err := tx.Exec(`UPDATE reminders SET status = 'pending', enqueued_at = NULL, task_id = '' WHERE id = ANY (?::bigint[])`,
				"{"+strings.Join(back, ",")+"}").Error; err != nil {
				return fmt.Errorf("unmark: %w", err)
			}
		}
		for _, t := range done {
			n += len(t.Rows)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("notify relay: %w", err)
	}
	if enqErr != nil {
		return n, fmt.Errorf("notify relay: %w", enqErr)
	}
	return n, nil
}

// SweepReminders enqueues again up to limit reminders that were enqueued
// at least staleAfter ago and are not sent yet: Redis lost them (flushed,
// restarted without persistence) or their task was dropped. Each goes
// under the task id it was queued with, so a task still on the queue is
// not doubled.
func (s *Service) SweepReminders(ctx context.Context, enq Enqueuer, staleAfter time.Duration, limit int) (int, error) {
	now := s.clock()
	return s.claimAndEnqueue(ctx, enq, func(tx *gorm.DB) ([]task, error) {
		var rows []struct {
			ID     int64
			Topic  string
			TaskID string
			SendAt time.Time
		}
		if err := tx.Raw(`SELECT id, topic, task_id, send_at FROM reminders WHERE status = 'enqueued' AND enqueued_at <= ?
ORDER BY enqueued_at, task_id, id LIMIT ? FOR UPDATE SKIP LOCKED`, now.Add(-staleAfter), limit).Scan(&rows).Error; err != nil {
			return nil, err
		}
		var tasks []task
		for _, r := range rows {
			if n := len(tasks); n == 0 || tasks[n-1].ID != r.TaskID || r.TaskID == "" {
				tasks = append(tasks, task{Topic: r.Topic, ID: r.TaskID})
			}
			last := &tasks[len(tasks)-1]
			last.Rows = append(last.Rows, r.ID)
			if r.SendAt.After(last.At) {
				last.At = r.SendAt
			}
		}
		// A full claim may have cut the last task short; it comes whole
		// in the next round.
		if len(rows) == limit && len(tasks) > 1 {
			tasks = tasks[:len(tasks)-1]
		}
		for i := range tasks {
			if tasks[i].ID == "" {
				tasks[i].ID = ReminderTaskID(tasks[i].Rows)
			}
		}
		return tasks, nil
	}, func(tx *gorm.DB, done []task) error {
		return markReminders(tx, done, now)
	})
}

// markReminders records that the rows of done were queued again at now.
func markReminders(tx *gorm.DB, done []task, now time.Time) error {
	var ids []string
	for _, t := range done {
		for _, id := range t.Rows {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return tx.Exec(`UPDATE reminders SET enqueued_at = ? WHERE id = ANY (?::bigint[])`, now, "{"+strings.Join(ids, ",")+"}").Error
}

// RelayOutbox moves up to limit pending outbox rows to the queue, one
// task each.
func (s *Service) RelayOutbox(ctx context.Context, enq Enqueuer, limit int) (int, error) {
	now := s.clock()
	return s.claimAndEnqueue(ctx, enq, outboxClaim(`SELECT id, topic FROM outbox WHERE status = 'pending'
ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, limit),
		outboxMark(`UPDATE outbox SET status = 'enqueued', enqueued_at = ? WHERE id = ANY (?::bigint[])`, now))
}

// SweepOutbox is SweepReminders for outbox rows.
func (s *Service) SweepOutbox(ctx context.Context, enq Enqueuer, staleAfter time.Duration, limit int) (int, error) {
	now := s.clock()
	return s.claimAndEnqueue(ctx, enq, outboxClaim(`SELECT id, topic FROM outbox WHERE status = 'enqueued' AND enqueued_at <= ?
ORDER BY enqueued_at, id LIMIT ? FOR UPDATE SKIP LOCKED`, now.Add(-staleAfter), limit),
		outboxMark(`UPDATE outbox SET enqueued_at = ? WHERE id = ANY (?::bigint[])`, now))
}

func outboxClaim(query string, args ...any) func(*gorm.DB) ([]task, error) {
	return func(tx *gorm.DB) ([]task, error) {
		var rows []struct {
			ID    int64
			Topic string
		}
		if err := tx.Raw(query, args...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		tasks := make([]task, len(rows))
		for i, r := range rows {
			tasks[i] = task{Topic: r.Topic, ID: OutboxTaskID(r.ID), Rows: []int64{r.ID}}
		}
		return tasks, nil
	}
}

func outboxMark(query string, now time.Time) func(*gorm.DB, []task) error {
	return func(tx *gorm.DB, done []task) error {
		ids := make([]string, len(done))
		for i, t := range done {
			ids[i] = strconv.FormatInt(t.Rows[0], 10)
		}
		return tx.Exec(query, now, "{"+strings.Join(ids, ",")+"}").Error
	}
}

// claimAndEnqueue claims rows and groups them into tasks (claim), enqueues
// the tasks and marks the rows of those enqueued (mark), in one
// transaction: rows whose enqueue failed stay as they were for the next
// run. Handlers of the rows wait on the row locks until the commit, so
// they always see the final status. It returns how many rows it moved.
func (s *Service) claimAndEnqueue(ctx context.Context, enq Enqueuer, claim func(*gorm.DB) ([]task, error), mark func(*gorm.DB, []task) error) (int, error) {
	var (
		n      int
		enqErr error
	)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tasks, err := claim(tx)
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if len(tasks) == 0 {
			return nil
		}
		var done []task
		done, enqErr = enqueueAll(ctx, enq, tasks)
		if len(done) > 0 {
			if err := mark(tx, done); err != nil {
				return fmt.Errorf("mark enqueued: %w", err)
			}
		}
		for _, t := range done {
			n += len(t.Rows)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("notify relay: %w", err)
	}
	// What was enqueued is committed; the rest waits for the next run.
	if enqErr != nil {
		return n, fmt.Errorf("notify relay: %w", enqErr)
	}
	return n, nil
}

// enqueueAll enqueues tasks with bounded parallelism and returns those
// enqueued and the first error.
func enqueueAll(ctx context.Context, enq Enqueuer, tasks []task) ([]task, error) {
	ok := make([]bool, len(tasks))
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, relayParallelism)
	for i, t := range tasks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			outbox := strings.HasPrefix(t.ID, "outbox:")
			if err := enq.Enqueue(ctx, t.Topic, t.ID, t.payload(outbox), t.At); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("enqueue %s %s: %w", t.Topic, t.ID, err)
				}
				mu.Unlock()
				return
			}
			ok[i] = true
		}()
	}
	wg.Wait()
	done := make([]task, 0, len(tasks))
	for i, f := range ok {
		if f {
			done = append(done, tasks[i])
		}
	}
	return done, firstErr
}
