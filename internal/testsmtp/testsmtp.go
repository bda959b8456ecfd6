// Package testsmtp is a real SMTP server (github.com/emersion/go-smtp) on
// a local port for tests: it keeps the messages it accepts and can refuse
// the first few with a temporary error.
package testsmtp

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Server is a running test SMTP server.
type Server struct {
	// Addr is its host:port.
	Addr        string
	mu          sync.Mutex
	rejectFirst int
	attempts    int
	accepted    []Message
}

// Message is one accepted message: the envelope and the raw data.
type Message struct {
	From, To string
	Data     string
}

// Start starts a server that refuses the first rejectFirst messages with
// 451 and accepts the rest; it stops when the test ends.
func Start(t testing.TB, rejectFirst int) *Server {
	t.Helper()
	s := &Server{rejectFirst: rejectFirst}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages are the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.accepted...)
}

type session struct {
	s        *Server
	from, to string
}

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.attempts++
	if x.s.attempts <= x.s.rejectFirst {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.s.accepted = append(x.s.accepted, Message{From: x.from, To: x.to, Data: string(b)})
	return nil
}
