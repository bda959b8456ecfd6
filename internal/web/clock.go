package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// ClockPath is the demo's time-travel page. It exists only when the
// application runs a demo with time travel (serve --demo --time-travel),
// and only the system administrator may use it.
const ClockPath = "/admin/clock"

func (s *Server) clockRoutes(g *echo.Group) {
	if !s.deps.Clock.Travel() {
		return
	}
	in, guard := s.requireLogin, s.requireSystem("clock", "travel")
	g.GET(ClockPath, s.handleClockShow, in, guard)
	g.POST(ClockPath, s.handleClockAdvance, in, guard)
}

type clockPage struct {
	Form
	Now    time.Time
	Offset string
}

func (s *Server) clockPage(f Form) *clockPage {
	off := s.deps.Clock.Offset()
	return &clockPage{Form: f, Now: s.now(), Offset: strconv.FormatFloat(off.Hours()/24, 'f', 1, 64)}
}

func (s *Server) handleClockShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "clock", s.clockPage(Form{}))
}

// handleClockAdvance moves the demo's clock ahead by whole days and hours.
func (s *Server) handleClockAdvance(c echo.Context) error {
	var f domain.Fields
	num := func(field string, max int) int {
		v := strings.TrimSpace(c.FormValue(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			f.Add(field, "validation.number")
		case n < 0 || n > max:
			f.Add(field, "validation.clock_range", "Max", max)
		}
		return n
	}
	days, hours := num("days", 400), num("hours", 23)
	if len(f) == 0 && days == 0 && hours == 0 {
		f.Add("days", "validation.clock_forward")
	}
	if len(f) == 0 {
		d := time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour
		if _, err := s.deps.Clock.Advance(d); err != nil {
			f.Add("days", "validation.clock_forward")
		} else {
			s.log.InfoContext(ctxOf(c), "demo clock advanced", "by", d.String(), "now", s.now().Format(time.RFC3339),
				"user", actorOf(c).Username)
		}
	}
	if len(f) > 0 {
		form := Form{Errors: f, Values: map[string]string{"days": c.FormValue("days"), "hours": c.FormValue("hours")}}
		return s.render(c, http.StatusUnprocessableEntity, "clock", s.clockPage(form))
	}
	s.flash(c, "ok", "clock.advanced")
	return c.Redirect(http.StatusSeeOther, ClockPath)
}
