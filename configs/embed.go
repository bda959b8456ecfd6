// Package configs embeds the configuration files that ship inside the
// binary, so that a deployed ipmediate never depends on files beside it.
package configs

import _ "embed"

// PolicyCSV is the role -> permission matrix (policy.csv) that
// internal/authz loads into casbin. Role assignments are not here; they
// live in the casbin_rule table.
//
//go:embed policy.csv
var PolicyCSV []byte
