package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/notice"
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
// show them (internal/notice writes each one's content once), turned into
// dossier parts, with the committee's seal where the notice carries it.
func (s *Server) printedNotices(c echo.Context, v cases.CaseView) ([]dossier.Item, error) {
	seal, err := s.deps.Service.SealOf(ctxOf(c), v.OrgID)
	if err != nil {
		return nil, err
	}
	var out []dossier.Item
	for _, doc := range notice.Docs {
		if !notice.Available(v, doc) {
			continue
		}
		n, err := notice.Build(v, doc, func(key string) string { return s.deps.Texts.T("zh-CN", key, nil) })
		if err != nil {
			return nil, fmt.Errorf("dossier: notice %s: %w", doc, err)
		}
		out = append(out, dossier.Item{Title: n.Title, Write: func(d *pdf.Document) {
			// The seal was checked to be a PNG image when it was uploaded.
			_ = notice.Write(d, n, seal)
		}})
	}
	return out, nil
}
