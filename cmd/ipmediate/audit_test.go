package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// runCLI runs the ipmediate command line with args and returns its stdout.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if errOut.Len() > 0 {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func TestAuditVerifyCommand(t *testing.T) {
	u := testenv.DatabaseURL(t)
	t.Setenv("IPM_CONFIG", "")
	t.Setenv("IPM_DATABASE_URL", u)
	db, err := database.Open(context.Background(), config.Database{URL: u, MaxOpenConns: 2, MaxIdleConns: 1, ConnMaxLifetime: time.Minute}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	l := audit.New(db, nil)
	one := int64(1)
	for _, e := range []audit.Entry{
		{OrgID: &one, Action: "case.accept", ObjectType: "case", ObjectID: "1"},
		{OrgID: &one, Action: "case.assign", ObjectType: "case", ObjectID: "1", Detail: map[string]any{"mediator": 7}},
		{Action: "auth.login_failed", Detail: map[string]any{"reason": "unknown_user"}},
	} {
		if err := l.Append(context.Background(), nil, e); err != nil {
			t.Fatal(err)
		}
	}

	out, err := runCLI(t, "audit", "verify")
	if err != nil || out != "audit log OK: 2 chains, 3 rows\n" {
		t.Fatalf("intact log: %q, %v", out, err)
	}

	// Alter a row behind the trigger's back, as a superuser could.
	var id int64
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT id FROM audit_log WHERE chain = 'org:1' AND seq = 2`).Scan(&id).Error; err != nil {
			return err
		}
		for _, s := range []string{
			`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
			`UPDATE audit_log SET detail = '{"mediator": 8}' WHERE chain = 'org:1' AND seq = 2`,
			`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`,
		} {
			if err := tx.Exec(s).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, "audit", "verify")
	want := fmt.Sprintf("audit log BROKEN at row id=%d chain=org:1 seq=2: the content does not match its hash", id)
	if !errors.Is(err, errAuditBroken) || !strings.HasPrefix(out, want) {
		t.Fatalf("altered log: %q, %v; want %q and a failure", out, err, want)
	}

	out, err = runCLI(t, "audit", "verify", "--help")
	if err != nil || !strings.Contains(out, "prev_hash") || !strings.Contains(out, "audit log OK") {
		t.Errorf("help: %q, %v", out, err)
	}
}
