package benchseed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/stats"
)

// LatestFullYear returns the latest calendar year (in Beijing) whose first
// and last day both lie within the filing dates of the cases in db: the
// year a statistics benchmark reads by default.
func LatestFullYear(ctx context.Context, db *gorm.DB) (int, error) {
	var span struct {
		First, Last *time.Time
	}
	if err := db.WithContext(ctx).Raw("SELECT min(created_at) AS first, max(created_at) AS last FROM cases").Scan(&span).Error; err != nil {
		return 0, fmt.Errorf("filing dates: %w", err)
	}
	if span.First == nil || span.Last == nil {
		return 0, errors.New("the database has no cases: run bench seed first")
	}
	for y := span.Last.Year() + 1; y >= span.First.Year()-1; y-- {
		p := stats.Year(y)
		// Cases on the year's last day, and on its first (give or take the
		// hours of that day the seeded period starts at).
		if !span.Last.Before(p.LastDay()) && span.First.Before(p.From.Add(24*time.Hour)) {
			return y, nil
		}
	}
	return 0, fmt.Errorf("no calendar year is covered by the filing dates %s – %s: give --year",
		span.First.Format(time.DateOnly), span.Last.Format(time.DateOnly))
}

var csrfInput = regexp.MustCompile(`<input type="hidden" name="_csrf" value="([^"]+)">`)

// WebLogin signs username in through the login form at base as a browser
// does (the page's CSRF token, then the form) and returns a client that
// carries the session cookie and does not follow redirects.
func WebLogin(ctx context.Context, base, username, password string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var page bytes.Buffer
	r, err := Get(ctx, c, base+"/login", &page)
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusOK {
		return nil, fmt.Errorf("GET /login: %d", r.Status)
	}
	m := csrfInput.FindSubmatch(page.Bytes())
	if m == nil {
		return nil, errors.New("GET /login: no CSRF field in the page")
	}
	form := url.Values{"_csrf": {string(m[1])}, "username": {username}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		return nil, fmt.Errorf("login as %s: %d (location %q)", username, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c, nil
}

// Response is what Get read: the status, the content type and how many
// bytes of body.
type Response struct {
	Status      int
	ContentType string
	Bytes       int64
}

// Get requests u with c and copies the whole body to w: the time of a call
// is the time until the last byte arrived.
func Get(ctx context.Context, c *http.Client, u string, w io.Writer) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Response{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("GET %s: reading the body: %w", u, err)
	}
	return Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Bytes: n}, nil
}

// LoadAverage returns the host's 1, 5 and 15 minute load averages as
// /proc/loadavg gives them, or "unknown" where there is none.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
