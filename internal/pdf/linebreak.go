package pdf

import (
	"strings"
	"unicode"
)

// Line breaking. Chinese has no spaces between words: a line may break
// before any ideograph, so each wide character (from U+2E80 on) is a unit
// of its own. A run of other characters (a Latin word, a number, "50%")
// stays whole and breaks at spaces. Two rules of Chinese typesetting
// (GB/T 15834, the line-start and line-end rules) keep punctuation with
// its text: closing marks (，。、）》” and the like) never start a line,
// opening marks (（《“ and the like) never end one. A unit wider than a
// whole line (a long address) is broken between any two characters.

// noLineStart are the marks that stay at the end of the line before.
const noLineStart = "，。、；：？！）》」』】〕〉”’…—·％‰℃" + ",.;:?!)]}%"

// noLineEnd are the marks that stay at the start of the line after.
const noLineEnd = "（《「『【〔〈“‘" + "([{"

// wide is a character a line may break before and after.
func wide(r rune) bool { return r >= 0x2E80 }

// units splits a hard line into the pieces line breaking keeps whole:
// single wide characters, runs of other characters, runs of spaces; with
// the closing and opening marks joined to their neighbours.
func units(s string) [][]rune {
	var out [][]rune
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			if len(cur) > 0 && !isSpace(cur) {
				flush()
			}
			cur = append(cur, r)
		case wide(r):
			flush()
			cur = []rune{r}
			flush()
		default:
			if len(cur) > 0 && isSpace(cur) {
				flush()
			}
			cur = append(cur, r)
		}
	}
	flush()
	// The line-start and line-end rules.
	var joined [][]rune
	for _, u := range out {
		if n := len(joined); n > 0 && !isSpace(u) && !isSpace(joined[n-1]) &&
			(strings.ContainsRune(noLineStart, u[0]) || strings.ContainsRune(noLineEnd, joined[n-1][len(joined[n-1])-1])) {
			joined[n-1] = append(joined[n-1], u...)
			continue
		}
		joined = append(joined, u)
	}
	return joined
}

func isSpace(u []rune) bool { return len(u) > 0 && unicode.IsSpace(u[0]) }

// wrap breaks one hard line (no '\n') into lines no wider than width; the
// first line is indent narrower. advance is the width of a character.
// Spaces that end a line are dropped, and so are those that would start a
// line after a break; those the text starts with stay (a manual indent).
// An empty text is one empty line.
func wrap(s string, width, indent float64, advance func(rune) float64) []string {
	var lines []string
	var line []rune
	var lw float64
	avail := width - indent
	ink := false // the line holds more than spaces
	emit := func() {
		lines = append(lines, strings.TrimRightFunc(string(line), unicode.IsSpace))
		line, lw, ink, avail = nil, 0, false, width
	}
	measure := func(u []rune) (w float64) {
		for _, r := range u {
			w += advance(r)
		}
		return w
	}
	for _, u := range units(s) {
		uw := measure(u)
		if isSpace(u) {
			if ink || len(lines) == 0 {
				line, lw = append(line, u...), lw+uw
			}
			continue
		}
		if ink && lw+uw > avail {
			emit()
		}
		if uw > avail-lw {
			// Wider than what is left of an empty line: break anywhere.
			for _, r := range u {
				rw := advance(r)
				if ink && lw+rw > avail {
					emit()
				}
				line, lw, ink = append(line, r), lw+rw, true
			}
			continue
		}
		line, lw, ink = append(line, u...), lw+uw, true
	}
	if ink || len(lines) == 0 {
		emit()
	}
	return lines
}
