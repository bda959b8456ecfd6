package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/pii"
)

// devKey is the key material of the built-in development key dev1.
var devKey = strings.TrimPrefix(DevPIIKeys, "dev1:")

// TestCheckKeys_ProductionRefusesDevelopmentKeyMaterial writes the
// published development keys in every way the setting formats allow and
// expects production to refuse each, naming the setting.
func TestCheckKeys_ProductionRefusesDevelopmentKeyMaterial(t *testing.T) {
	prod, hmacKey := pii.GenerateKey(), pii.GenerateKey()
	split := devKey[:20] + "\n" + devKey[20:] // the base64 decoder skips line breaks
	tests := []struct {
		desc    string
		env     map[string]string
		file    string
		setting string
	}{
		{desc: "keys with surrounding spaces",
			env:     map[string]string{"IPM_SECURITY_PII_KEYS": " " + DevPIIKeys + " ", "IPM_SECURITY_PII_HMAC_KEY": hmacKey},
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "listed beside another key and made active",
			env:     map[string]string{"IPM_SECURITY_PII_KEYS": "prod:" + prod + "," + DevPIIKeys, "IPM_SECURITY_PII_ACTIVE_KEY": "dev1", "IPM_SECURITY_PII_HMAC_KEY": hmacKey},
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "listed beside another key, inactive",
			env:     map[string]string{"IPM_SECURITY_PII_KEYS": DevPIIKeys + ",prod:" + prod, "IPM_SECURITY_PII_ACTIVE_KEY": "prod", "IPM_SECURITY_PII_HMAC_KEY": hmacKey},
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "under another key id",
			env:     map[string]string{"IPM_SECURITY_PII_KEYS": "prod:" + devKey, "IPM_SECURITY_PII_ACTIVE_KEY": "prod", "IPM_SECURITY_PII_HMAC_KEY": hmacKey},
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "the same bytes encoded over two lines",
			file:    "security:\n  pii_keys: \"prod:" + strings.ReplaceAll(split, "\n", `\n`) + "\"\n  pii_active_key: prod\n  pii_hmac_key: " + hmacKey + "\n",
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "the development HMAC key as an encryption key",
			env:     map[string]string{"IPM_SECURITY_PII_KEYS": "prod:" + DevPIIHMACKey, "IPM_SECURITY_PII_ACTIVE_KEY": "prod", "IPM_SECURITY_PII_HMAC_KEY": hmacKey},
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "the development HMAC key",
			env:     map[string]string{"IPM_SECURITY_PII_KEYS": "prod:" + prod, "IPM_SECURITY_PII_ACTIVE_KEY": "prod", "IPM_SECURITY_PII_HMAC_KEY": DevPIIHMACKey},
			setting: "security.pii_hmac_key (IPM_SECURITY_PII_HMAC_KEY)"},
		{desc: "the development HMAC key with a trailing line break",
			file:    "security:\n  pii_keys: prod:" + prod + "\n  pii_active_key: prod\n  pii_hmac_key: |\n    " + DevPIIHMACKey + "\n",
			setting: "security.pii_hmac_key (IPM_SECURITY_PII_HMAC_KEY)"},
		{desc: "the development encryption key as the HMAC key",
			env:     map[string]string{"IPM_SECURITY_PII_KEYS": "prod:" + prod, "IPM_SECURITY_PII_ACTIVE_KEY": "prod", "IPM_SECURITY_PII_HMAC_KEY": " " + devKey},
			setting: "security.pii_hmac_key (IPM_SECURITY_PII_HMAC_KEY)"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = filepath.Join(t.TempDir(), "c.yaml")
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{"IPM_ENV": "production"}
			for k, v := range tt.env {
				env[k] = v
			}
			// The same keys are accepted in development: only production
			// refuses them.
			dev := map[string]string{}
			for k, v := range env {
				dev[k] = v
			}
			dev["IPM_ENV"] = "development"
			if _, err := load(path, dev); err != nil {
				t.Fatalf("development must accept these keys: %v", err)
			}
			_, err := load(path, env)
			var se *SettingError
			if !errors.As(err, &se) {
				t.Fatalf("production must refuse development key material, got %v", err)
			}
			if se.Setting != tt.setting || !strings.Contains(se.Problem, "development key") {
				t.Errorf("error %q, want one naming %s and the development key", err, tt.setting)
			}
			for _, secret := range []string{devKey, DevPIIHMACKey, prod, hmacKey} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error reveals key material: %v", err)
				}
			}
		})
	}
}

func TestCheckKeys_ProductionAcceptsItsOwnKeys(t *testing.T) {
	old, cur := pii.GenerateKey(), pii.GenerateKey()
	_, err := load("", map[string]string{
		"IPM_ENV":                     "production",
		"IPM_SECURITY_PII_KEYS":       "2025:" + old + ", 2026:" + cur,
		"IPM_SECURITY_PII_ACTIVE_KEY": "2026",
		"IPM_SECURITY_PII_HMAC_KEY":   pii.GenerateKey(),
	})
	if err != nil {
		t.Fatalf("production with its own keys: %v", err)
	}
}

// TestCheckKeys_BadKeysNamedAtLoad: keys that cannot be used stop Load,
// in every environment, naming the setting (before: only when the app
// started).
func TestCheckKeys_BadKeysNamedAtLoad(t *testing.T) {
	for _, tt := range []struct {
		desc    string
		env     map[string]string
		setting string
	}{
		{"not base64", map[string]string{"IPM_SECURITY_PII_KEYS": "dev1:not-base64!"}, "security.pii_keys"},
		{"short key", map[string]string{"IPM_SECURITY_PII_KEYS": "dev1:c2hvcnQ="}, "security.pii_keys"},
		{"active key not listed", map[string]string{"IPM_SECURITY_PII_ACTIVE_KEY": "prod"}, "security.pii_active_key"},
		{"short hmac key", map[string]string{"IPM_SECURITY_PII_HMAC_KEY": "c2hvcnQ="}, "security.pii_hmac_key"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := load("", tt.env)
			var se *SettingError
			if !errors.As(err, &se) || !strings.HasPrefix(se.Setting, tt.setting) {
				t.Fatalf("want a SettingError naming %s, got %v", tt.setting, err)
			}
		})
	}
}
