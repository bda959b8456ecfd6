// Package configs embeds the configuration files that ship inside the
// binary, so that a deployed ipmediate never depends on files beside it.
package configs

import "embed"

// PolicyCSV is the role -> permission matrix (policy.csv) that
// internal/authz loads into casbin. Role assignments are not here; they
// live in the casbin_rule table.
//
//go:embed policy.csv
var PolicyCSV []byte

// Holidays holds the State Council's public-holiday arrangements, one
// holidays/<year>.yaml per year (days off and make-up working days), that
// internal/calendar loads; years without a file are computed provisionally.
//
//go:embed holidays/*.yaml
var Holidays embed.FS

// DeadlinesYAML is the set of legal time limits (limit, unit, extension,
// legal basis) that internal/calendar.LoadRules reads.
//
//go:embed deadlines.yaml
var DeadlinesYAML []byte

// ConfirmationCourtsYAML says which court the parties of a mediation
// agreement apply to for judicial confirmation, by the case's origin,
// dispute and committee district (internal/deadline).
//
//go:embed confirmation_courts.yaml
var ConfirmationCourtsYAML []byte
