// Package pdf writes PDF documents of titles, headings, paragraphs, notes
// and tables, in Chinese and English, laid out like an official document:
// A4 with the margins of GB/T 9704, the page number centred below the
// text between dashes, body text at 四号 with one and a half lines'
// spacing and paragraphs indented by two characters.
//
// The fonts are in the binary (fonts/NOTICE): Droid Sans Fallback for the
// Chinese characters and Liberation Sans for Latin letters, digits and
// general punctuation, each character drawn in the font that has it. Only
// the glyphs a document uses are embedded in it. fpdf
// (codeberg.org/go-pdf/fpdf) writes the file; the line breaking, the
// pagination and the tables are this package's.
package pdf

import (
	"bytes"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// MediaType is the media type of a PDF file.
const MediaType = "application/pdf"

// The page, in millimetres: A4, and the margins of GB/T 9704 (the body
// 156 × 225 mm, 37 mm from the top and 28 mm from the left edge).
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginTop    = 37.0
	marginLeft   = 28.0
	marginRight  = 26.0
	marginBottom = 35.0
	// footerGap is the distance from the bottom of the body to the page
	// number's baseline.
	footerGap = 12.0
)

// The type sizes, in points: the title 小二, headings 三号, body 四号,
// notes and tables 小四.
const (
	sizeTitle   = 18.0
	sizeHeading = 16.0
	sizeBody    = 14.0
	sizeSmall   = 12.0
	sizeFooter  = 12.0
)

// mmPerPt converts points to millimetres.
const mmPerPt = 25.4 / 72

// Options describe a document.
type Options struct {
	// Title is the document's title in its properties.
	Title string
	// Lang is its language ("zh-CN", "en"), for the properties and screen
	// readers.
	Lang string
	// Created is its date of creation in the properties. The same content
	// and the same date give the same bytes.
	Created time.Time
	// FirstPage is the number the first page's footer shows (1 when
	// zero): a part of a longer document (a dossier's, internal/dossier)
	// continues its numbering.
	FirstPage int
}

// Document is a PDF document being written. Its methods add content in
// order, breaking lines and pages; Bytes ends it. A Document is not safe
// for concurrent use; separate documents are.
type Document struct {
	f *fpdf.Fpdf
	// y is where the next block starts on the page.
	y float64
	// advances are the widths of the characters met so far, per face, in
	// thousandths of the type size.
	advances [faceCount]map[rune]float64
	// pageBase is added to fpdf's page number in the footer.
	pageBase int
	images   int
	err      error
}

// New starts a document on its first page.
func New(o Options) *Document {
	d := &Document{}
	if o.FirstPage > 1 {
		d.pageBase = o.FirstPage - 1
	}
	for i := range d.advances {
		d.advances[i] = map[rune]float64{}
	}
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: pageWidth, Ht: pageHeight}})
	d.f = f
	files, err := fonts()
	if err != nil {
		d.err = err
		return d
	}
	for fc, ff := range faceFont {
		// A copy for each document: fpdf writes into the bytes it is
		// given while it subsets the font (it appends to a slice of
		// them when it reads the metrics of a glyph past the font's
		// last full horizontal metric), which would change the shared
		// copy under the documents being written at the same time.
		f.AddUTF8FontFromBytes(ff.family, ff.style, bytes.Clone(files[fc]))
	}
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(false, marginBottom)
	f.SetCatalogSort(true)
	if !o.Created.IsZero() {
		// fpdf writes the date without its offset: in UTC, it is read right.
		f.SetCreationDate(o.Created.UTC())
		f.SetModificationDate(o.Created.UTC())
	}
	if o.Title != "" {
		f.SetTitle(o.Title, true)
	}
	if o.Lang != "" {
		f.SetLang(o.Lang)
	}
	f.SetCreator("ipmediate", true)
	f.SetFooterFunc(d.footer)
	d.newPage()
	return d
}

// footer numbers the page: "— 3 —", centred below the body.
func (d *Document) footer() {
	s := "— " + itoa(d.f.PageNo()+d.pageBase) + " —"
	w := d.width(s, false, sizeFooter)
	d.draw(s, (pageWidth-w)/2, pageHeight-marginBottom+footerGap, sizeFooter, false)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func (d *Document) newPage() {
	d.f.AddPage()
	d.y = marginTop
}

// bodyWidth is the width of the text.
const bodyWidth = pageWidth - marginLeft - marginRight

// bodyBottom is where the text ends on the page.
const bodyBottom = pageHeight - marginBottom

// room makes sure h millimetres fit below y, else starts a new page.
func (d *Document) room(h float64) {
	if d.y+h > bodyBottom && d.y > marginTop {
		d.newPage()
	}
}

// clean replaces what the fonts cannot draw: characters beyond the Basic
// Multilingual Plane (which fpdf's fonts cannot address) become 〓, the
// mark Chinese typesetting puts for a missing character; tabs become
// spaces and other control characters go.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
			return -1
		case r > 0xFFFF:
			return '〓'
		}
		return r
	}, s)
}

