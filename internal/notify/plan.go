package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// deadlineRow is what planning and delivery read of a deadline.
type deadlineRow struct {
	ID                int64
	OrgID             int64
	CaseID            *int64
	SubjectType       string
	SubjectID         int64
	Kind              string
	Title             string
	DueAt             time.Time
	Status            string
	ResponsibleUserID *int64
	Version           int
	// Duty is the deadline's duty (docs/law.md §1): organisation, party,
	// information or soft.
	Duty string
}

// The duties of deadlines (calendar.Duty; migrations/0011_deadline_duty.sql).
const (
	dutyOrganisation = "organisation"
	dutyParty        = "party"
	dutyInformation  = "information"
	dutySoft         = "soft"
)

// deadlineOpen is the status of a deadline still running or overdue
// (migrations/0006_deadlines.sql); met, missed and cancelled are closed.
const deadlineOpen = "open"

// Reasons a reminder is cancelled (reminders.cancel_reason).
const (
	reasonSuperseded = "superseded"
	reasonClosed     = "deadline_closed"
	reasonTooLate    = "too_late"
	reasonInactive   = "recipient_inactive"
	// reasonReported: the annual report the reminder asks for was
	// submitted (or accepted) in the meantime.
	reasonReported = "report_submitted"
)

// PlanTx (re)plans the reminders of a deadline inside tx, the transaction
// of the business change that opened, moved or closed it, so that the
// plan commits or rolls back with the change. Call it after writing the
// deadline row; it is idempotent.
//
//   - open, by the deadline's duty (docs/law.md §1):
//   - organisation: one reminder per configured stage and recipient (the
//     responsible user, else the organisation's directors) and the
//     overdue escalation to the directors. A responsible user gets an
//     in-app message when the deadline is set or moved.
//   - party: the stages go to the party's side (partyRecipients: the
//     users of the case's enterprise parties and the organisation that
//     referred the matter), who are told when the time limit is set or
//     moved; never to the responsible organisation, never escalated.
//   - soft: the stages go to the responsible user (else the directors);
//     no escalation: after the due time the same people get a follow-up
//     reminder (deadline_followup) instead.
//   - information: nothing is planned: it is shown, not reminded of.
//   - In every case, reminders planned for another due time or recipient
//     are cancelled unless already sent.
//   - met, missed or cancelled (closed): every unsent reminder is
//     cancelled, as CancelTx does.
//
// A deadline that does not exist gives ENOTFOUND.
func (s *Service) PlanTx(ctx context.Context, tx *gorm.DB, deadlineID int64) error {
	return s.inTx(ctx, tx, func(tx *gorm.DB) error {
		var d deadlineRow
		res := tx.Raw(`SELECT id, org_id, case_id, subject_type, subject_id, kind, title, due_at, status, responsible_user_id, version, duty
FROM deadlines WHERE id = ?`, deadlineID).Scan(&d)
		if res.Error != nil {
			return fmt.Errorf("plan reminders of deadline %d: %w", deadlineID, res.Error)
		}
		if res.RowsAffected == 0 {
			return domain.NotFound("deadline")
		}
		if d.Status != deadlineOpen {
			return cancelUnsent(tx, deadlineID, reasonClosed)
		}
		return s.plan(tx, d)
	})
}

// CancelTx cancels every unsent reminder of a deadline inside tx, the
// transaction that closes it (met, missed or cancelled). PlanTx does the
// same when it finds the deadline closed.
func (s *Service) CancelTx(ctx context.Context, tx *gorm.DB, deadlineID int64) error {
	return s.inTx(ctx, tx, func(tx *gorm.DB) error { return cancelUnsent(tx, deadlineID, reasonClosed) })
}

func cancelUnsent(tx *gorm.DB, deadlineID int64, reason string) error {
	err := tx.Exec(`UPDATE reminders SET status = 'cancelled', cancel_reason = ?
WHERE deadline_id = ? AND status IN ('pending', 'enqueued')`, reason, deadlineID).Error
	if err != nil {
		return fmt.Errorf("cancel reminders of deadline %d: %w", deadlineID, err)
	}
	return nil
}

