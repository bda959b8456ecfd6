package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Form carries submitted values and field errors back to a page, so an
// invalid form is shown again with what the user typed.
type Form struct {
	Values map[string]string
	Errors []domain.FieldError
	// Message is a form-level message id (e.g. bad credentials).
	Message string
	// Extra holds page-specific data (lists for selects and so on).
	Extra any
}

// FieldErrors implements the interface Page.FieldError looks for.
func (f *Form) FieldErrors() []domain.FieldError { return f.Errors }

// V returns a submitted value.
func (f *Form) V(name string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values[name]
}

// newForm copies the named fields of the request.
func newForm(c echo.Context, fields ...string) *Form {
	f := &Form{Values: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = c.FormValue(k)
	}
	return f
}

// formFailed decides how a failed form post is answered: validation
// errors re-render the page (422) with the messages beside each field;
// anything else goes to the error handler.
func (s *Server) formFailed(c echo.Context, page string, f *Form, err error) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.EINVALID {
		f.Errors = de.Fields
		if len(f.Errors) == 0 {
			f.Message = de.Message
		}
		return s.render(c, http.StatusUnprocessableEntity, page, f)
	}
	return err
}
