package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// uploadFromRequest reads the multipart upload shared by the page and the
// API. The body is streamed to storage, never held whole in memory.
func (s *Server) uploadFromRequest(c echo.Context, caseID int64) (document.Document, error) {
	// Scope and permission first: a case the actor cannot see does not
	// exist for them, and one they may not add to refuses, whatever they
	// sent.
	if _, err := s.deps.Documents.UploadAccess(ctxOf(c), caseID); err != nil {
		return document.Document{}, err
	}
	return s.readUpload(c, func(in document.UploadInput) (document.Document, error) {
		in.CaseID = caseID
		return s.deps.Documents.Upload(ctxOf(c), in)
	})
}

// referralUploadFromRequest attaches the multipart upload to a referral;
// a referral the actor is not party to answers 404, a closed one 409,
// before the body is read.
func (s *Server) referralUploadFromRequest(c echo.Context, referralID int64) (document.Document, error) {
	if _, _, err := s.deps.Documents.ReferralUploadAccess(ctxOf(c), referralID); err != nil {
		return document.Document{}, err
	}
	return s.readUpload(c, func(in document.UploadInput) (document.Document, error) {
		return s.deps.Documents.UploadToReferral(ctxOf(c), referralID, in)
	})
}

// readUpload reads the file and fields of a multipart upload and hands
// them to store.
func (s *Server) readUpload(c echo.Context, store func(document.UploadInput) (document.Document, error)) (document.Document, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return document.Document{}, domain.Invalid(domain.FieldError{Field: "file", Message: "validation.file_too_large",
				Params: map[string]any{"Max": s.deps.MaxUploadBytes}})
		}
		return document.Document{}, domain.Invalid(domain.FieldError{Field: "file", Message: "validation.required"})
	}
	f, err := fh.Open()
	if err != nil {
		return document.Document{}, err
	}
	defer f.Close()
	return store(document.UploadInput{Kind: c.FormValue("kind"), FileName: fh.Filename,
		Confidential: c.FormValue("confidential") == "on" || c.FormValue("confidential") == "true", Body: f})
}

// uploadLimit lets an upload's body exceed the general body limit up to
// the configured upload size (plus room for the multipart envelope).
func (s *Server) uploadLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, s.deps.MaxUploadBytes+64<<10)
		return next(c)
	}
}

func (s *Server) handleDocumentUpload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.uploadFromRequest(c, id); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderCase(c, http.StatusUnprocessableEntity, id, &casePage{Form: Form{Errors: de.Fields}, FailedForm: "document"})
		}
		return err
	}
	s.flash(c, "ok", "case.flash.document")
	return c.Redirect(http.StatusSeeOther, "/cases/"+itoa(id))
}

func (s *Server) handleDocumentDownload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, body, err := s.deps.Documents.Download(ctxOf(c), id)
	if err != nil {
		return err
	}
	defer body.Close()
	document.ServeDownload(c.Response(), d, body)
	return nil
}

func (s *Server) apiDocumentUpload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.uploadFromRequest(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) apiDocumentDownload(c echo.Context) error { return s.handleDocumentDownload(c) }

func (s *Server) handleReferralDocumentUpload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.referralUploadFromRequest(c, id); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderReferral(c, http.StatusUnprocessableEntity, id, &referralPage{Form: Form{Errors: de.Fields}, FailedForm: "document"})
		}
		return err
	}
	s.flash(c, "ok", "case.flash.document")
	return c.Redirect(http.StatusSeeOther, "/referrals/"+itoa(id))
}

// apiReferralDocuments lists the files attached to a referral.
func (s *Server) apiReferralDocuments(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	docs, err := s.deps.Documents.ListForReferral(ctxOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": docs, "next_cursor": ""})
}

func (s *Server) apiReferralDocumentUpload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.referralUploadFromRequest(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}
