package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// errorKey is the catalog stem (error.<stem>.title, error.<stem>.text) of
// an error page: what happened and what the reader can do about it.
func errorKey(code string, status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusNotFound:
		return "notfound"
	case http.StatusMethodNotAllowed:
		return "notfound"
	}
	switch code {
	case domain.EFORBIDDEN:
		return "forbidden"
	case domain.EUNAUTHORIZED:
		return "unauthorized"
	case domain.ECONFLICT:
		return "conflict"
	case domain.ETOOMANY:
		return "too_many"
	case domain.EUNAVAILABLE:
		return "unavailable"
	case domain.EINVALID:
		return "invalid"
	}
	if status >= 500 {
		return "internal"
	}
	return "generic"
}

// errorWords says what went wrong in the reader's language, or "" when
// there is nothing to add to the page's own text: the message the error
// names in the catalogs (domain.Error.ID), and for a step the state does
// not allow, the steps that are possible now. A reader of English also
// gets the service's own message, which names the object; a reader of
// Chinese never sees English words.
func (s *Server) errorWords(lang string, err error) string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return ""
	}
	var words string
	switch {
	case de.ID != "":
		words = s.tmpl.tr.T(lang, de.ID, nil)
	case de.Code == domain.ECONFLICT && de.Allowed != nil:
		words = s.tmpl.tr.T(lang, domain.MsgNotNow, nil)
	case lang == "en":
		words = de.Message
	}
	if de.Code == domain.ECONFLICT && de.Allowed != nil {
		var names []string
		for _, a := range de.Allowed {
			if n := s.tmpl.tr.T(lang, "action."+a, nil); n != "action."+a {
				names = append(names, n)
			}
		}
		sep := "、"
		if lang == "en" {
			sep = ", "
		}
		if len(names) > 0 {
			words += " " + s.tmpl.tr.T(lang, "conflict.allowed_now", map[string]any{"Actions": strings.Join(names, sep)})
		} else {
			words += " " + s.tmpl.tr.T(lang, "conflict.nothing_now", nil)
		}
	}
	return strings.TrimSpace(words)
}
