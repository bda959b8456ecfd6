package web

import "testing"

// TestOriginOf normalises origins for the CSRF origin check.
func TestOriginOf(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"HTTPS://Example.GOV.cn":     "https://example.gov.cn",
		"https://example.gov.cn:443": "https://example.gov.cn",
		"http://example.gov.cn:80":   "http://example.gov.cn",
		"http://example.gov.cn/":     "http://example.gov.cn",
		"http://[::1]:80":            "http://[::1]",
		"http://[::1]:8080":          "http://[::1]:8080",
		"null":                       "",
		"":                           "",
		"file://":                    "",
		"ftp://example.gov.cn":       "",
		"http://u@example.gov.cn":    "",
		"http://example.gov.cn/x":    "",
		"http://example.gov.cn?q=1":  "",
	} {
		if got := originOf(raw); got != want {
			t.Errorf("originOf(%q) = %q, want %q", raw, got, want)
		}
	}
}
