package document

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFileNameRunes caps the length of a stored file name.
const MaxFileNameRunes = 200

// maxExtRunes is the longest extension CleanFileName keeps when it has to
// shorten a name.
const maxExtRunes = 16

// CleanFileName turns the name a user gave a file into metadata safe to
// store and show: invalid UTF-8 dropped, everything up to the last / or \
// dropped (so "../../etc/passwd" and "C:\boot.ini" keep only their last
// element), control and bidirectional-override characters removed (so
// "evil\u202Efdp.exe" cannot pose as a PDF), surrounding spaces and
// leading dots removed (no hidden ".htaccess"), trailing dots and spaces
// removed, and at most MaxFileNameRunes runes kept, the extension
// preserved. It returns "" when nothing is left. The result is never used
// as a path; cleaning only keeps lists, headers and downloads tidy.
// Every upload of the system (case, referral and application documents)
// goes through it.
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	name = strings.TrimLeft(name, ". \t")
	name = strings.TrimRight(name, ". \t")
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxFileNameRunes {
		name = shorten(name)
	}
	return name
}

// shorten cuts name to MaxFileNameRunes runes, keeping a short extension.
func shorten(name string) string {
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && utf8.RuneCountInString(name[i:]) <= maxExtRunes {
		name, ext = name[:i], name[i:]
	}
	stem := []rune(name)[:MaxFileNameRunes-utf8.RuneCountInString(ext)]
	return strings.TrimSpace(string(stem)) + ext
}

// isBidiControl reports whether r is an invisible character that reorders
// text (Unicode bidirectional formatting characters), used to disguise an
// extension.
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
