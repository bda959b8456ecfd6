// Package migrations embeds the SQL schema migrations, applied with goose.
// The schema lives only here: no code path calls GORM's AutoMigrate.
package migrations

import "embed"

// FS holds every *.sql migration, named NNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
