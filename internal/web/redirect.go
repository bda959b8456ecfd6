package web

import (
	"net/url"
	"strings"
	"unicode"
)

// safeNext returns next when it is a path of this site, else fallback. It
// is the one check for every redirect target taken from a request (the
// login form's and the language switch's "next", the inbox's return
// address), so none of them can send a user to another site.
//
// Browsers are lenient with a Location header: they drop tabs and
// newlines, treat a backslash as a slash and read "//host" as another
// host, so "/\t/evil.example" or "/\evil.example" leave the site. A target
// is accepted only if it starts with exactly one slash followed by
// neither a slash nor a backslash, holds no backslash, control character
// or whitespace, and parses as a path with no scheme or host. Its path
// (before any query or fragment) must still pass after percent-decoding,
// repeatedly, so neither "/%09/evil" nor "/%252F/evil" can turn into
// "//evil" at some later decoding step; the query may hold any encoded
// character.
func safeNext(next, fallback string) string {
	if !localPath(next) {
		return fallback
	}
	path := next
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	for range 3 {
		d, err := url.PathUnescape(path)
		if err != nil || !localPath(d) {
			return fallback
		}
		if d == path {
			return next
		}
		path = d
	}
	// Still changing after three rounds of decoding: nobody needs that.
	return fallback
}

// localPath checks one form of a redirect target (see safeNext).
func localPath(p string) bool {
	if len(p) < 1 || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	for _, r := range p {
		if r == '\\' || r == ' ' || !unicode.IsPrint(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	return strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//")
}
