package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/pdf"
)

// docWriter takes the content of a downloadable document. The Word writer
// (docx) and the PDF writer (internal/pdf) both implement it, so a
// document's content is written once and the handler picks the format.
type docWriter interface {
	// Title adds a centred title.
	Title(s string)
	// Heading adds a section heading.
	Heading(s string)
	// Para adds body text; a blank line starts a new paragraph.
	Para(s string)
	// Note adds a small unindented line (a date, a source).
	Note(s string)
	// Table adds a table with a header row.
	Table(head []string, rows [][]string)
}

var (
	_ docWriter = (*docx)(nil)
	_ docWriter = (*pdf.Document)(nil)
)

// docFormat is the file format of a downloadable document: its extension.
type docFormat string

const (
	formatDocx docFormat = "docx"
	formatPDF  docFormat = "pdf"
)

// sendDocument writes a document in a format and sends it as a download
// called name plus the format's extension. title is the document's title
// in the PDF's properties. The application's clock dates the file, so the
// same content gives the same bytes.
func (s *Server) sendDocument(c echo.Context, format docFormat, pg *Page, title, name string, write func(docWriter)) error {
	var (
		b         []byte
		mediaType string
		err       error
	)
	switch format {
	case formatPDF:
		d := pdf.New(pdf.Options{Title: title, Lang: pg.Lang, Created: s.now()})
		write(d)
		b, err = d.Bytes()
		mediaType = pdf.MediaType
	default:
		var d docx
		write(&d)
		b, err = d.Bytes(s.now())
		mediaType = docxType
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+"."+string(format)+`"`)
	return c.Blob(http.StatusOK, mediaType, b)
}
