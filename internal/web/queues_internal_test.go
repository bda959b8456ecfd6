package web

import (
	"net/http"
	"strings"
	"testing"
)

// The monitor's policy allows exactly the inline scripts of its index
// page, by hash, rendered once at start without a test server.
func TestQueueCSP_HashesTheIndexPageScripts(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != QueuesPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html><script>window.a=1</script><p>x</p><script>window.b=2</script></html>`))
	})
	csp := queueCSP(page)
	// sha256 of "window.a=1" and "window.b=2", base64.
	for _, want := range []string{"'sha256-WpNQcWxgTJamkluTtRGYllok20MyGquJpWh9YXWGA4E='", "'sha256-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("policy %q lacks %s", csp, want)
		}
	}
	if strings.Count(csp, "'sha256-") != 2 {
		t.Errorf("policy %q: want two script hashes", csp)
	}
	if strings.Contains(csp, "'unsafe-inline'") && strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("scripts allowed inline wholesale: %q", csp)
	}
}
