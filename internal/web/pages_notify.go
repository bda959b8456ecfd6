package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/notify"
)

// inboxItem is one notification rendered in the reader's language.
type inboxItem struct {
	ID        int64
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	Read      bool
}

type inboxPage struct {
	Items      []inboxItem
	UnreadOnly bool
	Next       string
	// Back is where the mark-read forms return to.
	Back string
}

// renderInbox renders notifications in lang.
func (s *Server) renderInbox(lang string, ns []notify.Notification) []inboxItem {
	out := make([]inboxItem, len(ns))
	for i, n := range ns {
		title, body := notify.Render(s.tmpl.tr, lang, n.Kind, n.Params)
		out[i] = inboxItem{ID: n.ID, Title: title, Body: body, Link: n.Link, CreatedAt: n.CreatedAt, Read: n.ReadAt != nil}
	}
	return out
}

// handleInbox lists the signed-in user's notifications, newest first.
func (s *Server) handleInbox(c echo.Context) error {
	f := notify.InboxFilter{UnreadOnly: c.QueryParam("unread") == "1", Cursor: c.QueryParam("cursor")}
	items, next, err := s.deps.Notify.Inbox(ctxOf(c), f)
	if err != nil {
		return err
	}
	back := "/inbox"
	if f.UnreadOnly {
		back = "/inbox?unread=1"
	}
	return s.render(c, http.StatusOK, "inbox", &inboxPage{Items: s.renderInbox(langOf(c), items), UnreadOnly: f.UnreadOnly,
		Next: next, Back: back})
}

// handleInboxRead marks one notification read, then goes where the form
// says: the notification's own page ("open") or back to the inbox.
func (s *Server) handleInboxRead(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Notify.MarkRead(ctxOf(c), id); err != nil {
		return err
	}
	next := safeNext(c.FormValue("next"), "/inbox")
	if next == "/inbox" || next == "/inbox?unread=1" {
		s.flash(c, "ok", "inbox.flash.read")
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// handleInboxReadAll marks every notification of the user read.
func (s *Server) handleInboxReadAll(c echo.Context) error {
	if _, err := s.deps.Notify.MarkAllRead(ctxOf(c)); err != nil {
		return err
	}
	s.flash(c, "ok", "inbox.flash.all_read")
	return c.Redirect(http.StatusSeeOther, "/inbox")
}

// inboxRoutes registers the inbox.
func (s *Server) inboxRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/inbox", s.handleInbox, in)
	g.POST("/inbox/read", s.handleInboxReadAll, in)
	g.POST("/inbox/:id/read", s.handleInboxRead, in)
}
