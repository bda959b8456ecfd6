package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reminderState is a reminder with what delivering it needs to re-check.
type reminderState struct {
	ID              int64
	DeadlineID      *int64
	OrgID           int64
	Topic           string
	Stage           string
	DueAt           time.Time
	SendAt          time.Time
	RecipientUserID int64
	Status          string
	DStatus         *string
	DDueAt          *time.Time
	DTitle          *string
	DCaseID         *int64
	DSubjectType    *string
	DSubjectID      *int64
	DDuty           *string
	UActive         bool
	UEmail          string
	UPhoneEnc       string
	// Reported: an annual report reminder whose report is in
	// (internal/report: submitted or accepted).
	Reported bool
	Subject
}

// DeliverReminder delivers one reminder; see DeliverReminders.
func (s *Service) DeliverReminder(ctx context.Context, id int64) error {
	return s.DeliverReminders(ctx, []int64{id})
}

// verdict is what delivery decides for one reminder.
type verdict struct {
	ID     int64
	Status string // sent, cancelled, pending
	Reason string
}

// DeliverReminders delivers reminders (the handler of deadline:remind,
// deadline:escalate and report:annual) in one transaction. It locks the
// rows (in id order, so concurrent batches cannot deadlock) and re-checks
// each against the database: a reminder already sent or cancelled is left
// alone; one whose deadline closed or moved, whose recipient was disabled,
// or (before the due time) that comes too late is cancelled; one that is
// not due yet goes back to pending for the relay. For the others the
// in-app notification (unique per reminder), its delivery record, one
// outbox row per external channel and the "sent" mark are written. A
// reminder that no longer exists (its deadline was deleted) is no error.
func (s *Service) DeliverReminders(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	idList := make([]string, len(ids))
	for i, id := range ids {
		idList[i] = strconv.FormatInt(id, 10)
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var states []reminderState
		if err := tx.Raw(`SELECT r.id, r.deadline_id, r.org_id, r.topic, r.stage, r.due_at, r.send_at, r.recipient_user_id, r.status,
       d.status AS d_status, d.due_at AS d_due_at, d.title AS d_title, d.case_id AS d_case_id, d.subject_type AS d_subject_type, d.subject_id AS d_subject_id, d.duty AS d_duty,
       u.active AS u_active, u.email AS u_email, u.phone_enc AS u_phone_enc,
       (r.topic = 'report:annual' AND EXISTS (SELECT 1 FROM annual_reports ar WHERE ar.org_id = r.org_id
         AND ar.year = `+annualYear+` AND ar.status IN ('submitted', 'accepted'))) AS reported,
       `+subjectColumns+`
FROM reminders r
JOIN users u ON u.id = r.recipient_user_id
LEFT JOIN deadlines d ON d.id = r.deadline_id`+subjectJoins+`
WHERE r.id = ANY (?::bigint[]) ORDER BY r.id FOR UPDATE OF r`, "{"+strings.Join(idList, ",")+"}").Scan(&states).Error; err != nil {
			return err
		}
		now := s.clock()
		var verdicts []verdict
		var sends []notification
		for _, st := range states {
			if st.Status == "sent" || st.Status == "cancelled" {
				continue
			}
			if now.Before(st.SendAt) {
				verdicts = append(verdicts, verdict{ID: st.ID, Status: "pending"})
				continue
			}
			if reason := cancelReason(st, now); reason != "" {
				verdicts = append(verdicts, verdict{ID: st.ID, Status: "cancelled", Reason: reason})
				continue
			}
			kind, params, link := reminderContent(st)
			sends = append(sends, notification{UserID: st.RecipientUserID, Kind: kind, Params: params, Link: link,
				DedupKey: "reminder:" + strconv.FormatInt(st.ID, 10), Channels: s.channelsFor(st.UEmail, st.UPhoneEnc)})
			verdicts = append(verdicts, verdict{ID: st.ID, Status: "sent"})
		}
		if err := s.writeNotifications(tx, sends); err != nil {
			return err
		}
		if err := markDelivered(tx, verdicts, now); err != nil {
			return err
		}
		if len(states) > 0 {
			return s.hook(ctx, states[0].Topic, states[0].ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deliver reminders %s: %w", idsForLog(ids), err)
	}
	return nil
}

// annualYear is, in SQL, the year of an annual report reminder's report:
// the Beijing year of the last instant before its due time (the report is
// due at the end of a day in December).
const annualYear = `extract(year FROM (r.due_at - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai')::int`

// markDelivered writes the verdicts in one statement.
func markDelivered(tx *gorm.DB, vs []verdict, now time.Time) error {
	if len(vs) == 0 {
		return nil
	}
	ids, statuses, reasons := make([]string, len(vs)), make([]string, len(vs)), make([]string, len(vs))
	for i, v := range vs {
		ids[i], statuses[i], reasons[i] = strconv.FormatInt(v.ID, 10), v.Status, v.Reason
	}
	err := tx.Exec(`UPDATE reminders AS r SET status = v.status, cancel_reason = v.reason, attempts = r.attempts + 1,
	sent_at = CASE WHEN v.status = 'sent' THEN ?::timestamptz END,
	enqueued_at = CASE WHEN v.status = 'pending' THEN NULL ELSE r.enqueued_at END
FROM unnest(?::bigint[], ?::text[], ?::text[]) AS v (id, status, reason) WHERE r.id = v.id`,
		now, "{"+strings.Join(ids, ",")+"}", pgTextArray(statuses), pgTextArray(reasons)).Error
	if err != nil {
		return fmt.Errorf("mark reminders: %w", err)
	}
	return nil
}

func idsForLog(ids []int64) string {
	if len(ids) == 1 {
		return strconv.FormatInt(ids[0], 10)
	}
	return fmt.Sprintf("%d..%d (%d)", ids[0], ids[len(ids)-1], len(ids))
}

// cancelReason says why a due reminder must not go out, or "".
func cancelReason(st reminderState, now time.Time) string {
	if !st.UActive {
		return reasonInactive
	}
	switch st.Topic {
	case TaskAnnual:
		if st.Reported {
			return reasonReported
		}
		if !now.Before(st.DueAt) {
			return reasonTooLate
		}
	case TaskRemind, TaskEscalate:
		if st.DStatus == nil {
			return reasonClosed
		}
		if st.DDueAt == nil || !st.DDueAt.Equal(st.DueAt) {
			return reasonSuperseded
		}
		if *st.DStatus != deadlineOpen {
			return reasonClosed
		}
		// A reminder before the due time that could not go out in time
		// is dropped: the escalation takes over.
		if st.Topic == TaskRemind && !now.Before(st.DueAt) {
			return reasonTooLate
		}
	}
	return ""
}

// reminderContent is the notification of a reminder: kind, params, link.
func reminderContent(st reminderState) (string, map[string]any, string) {
	params := map[string]any{"Due": FormatDue(st.DueAt), "Stage": st.Stage}
	switch st.Topic {
	case TaskAnnual:
		year := LastDay(st.DueAt).Year
		params["Year"] = year
		link := "/reports/annual/" + strconv.Itoa(year) + "/" + strconv.FormatInt(st.OrgID, 10)
		if st.Stage == StageAnnualOpen {
			return "annual_report_open", params, link
		}
		return "annual_report", params, link
	}
	d := deadlineRow{CaseID: st.DCaseID}
	if st.DSubjectType != nil && st.DSubjectID != nil {
		d.SubjectType, d.SubjectID = *st.DSubjectType, *st.DSubjectID
	}
	if st.DTitle != nil {
		params["Title"] = *st.DTitle
	}
	st.Subject.addTo(params)
	if st.Topic == TaskEscalate {
		if st.DDuty != nil && *st.DDuty == dutySoft {
			// A soft deadline is followed up by whoever holds it, not
			// escalated to the directors.
			return "deadline_followup", params, deadlineLink(d)
		}
		return "deadline_escalate", params, deadlineLink(d)
	}
	if st.DDuty != nil && *st.DDuty == dutyParty {
		// The party's own time limit: the text says so.
		return "deadline_party_remind", params, deadlineLink(d)
	}
	return "deadline_remind", params, deadlineLink(d)
}

// channelsFor lists the configured external channels the user can be
// reached on.
func (s *Service) channelsFor(email, phoneEnc string) []string {
	var out []string
	if s.o.Email != nil && strings.TrimSpace(email) != "" {
		out = append(out, TaskEmail)
	}
	if s.o.SMS != nil && phoneEnc != "" {
		out = append(out, TaskSMS)
	}
	return out
}

// notification is an in-app notification to write.
type notification struct {
	UserID   int64
	Kind     string
	Params   map[string]any
	Link     string
	DedupKey string
	// Channels are the external channel tasks (notify:email, notify:sms)
	// to queue through the outbox.
	Channels []string
}

// writeNotifications writes, in one statement, the in-app notifications
// (once per dedup key), their in-app delivery records and one outbox row
// per external channel task. A key already delivered is skipped. The rows
// travel as arrays, so the statement text never changes and stays
// prepared on every connection.
func (s *Service) writeNotifications(tx *gorm.DB, ns []notification) error {
	if len(ns) == 0 {
		return nil
	}
	users := make([]string, len(ns))
	kinds, params, links, keys, channels := make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns)),
		make([]string, len(ns)), make([]string, len(ns))
	for i, n := range ns {
		raw := []byte("{}")
		if n.Params != nil {
			var err error
			if raw, err = json.Marshal(n.Params); err != nil {
				return fmt.Errorf("notification params: %w", err)
			}
		}
		users[i] = strconv.FormatInt(n.UserID, 10)
		kinds[i], params[i], links[i], keys[i] = n.Kind, string(raw), n.Link, n.DedupKey
		channels[i] = strings.Join(n.Channels, ",")
	}
	err := tx.Exec(`WITH v AS (
	SELECT * FROM unnest(?::bigint[], ?::text[], ?::jsonb[], ?::text[], ?::text[], ?::text[])
		AS v (user_id, kind, params, link, dedup_key, channels)
), n AS (
	INSERT INTO notifications (user_id, kind, params, link, dedup_key, created_at)
	SELECT user_id, kind, params, link, dedup_key, ?::timestamptz FROM v
	ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key
), d AS (
	INSERT INTO deliveries (notification_id, channel, status) SELECT id, 'inapp', 'ok' FROM n
)
INSERT INTO outbox (topic, payload)
SELECT t, jsonb_build_object('notification_id', n.id)
FROM n JOIN v USING (dedup_key), unnest(string_to_array(NULLIF(v.channels, ''), ',')) AS t`,
		"{"+strings.Join(users, ",")+"}", pgTextArray(kinds), pgTextArray(params), pgTextArray(links), pgTextArray(keys),
		pgTextArray(channels), s.clock()).Error
	if err != nil {
		return fmt.Errorf("write notifications: %w", err)
	}
	return nil
}

