package main

import (
	"runtime/debug"
	"testing"

	"github.com/ipmediate/ipmediate/internal/config"
)

// TestSetMemoryLimit: memory_limit_mb becomes the process's soft limit;
// GOMEMLIMIT, when set, is left as the runtime read it.
func TestSetMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	t.Setenv("GOMEMLIMIT", "")
	cfg := config.Default()
	if got := setMemoryLimit(cfg); got != 100<<20 {
		t.Errorf("default limit %d, want %d", got, 100<<20)
	}
	debug.SetMemoryLimit(old)
	t.Setenv("GOMEMLIMIT", "200MiB")
	if got := setMemoryLimit(cfg); got != old {
		t.Errorf("with GOMEMLIMIT the limit became %d", got)
	}
}
