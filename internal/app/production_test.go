package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/pii"
	"github.com/ipmediate/ipmediate/internal/seed"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// devKeyMaterial is the base64 of the built-in development key dev1.
var devKeyMaterial = strings.TrimPrefix(config.DevPIIKeys, "dev1:")

// TestStart_ProductionRefusesDevelopmentKeys starts the app in production
// with the published development keys written in each way that got past
// the old string comparison, and expects every start to be refused,
// naming the setting, before anything is opened.
func TestStart_ProductionRefusesDevelopmentKeys(t *testing.T) {
	base := testenv.Config(t)
	prod, hmacKey := pii.GenerateKey(), pii.GenerateKey()
	for _, tt := range []struct {
		desc                string
		keys, active, hmac  string
		setting             string
		developmentAccepted bool
	}{
		{desc: "surrounding spaces", keys: "  " + config.DevPIIKeys + "\n", active: "dev1", hmac: hmacKey,
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "listed beside another key, then made active", keys: "prod:" + prod + ",dev1:" + devKeyMaterial, active: "dev1", hmac: hmacKey,
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "listed inactive beside the active key", keys: "prod:" + prod + ",dev1:" + devKeyMaterial, active: "prod", hmac: hmacKey,
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "another id and another spelling of the same bytes", keys: "k2026:" + devKeyMaterial[:16] + "\r\n" + devKeyMaterial[16:], active: "k2026", hmac: hmacKey,
			setting: "security.pii_keys (IPM_SECURITY_PII_KEYS)"},
		{desc: "development HMAC key", keys: "prod:" + prod, active: "prod", hmac: " " + config.DevPIIHMACKey + " ",
			setting: "security.pii_hmac_key (IPM_SECURITY_PII_HMAC_KEY)"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			cfg := base
			cfg.Env = "production"
			cfg.Security.PIIKeys, cfg.Security.PIIActiveKey, cfg.Security.PIIHMACKey = tt.keys, tt.active, tt.hmac
			a, err := app.New(context.Background(), cfg, app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()})
			if err == nil {
				a.Close()
				t.Fatal("a production server started with development key material")
			}
			var se *config.SettingError
			if !errors.As(err, &se) || se.Setting != tt.setting {
				t.Fatalf("want a SettingError naming %s, got %v", tt.setting, err)
			}
		})
	}
}

// TestStart_ProductionRefusesOpenDemoAccounts: a database seeded for a
// demo holds accounts whose password is published in the README. A
// production start on it is refused until they are closed.
func TestStart_ProductionRefusesOpenDemoAccounts(t *testing.T) {
	cfg := testenv.Config(t)
	opts := app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()}
	demo := opts
	demo.Demo = true
	a, err := app.New(context.Background(), cfg, demo)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	prod := cfg
	prod.Env = "production"
	prod.Security.PIIKeys, prod.Security.PIIActiveKey, prod.Security.PIIHMACKey = "p1:"+pii.GenerateKey(), "p1", pii.GenerateKey()
	a, err = app.New(context.Background(), prod, opts)
	if err == nil {
		a.Close()
		t.Fatal("a production server started with the demo accounts open")
	}
	if !strings.Contains(err.Error(), "demo password") || !strings.Contains(err.Error(), "admin") {
		t.Fatalf("the refusal must say which accounts and why: %v", err)
	}
	if strings.Contains(err.Error(), seed.DemoPassword) {
		t.Errorf("the refusal repeats the password: %v", err)
	}

	// Closing them (here: disabling every one) lets production start.
	a, err = app.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Exec("UPDATE users SET active = false WHERE username IN ?", seed.DemoUsernames()).Error; err != nil {
		t.Fatal(err)
	}
	a.Close()
	a, err = app.New(context.Background(), prod, opts)
	if err != nil {
		t.Fatalf("production start with the demo accounts disabled: %v", err)
	}
	a.Close()
}
