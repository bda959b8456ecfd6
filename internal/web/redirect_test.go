package web

import "testing"

// TestSafeNext holds the one check of redirect targets taken from a
// request against the ways browsers are known to leave a site from a
// Location header.
func TestSafeNext(t *testing.T) {
	const fallback = "/fallback"
	ok := []string{
		"/",
		"/work",
		"/cases?status=mediating&q=%E5%95%86%E6%A0%87",
		"/cases/12#documents",
		"/users/3?next=//evil.example", // a slash pair in the query is harmless
		"/案件/12",
		"/a/b//c", // a slash pair later in the path stays on the site
		"/%E6%A1%88%E4%BB%B6",
		"/cases?q=a%20b%09c", // anything encoded in the query is harmless
		"/work?next=%2F%2Fevil.example",
	}
	for _, next := range ok {
		if got := safeNext(next, fallback); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
	bad := []string{
		"",
		"work",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\\\evil.example",
		"/\t/evil.example",
		"/%09/evil.example",
		"/%0a/evil.example",
		"/%0d%0a/evil.example",
		"/%2F/evil.example",
		"/%2f/evil.example",
		"/%5C/evil.example",
		"/%5cevil.example",
		"/%252F/evil.example",
		"/%25252F/evil.example",
		"/%2525252F/evil.example",
		"/%",
		"/%zz",
		"/ /evil.example",
		"/%20/evil.example",
		"/\u3000/evil.example",
		"/\u200b/evil.example",
		"/\x00",
		"/%00",
		"/\x7f",
		"/\n/evil.example",
		"\t/evil.example",
		" /work",
		"/work\r\nSet-Cookie: a=b",
		"http://evil.example",
		"https://evil.example/work",
		"HTTP://evil.example",
		"javascript:alert(1)",
		"JaVaScRiPt:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"/\\/evil.example",
		"/\xff",
		"\\/evil.example",
	}
	for _, next := range bad {
		if got := safeNext(next, fallback); got != fallback {
			t.Errorf("safeNext(%q) = %q, want the fallback", next, got)
		}
	}
}
