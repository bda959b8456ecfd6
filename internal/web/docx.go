package web

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// docx builds a Word document (Office Open XML, ISO/IEC 29500) of
// headings, paragraphs and tables: what the offices edit and file. It
// writes the smallest package Word, WPS and LibreOffice open: the content
// types, the package relationship and the document part, with the text in
// 仿宋 (body) and 黑体 (headings), the fonts of official documents, at the
// sizes of 三号/小二.
type docx struct {
	body strings.Builder
}

// docxEsc escapes text for XML.
func docxEsc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// docxRun is one run of text; line breaks in s become <w:br/>.
func docxRun(s string, bold bool, halfPoints int, font string) string {
	var b strings.Builder
	b.WriteString("<w:r><w:rPr>")
	fmt.Fprintf(&b, `<w:rFonts w:ascii="%[1]s" w:hAnsi="%[1]s" w:eastAsia="%[1]s"/>`, font)
	if bold {
		b.WriteString("<w:b/>")
	}
	fmt.Fprintf(&b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr>`, halfPoints, halfPoints)
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		b.WriteString(`<w:t xml:space="preserve">` + docxEsc(line) + "</w:t>")
	}
	b.WriteString("</w:r>")
	return b.String()
}

const (
	fontBody    = "仿宋"
	fontHeading = "黑体"
	sizeTitle   = 36 // 小二, in half points
	sizeHeading = 32 // 三号
	sizeBody    = 28 // 四号
	sizeTable   = 24 // 小四
)

// Title adds the document's centred title.
func (d *docx) Title(s string) {
	d.body.WriteString(`<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr>` +
		docxRun(s, true, sizeTitle, fontHeading) + "</w:p>")
}

// Heading adds a section heading.
func (d *docx) Heading(s string) {
	d.body.WriteString(`<w:p><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/></w:pPr>` +
		docxRun(s, false, sizeHeading, fontHeading) + "</w:p>")
}

// Para adds a body paragraph; blank lines in s start new paragraphs,
// each indented by two characters as Chinese prose is.
func (d *docx) Para(s string) {
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d.body.WriteString(`<w:p><w:pPr><w:ind w:firstLineChars="200"/><w:spacing w:line="360" w:lineRule="auto"/></w:pPr>` +
			docxRun(p, false, sizeBody, fontBody) + "</w:p>")
	}
}

// Note adds a small unindented line (a date, a source).
func (d *docx) Note(s string) {
	d.body.WriteString(`<w:p>` + docxRun(s, false, sizeTable, fontBody) + "</w:p>")
}

// Table adds a table with a bold header row that repeats on every page.
func (d *docx) Table(head []string, rows [][]string) {
	d.body.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(&d.body, `<w:%s w:val="single" w:sz="4" w:space="0" w:color="000000"/>`, side)
	}
	d.body.WriteString(`</w:tblBorders></w:tblPr>`)
	row := func(cells []string, header bool) {
		d.body.WriteString("<w:tr>")
		if header {
			d.body.WriteString("<w:trPr><w:tblHeader/></w:trPr>")
		}
		for _, c := range cells {
			d.body.WriteString("<w:tc><w:p>" + docxRun(c, header, sizeTable, fontBody) + "</w:p></w:tc>")
		}
		d.body.WriteString("</w:tr>")
	}
	row(head, true)
	for _, r := range rows {
		row(r, false)
	}
	d.body.WriteString("</w:tbl>")
	d.body.WriteString("<w:p/>")
}

// Bytes is the .docx file. modified stamps the zip entries (the
// application's clock, so that the same report gives the same bytes).
func (d *docx) Bytes(modified time.Time) ([]byte, error) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + d.body.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`},
	}
	for _, p := range parts {
		w, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// docxType is the media type of a .docx file.
const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
