package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// formatVersion is the "v" member of the canonical content. It changes only
// if the canonical form ever changes, so that rows written under an older
// form can still be verified by the form they were written with.
const formatVersion = 1

// zeroHash is the prev_hash of the first row of every chain.
const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// content is what a row's hash covers. encoding/json writes struct fields
// in declaration order, so the order here is part of the format: never
// reorder, rename or remove a field without bumping formatVersion.
type content struct {
	V          int             `json:"v"`
	Chain      string          `json:"chain"`
	Seq        int64           `json:"seq"`
	OccurredAt string          `json:"occurred_at"`
	OrgID      *int64          `json:"org_id"`
	ActorID    *int64          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Detail     json.RawMessage `json:"detail"`
	IP         string          `json:"ip"`
	RequestID  string          `json:"request_id"`
	PrevHash   string          `json:"prev_hash"`
}

// hashOf returns the hex SHA-256 of c's canonical JSON. c.Detail must
// already be canonical (see canonicalDetail).
func hashOf(c content) (string, error) {
	c.V = formatVersion
	b, err := marshal(c)
	if err != nil {
		return "", fmt.Errorf("audit: encode canonical content: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// formatTime is the canonical form of a timestamp: UTC, RFC 3339 with as
// many fractional digits as needed (at most six, PostgreSQL's precision).
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// canonicalDetail turns the JSON of a detail object into its canonical
// form: compact, keys sorted, no HTML escaping, every number written as a
// plain decimal without exponent or trailing fractional zeros, and every
// string valid UTF-8 without NUL. It is applied both to what Append writes
// and to the jsonb text Verify reads back, which PostgreSQL re-serialises
// (its own key order, spacing and number formatting): the two agree
// because both reduce to the same decoded value and are then encoded the
// same way.
func canonicalDetail(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode detail: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode detail: trailing data after the object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("decode detail: not a JSON object")
	}
	v, err := normalizeValue(v)
	if err != nil {
		return nil, err
	}
	return marshal(v)
}

// normalizeValue rewrites a decoded JSON value in place into its canonical
// form (see canonicalDetail).
func normalizeValue(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			// Two keys that differ only in invalid bytes collapse into
			// one; the later one in map order would win, so refuse rather
			// than hash something nondeterministic.
			ck := cleanString(k)
			if _, dup := out[ck]; dup {
				return nil, fmt.Errorf("detail key %q is ambiguous after UTF-8 clean-up", ck)
			}
			out[ck] = n
		}
		return out, nil
	case []any:
		for i, e := range x {
			n, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
		return x, nil
	case string:
		return cleanString(x), nil
	case json.Number:
		s, err := normalizeNumber(string(x))
		if err != nil {
			return nil, err
		}
		return json.Number(s), nil
	default: // bool, nil
		return v, nil
	}
}

// maxExponent bounds the decimal exponent of detail numbers. PostgreSQL's
// numeric holds far less than the 10^±2^31 a JSON text can spell, and
// expanding such a number into plain digits would exhaust memory.
const maxExponent = 1000

// normalizeNumber rewrites a JSON number as a plain decimal: no exponent,
// no leading zeros, no trailing fractional zeros, "0" for any zero. This
// is how PostgreSQL prints a jsonb number once trailing zeros are
// stripped, and it is the same for 1e2, 100 and 100.00.
func normalizeNumber(s string) (string, error) {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > maxExponent || e < -maxExponent {
			return "", fmt.Errorf("detail number %s is out of range", orig)
		}
		exp, s = e, s[:i]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	// The value is digits × 10^exp.
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	digits = trimmed
	if digits == "" {
		return "0", nil
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case exp >= 0:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", exp))
	case len(digits) > -exp:
		b.WriteString(digits[:len(digits)+exp])
		b.WriteByte('.')
		b.WriteString(digits[len(digits)+exp:])
	default:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-len(digits)))
		b.WriteString(digits)
	}
	return b.String(), nil
}

// cleanString makes s storable in a PostgreSQL text or jsonb value, which
// refuse invalid UTF-8 and NUL: an audit write must not fail, and so roll
// back the business change, because a username contained a stray byte.
func cleanString(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return s
}

// marshal encodes v as compact JSON without HTML escaping and without the
// trailing newline json.Encoder adds.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
