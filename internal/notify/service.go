package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Task types (asynq), named area:action (docs/design.md §7). Each row of reminders
// carries one of the first three as its topic; outbox rows carry the rest.
const (
	TaskRemind   = "deadline:remind"
	TaskEscalate = "deadline:escalate"
	TaskAnnual   = "report:annual"
	TaskSend     = "notify:send"
	TaskEmail    = "notify:email"
	TaskSMS      = "notify:sms"
)

// Channels of delivery.
const (
	ChannelInApp = "inapp"
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Texts renders message ids in a language (web/i18n through the web
// package's Translator).
type Texts interface {
	T(lang, id string, params map[string]any) string
}

// Decrypter opens personal information stored encrypted (phones).
type Decrypter interface {
	Decrypt(s string) (string, error)
}

// Sender delivers one rendered notification to one address on an external
// channel (e-mail, SMS). An error means "not delivered"; it is recorded
// and the send is retried.
type Sender interface {
	Send(ctx context.Context, to string, m Rendered) error
}

// Rendered is a notification's text in one language.
type Rendered struct {
	// ID is stable across retries (notification-<id>), so that a receiving
	// system can drop a duplicate.
	ID    string
	Title string
	Body  string
	// URL is the absolute link, or "" when the notification has none.
	URL string
}

// Options configure a Service. Calendar and Texts are required.
type Options struct {
	// Calendar counts working days back from a due date.
	Calendar *calendar.Calendar
	// Stages are the before-due reminder stages (ParseStages).
	Stages []Stage
	// SendTime is when day-based reminders go out, Beijing time.
	SendTime ClockTime
	// EscalateAfter is how long after the due time an open deadline
	// escalates to the organisation's directors.
	EscalateAfter time.Duration
	// AnnualFrom is the first day (month, day) of annual report reminders;
	// AnnualDue is the day the report is due (the annual_report rule).
	AnnualFrom, AnnualDue calendar.Date
	// AnnualRoles are the roles that submit the annual report
	// (report:submit in the policy); AnnualOrgTypes the types of
	// organisation that owe one (every type when empty). A member of an
	// organisation of such a type holding such a role is reminded.
	AnnualRoles    []domain.Role
	AnnualOrgTypes []domain.OrgType
	// Email and SMS deliver on external channels; nil turns one off.
	Email, SMS Sender
	// Texts renders notifications for e-mail and SMS, in Lang.
	Texts Texts
	// Lang is the language of e-mail and SMS. Default zh-CN.
	Lang string
	// BaseURL makes links absolute in e-mails and SMS.
	BaseURL string
	// PII opens encrypted phone numbers for SMS.
	PII Decrypter
	// Now is the clock. Default: the wall clock.
	Now func() time.Time
	// Log receives delivery failures. Default: discard.
	Log *slog.Logger
}

// Service plans reminders, relays them to the queue and delivers them,
// and serves the inbox.
type Service struct {
	db  *gorm.DB
	o   Options
	now func() time.Time
	log *slog.Logger
	// beforeCommit, when set (tests), runs inside a delivery transaction
	// just before it commits.
	beforeCommit func(ctx context.Context, topic string, id int64) error
}

// New returns a Service over db.
func New(db *gorm.DB, o Options) (*Service, error) {
	if o.Calendar == nil {
		return nil, errors.New("notify: a calendar is required")
	}
	if o.Texts == nil {
		return nil, errors.New("notify: texts are required")
	}
	if o.Lang == "" {
		o.Lang = "zh-CN"
	}
	if o.Now == nil {
		o.Now = clock.Wall
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.AnnualDue.IsZero() {
		o.AnnualDue = calendar.NewDate(2000, time.December, 20)
	}
	if o.AnnualFrom.IsZero() {
		o.AnnualFrom = calendar.NewDate(2000, time.December, 1)
	}
	return &Service{db: db, o: o, now: o.Now, log: o.Log}, nil
}

// clock returns the current time as PostgreSQL stores it.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Channels lists the external channels that are configured.
func (s *Service) Channels() []string {
	var out []string
	if s.o.Email != nil {
		out = append(out, ChannelEmail)
	}
	if s.o.SMS != nil {
		out = append(out, ChannelSMS)
	}
	return out
}

// inTx runs f in tx when it is a transaction, else in a new one.
func (s *Service) inTx(ctx context.Context, tx *gorm.DB, f func(tx *gorm.DB) error) error {
	if tx == nil {
		tx = s.db
	}
	tx = tx.WithContext(ctx)
	if _, ok := tx.Statement.ConnPool.(gorm.TxCommitter); ok {
		return f(tx)
	}
	return tx.Transaction(f)
}