func (s *Service) hook(ctx context.Context, topic string, id int64) error {
	if s.beforeCommit != nil {
		return s.beforeCommit(ctx, topic, id)
	}
	return nil
}

// outboxRow is an outbox row as handlers read it.
type outboxRow struct {
	ID      int64
	Topic   string
	Payload string
	Status  string
}

func lockOutbox(tx *gorm.DB, id int64) (outboxRow, bool, error) {
	var o outboxRow
	res := tx.Raw(`SELECT id, topic, payload::text AS payload, status FROM outbox WHERE id = ? FOR UPDATE`, id).Scan(&o)
	if res.Error != nil {
		return o, false, fmt.Errorf("lock outbox %d: %w", id, res.Error)
	}
	return o, res.RowsAffected == 1, nil
}

// DeliverMessage delivers a message queued with SendTx (the handler of
// notify:send): the in-app notification, once per dedup key, and one
// outbox row per external channel, then marks the outbox row done.
func (s *Service) DeliverMessage(ctx context.Context, outboxID int64) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		o, ok, err := lockOutbox(tx, outboxID)
		if err != nil || !ok || o.Status == "done" || o.Status == "failed" {
			return err
		}
		var m Message
		if err := json.Unmarshal([]byte(o.Payload), &m); err != nil {
			return fmt.Errorf("outbox %d payload: %w", outboxID, err)
		}
		var u struct {
			Active   bool
			Email    string
			PhoneEnc string
		}
		res := tx.Raw(`SELECT active, email, phone_enc FROM users WHERE id = ?`, m.UserID).Scan(&u)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 && u.Active {
			dedup := m.DedupKey
			if dedup == "" {
				dedup = "outbox:" + strconv.FormatInt(outboxID, 10)
			}
			if err := s.writeNotifications(tx, []notification{{UserID: m.UserID, Kind: m.Kind, Params: m.Params, Link: m.Link,
				DedupKey: dedup, Channels: s.channelsFor(u.Email, u.PhoneEnc)}}); err != nil {
				return err
			}
		}
		if err := tx.Exec(`UPDATE outbox SET status = 'done', processed_at = ?, attempts = attempts + 1 WHERE id = ?`,
			s.clock(), outboxID).Error; err != nil {
			return err
		}
		return s.hook(ctx, o.Topic, outboxID)
	})
	if err != nil {
		return fmt.Errorf("deliver message %d: %w", outboxID, err)
	}
	return nil
}

