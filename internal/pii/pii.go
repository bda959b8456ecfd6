// Package pii protects personal information at rest. Identity numbers,
// mobile numbers, names and addresses of natural-person parties are sensitive
// personal information under the Personal Information Protection Law, so the
// database stores them encrypted, and a database dump or backup alone does
// not disclose them.
//
// Encryption is AES-256-GCM with a random nonce, so equal values give
// different ciphertexts and nothing can be learned by comparing rows. Because
// that makes encrypted columns impossible to search, Hash computes a keyed
// HMAC-SHA256 "blind index" of a normalised value, stored next to the
// ciphertext, which supports exact-match lookups such as "is this identity
// number already a party in another case?" without storing the number in a
// form that can be reversed or brute-forced offline.
//
// Ciphertexts name the key that produced them, so encryption keys can be
// rotated: add a new key, make it active, and old values still decrypt with
// the old key until they are re-encrypted. The HMAC key cannot be rotated
// that way, since every stored hash would have to be recomputed from the
// plaintext; change it only together with such a migration.
package pii

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// KeySize is the length in bytes of every encryption key, and the minimum
// length of the HMAC key: 32 bytes select AES-256 and match the output size
// of SHA-256.
const KeySize = 32

// version prefixes every ciphertext so that the format can change later
// without ambiguity about how old values must be read.
const version = "v1"

// maxKeyIDLen bounds key ids, which are repeated in every stored ciphertext.
const maxKeyIDLen = 32

// Errors returned by Decrypt, wrapped with details; test for them with
// errors.Is. None of them ever contains the input, because a value wrongly
// passed to Decrypt may be plaintext personal information.
var (
	// ErrMalformed means the value is not in the v1:<keyid>:<base64> format,
	// for example because it was never encrypted or was truncated.
	ErrMalformed = errors.New("pii: malformed ciphertext")
	// ErrUnknownKey means the value was encrypted with a key id that is not
	// configured, typically because a retired key was removed too early.
	ErrUnknownKey = errors.New("pii: unknown key id")
	// ErrAuthentication means the value failed the GCM authentication check:
	// it was altered after encryption, or the key under its id has changed.
	ErrAuthentication = errors.New("pii: ciphertext failed authentication (tampered data or wrong key)")
)

// Cipher encrypts, decrypts and hashes personal information with the
// configured keys. It is safe for concurrent use: it holds no mutable state,
// and every call builds its own AES-GCM and HMAC instances.
type Cipher struct {
	keys    map[string][]byte
	active  string
	hmacKey []byte
}

// New returns a Cipher that encrypts with encKeys[activeKeyID], decrypts with
// whichever of encKeys a ciphertext names, and hashes with hmacKey. Every
// encryption key must be KeySize bytes and have an id of at most 32 letters,
// digits, '.', '_' or '-' (the id is stored in each ciphertext and ':'
// separates its fields). hmacKey must be at least KeySize bytes and must
// differ from every encryption key, so that one key never serves two
// purposes. The keys are copied, so the caller may wipe its slices. The error
// names the offending key id but never reveals key material.
func New(encKeys map[string][]byte, activeKeyID string, hmacKey []byte) (*Cipher, error) {
	if len(encKeys) == 0 {
		return nil, errors.New("pii: no encryption keys configured")
	}
	c := &Cipher{keys: make(map[string][]byte, len(encKeys)), active: activeKeyID}
	// Visit ids in order so that the first problem reported is deterministic.
	for _, id := range slices.Sorted(maps.Keys(encKeys)) {
		key := encKeys[id]
		if err := checkKeyID(id); err != nil {
			return nil, err
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("pii: encryption key %q is %d bytes, want %d", id, len(key), KeySize)
		}
		if bytes.Equal(key, hmacKey) {
			return nil, fmt.Errorf("pii: encryption key %q is the same as the HMAC key; use separate keys", id)
		}
		c.keys[id] = bytes.Clone(key)
	}
	if activeKeyID == "" {
		return nil, errors.New("pii: no active encryption key id configured")
	}
	if _, ok := c.keys[activeKeyID]; !ok {
		return nil, fmt.Errorf("pii: active key id %q is not among the encryption keys %v", activeKeyID, c.keyIDs())
	}
	if len(hmacKey) < KeySize {
		return nil, fmt.Errorf("pii: HMAC key is %d bytes, want at least %d", len(hmacKey), KeySize)
	}
	c.hmacKey = bytes.Clone(hmacKey)
	return c, nil
}

// keyIDs returns the configured key ids in sorted order, for messages.
func (c *Cipher) keyIDs() []string {
	return slices.Sorted(maps.Keys(c.keys))
}

// checkKeyID reports why id cannot be used as a key id, or nil.
func checkKeyID(id string) error {
	if id == "" {
		return errors.New("pii: empty key id")
	}
	if !validKeyID(id) {
		return fmt.Errorf("pii: key id %q: use at most %d letters, digits, '.', '_' or '-'", id, maxKeyIDLen)
	}
	return nil
}

// validKeyID reports whether id is a non-empty, short string of ASCII
// letters, digits, '.', '_' and '-'.
func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '.', b == '_', b == '-':
		default:
			return false
		}
	}
	return true
}

// aead returns an AES-256-GCM instance for key that generates a random
// 12-byte nonce per Seal and prepends it to the ciphertext. Building one per
// call costs about a microsecond and avoids relying on undocumented
// concurrency guarantees of cipher.AEAD.
func aead(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	g, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	return g, nil
}

