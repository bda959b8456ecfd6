package web

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/pdf"
)

// dossierRoutes registers the archive form and the dossier downloads.
func (s *Server) dossierRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.POST("/cases/:id/archive", s.handleCaseArchive, in)
	g.GET("/cases/:id/dossier/:file", s.handleDossierDownload, in)
}

// handleCaseArchive archives the case as its dossier and returns to the
// case page, which then links the PDF and the ZIP.
func (s *Server) handleCaseArchive(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.deps.Cases.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	notices, err := s.printedNotices(c, v)
	if err != nil {
		return err
	}
	d, err := s.deps.Dossiers.Archive(ctxOf(c), id, dossier.Input{Notices: notices})
	if err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return s.renderCase(c, http.StatusConflict, id, &casePage{Conflict: s.errorWords(langOf(c), err)})
		}
		return err
	}
	s.flash(c, "ok", "dossier.flash.archived")
	s.log.InfoContext(ctxOf(c), "case archived", "case_id", id, "archive_number", d.ArchiveNumber, "pages", d.PDFPages)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/cases/%d", id))
}

// handleDossierDownload sends the dossier's PDF or ZIP (audited by the
// service).
func (s *Server) handleDossierDownload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f := dossier.File(c.Param("file"))
	rc, d, err := s.deps.Dossiers.Open(ctxOf(c), id, f)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	typ, size := pdf.MediaType, d.PDFSize
	if f == dossier.FileZIP {
		typ, size = "application/zip", d.ZIPSize
	}
	name := fmt.Sprintf("dossier-%d.%s", id, f)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().Header().Set(echo.HeaderContentLength, fmt.Sprint(size))
	return c.Stream(http.StatusOK, typ, io.LimitReader(rc, size))
}

// printedNotices are the case's printed documents as its print pages
// show them today (handleCasePrint decides which the case has; the
// templates print_* hold their text), turned into dossier parts: the
// text is written once, in the templates.
func (s *Server) printedNotices(c echo.Context, v cases.CaseView) ([]dossier.Item, error) {
	var out []dossier.Item
	for _, doc := range []string{"acceptance", "rejection", "termination", "agreement"} {
		if !printable(v, doc) {
			continue
		}
		tmpl, ok := s.tmpl.pages["print_"+doc]
		if !ok {
			return nil, fmt.Errorf("no template print_%s", doc)
		}
		p := &Page{Lang: "zh-CN", Actor: actorOf(c), Data: &casePage{V: v, Now: s.now()}, tr: s.tmpl.tr,
			authz: s.deps.Authz, now: s.now(), cal: s.deps.Deadlines.Calendar()}
		var title, body bytes.Buffer
		if err := tmpl.ExecuteTemplate(&title, "doc-title", p); err != nil {
			return nil, fmt.Errorf("print %s: %w", doc, err)
		}
		if err := tmpl.ExecuteTemplate(&body, "doc", p); err != nil {
			return nil, fmt.Errorf("print %s: %w", doc, err)
		}
		blocks := htmlBlocks(body.String())
		out = append(out, dossier.Item{Title: strings.TrimSpace(title.String()), Write: func(d *pdf.Document) {
			for _, b := range blocks {
				switch b.kind {
				case "h1":
					d.Title(b.text)
				case "h2", "h3":
					d.Heading(b.text)
				case "note":
					d.Note(b.text)
				default:
					d.Para(b.text)
				}
			}
		}})
	}
	return out, nil
}

// printable reports whether the case has the printed document doc now,
// as its print page decides.
func printable(v cases.CaseView, doc string) bool {
	switch doc {
	case "agreement":
		return v.Agreement != nil && (v.Status == domain.StatusAgreementDraft || v.Agreement.EffectiveAt != nil)
	case "acceptance":
		return v.AcceptedAt != nil
	case "rejection":
		return v.Status == domain.StatusRejected
	case "termination":
		return v.Status == domain.StatusFailed || (v.Status == domain.StatusClosed && v.SuggestedRoute != "")
	}
	return false
}

// htmlBlock is a block of a printed page as text.
type htmlBlock struct{ kind, text string }

var (
	blockRe = regexp.MustCompile(`(?s)<(h1|h2|h3|p|li|td|th)(\s[^>]*)?>(.*?)</(?:h1|h2|h3|p|li|td|th)>`)
	brRe    = regexp.MustCompile(`(?i)<br\s*/?>`)
	tagRe   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe = regexp.MustCompile(`[ \t\r\n]+`)
)

// htmlBlocks reads the headings, paragraphs, list items and cells of one
// of our print templates' output, in order, as text: a line break stays
// one, other markup goes. A paragraph of class doc-number, addressee or
// signature is a note (unindented).
func htmlBlocks(s string) []htmlBlock {
	var out []htmlBlock
	for _, m := range blockRe.FindAllStringSubmatch(s, -1) {
		inner := brRe.ReplaceAllString(m[3], "\n")
		inner = tagRe.ReplaceAllString(inner, "")
		var lines []string
		for _, l := range strings.Split(inner, "\n") {
			if l = strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(l), " ")); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		kind := m[1]
		if kind == "p" && strings.Contains(m[2], "class=") {
			kind = "note"
		}
		out = append(out, htmlBlock{kind: kind, text: strings.Join(lines, "\n")})
	}
	return out
}
