package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// idParam parses a numeric path parameter; anything else is "not found",
// as an id that does not exist would be.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.NotFound("object")
	}
	return id, nil
}

// int64Form parses an optional numeric form or query value; bad input is a
// field error naming it.
func int64Value(raw, field string) (int64, error) {
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, domain.Invalid(domain.FieldError{Field: field, Message: "validation.number"})
	}
	return n, nil
}