// permanentError is a failure that a retry cannot cure (no address on
// file, the channel switched off, the user disabled): it is recorded and
// the row given up at once.
type permanentError struct{ msg string }

func (e permanentError) Error() string { return e.msg }

// SendChannel sends one notification by e-mail or SMS (the handler of
// notify:email and notify:sms) and records the attempt in deliveries,
// whether it succeeded or not. The outbox row stays locked while sending,
// so two runs never send the same row at once, and a row done is never
// sent again. A failed send is returned as an error for the queue to retry
// with backoff; when final is set (the retries are spent) the row is also
// marked failed so that the sweeper leaves it.
func (s *Service) SendChannel(ctx context.Context, outboxID int64, final bool) error {
	var sendErr error
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		o, ok, err := lockOutbox(tx, outboxID)
		if err != nil || !ok || o.Status == "done" || o.Status == "failed" {
			return err
		}
		channel, sender := ChannelEmail, s.o.Email
		if o.Topic == TaskSMS {
			channel, sender = ChannelSMS, s.o.SMS
		}
		var p struct {
			NotificationID int64 `json:"notification_id"`
		}
		if err := json.Unmarshal([]byte(o.Payload), &p); err != nil {
			return fmt.Errorf("outbox %d payload: %w", outboxID, err)
		}
		var n struct {
			ID       int64
			Kind     string
			Params   string
			Link     string
			Active   bool
			Email    string
			PhoneEnc string
		}
		res := tx.Raw(`SELECT n.id, n.kind, n.params::text AS params, n.link, u.active, u.email, u.phone_enc
FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id = ?`, p.NotificationID).Scan(&n)
		if res.Error != nil {
			return res.Error
		}
		status := "done"
		var addr, masked string
		switch {
		case res.RowsAffected == 0:
			return tx.Exec(`UPDATE outbox SET status = 'done', processed_at = ? WHERE id = ?`, s.clock(), outboxID).Error
		case sender == nil:
			sendErr = permanentError{channel + " is not configured"}
		case !n.Active:
			sendErr = permanentError{"the user is disabled"}
		case channel == ChannelEmail:
			addr, masked = strings.TrimSpace(n.Email), MaskEmail(n.Email)
		default:
			if n.PhoneEnc != "" {
				if addr, err = s.decrypt(n.PhoneEnc); err != nil {
					return fmt.Errorf("open phone number: %w", err)
				}
			}
			masked = domain.MaskMobile(addr)
		}
		if sendErr == nil && addr == "" {
			sendErr = permanentError{"no address on file"}
		}
		var params map[string]any
		if sendErr == nil {
			if n.Params != "" {
				if err := json.Unmarshal([]byte(n.Params), &params); err != nil {
					// No retry reads it better: record why it was not sent.
					sendErr = permanentError{"unreadable parameters: " + err.Error()}
				}
			}
		}
		if sendErr == nil {
			title, body := Render(s.o.Texts, s.o.Lang, n.Kind, params)
			r := Rendered{ID: fmt.Sprintf("notification-%d", n.ID), Title: title, Body: body}
			if n.Link != "" && s.o.BaseURL != "" {
				r.URL = strings.TrimRight(s.o.BaseURL, "/") + n.Link
			}
			sendErr = sender.Send(ctx, addr, r)
		}
		deliveryStatus, errText := "ok", ""
		if sendErr != nil {
			deliveryStatus, errText = "failed", truncate(sendErr.Error(), 500)
			status = "enqueued"
			// Spent retries, or nothing a retry could cure: give up.
			if final || errors.As(sendErr, new(permanentError)) {
				status = "failed"
			}
		}
		if err := tx.Exec(`INSERT INTO deliveries (notification_id, channel, status, address, error, attempted_at) VALUES (?, ?, ?, ?, ?, ?)`,
			n.ID, channel, deliveryStatus, masked, errText, s.clock()).Error; err != nil {
			return err
		}
		processed := any(nil)
		if status != "enqueued" {
			processed = s.clock()
		}
		return tx.Exec(`UPDATE outbox SET status = ?, processed_at = ?, attempts = attempts + 1 WHERE id = ?`,
			status, processed, outboxID).Error
	})
	if err != nil {
		return fmt.Errorf("send outbox %d: %w", outboxID, err)
	}
	if sendErr != nil && !errors.As(sendErr, new(permanentError)) {
		return fmt.Errorf("send outbox %d: %w", outboxID, sendErr)
	}
	return nil
}

func (s *Service) decrypt(v string) (string, error) {
	if s.o.PII == nil {
		return "", errors.New("no PII cipher configured")
	}
	return s.o.PII.Decrypt(v)
}

// HandleOutbox runs the handler of an outbox row's topic.
func (s *Service) HandleOutbox(ctx context.Context, topic string, id int64, final bool) error {
	switch topic {
	case TaskSend:
		return s.DeliverMessage(ctx, id)
	case TaskEmail, TaskSMS:
		return s.SendChannel(ctx, id, final)
	}
	return fmt.Errorf("notify: no handler for outbox topic %q", topic)
}

// MaskEmail masks an e-mail address for records and logs:
// "zhang.san@example.com" becomes "z********@example.com".
func MaskEmail(s string) string {
	s = strings.TrimSpace(s)
	local, host, ok := strings.Cut(s, "@")
	if !ok {
		return strings.Repeat("*", len([]rune(s)))
	}
	r := []rune(local)
	if len(r) <= 1 {
		return "*@" + host
	}
	return string(r[:1]) + strings.Repeat("*", len(r)-1) + "@" + host
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
