package pii_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/pii"
)

// key returns a deterministic 32-byte test key filled with b.
func key(b byte) []byte { return bytes.Repeat([]byte{b}, pii.KeySize) }

// b64 returns the standard base64 encoding of k.
func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// newCipher builds a Cipher or fails the test.
func newCipher(t *testing.T, keys map[string][]byte, active string, hmacKey []byte) *pii.Cipher {
	t.Helper()
	c, err := pii.New(keys, active, hmacKey)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	c := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", key(9))
	for _, plain := range []string{"350102199001011234", "张三", "福建省福州市鼓楼区五四路1号", "a", strings.Repeat("长", 5000), "v1:k1:AAAA"} {
		enc, err := c.Encrypt(plain)
		if err != nil {
			t.Fatalf("Encrypt(%q): %v", plain, err)
		}
		if !strings.HasPrefix(enc, "v1:k1:") {
			t.Errorf("Encrypt(%q) = %q, want prefix v1:k1:", plain, enc)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(enc, "v1:k1:"))
		if err != nil {
			t.Fatalf("ciphertext is not standard base64: %v", err)
		}
		// Short plaintexts occur in random bytes by chance; long ones must not.
		if len(plain) >= 8 && bytes.Contains(raw, []byte(plain)) {
			t.Errorf("ciphertext %q contains the plaintext", enc)
		}
		if want := 12 + len(plain) + 16; len(raw) != want {
			t.Errorf("decoded length %d, want nonce+plaintext+tag = %d", len(raw), want)
		}
		got, err := c.Decrypt(enc)
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if got != plain {
			t.Errorf("Decrypt(Encrypt(%q)) = %q", plain, got)
		}
	}
}

func TestEmpty(t *testing.T) {
	c := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", key(9))
	if enc, err := c.Encrypt(""); enc != "" || err != nil {
		t.Errorf(`Encrypt("") = %q, %v; want "", nil`, enc, err)
	}
	if dec, err := c.Decrypt(""); dec != "" || err != nil {
		t.Errorf(`Decrypt("") = %q, %v; want "", nil`, dec, err)
	}
	if h := c.Hash(""); h != "" {
		t.Errorf(`Hash("") = %q, want ""`, h)
	}
}

func TestEncryptIsRandomised(t *testing.T) {
	c := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", key(9))
	seen := map[string]bool{}
	for range 100 {
		enc, err := c.Encrypt("13812345678")
		if err != nil {
			t.Fatal(err)
		}
		if seen[enc] {
			t.Fatalf("Encrypt produced %q twice", enc)
		}
		seen[enc] = true
	}
}

func TestTamperDetection(t *testing.T) {
	c := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", key(9))
	enc, err := c.Encrypt("350102199001011234")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(enc, "v1:k1:"))
	if err != nil {
		t.Fatal(err)
	}
	// Flipping any single bit of nonce, ciphertext or tag must be detected.
	for i := range raw {
		for bit := range 8 {
			mod := bytes.Clone(raw)
			mod[i] ^= 1 << bit
			_, err := c.Decrypt("v1:k1:" + b64(mod))
			if !errors.Is(err, pii.ErrAuthentication) {
				t.Fatalf("byte %d bit %d flipped: err = %v, want ErrAuthentication", i, bit, err)
			}
		}
	}
	// A value relabelled with another configured key id must fail too.
	c2 := newCipher(t, map[string][]byte{"k1": key(1), "k2": key(2)}, "k1", key(9))
	enc, err = c2.Encrypt("secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Decrypt(strings.Replace(enc, "v1:k1:", "v1:k2:", 1)); !errors.Is(err, pii.ErrAuthentication) {
		t.Errorf("relabelled key id: err = %v, want ErrAuthentication", err)
	}
	// The same key id bound to different key material must fail.
	other := newCipher(t, map[string][]byte{"k1": key(3)}, "k1", key(9))
	if _, err := other.Decrypt(enc); !errors.Is(err, pii.ErrAuthentication) {
		t.Errorf("changed key under same id: err = %v, want ErrAuthentication", err)
	}
}

func TestDecryptErrors(t *testing.T) {
	c := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", key(9))
	good, err := c.Encrypt("long enough to survive truncation")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc string
		in   string
		want error
	}{
		{desc: "plaintext by mistake", in: "350102199001011234", want: pii.ErrMalformed},
		{desc: "unknown version", in: "v2" + strings.TrimPrefix(good, "v1"), want: pii.ErrMalformed},
		{desc: "no key id separator", in: "v1:k1", want: pii.ErrMalformed},
		{desc: "invalid key id", in: "v1:k 1:AAAA", want: pii.ErrMalformed},
		{desc: "unknown key id", in: "v1:k9" + strings.TrimPrefix(good, "v1:k1"), want: pii.ErrUnknownKey},
		{desc: "bad base64", in: "v1:k1:!!!!", want: pii.ErrMalformed},
		{desc: "too short", in: "v1:k1:" + b64(make([]byte, 27)), want: pii.ErrMalformed},
		{desc: "truncated", in: good[:len(good)-4], want: pii.ErrAuthentication},
		{desc: "empty payload", in: "v1:k1:", want: pii.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := c.Decrypt(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decrypt(%q) = %q, %v; want error %v", tt.in, got, err, tt.want)
			}
			if strings.Contains(err.Error(), "350102199001011234") {
				t.Errorf("error %q repeats the input", err)
			}
		})
	}
}

