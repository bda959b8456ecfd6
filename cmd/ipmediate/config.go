package main

import "github.com/ipmediate/ipmediate/internal/config"

func loadConfig(g *globalFlags) (config.Config, error) {
	return config.Load(g.configPath)
}