// measureRunes fills the advance widths of s's characters.
func (d *Document) measureRunes(s string, bold bool) {
	var missing [faceCount][]rune
	for _, r := range s {
		fc := faceOf(r, bold)
		if _, ok := d.advances[fc][r]; !ok {
			missing[fc] = append(missing[fc], r)
		}
	}
	for fc, rs := range missing {
		if len(rs) == 0 {
			continue
		}
		ff := faceFont[fc]
		d.f.SetFont(ff.family, ff.style, 10)
		for _, r := range rs {
			d.advances[fc][r] = float64(d.f.GetStringSymbolWidth(string(r)))
		}
	}
}

// advance is a function giving the width of a character, in millimetres,
// at a type size.
func (d *Document) advance(bold bool, size float64) func(rune) float64 {
	return func(r rune) float64 {
		return d.advances[faceOf(r, bold)][r] * size * mmPerPt / 1000
	}
}

// width is the width of s, in millimetres, at a type size.
func (d *Document) width(s string, bold bool, size float64) float64 {
	d.measureRunes(s, bold)
	adv := d.advance(bold, size)
	var w float64
	for _, r := range s {
		w += adv(r)
	}
	return w
}

// lines breaks a text into lines width wide, the first indent narrower;
// a '\n' in s always breaks.
func (d *Document) lines(s string, bold bool, size, width, indent float64) []string {
	d.measureRunes(s, bold)
	var out []string
	for i, hard := range strings.Split(s, "\n") {
		in := 0.0
		if i == 0 {
			in = indent
		}
		out = append(out, wrap(hard, width, in, d.advance(bold, size))...)
	}
	return out
}

// draw writes one line with its baseline at y, each character in the
// face that has it. Bold Chinese, which has no bold face, is filled and
// stroked with a thin outline.
func (d *Document) draw(s string, x, y, size float64, bold bool) {
	d.measureRunes(s, bold)
	adv := d.advance(bold, size)
	rs := []rune(s)
	for i := 0; i < len(rs); {
		fc := faceOf(rs[i], bold)
		j := i
		var w float64
		for j < len(rs) && faceOf(rs[j], bold) == fc {
			w += adv(rs[j])
			j++
		}
		seg := string(rs[i:j])
		if strings.TrimSpace(seg) != "" {
			ff := faceFont[fc]
			d.f.SetFont(ff.family, ff.style, size)
			fake := bold && fc == faceCJK
			if fake {
				d.f.SetLineWidth(size * mmPerPt * 0.03)
				d.f.SetTextRenderingMode(2)
			}
			d.f.Text(x, y, seg)
			if fake {
				d.f.SetTextRenderingMode(0)
			}
		}
		x += w
		i = j
	}
}

// baseline is where the baseline of a line of a type size sits in a line
// box of height lh whose top is at top.
func baseline(top, lh, size float64) float64 {
	s := size * mmPerPt
	return top + (lh-s)/2 + 0.86*s
}

// block writes a text of lines: indent is the first line's, in
// characters; keep is the height that must follow on the same page (a
// heading keeps with the start of its text).
type block struct {
	size, leading float64 // the type size, and the line height as a multiple of it
	bold, centre  bool
	right         bool    // flush right (a signature)
	indent        float64 // the first line's indent, in multiples of the size
	before, after float64 // the space above and below, in millimetres
	keep          float64
}

func (d *Document) block(s string, b block) {
	s = clean(s)
	sizeMM := b.size * mmPerPt
	lh := b.size * b.leading * mmPerPt
	lines := d.lines(s, b.bold, b.size, bodyWidth, b.indent*sizeMM)
	if d.y > marginTop {
		d.y += b.before
	}
	// Keep the first two lines (all of a short block) and what must
	// follow together.
	first := min(len(lines), 2)
	if len(lines) <= 3 {
		first = len(lines)
	}
	d.room(float64(first)*lh + b.keep)
	for i, line := range lines {
		d.room(lh)
		x := marginLeft
		if i == 0 {
			x += b.indent * sizeMM
		}
		if b.centre {
			x = marginLeft + (bodyWidth-d.width(line, b.bold, b.size))/2
		}
		if b.right {
			x = marginLeft + bodyWidth - d.width(line, b.bold, b.size)
		}
		d.draw(line, x, baseline(d.y, lh, b.size), b.size, b.bold)
		d.y += lh
	}
	d.y += b.after
}

// Title adds a centred bold title.
func (d *Document) Title(s string) {
	d.block(s, block{size: sizeTitle, leading: 1.4, bold: true, centre: true, before: 6, after: 5,
		keep: 2 * sizeBody * 1.5 * mmPerPt})
}

// Heading adds a section heading, kept on the page of the text after it.
func (d *Document) Heading(s string) {
	d.block(s, block{size: sizeHeading, leading: 1.4, bold: true, before: 4, after: 2,
		keep: 2 * sizeBody * 1.5 * mmPerPt})
}

// Para adds body text; a blank line in s starts a new paragraph, each
// indented by two characters as Chinese prose is, and a single line break
// breaks the line.
func (d *Document) Para(s string) {
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		p = strings.Trim(p, "\n")
		if strings.TrimSpace(p) == "" {
			continue
		}
		d.block(p, block{size: sizeBody, leading: 1.5, indent: 2})
	}
}

// Note adds a small unindented line or lines (a date, a source).
func (d *Document) Note(s string) {
	d.block(s, block{size: sizeSmall, leading: 1.4, after: 2})
}

// Bytes ends the document and is the PDF file.
func (d *Document) Bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
