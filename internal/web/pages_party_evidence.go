package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// A party uploads its evidence (and its agent's power of attorney, its
// identity papers) from its own view (docs/design.md §16); the committee
// finds the files among the case's documents.

func init() {
	partySections = append(partySections, partyEvidenceSection)
}

const partyEvidenceKey = "partyview.evidence"

// partyEvidenceForm is the upload section: what the party uploaded, and
// whether it may upload now.
type partyEvidenceForm struct {
	Form
	Uploads []document.PartyUpload
	Open    bool
	MaxMB   int64
}

// Kinds are the kinds a party uploads.
func (partyEvidenceForm) Kinds() []string { return document.PartyKinds }

func (s *Server) partyEvidenceRoutes(g *echo.Group) {
	g.POST("/p/evidence", s.handlePartyEvidence, s.uploadLimit, s.requireParty)
}

// partyEvidenceSection lists the party's uploads and, while its case is
// open, the upload form.
func partyEvidenceSection(c echo.Context, s *Server) (PartySection, bool, error) {
	ctx := ctxOf(c)
	ups, err := s.deps.Documents.PartyUploads(ctx)
	if err != nil {
		return PartySection{}, false, err
	}
	_, openErr := s.deps.Documents.PartyUploadAccess(ctx)
	f, _ := c.Get(partyEvidenceKey).(*partyEvidenceForm)
	if f == nil {
		f = &partyEvidenceForm{}
	}
	f.Uploads, f.Open, f.MaxMB = ups, openErr == nil, s.deps.MaxUploadBytes>>20
	if !f.Open && len(ups) == 0 {
		return PartySection{}, false, nil
	}
	return PartySection{Label: "partyview.evidence.title", Template: "party-evidence", Data: f}, true, nil
}

// handlePartyEvidence stores the party's upload.
func (s *Server) handlePartyEvidence(c echo.Context) error {
	ctx := ctxOf(c)
	// Refuse before reading the body when the case takes no more files.
	if _, err := s.deps.Documents.PartyUploadAccess(ctx); err != nil {
		return s.partyEvidenceRefused(c, err, nil)
	}
	_, err := s.readUpload(c, func(in document.UploadInput) (document.Document, error) {
		return s.deps.Documents.UploadAsParty(ctx, in)
	})
	if err != nil {
		return s.partyEvidenceRefused(c, err, map[string]string{"kind": c.FormValue("kind")})
	}
	return c.Redirect(http.StatusSeeOther, "/p/case#party-evidence")
}

func (s *Server) partyEvidenceRefused(c echo.Context, err error, values map[string]string) error {
	var de *domain.Error
	switch {
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		c.Set(partyEvidenceKey, &partyEvidenceForm{Form: Form{Values: values, Errors: de.Fields}})
		return s.renderPartyCase(c, http.StatusUnprocessableEntity, &partyCasePage{})
	case errors.As(err, &de) && de.Code == domain.ECONFLICT:
		c.Set(partyEvidenceKey, &partyEvidenceForm{Form: Form{Message: de.ID}})
		return s.renderPartyCase(c, http.StatusConflict, &partyCasePage{})
	}
	return err
}