// reminderRow is one reminder to write.
type reminderRow struct {
	Topic     string
	Stage     string
	SendAt    time.Time
	Recipient int64
}

func (s *Service) plan(tx *gorm.DB, d deadlineRow) error {
	now := s.clock()
	directors, err := orgHeads(tx, d.OrgID)
	if err != nil {
		return err
	}
	responsible := directors
	if d.ResponsibleUserID != nil {
		responsible = []int64{*d.ResponsibleUserID}
	}
	escalate := directors
	tell := d.ResponsibleUserID != nil // the responsible user is told of a new due time
	switch d.Duty {
	case dutyInformation:
		responsible, escalate, tell = nil, nil, false
		if err := s.confirmationNotice(tx, d); err != nil {
			return err
		}
	case dutyParty:
		if responsible, err = partyRecipients(tx, d); err != nil {
			return err
		}
		escalate, tell = nil, false
	case dutySoft:
		// No escalation to the directors: once the time has passed, the
		// responsible are reminded to follow it up (a performance date
		// without a record, the police's decision on a transfer).
		escalate = responsible
	}
	// keep: every (stage, recipient) that belongs to the plan for this due
	// time, written now or not; insert: the rows to write.
	var keep []string
	var insert []reminderRow
	for _, p := range planStages(s.o.Calendar, s.o.SendTime, s.o.Stages, d.DueAt, now) {
		for _, u := range responsible {
			keep = append(keep, p.Name+":"+strconv.FormatInt(u, 10))
			if !p.Past || p.CatchUp {
				insert = append(insert, reminderRow{Topic: TaskRemind, Stage: p.Name, SendAt: p.SendAt, Recipient: u})
			}
		}
	}
	escalateAt := d.DueAt.Add(s.o.EscalateAfter)
	for _, u := range escalate {
		keep = append(keep, StageEscalation+":"+strconv.FormatInt(u, 10))
		insert = append(insert, reminderRow{Topic: TaskEscalate, Stage: StageEscalation, SendAt: escalateAt, Recipient: u})
	}

	// The party's side is told once of each due time.
	var told []int64
	if d.Duty == dutyParty {
		for _, u := range responsible {
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM reminders WHERE deadline_id = ? AND recipient_user_id = ? AND due_at = ?`,
				d.ID, u, d.DueAt).Row().Scan(&n); err != nil {
				return fmt.Errorf("plan reminders of deadline %d: %w", d.ID, err)
			}
			if n == 0 {
				told = append(told, u)
			}
		}
	}
	// Has the responsible user been told of this due time, or of another?
	var known, moved bool
	if tell {
		if err := tx.Raw(`SELECT coalesce(bool_or(due_at = ?), false), count(*) > 0 FROM reminders
WHERE deadline_id = ? AND recipient_user_id = ? AND topic = ?`, d.DueAt, d.ID, *d.ResponsibleUserID, TaskRemind).
			Row().Scan(&known, &moved); err != nil {
			return fmt.Errorf("plan reminders of deadline %d: %w", d.ID, err)
		}
	}
	if err := tx.Exec(`UPDATE reminders SET status = 'cancelled', cancel_reason = ?
WHERE deadline_id = ? AND status IN ('pending', 'enqueued')
  AND NOT (due_at = ? AND stage || ':' || recipient_user_id = ANY (?::text[]))`,
		reasonSuperseded, d.ID, d.DueAt, pgTextArray(keep)).Error; err != nil {
		return fmt.Errorf("plan reminders of deadline %d: cancel superseded: %w", d.ID, err)
	}
	if len(insert) > 0 {
		var sb strings.Builder
		args := make([]any, 0, len(insert)*7)
		sb.WriteString(`INSERT INTO reminders (deadline_id, org_id, topic, stage, due_at, send_at, recipient_user_id) VALUES `)
		for i, r := range insert {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, d.ID, d.OrgID, r.Topic, r.Stage, d.DueAt, r.SendAt, r.Recipient)
		}
		// A reminder cancelled earlier comes back when the plan wants it
		// again (a deadline moved back, a closed one reopened); a sent one
		// stays sent.
		sb.WriteString(` ON CONFLICT (deadline_id, due_at, stage, recipient_user_id) WHERE deadline_id IS NOT NULL
DO UPDATE SET status = 'pending', send_at = EXCLUDED.send_at, enqueued_at = NULL, cancel_reason = ''
WHERE reminders.status = 'cancelled'`)
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("plan reminders of deadline %d: %w", d.ID, err)
		}
	}
	var subject Subject
	if len(told) > 0 || (!known && tell) {
		if subject, err = subjectOf(tx, d.ID); err != nil {
			return err
		}
	}
	noticeParams := func() map[string]any {
		p := map[string]any{"Title": d.Title, "Due": FormatDue(d.DueAt)}
		subject.addTo(p)
		return p
	}
	for _, u := range told {
		msg := Message{
			UserID: u, Kind: "deadline_party_set", Link: deadlineLink(d),
			Params:   noticeParams(),
			DedupKey: fmt.Sprintf("deadline:%d:%d:party:%d", d.ID, d.DueAt.Unix(), u),
		}
		if err := s.sendTx(tx, msg); err != nil {
			return err
		}
	}
	if !known && tell {
		kind := "deadline_set"
		if moved {
			kind = "deadline_moved"
		}
		msg := Message{
			UserID: *d.ResponsibleUserID, Kind: kind, Link: deadlineLink(d),
			Params:   noticeParams(),
			DedupKey: fmt.Sprintf("deadline:%d:%d:set:%d", d.ID, d.DueAt.Unix(), *d.ResponsibleUserID),
		}
		if err := s.sendTx(tx, msg); err != nil {
			return err
		}
	}
	return nil
}

// kindJudicialConfirmation is the kind of a case's window to apply for
// judicial confirmation (deadline.KindJudicialConfirmation).
const kindJudicialConfirmation = "judicial_confirmation"

// confirmationNotice tells the users of the case's enterprise parties,
// when the window to apply for judicial confirmation opens (the agreement
// took effect), that they may apply, by when and to which court: the
// parties' right, which they use if they consider it necessary. Parties
// without an account learn it from the committee, whose case page shows
// the same. Sent once per user (the dedup key), on the window's first
// version only.
func (s *Service) confirmationNotice(tx *gorm.DB, d deadlineRow) error {
	if d.Kind != kindJudicialConfirmation || d.CaseID == nil || d.Version != 1 {
		return nil
	}
	users, err := partyRecipients(tx, d)
	if err != nil || len(users) == 0 {
		return err
	}
	court, err := deadline.ConfirmationCourtTx(tx.Statement.Context, tx, *d.CaseID)
	if err != nil {
		return err
	}
	var number string
	if err := tx.Raw(`SELECT number FROM cases WHERE id = ?`, *d.CaseID).Scan(&number).Error; err != nil {
		return fmt.Errorf("case of deadline %d: %w", d.ID, err)
	}
	for _, u := range users {
		if err := s.sendTx(tx, Message{UserID: u, Kind: "judicial_confirmation_notice", Link: deadlineLink(d),
			Params:   map[string]any{"Number": number, "Due": FormatDue(d.DueAt), "Court": court.Text()},
			DedupKey: fmt.Sprintf("deadline:%d:confirmation:%d", d.ID, u)}); err != nil {
			return err
		}
	}
	return nil
}

// partyRecipients are who a party's time limit is reminded to: the active
// users of the case's enterprise parties (those linked to the case, who
// may see it: an SME sees its reminders in its inbox), of the applicant enterprise of the assistance application a
// referral was made for, and, for a deadline of a referral, whoever
// referred the matter on
// the party's behalf (the assistance centre or committee that sent it: the
// user who sent it, else that organisation's directors), never the
// organisation that received it (customs, whose decision the party's time
// limit precedes); for a customs recordation's validity, the users of the
// holder enterprise.
func partyRecipients(tx *gorm.DB, d deadlineRow) ([]int64, error) {
	var ids []int64
	if d.CaseID != nil {
		if err := tx.Raw(`SELECT DISTINCT m.user_id FROM (
	SELECT p.org_id FROM case_parties p WHERE p.case_id = ? AND p.org_id IS NOT NULL
	UNION SELECT c.applicant_org_id FROM cases c WHERE c.id = ? AND c.applicant_org_id IS NOT NULL) AS e (org_id)
JOIN orgs o ON o.id = e.org_id AND o.type = 'enterprise'
JOIN memberships m ON m.org_id = e.org_id
JOIN users u ON u.id = m.user_id AND u.active
ORDER BY m.user_id`, *d.CaseID, *d.CaseID).Scan(&ids).Error; err != nil {
			return nil, fmt.Errorf("party users of deadline %d: %w", d.ID, err)
		}
	}
	if d.SubjectType == "customs_recordation" {
		// A customs recordation's validity: the holder enterprise (the
		// deadline's organisation), whose users manage its recordations.
		if err := tx.Raw(`SELECT DISTINCT m.user_id FROM memberships m
JOIN orgs o ON o.id = m.org_id AND o.type = 'enterprise'
JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? ORDER BY m.user_id`, d.OrgID).Scan(&ids).Error; err != nil {
			return nil, fmt.Errorf("holder users of deadline %d: %w", d.ID, err)
		}
		return ids, nil
	}
	if d.SubjectType != "referral" {
		return ids, nil
	}
	var ref struct {
		SenderOrgID *int64
		SentBy      *int64
		SenderOK    bool
	}
	if err := tx.Raw(`SELECT r.sender_org_id, r.sent_by, coalesce(u.active, false) AS sender_ok FROM referrals r
LEFT JOIN users u ON u.id = r.sent_by WHERE r.id = ?`, d.SubjectID).Scan(&ref).Error; err != nil {
		return nil, fmt.Errorf("referrer of deadline %d: %w", d.ID, err)
	}
	add := func(xs ...int64) {
		for _, x := range xs {
			if !slices.Contains(ids, x) {
				ids = append(ids, x)
			}
		}
	}
	// A referral made for an assistance application: the applicant SME.
	var applicants []int64
	if err := tx.Raw(`SELECT DISTINCT m.user_id FROM referrals r
JOIN assistance_applications a ON a.id = r.application_id
JOIN orgs o ON o.id = a.applicant_org_id AND o.type = 'enterprise'
JOIN memberships m ON m.org_id = a.applicant_org_id
JOIN users u ON u.id = m.user_id AND u.active
WHERE r.id = ? ORDER BY m.user_id`, d.SubjectID).Scan(&applicants).Error; err != nil {
		return nil, fmt.Errorf("applicant users of deadline %d: %w", d.ID, err)
	}
	add(applicants...)
	switch {
	case ref.SenderOrgID == nil || *ref.SenderOrgID == d.OrgID:
	case ref.SentBy != nil && ref.SenderOK:
		add(*ref.SentBy)
	default:
		heads, err := orgHeads(tx, *ref.SenderOrgID)
		if err != nil {
			return nil, err
		}
		add(heads...)
	}
	slices.Sort(ids)
	return ids, nil
}

// deadlineLink is the page a deadline's notifications lead to.
func deadlineLink(d deadlineRow) string {
	switch {
	case d.SubjectType == "referral" && d.SubjectID > 0:
		return "/referrals/" + strconv.FormatInt(d.SubjectID, 10)
	case d.SubjectType == "application" && d.SubjectID > 0:
		return "/assistance/" + strconv.FormatInt(d.SubjectID, 10)
	case d.SubjectType == "credit_record" && d.SubjectID > 0:
		return "/credit/" + strconv.FormatInt(d.SubjectID, 10)
	case d.SubjectType == "customs_recordation" && d.SubjectID > 0:
		return "/recordations/" + strconv.FormatInt(d.SubjectID, 10)
	case d.SubjectType == "fair_complaint" && d.SubjectID > 0:
		return "/exhibitions/complaints/" + strconv.FormatInt(d.SubjectID, 10)
	case d.CaseID != nil:
		return "/cases/" + strconv.FormatInt(*d.CaseID, 10)
	}
	return "/deadlines"
}

// orgHeads returns the active holders of its head roles (domain.Role.Head:
// a committee's director) of an organisation or, when it has none (a
// court, customs), its active members: they receive the escalation of its
// missed deadlines.
func orgHeads(tx *gorm.DB, orgID int64) ([]int64, error) {
	var ids []int64
	err := tx.Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? AND m.role IN ? ORDER BY m.user_id`, orgID, domain.RolesWhere(domain.Role.Head)).Scan(&ids).Error
	if err == nil && len(ids) == 0 {
		err = tx.Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? ORDER BY m.user_id`, orgID).Scan(&ids).Error
	}
	if err != nil {
		return nil, fmt.Errorf("directors of org %d: %w", orgID, err)
	}
	return ids, nil
}

// MembersTx returns the active users holding one of roles in organisation
// orgID, by id: whom a capability tells of a step (an enterprise's users,
// a centre's officers, a body's officers).
func MembersTx(ctx context.Context, tx *gorm.DB, orgID int64, roles []domain.Role) ([]int64, error) {
	var ids []int64
	err := tx.WithContext(ctx).Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? AND m.role IN ? ORDER BY m.user_id`, orgID, roles).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("members of org %d: %w", orgID, err)
	}
	return ids, nil
}

