package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SMSConfig says how to reach the SMS gateway.
type SMSConfig struct {
	// URL receives one JSON POST per message.
	URL string
	// Token is sent in the header TokenHeader.
	Token       string
	TokenHeader string
	Timeout     time.Duration
}

// SMSGateway sends notifications as SMS through an HTTP gateway: a JSON
// POST of {"id", "to", "text"} per message, with the token in a header.
// Any 2xx answer means accepted; anything else is a failure to retry. The
// id is stable across retries so that the gateway can drop a duplicate.
type SMSGateway struct {
	c      SMSConfig
	client *http.Client
}

// NewSMSGateway returns a gateway client.
func NewSMSGateway(c SMSConfig) *SMSGateway {
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	return &SMSGateway{c: c, client: &http.Client{Timeout: c.Timeout}}
}

// smsRequest is the gateway's request body.
type smsRequest struct {
	ID   string `json:"id"`
	To   string `json:"to"`
	Text string `json:"text"`
}

// Send posts one message.
func (g *SMSGateway) Send(ctx context.Context, to string, r Rendered) error {
	text := r.Title + "\n" + r.Body
	if r.URL != "" {
		text += " " + r.URL
	}
	body, err := json.Marshal(smsRequest{ID: r.ID + ".sms", To: to, Text: text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.c.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if g.c.Token != "" {
		req.Header.Set(g.c.TokenHeader, g.c.Token)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms gateway answered %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
	}
	return nil
}
