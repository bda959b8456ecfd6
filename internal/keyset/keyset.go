// Package keyset is the one convention for paging a list by its key: the
// page size rule and the cursor that continues a list where a page ended.
//
// A cursor is opaque to clients. Inside it is a version byte and the key
// of the last row served, one or more 64-bit integers (an id; or a time in
// microseconds and an id), base64url-encoded without padding. A cursor of
// another version or shape is refused as malformed, so a change of format
// is a new version, never a silent misreading.
package keyset

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// Page sizes: a list asked for no size gets DefaultLimit rows; a size
// above MaxLimit is clamped to MaxLimit (never refused, never reset to the
// default). Negative sizes are refused by the HTTP layer before this.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Limit applies the page size rule to a requested size.
func Limit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// version is the cursor format written by Encode.
const version = 1

// ErrMalformed is the answer to a cursor this package did not write.
var ErrMalformed = errors.New("malformed cursor")

// Encode makes the cursor that continues a list after the row whose key
// is keys.
func Encode(keys ...int64) string {
	b := make([]byte, 1+8*len(keys))
	b[0] = version
	for i, k := range keys {
		binary.BigEndian.PutUint64(b[1+8*i:], uint64(k))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode returns the n keys of a cursor written by Encode, or ErrMalformed.
func Decode(s string, n int) ([]int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || n < 1 || len(b) != 1+8*n || b[0] != version {
		return nil, ErrMalformed
	}
	keys := make([]int64, n)
	for i := range keys {
		keys[i] = int64(binary.BigEndian.Uint64(b[1+8*i:]))
	}
	return keys, nil
}

// Page cuts rows, read with a limit of limit+1 (one more than the page
// holds, to learn whether there is a next page), to the page, and returns
// the next page's cursor: the id of the page's last row, "" on the last
// page.
func Page[T any](rows []T, limit int, id func(T) int64) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, ID(id(rows[limit-1]))
}

// ID is the cursor of a list keyed by id alone.
func ID(id int64) string { return Encode(id) }

// DecodeID returns the id of a cursor written by ID; ids are positive.
func DecodeID(s string) (int64, error) {
	keys, err := Decode(s, 1)
	if err != nil || keys[0] <= 0 {
		return 0, ErrMalformed
	}
	return keys[0], nil
}
