package main

import (
	"os"
	"runtime/debug"

	"github.com/ipmediate/ipmediate/internal/config"
)

func loadConfig(g *globalFlags) (config.Config, error) {
	return config.Load(g.configPath)
}

// setMemoryLimit applies memory_limit_mb to this process (serve, worker)
// unless GOMEMLIMIT is set, which the runtime has applied already; it
// returns the limit in effect in bytes (math.MaxInt64: none).
func setMemoryLimit(cfg config.Config) int64 {
	if os.Getenv("GOMEMLIMIT") == "" && cfg.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(cfg.MemoryLimitMB) << 20)
	}
	return debug.SetMemoryLimit(-1)
}
