package notify

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	// From is the sender, "Name <address>" or an address.
	From string
	// TLS is starttls (required), tls (implicit TLS, port 465) or none.
	TLS     string
	Timeout time.Duration
}

// SMTPMailer sends notifications as e-mail through an SMTP server
// (github.com/wneessen/go-mail). It is safe for concurrent use: each send
// opens its own connection.
type SMTPMailer struct {
	c    SMTPConfig
	from string
}

// NewSMTPMailer checks c and returns a mailer.
func NewSMTPMailer(c SMTPConfig) (*SMTPMailer, error) {
	addr, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("smtp from %q: %w", c.From, err)
	}
	switch c.TLS {
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("smtp tls %q: want starttls, tls or none", c.TLS)
	}
	return &SMTPMailer{c: c, from: addr.String()}, nil
}

// Send sends one plain-text e-mail: the title as subject, the body and
// the link. The Message-ID is derived from the notification, so a resend
// after a crash carries the same id.
func (m *SMTPMailer) Send(ctx context.Context, to string, r Rendered) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("to %s: %w", MaskEmail(to), err)
	}
	msg.Subject(r.Title)
	msg.SetMessageIDWithValue(r.ID + ".email@ipmediate")
	msg.SetDate()
	msg.SetBulk()
	body := r.Body
	if r.URL != "" {
		body += "\n\n" + r.URL
	}
	msg.SetBodyString(gomail.TypeTextPlain, body)

	opts := []gomail.Option{gomail.WithPort(m.c.Port), gomail.WithTimeout(m.c.Timeout)}
	switch m.c.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.c.Username), gomail.WithPassword(m.c.Password))
	}
	client, err := gomail.NewClient(m.c.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", strings.TrimSpace(m.c.Host), err)
	}
	return nil
}
