package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/i18n"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// notificationOut is the JSON form of a notification. Title and body are
// rendered in the language asked for with ?lang= (zh-CN by default); kind
// and params let a client render them itself.
type notificationOut struct {
	ID        int64          `json:"id"`
	Kind      string         `json:"kind"`
	Title     string         `json:"title"`
	Body      string         `json:"body"`
	Params    map[string]any `json:"params"`
	Link      string         `json:"link"`
	CreatedAt time.Time      `json:"created_at"`
	ReadAt    *time.Time     `json:"read_at"`
}

// apiNotificationList lists the caller's notifications, newest first.
func (s *Server) apiNotificationList(c echo.Context) error {
	limit, err := int64Value(c.QueryParam("limit"), "limit")
	if err != nil {
		return err
	}
	items, next, err := s.deps.Notify.Inbox(ctxOf(c), notify.InboxFilter{
		UnreadOnly: c.QueryParam("unread") == "true", Cursor: c.QueryParam("cursor"), Limit: int(limit)})
	if err != nil {
		return err
	}
	lang := i18n.NormalizeLang(c.QueryParam("lang"))
	out := make([]notificationOut, len(items))
	for i, n := range items {
		title, body := notify.Render(s.tmpl.tr, lang, n.Kind, n.Params)
		out[i] = notificationOut{ID: n.ID, Kind: n.Kind, Title: title, Body: body, Params: n.Params, Link: n.Link,
			CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "next_cursor": next})
}

// apiNotificationRead marks one of the caller's notifications read.
func (s *Server) apiNotificationRead(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Notify.MarkRead(ctxOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
