package config

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/ipmediate/ipmediate/internal/pii"
)

// CheckKeys decodes the personal-information keys and reports, as a
// *SettingError naming the setting, a key list or HMAC key that does not
// decode, an active key id that is not listed, and, when env is
// production, any configured key whose decoded bytes are one of the
// built-in development keys.
//
// The production check compares key material, not setting strings: the
// development keys are published (in this repository and its example
// file), and the same bytes can be written many ways that a string
// comparison misses: with white space around them, under another key id,
// beside a real key (then made active later, or left inactive yet still
// decrypting), split over lines, or as the HMAC key. Every listed key is
// checked, active or not, because any listed key decrypts what was
// encrypted with it.
func (s Security) CheckKeys(env string) error {
	const (
		keysSetting   = "security.pii_keys"
		activeSetting = "security.pii_active_key"
		hmacSetting   = "security.pii_hmac_key"
	)
	if s.PIIKeys == "" {
		return bad(keysSetting, "SECURITY_PII_KEYS", "is required; generate keys with `ipmediate keygen`")
	}
	keys, err := pii.ParseKeys(s.PIIKeys)
	if err != nil {
		return bad(keysSetting, "SECURITY_PII_KEYS", "%v", err)
	}
	if s.PIIActiveKey == "" {
		return bad(activeSetting, "SECURITY_PII_ACTIVE_KEY", "is required: the id of the key in pii_keys that encrypts")
	}
	if _, ok := keys[s.PIIActiveKey]; !ok {
		return bad(activeSetting, "SECURITY_PII_ACTIVE_KEY", "%q is not among the key ids of pii_keys %v", s.PIIActiveKey, slices.Sorted(maps.Keys(keys)))
	}
	if s.PIIHMACKey == "" {
		return bad(hmacSetting, "SECURITY_PII_HMAC_KEY", "is required; generate one with `ipmediate keygen`")
	}
	hmacKey, err := pii.ParseKey(s.PIIHMACKey)
	if err != nil {
		return bad(hmacSetting, "SECURITY_PII_HMAC_KEY", "%v", err)
	}
	if env != "production" {
		return nil
	}
	dev := devKeyMaterial()
	for _, id := range slices.Sorted(maps.Keys(keys)) {
		if isDevKey(keys[id], dev) {
			what := "an inactive key"
			if id == s.PIIActiveKey {
				what = "the active key"
			}
			return bad(keysSetting, "SECURITY_PII_KEYS", "key %q (%s) is a built-in development key, which is published and cannot protect anything in production; remove it and generate keys with `ipmediate keygen`", id, what)
		}
	}
	if isDevKey(hmacKey, dev) {
		return bad(hmacSetting, "SECURITY_PII_HMAC_KEY", "is a built-in development key, which is published and cannot protect anything in production; generate one with `ipmediate keygen`")
	}
	return nil
}

// devKeyMaterial returns the decoded bytes of every built-in development
// key, encryption and HMAC alike.
func devKeyMaterial() [][]byte {
	keys, err := pii.ParseKeys(DevPIIKeys)
	if err != nil {
		panic(fmt.Sprintf("config: development keys do not parse: %v", err))
	}
	hk, err := pii.ParseKey(DevPIIHMACKey)
	if err != nil {
		panic(fmt.Sprintf("config: development HMAC key does not parse: %v", err))
	}
	out := [][]byte{hk}
	for _, k := range keys {
		out = append(out, k)
	}
	return out
}

func isDevKey(key []byte, dev [][]byte) bool {
	for _, d := range dev {
		if bytes.Equal(key, d) {
			return true
		}
	}
	return false
}
