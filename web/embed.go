// Package web embeds the HTML templates, static assets and message
// catalogs, so the binary serves everything itself (no CDN: the system runs
// on a government intranet).
package web

import "embed"

// FS holds templates/, static/ and i18n/.
//
//go:embed templates static i18n
var FS embed.FS
