// Package pdftest reads back the PDF files internal/pdf writes, for tests:
// their pages' text, without a PDF library or an external tool.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

var (
	streamRe = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	// showRe is a string shown with Tj at a position set with Td.
	showRe = regexp.MustCompile(`(?s)(-?[\d.]+) (-?[\d.]+) Td\s*\(((?:\\.|[^\\)])*)\)\s*Tj`)
	// pageNumberRe is the page number internal/pdf puts in the footer.
	pageNumberRe = regexp.MustCompile(`(?m)^— \d+ —\n`)
)

// Text is the text of a PDF file internal/pdf wrote: the strings its
// pages show, in the order drawn, a line for each baseline (the strings
// of one line of a paragraph, one for each font, or of the cells of a
// table's row, are joined without a space). Content streams
// may be compressed (FlateDecode). The strings are UTF-16BE, as fpdf
// writes them with its Unicode fonts.
func Text(file []byte) (string, error) {
	if !bytes.HasPrefix(file, []byte("%PDF-")) {
		return "", fmt.Errorf("pdftest: not a PDF file")
	}
	var out bytes.Buffer
	for _, m := range streamRe.FindAllSubmatch(file, -1) {
		content := m[1]
		if r, err := zlib.NewReader(bytes.NewReader(content)); err == nil {
			if b, err := io.ReadAll(r); err == nil {
				content = b
			}
		}
		if !bytes.Contains(content, []byte("BT ")) {
			continue // a font, an image, a character map
		}
		y := ""
		for _, s := range showRe.FindAllSubmatch(content, -1) {
			if y != "" && string(s[2]) != y {
				out.WriteByte('\n')
			}
			y = string(s[2])
			raw := unescape(s[3])
			if len(raw)%2 != 0 {
				return "", fmt.Errorf("pdftest: a shown string of odd length: %q", raw)
			}
			u := make([]uint16, len(raw)/2)
			for i := range u {
				u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
			out.WriteString(string(utf16.Decode(u)))
		}
		if y != "" {
			out.WriteByte('\n')
		}
	}
	return out.String(), nil
}

// unescape decodes a PDF literal string's escapes.
func unescape(s []byte) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			out = append(out, c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '\r', '\n':
			// A line continuation.
		default:
			if e >= '0' && e <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				n, _ := strconv.ParseUint(string(s[i:j]), 8, 8)
				out = append(out, byte(n))
				i = j - 1
				continue
			}
			out = append(out, e)
		}
	}
	return out
}

// Joined is the text without the page numbers and the line ends: a
// phrase the layout broke across lines or pages is found whole in it.
func Joined(text string) string {
	return strings.ReplaceAll(pageNumberRe.ReplaceAllString(text, ""), "\n", "")
}