// Message is a notification to one user, sent through the outbox.
type Message struct {
	UserID int64 `json:"user_id"`
	// Kind picks the text: web/i18n notify.<kind>.title and .body.
	Kind string `json:"kind"`
	// Params fill the text's placeholders ({{.Title}}).
	Params map[string]any `json:"params,omitempty"`
	// Link is a local path the notification leads to, or "".
	Link string `json:"link,omitempty"`
	// DedupKey makes the message idempotent: a second message with the
	// same key is not delivered. Empty: the outbox row is the key.
	DedupKey string `json:"dedup_key,omitempty"`
}

// SendTx queues a message to a user inside tx, the transaction of the
// change it reports: it is delivered (in-app, and by e-mail and SMS when
// configured) after the commit, and not at all after a rollback.
func (s *Service) SendTx(ctx context.Context, tx *gorm.DB, m Message) error {
	return s.inTx(ctx, tx, func(tx *gorm.DB) error { return s.sendTx(tx, m) })
}

func (s *Service) sendTx(tx *gorm.DB, m Message) error {
	row, err := OutboxRow(m)
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO outbox (topic, payload) VALUES (?, ?)`, row.Topic, row.Payload).Error; err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	return nil
}

// OutboxRow is OutboxRow(m), for callers that hold the service.
func (s *Service) OutboxRow(m Message) (Outboxed, error) { return OutboxRow(m) }

// Outboxed is the outbox row that sends a message: what SendTx inserts.
type Outboxed struct {
	Topic, Payload string
}

// OutboxRow validates m and returns the outbox row that sends it, for a
// writer that inserts it in a statement of its own rather than through
// SendTx (cases' intake writes everything in one statement). EINVALID
// names the field of m that is wrong.
func OutboxRow(m Message) (Outboxed, error) {
	var f domain.Fields
	if m.UserID <= 0 {
		f.Add("user_id", "validation.required")
	}
	if !kindPattern.MatchString(m.Kind) {
		f.Add("kind", "validation.invalid")
	}
	if m.Link != "" && !localPath(m.Link) {
		f.Add("link", "validation.invalid")
	}
	if err := f.Err(); err != nil {
		return Outboxed{}, err
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return Outboxed{}, fmt.Errorf("send message: %w", err)
	}
	return Outboxed{Topic: TaskSend, Payload: string(payload)}, nil
}

// localPath accepts a path of this site only, never another host.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\")
}

// arrayQuoter escapes an element of a PostgreSQL array literal.
var arrayQuoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// pgTextArray writes a PostgreSQL text[] literal.
func pgTextArray(xs []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		_, _ = arrayQuoter.WriteString(&b, x)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
