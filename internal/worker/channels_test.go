package worker_test

import (
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/pii"
	"github.com/ipmediate/ipmediate/internal/testsmtp"
)

// startSMTP starts the test SMTP server (internal/testsmtp).
func startSMTP(t *testing.T, rejectFirst int) *testsmtp.Server { return testsmtp.Start(t, rejectFirst) }

// smsGateway is an httptest SMS gateway that fails the first failFirst
// requests (all of them when failFirst < 0) with 503.
type smsGateway struct {
	*httptest.Server
	mu        sync.Mutex
	failFirst int
	requests  []smsRequest
}

type smsRequest struct {
	Token string
	ID    string `json:"id"`
	To    string `json:"to"`
	Text  string `json:"text"`
}

func startGateway(t *testing.T, failFirst int) *smsGateway {
	t.Helper()
	g := &smsGateway{failFirst: failFirst}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req smsRequest
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		req.Token = r.Header.Get("X-Api-Token")
		g.mu.Lock()
		g.requests = append(g.requests, req)
		n := len(g.requests)
		g.mu.Unlock()
		if req.Token != "gateway-secret" {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		if g.failFirst < 0 || n <= g.failFirst {
			http.Error(w, "carrier unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status":"queued"}`))
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) received() []smsRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]smsRequest(nil), g.requests...)
}

// channelHarness has a mediator with an e-mail address and an encrypted
// mobile number, and a worker sending through the given servers.
func channelHarness(t *testing.T, mailSrv *testsmtp.Server, gw *smsGateway, maxRetry int) *harness {
	t.Helper()
	keys, _ := pii.ParseKeys(config.DevPIIKeys)
	hkey, _ := pii.ParseKey(config.DevPIIHMACKey)
	cipher, err := pii.New(keys, "dev1", hkey)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	phone, _ := cipher.Encrypt("13800138000")
	if err := h.db.Exec(`UPDATE users SET email = 'zhang.san@example.com', phone_enc = ? WHERE id = ?`, phone, h.f.Mediator).Error; err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(mailSrv.Addr)
	var portN int
	_, _ = fmtSscan(port, &portN)
	mailer, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: host, Port: portN, From: "ipmediate <noreply@ipmediate.test>",
		TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h.start(nodeOptions{concurrency: 4, maxRetry: maxRetry, staleAfter: time.Minute, notify: func(o *notify.Options) {
		o.Email = mailer
		o.SMS = notify.NewSMSGateway(notify.SMSConfig{URL: gw.URL, Token: "gateway-secret", TokenHeader: "X-Api-Token", Timeout: 5 * time.Second})
		o.PII = cipher
	}})
	return h
}

type deliveryRow struct {
	Channel, Status, Address, Error string
}

func (h *harness) deliveries(t *testing.T) []deliveryRow {
	t.Helper()
	var rows []deliveryRow
	if err := h.db.Raw(`SELECT channel, status, address, error FROM deliveries ORDER BY channel, id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func (h *harness) outboxStatus(t *testing.T, topic string) string {
	t.Helper()
	var s string
	h.db.Raw(`SELECT status FROM outbox WHERE topic = ?`, topic).Scan(&s)
	return s
}

// TestDelivery_EmailAndSMSWithRetries: a reminder goes in-app, by e-mail
// to a real SMTP server and by SMS to an HTTP gateway; the mail server
// and the gateway each fail the first attempt, the retry (with backoff)
// succeeds, and every attempt is recorded.
func TestDelivery_EmailAndSMSWithRetries(t *testing.T) {
	t.Parallel()
	mailSrv, gw := startSMTP(t, 1), startGateway(t, 1)
	h := channelHarness(t, mailSrv, gw, 3)
	h.f.DueReminders(t, 1, h.clk.Now().Add(-time.Second))
	waitUntil(t, 30*time.Second, "e-mail and SMS delivered", func() bool {
		return h.outboxStatus(t, notify.TaskEmail) == "done" && h.outboxStatus(t, notify.TaskSMS) == "done"
	})
	h.assertOnce(1)
	var nid int64
	h.db.Raw(`SELECT id FROM notifications`).Scan(&nid)

	msgs := mailSrv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d e-mails accepted, want 1", len(msgs))
	}
	m := msgs[0]
	if m.To != "zhang.san@example.com" || m.From != "noreply@ipmediate.test" {
		t.Errorf("envelope %s -> %s", m.From, m.To)
	}
	parsed, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	body, _ := io.ReadAll(quotedprintable.NewReader(parsed.Body))
	if id := parsed.Header.Get("Message-ID"); id != "<notification-"+itoa(nid)+".email@ipmediate>" {
		t.Errorf("Message-ID %q", id)
	}
	if subject != "期限提醒：批量期限 1" || !strings.Contains(string(body), "届满") || !strings.Contains(string(body), "http://ipmediate.test/deadlines") {
		t.Errorf("e-mail %q:\n%s", subject, body)
	}

	reqs := gw.received()
	if len(reqs) != 2 {
		t.Fatalf("%d gateway requests, want 2 (one failed, one retried)", len(reqs))
	}
	for _, r := range reqs {
		if r.ID != "notification-"+itoa(nid)+".sms" || r.To != "13800138000" || r.Token != "gateway-secret" ||
			!strings.Contains(r.Text, "期限提醒：批量期限 1") {
			t.Errorf("gateway request %+v", r)
		}
	}

	got := h.deliveries(t)
	want := []deliveryRow{
		{"email", "failed", "z********@example.com", ""}, {"email", "ok", "z********@example.com", ""},
		{"inapp", "ok", "", ""},
		{"sms", "failed", "138****8000", ""}, {"sms", "ok", "138****8000", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("deliveries %+v", got)
	}
	for i := range want {
		g := got[i]
		if g.Channel != want[i].Channel || g.Status != want[i].Status || g.Address != want[i].Address || (g.Status == "failed") != (g.Error != "") {
			t.Errorf("delivery %d = %+v, want %+v with an error when failed", i, g, want[i])
		}
	}
	if !strings.Contains(got[0].Error, "451") || !strings.Contains(got[3].Error, "503") {
		t.Errorf("recorded errors: %q, %q", got[0].Error, got[3].Error)
	}
}

// TestDelivery_FailingGatewayGivesUp: a gateway that keeps failing is
// tried 1 + max_retry times, each attempt recorded, then the SMS is
// marked failed and left alone; the in-app notification is unaffected.
func TestDelivery_FailingGatewayGivesUp(t *testing.T) {
	t.Parallel()
	mailSrv, gw := startSMTP(t, 0), startGateway(t, -1)
	h := channelHarness(t, mailSrv, gw, 2)
	h.f.DueReminders(t, 1, h.clk.Now().Add(-time.Second))
	waitUntil(t, 30*time.Second, "SMS given up", func() bool { return h.outboxStatus(t, notify.TaskSMS) == "failed" })
	h.assertOnce(1)
	if n := len(gw.received()); n != 3 {
		t.Errorf("%d gateway requests, want 3", n)
	}
	var failed, ok int
	for _, d := range h.deliveries(t) {
		switch {
		case d.Channel == "sms" && d.Status == "failed":
			failed++
		case d.Channel == "sms":
			ok++
		}
	}
	if failed != 3 || ok != 0 {
		t.Errorf("sms deliveries: %d failed, %d ok", failed, ok)
	}
	if len(mailSrv.Messages()) != 1 || h.outboxStatus(t, notify.TaskEmail) != "done" {
		t.Error("the e-mail should have gone out regardless")
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(gw.received()); n != 3 {
		t.Errorf("the gateway was tried again after giving up: %d requests", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fmtSscan(s string, n *int) (int, error) {
	v, err := strconv.Atoi(s)
	*n = v
	return 1, err
}