// Encrypt encrypts plaintext with the active key and returns
// "v1:<keyid>:<base64(nonce||ciphertext||tag)>" in standard base64, a string
// that fits a text column. The nonce is random, so encrypting the same value
// twice gives different results; use Hash for lookups. An empty plaintext
// gives an empty string, so that optional fields stay empty rather than
// storing an encrypted nothing. Each key must not encrypt more than 2^32
// values, far beyond this system's volume, before it is rotated.
func (c *Cipher) Encrypt(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	g, err := aead(c.keys[c.active])
	if err != nil {
		return "", err
	}
	sealed := g.Seal(nil, nil, []byte(plaintext), nil)
	return version + ":" + c.active + ":" + base64.StdEncoding.EncodeToString(sealed), nil
}

// Decrypt reverses Encrypt, using the key named in s, so values encrypted
// under any configured key decrypt after the active key has changed. An
// empty s gives an empty string. Errors wrap ErrMalformed, ErrUnknownKey or
// ErrAuthentication.
func (c *Cipher) Decrypt(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	v, rest, ok := strings.Cut(s, ":")
	if !ok {
		return "", fmt.Errorf("%w: no version prefix", ErrMalformed)
	}
	if v != version {
		return "", fmt.Errorf("%w: unsupported format version", ErrMalformed)
	}
	id, data, ok := strings.Cut(rest, ":")
	if !ok {
		return "", fmt.Errorf("%w: no key id", ErrMalformed)
	}
	if !validKeyID(id) {
		return "", fmt.Errorf("%w: invalid key id", ErrMalformed)
	}
	key, ok := c.keys[id]
	if !ok {
		return "", fmt.Errorf("%w %q (configured: %v)", ErrUnknownKey, id, c.keyIDs())
	}
	sealed, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return "", fmt.Errorf("%w: invalid base64", ErrMalformed)
	}
	g, err := aead(key)
	if err != nil {
		return "", err
	}
	if len(sealed) < g.Overhead() {
		return "", fmt.Errorf("%w: too short", ErrMalformed)
	}
	plain, err := g.Open(nil, nil, sealed, nil)
	if err != nil {
		return "", fmt.Errorf("%w (key id %q)", ErrAuthentication, id)
	}
	return string(plain), nil
}

// Hash returns the lower-case hex HMAC-SHA256 of normalized under the HMAC
// key, a deterministic blind index for exact-match lookups of encrypted
// values. Callers must normalise first (for example with
// domain.NormalizeResidentID), or equal values typed differently will not
// match. An empty value gives an empty string, so that empty optional fields
// never match each other.
func (c *Cipher) Hash(normalized string) string {
	if normalized == "" {
		return ""
	}
	m := hmac.New(sha256.New, c.hmacKey)
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}

// String describes the Cipher without key material, so that printing a
// Cipher or a struct holding one in a log line cannot leak keys.
func (c *Cipher) String() string {
	if c == nil {
		return "pii.Cipher(nil)"
	}
	return fmt.Sprintf("pii.Cipher(active=%s, keys=%v)", c.active, c.keyIDs())
}

// Format implements fmt.Formatter so that every verb, including %d, %#v and
// %+v, prints String rather than the fields, which hold the keys.
func (c *Cipher) Format(f fmt.State, _ rune) {
	io.WriteString(f, c.String())
}

// ParseKeys parses an encryption key configuration of the form
// "k1:BASE64,k2:BASE64", where each BASE64 is the standard base64 encoding
// of KeySize random bytes (see GenerateKey). Several keys are configured at
// once so that keys can be rotated: the new key is added and made active
// while the old ones stay to decrypt existing values. White space around
// entries is ignored so that the value can be split over lines. The error
// names the offending entry or key id but never includes key material,
// because configuration errors end up in logs.
func ParseKeys(spec string) (map[string][]byte, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("pii: empty key list")
	}
	keys := map[string][]byte{}
	for i, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("pii: key entry %d is empty", i+1)
		}
		id, b64, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("pii: key entry %d: want id:base64key", i+1)
		}
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, fmt.Errorf("pii: key entry %d has an empty key id", i+1)
		}
		if err := checkKeyID(id); err != nil {
			return nil, err
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("pii: duplicate key id %q", id)
		}
		key, err := decodeKey(b64)
		if err != nil {
			return nil, fmt.Errorf("pii: key %q: %w", id, err)
		}
		keys[id] = key
	}
	return keys, nil
}

// ParseKey decodes one key, the standard base64 encoding of KeySize bytes,
// such as the HMAC key setting. The error never includes key material.
func ParseKey(b64 string) ([]byte, error) {
	key, err := decodeKey(b64)
	if err != nil {
		return nil, fmt.Errorf("pii: key %w", err)
	}
	return key, nil
}

// decodeKey decodes a base64 key; its errors omit the "pii:" prefix and the
// key name so that ParseKey and ParseKeys can add their own context.
func decodeKey(b64 string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, errors.New("not valid standard base64")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("decodes to %d bytes, want %d", len(key), KeySize)
	}
	return key, nil
}

// GenerateKey returns a new random key as standard base64, in the form
// ParseKey and ParseKeys accept, so that operators can create keys with the
// ipmediate command instead of improvising with other tools.
func GenerateKey() string {
	key := make([]byte, KeySize)
	// crypto/rand.Read never returns an error; it aborts the program if the
	// operating system cannot provide randomness.
	rand.Read(key)
	return base64.StdEncoding.EncodeToString(key)
}
