package web

import (
	"errors"
	"net/http"
	"net/url"

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

// Err is the message of field's error in p's language, or "": for a
// form drawn inside a section whose template has no page of its own
// (the party view's sections take the page as an argument).
func (f *Form) Err(p *Page, field string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.Errors {
		if e.Field == field {
			return p.tr.T(p.Lang, e.Message, e.Params)
		}
	}
	return ""
}

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

// failer is a page's data that can carry a form's errors: every page
// struct embeds Form.
type failer interface {
	setFailure(errs []domain.FieldError, message string)
}

func (f *Form) setFailure(errs []domain.FieldError, message string) {
	f.Errors, f.Message = errs, message
}

// formFailed decides how a failed form post is answered: validation
// errors re-render the page (422) with the messages beside each field and
// the user's input kept; anything else goes to the error handler.
func (s *Server) formFailed(c echo.Context, page string, data failer, err error) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.EINVALID {
		msg := ""
		if len(de.Fields) == 0 {
			msg = de.Message
		}
		data.setFailure(de.Fields, msg)
		return s.render(c, http.StatusUnprocessableEntity, page, data)
	}
	return err
}

// formValues keeps what a form sent (but its CSRF token), to fill the form
// in again when it is shown with errors.
func formValues(form url.Values) map[string]string {
	values := map[string]string{}
	for k, v := range form {
		if k != "_csrf" && len(v) > 0 {
			values[k] = v[0]
		}
	}
	return values
}

// finishAction ends the handler of an action form on an object's page
// (a case, a referral) the same way everywhere: errors found while
// reading the form (pre) or returned by run as EINVALID show the page
// again with the form open and its fields marked (422); a conflict (an
// action the state does not allow, a stale version) shows the page with
// the reason above the forms (409); any other error is the error page;
// success flashes msg and goes back to the page (POST-redirect-GET).
func (s *Server) finishAction(c echo.Context, pre domain.Fields, run func() error, f *Form, conflict *string,
	render func(status int) error, msg, back string) error {
	if len(pre) > 0 {
		f.Errors = pre
		return render(http.StatusUnprocessableEntity)
	}
	if err := run(); err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			switch de.Code {
			case domain.EINVALID:
				f.Errors = de.Fields
				return render(http.StatusUnprocessableEntity)
			case domain.ECONFLICT:
				*conflict = s.errorWords(langOf(c), err)
				if *conflict == "" {
					*conflict = s.tmpl.tr.T(langOf(c), "error.conflict.text", nil)
				}
				return render(http.StatusConflict)
			}
		}
		return err
	}
	s.flash(c, "ok", msg)
	return c.Redirect(http.StatusSeeOther, back)
}