func TestUnknownKeyErrorNamesKey(t *testing.T) {
	old := newCipher(t, map[string][]byte{"2024a": key(1)}, "2024a", key(9))
	enc, err := old.Encrypt("x")
	if err != nil {
		t.Fatal(err)
	}
	c := newCipher(t, map[string][]byte{"2025a": key(2)}, "2025a", key(9))
	_, err = c.Decrypt(enc)
	if !errors.Is(err, pii.ErrUnknownKey) || !strings.Contains(err.Error(), `"2024a"`) {
		t.Errorf("err = %v, want ErrUnknownKey naming 2024a", err)
	}
}

func TestKeyRotation(t *testing.T) {
	hmacKey := key(9)
	before := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", hmacKey)
	old, err := before.Encrypt("13812345678")
	if err != nil {
		t.Fatal(err)
	}
	after := newCipher(t, map[string][]byte{"k1": key(1), "k2": key(2)}, "k2", hmacKey)
	got, err := after.Decrypt(old)
	if err != nil || got != "13812345678" {
		t.Fatalf("Decrypt old value after rotation = %q, %v", got, err)
	}
	fresh, err := after.Encrypt("13812345678")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fresh, "v1:k2:") {
		t.Errorf("new value %q not encrypted with the active key k2", fresh)
	}
	if got, err := after.Decrypt(fresh); err != nil || got != "13812345678" {
		t.Errorf("Decrypt new value = %q, %v", got, err)
	}
	// Rotation must not change blind indexes.
	if before.Hash("13812345678") != after.Hash("13812345678") {
		t.Error("Hash changed with the encryption key set")
	}
}

