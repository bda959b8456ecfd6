// Package i18n holds the message catalogs of the user interface and of
// notifications (web/i18n/*.yaml) and translates a message id into
// Chinese (the default) or English. The web server and the notification
// worker both use it; neither borrows the other's.
package i18n

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// Languages the UI speaks; the first is the default.
var Languages = []string{"zh-CN", "en"}

// Translator holds the message catalogs loaded from web/i18n.
type Translator struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
}

// NewTranslator loads every *.yaml catalog of fsys (flat "id: text" maps).
func NewTranslator(fsys fs.FS) (*Translator, error) {
	b := i18n.NewBundle(language.SimplifiedChinese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(raw, path.Base(f)); err != nil {
			return nil, fmt.Errorf("i18n catalog %s: %w", f, err)
		}
	}
	t := &Translator{bundle: b, localizers: map[string]*i18n.Localizer{}}
	for _, l := range Languages {
		t.localizers[l] = i18n.NewLocalizer(b, l)
	}
	return t, nil
}

// T translates message id into lang; params fill {{.Name}} placeholders.
// A missing message shows its id, so a gap is visible rather than blank.
func (t *Translator) T(lang, id string, params map[string]any) string {
	loc, ok := t.localizers[lang]
	if !ok {
		loc = t.localizers[Languages[0]]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: params})
	if err != nil || s == "" {
		return id
	}
	return s
}

// NormalizeLang maps a requested language to a supported one.
func NormalizeLang(s string) string {
	switch s {
	case "en", "en-US", "en-GB":
		return "en"
	default:
		return "zh-CN"
	}
}
