// Package notify reminds people of deadlines and delivers notifications:
// an in-app inbox always, e-mail over SMTP and SMS through an HTTP gateway
// when they are configured (docs/design.md §6 reliability, §7 notifications).
//
// # No reminder lost, none sent twice
//
// PostgreSQL is the source of truth; Redis (asynq) only carries work the
// database already records, so Redis may be flushed or restarted without
// persistence and a worker may die mid-task.
//
//  1. Plan. PlanTx runs in the same transaction as the business change that
//     opens, moves or closes a deadline. It writes one reminders row per
//     stage (configs: reminders.stages, e.g. 3 and 1 working days before,
//     on the last day, and the overdue escalation to the org's director)
//     and recipient. The unique keys (deadline, due time, stage,
//     recipient) and (org, report year, stage, recipient) are the
//     exactly-once guarantee. Messages to users (SendTx) and each e-mail or
//     SMS are outbox rows, likewise written in the transaction that causes
//     them.
//  2. Relay. The scheduler leader (one among all workers, by a PostgreSQL
//     advisory lock; see internal/worker) claims pending rows due within
//     reminders.lookahead in batches with FOR UPDATE SKIP LOCKED, packs up
//     to reminders.task_batch reminders of one type into an asynq task with
//     a deterministic task id (remind:<id> for one, remind:<first>-<last>.<n>
//     for a batch; outbox:<id> for an outbox row), stores that id on the
//     rows, enqueues the task to run at the rows' send time and marks the
//     rows enqueued - one transaction. A task id that is already queued is
//     not an error. Queueing a little ahead lets a spike known in advance
//     (every deadline of the day at 09:00) be queued before it comes.
//  3. Sweep. Rows enqueued long ago (reminders.stale_after) and not yet
//     done are enqueued again under their stored task id: Redis lost them
//     (flushed, restarted without persistence), or their task was dropped.
//     The id makes this harmless while the first task still exists.
//  4. Handle. The handler locks its rows (SELECT ... FOR UPDATE, in id
//     order) and re-checks each: already sent or cancelled -> nothing to
//     do; the deadline closed or moved, the recipient disabled, a
//     before-due reminder past the due time -> cancelled; not due yet ->
//     back to pending. For the rest it writes the in-app notification
//     (unique dedup key reminder:<id>), its delivery row, one outbox row per
//     external channel, and marks the reminder sent - one transaction. A
//     worker that dies before the commit leaves the rows as they were
//     (the task comes back through asynq's lease recovery or the sweeper);
//     one that dies after it leaves a task whose rerun finds them sent.
//
// Batching is what makes 100,000 reminders due at once drain in seconds:
// asynq's cost is per task (about 2,000 tasks a second on two cores), not
// per reminder, and one transaction writes a whole batch. task_batch: 1
// gives one task per reminder.
//
// The in-app notification is therefore delivered exactly once. E-mail and
// SMS are sent by their own tasks (notify:email, notify:sms) that hold
// their outbox row locked while sending and record every attempt in
// deliveries, failed ones included; a failure is retried by asynq with
// exponential backoff until reminders.max_retry, then the row is marked
// failed. An external send cannot share a transaction with the database:
// a crash between the SMTP server's acceptance and the commit sends that
// message again on the retry. Both channels carry a stable id
// (Message-ID <notification-N.email@ipmediate>, the SMS "id" field) so
// that a receiving system can drop the duplicate.
//
// # Stages
//
// A stage is before_<N>wd (N working days before the last day, on the
// working-day calendar of internal/calendar), before_<N>d (N calendar days
// before), due_day (the last day itself), each at reminders.send_time
// Beijing time; overdue_escalation fires reminders.escalate_after after
// the due time and goes to the directors of the deadline's organisation
// (every member when the organisation has no director). The other stages
// go to the deadline's responsible user, or to the directors when it has
// none. A stage that falls at or after the due time does not apply; a
// stage already past when a deadline is first planned is skipped, except
// that a deadline planned after all its stages have passed gets one
// reminder at once. A reminder still unsent when its deadline falls due is
// dropped: the escalation takes over.
//
// # The annual work report
//
// Every organisation in which someone holds a role allowed report:submit
// (configs/policy.csv: committee directors, the leader's office) owes the
// annual work report by the date of the annual_report rule of
// configs/deadlines.yaml (20 December). From reminders.annual_report_from
// (1 December) the scheduler leader plans, for each such organisation and
// member, an announcement (annual_open) and the configured stages before
// the due date. The year is part of the key, so each is sent once a year.
package notify
