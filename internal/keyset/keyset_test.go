package keyset

import (
	"encoding/base64"
	"testing"
)

func TestLimit(t *testing.T) {
	for in, want := range map[int]int{-5: DefaultLimit, 0: DefaultLimit, 1: 1, 50: 50, 200: 200, 201: 200, 100000: 200} {
		if got := Limit(in); got != want {
			t.Errorf("Limit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, keys := range [][]int64{{1}, {1 << 62}, {1767225600000000, 42}, {-1, 7}} {
		got, err := Decode(Encode(keys...), len(keys))
		if err != nil {
			t.Fatalf("%v: %v", keys, err)
		}
		for i := range keys {
			if got[i] != keys[i] {
				t.Errorf("%v came back as %v", keys, got)
			}
		}
	}
	if id, err := DecodeID(ID(99)); err != nil || id != 99 {
		t.Errorf("DecodeID(ID(99)) = %d, %v", id, err)
	}
}

// Anything Encode did not write is refused: other encodings, another
// version, another number of keys, ids that cannot be.
func TestMalformed(t *testing.T) {
	old := base64.RawURLEncoding.EncodeToString([]byte{0, 0, 0, 0, 0, 0, 0, 5}) // the unversioned format
	v2 := base64.RawURLEncoding.EncodeToString([]byte{2, 0, 0, 0, 0, 0, 0, 0, 5})
	for _, s := range []string{"", "!!", "NQ", old, v2, Encode(1, 2), ID(0), ID(-3)} {
		if _, err := DecodeID(s); err == nil {
			t.Errorf("DecodeID(%q) accepted", s)
		}
	}
	if _, err := Decode(ID(5), 2); err == nil {
		t.Error("a one-key cursor decoded as two keys")
	}
}

// TestPage: a read of limit+1 rows is cut to limit with the cursor of its
// last row; a read of limit rows or fewer is the last page.
func TestPage(t *testing.T) {
	id := func(n int64) int64 { return n }
	rows, next := Page([]int64{9, 8, 7, 6}, 3, id)
	if len(rows) != 3 || rows[2] != 7 {
		t.Fatalf("page %v", rows)
	}
	if got, err := DecodeID(next); err != nil || got != 7 {
		t.Errorf("next %q decodes to %d (%v)", next, got, err)
	}
	if rows, next := Page([]int64{9, 8, 7}, 3, id); len(rows) != 3 || next != "" {
		t.Errorf("last page %v %q", rows, next)
	}
}
