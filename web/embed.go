// Package web embeds the HTML templates, static assets and message
// catalogs, so the binary serves everything itself (no CDN: the system runs
// on a government intranet).
package web

import "embed"

// FS holds templates/, static/, i18n/ and the OpenAPI document.
//
//go:embed templates static i18n openapi.yaml
var FS embed.FS
