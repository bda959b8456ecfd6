package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFailCatcher: a 5xx from the queue monitor (its raw Redis error) is
// kept back for the log; anything else passes through unchanged.
func TestFailCatcher(t *testing.T) {
	rec := httptest.NewRecorder()
	w := &failCatcher{ResponseWriter: rec}
	http.Error(w, errors.New("dial tcp 10.1.2.3:6379: connection refused").Error(), http.StatusInternalServerError)
	if w.failed != http.StatusInternalServerError || !strings.Contains(w.body.String(), "10.1.2.3") {
		t.Errorf("failure not caught: %d %q", w.failed, w.body.String())
	}
	if rec.Body.Len() != 0 || rec.Code != http.StatusOK || rec.Flushed {
		t.Errorf("the raw error reached the client: %d %q", rec.Code, rec.Body.String())
	}

	rec = httptest.NewRecorder()
	w = &failCatcher{ResponseWriter: rec}
	w.WriteHeader(http.StatusNoContent)
	if w.failed != 0 || rec.Code != http.StatusNoContent {
		t.Errorf("a success was held back: %d %d", w.failed, rec.Code)
	}
	rec = httptest.NewRecorder()
	w = &failCatcher{ResponseWriter: rec}
	_, _ = w.Write([]byte(`{"queues":[]}`))
	if rec.Body.String() != `{"queues":[]}` {
		t.Errorf("body not passed through: %q", rec.Body.String())
	}
}