func TestHash(t *testing.T) {
	c := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", key(9))
	h := c.Hash("350102199001011234")
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Errorf("Hash = %q, want 64 lower-case hex digits", h)
	}
	if again := c.Hash("350102199001011234"); again != h {
		t.Errorf("Hash not stable: %q then %q", h, again)
	}
	if other := c.Hash("350102199001011235"); other == h {
		t.Error("different values give the same hash")
	}
	otherKey := newCipher(t, map[string][]byte{"k1": key(1)}, "k1", key(8))
	if otherKey.Hash("350102199001011234") == h {
		t.Error("hash does not depend on the HMAC key")
	}
	// Known answer, so that a change of algorithm, encoding or key handling
	// (which would orphan every stored index) cannot pass unnoticed. Computed
	// independently with: printf %s 350102199001011234 | openssl dgst
	// -sha256 -mac HMAC -macopt hexkey:0909…09 (32 bytes of 0x09).
	const want = "0e0fb48365c8f955f4eaba4d477e71470f8469ee67a6561672ca1a6f8fa42871"
	if h != want {
		t.Errorf("Hash = %s, want %s", h, want)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		desc    string
		keys    map[string][]byte
		active  string
		hmacKey []byte
		wantMsg string
	}{
		{desc: "no keys", keys: nil, active: "k1", hmacKey: key(9), wantMsg: "no encryption keys"},
		{desc: "short key", keys: map[string][]byte{"k1": key(1)[:16]}, active: "k1", hmacKey: key(9), wantMsg: `"k1" is 16 bytes`},
		{desc: "empty key id", keys: map[string][]byte{"": key(1)}, active: "", hmacKey: key(9), wantMsg: "empty key id"},
		{desc: "key id with colon", keys: map[string][]byte{"k:1": key(1)}, active: "k:1", hmacKey: key(9), wantMsg: `key id "k:1"`},
		{desc: "no active id", keys: map[string][]byte{"k1": key(1)}, active: "", hmacKey: key(9), wantMsg: "no active"},
		{desc: "unknown active id", keys: map[string][]byte{"k1": key(1)}, active: "k2", hmacKey: key(9), wantMsg: `active key id "k2"`},
		{desc: "short HMAC key", keys: map[string][]byte{"k1": key(1)}, active: "k1", hmacKey: key(9)[:31], wantMsg: "HMAC key is 31 bytes"},
		{desc: "missing HMAC key", keys: map[string][]byte{"k1": key(1)}, active: "k1", hmacKey: nil, wantMsg: "HMAC key is 0 bytes"},
		{desc: "HMAC key reused", keys: map[string][]byte{"k1": key(1)}, active: "k1", hmacKey: key(1), wantMsg: "same as the HMAC key"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			c, err := pii.New(tt.keys, tt.active, tt.hmacKey)
			if err == nil {
				t.Fatalf("New = %v, nil; want error containing %q", c, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("New error = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestNewCopiesKeys(t *testing.T) {
	k, h := key(1), key(9)
	c := newCipher(t, map[string][]byte{"k1": k}, "k1", h)
	enc, err := c.Encrypt("x")
	if err != nil {
		t.Fatal(err)
	}
	hash := c.Hash("x")
	clear(k)
	clear(h)
	if got, err := c.Decrypt(enc); err != nil || got != "x" {
		t.Errorf("after wiping caller's key: Decrypt = %q, %v", got, err)
	}
	if c.Hash("x") != hash {
		t.Error("after wiping caller's HMAC key: Hash changed")
	}
}

func TestFormattingHidesKeys(t *testing.T) {
	c := newCipher(t, map[string][]byte{"k1": key('A'), "k2": key('B')}, "k2", key('C'))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		out := fmt.Sprintf(verb, c)
		if strings.Contains(out, "AAAA") || strings.Contains(out, "CCCC") ||
			strings.Contains(out, "65 65") || strings.Contains(out, "4141") || strings.Contains(out, "67 67") {
			t.Errorf("Sprintf(%s) = %q leaks key material", verb, out)
		}
		if !strings.Contains(out, "k2") {
			t.Errorf("Sprintf(%s) = %q, want it to name the active key", verb, out)
		}
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := b64(key(1)), b64(key(2))
	keys, err := pii.ParseKeys(" k1:" + k1 + ",\n 2025-b:" + k2 + " ")
	if err != nil {
		t.Fatalf("ParseKeys: %v", err)
	}
	if len(keys) != 2 || !bytes.Equal(keys["k1"], key(1)) || !bytes.Equal(keys["2025-b"], key(2)) {
		t.Errorf("ParseKeys = %v", keys)
	}
	if _, err := pii.New(keys, "2025-b", key(9)); err != nil {
		t.Errorf("New with parsed keys: %v", err)
	}
}

func TestParseKeysErrors(t *testing.T) {
	good := b64(key(1))
	tests := []struct {
		desc    string
		spec    string
		wantMsg string
	}{
		{desc: "empty", spec: "  ", wantMsg: "empty key list"},
		{desc: "bad base64", spec: "k1:not*base64", wantMsg: `key "k1": not valid standard base64`},
		{desc: "URL-safe base64 is not standard", spec: "k1:" + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), wantMsg: "not valid standard base64"},
		{desc: "wrong length", spec: "k1:" + b64(key(1)[:24]), wantMsg: `key "k1": decodes to 24 bytes, want 32`},
		{desc: "empty id", spec: ":" + good, wantMsg: "entry 1 has an empty key id"},
		{desc: "duplicate id", spec: "k1:" + good + ",k1:" + b64(key(2)), wantMsg: `duplicate key id "k1"`},
		{desc: "missing separator", spec: "k1" + good, wantMsg: "entry 1: want id:base64key"},
		{desc: "trailing comma", spec: "k1:" + good + ",", wantMsg: "entry 2 is empty"},
		{desc: "invalid id", spec: "k 1:" + good, wantMsg: `key id "k 1"`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			keys, err := pii.ParseKeys(tt.spec)
			if err == nil {
				t.Fatalf("ParseKeys(%q) = %v, nil; want error", tt.spec, keys)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseKeys(%q) error = %q, want it to contain %q", tt.spec, err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), good) {
				t.Errorf("error %q contains key material", err)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	if k, err := pii.ParseKey(" " + b64(key(7)) + "\n"); err != nil || !bytes.Equal(k, key(7)) {
		t.Errorf("ParseKey = %x, %v", k, err)
	}
	if _, err := pii.ParseKey("short"); err == nil {
		t.Error("ParseKey(short) = nil error")
	}
	if _, err := pii.ParseKey(b64(key(7)[:16])); err == nil || !strings.Contains(err.Error(), "16 bytes") {
		t.Errorf("ParseKey(16 bytes) error = %v", err)
	}
}

func TestGenerateKey(t *testing.T) {
	a, b := pii.GenerateKey(), pii.GenerateKey()
	if a == b {
		t.Error("GenerateKey returned the same key twice")
	}
	for _, s := range []string{a, b} {
		k, err := pii.ParseKey(s)
		if err != nil || len(k) != pii.KeySize {
			t.Errorf("ParseKey(GenerateKey()) = %d bytes, %v", len(k), err)
		}
	}
	if _, err := pii.ParseKeys("k1:" + a + ",k2:" + b); err != nil {
		t.Errorf("ParseKeys with generated keys: %v", err)
	}
}
