package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// The years the calendar can answer for. A year with a file in
// configs/holidays is answered from it; any other year from
// FirstProvisionalYear to LastYear is answered provisionally from the
// statutory holidays of 全国年节及纪念日放假办法 as amended in 2024, which took
// effect on 1 January 2025 (earlier years had other statutory holidays, so
// they are not guessed: they need a file). Other years are an error.
const (
	FirstProvisionalYear = 2025
	LastYear             = 2100
)

// DayKind says what kind of day a date is.
type DayKind string

// The kinds of day.
const (
	// Workday is an ordinary Monday to Friday.
	Workday DayKind = "workday"
	// Weekend is a Saturday or Sunday that is not a make-up working day.
	Weekend DayKind = "weekend"
	// Holiday is a day off of a public holiday (放假), including the
	// weekend days and swapped days inside the holiday's block.
	Holiday DayKind = "holiday"
	// MakeUpWorkday is a Saturday or Sunday worked in exchange for a day
	// off (调休上班); it is a working day.
	MakeUpWorkday DayKind = "makeup_workday"
)

// DayInfo describes one civil date under the calendar.
type DayInfo struct {
	Date Date
	Kind DayKind
	// Name is the holiday (春节, 国庆节 …) for Holiday and MakeUpWorkday.
	Name string
	// Provisional is true when the date's year has no official arrangement
	// and the answer was computed from the statutory holidays.
	Provisional bool
}

// IsWorkday reports whether the day is a working day: an ordinary weekday
// or a make-up working day.
func (d DayInfo) IsWorkday() bool { return d.Kind == Workday || d.Kind == MakeUpWorkday }

// YearInfo describes one holiday file.
type YearInfo struct {
	Year int
	// File is the file's name within the loaded fs.FS (2026.yaml).
	File string
	// Source names the notice the file transcribes.
	Source string
	// Official is false for a file that is itself only a forecast; answers
	// for its year are then provisional too.
	Official bool
	// Note is free text from the file (how it was checked).
	Note string
}

// Calendar is the working-day calendar. It is safe for concurrent use.
type Calendar struct {
	years map[int]YearInfo
	days  map[Date]dayEntry

	mu        sync.Mutex
	statutory map[int]map[Date]string // provisional years, computed on demand
}

type dayEntry struct {
	kind DayKind
	name string
	file string
}

// yearFile is the YAML form of configs/holidays/<year>.yaml.
type yearFile struct {
	Year     int       `yaml:"year"`
	Source   string    `yaml:"source"`
	Official *bool     `yaml:"official"`
	Note     string    `yaml:"note"`
	Holidays []fileDay `yaml:"holidays"`
	Workdays []fileDay `yaml:"workdays"`
}

type fileDay struct {
	Date string `yaml:"date"`
	Name string `yaml:"name"`
}

var yearFileName = regexp.MustCompile(`^([0-9]{4})\.yaml$`)

// Load reads the holiday files at the root of fsys, one <year>.yaml per
// year (for the embedded configs use LoadDefault). Files whose names do not
// end in .yaml or .yml are ignored; a YAML file with another name, or a file
// with a missing or malformed field, is an error that names the file and
// the field. An empty fsys gives a calendar that answers every year
// provisionally.
func Load(fsys fs.FS) (*Calendar, error) { return LoadLayers(fsys) }

// LoadLayers is Load over several folders of holiday files: a year's file
// in a later layer replaces the same year's file of an earlier one, and
// years only a later layer has are added. The embedded files are the
// first layer; an operator's folder (legal.holidays_dir) the second, so a
// new State Council notice takes effect without a new release.
func LoadLayers(layers ...fs.FS) (*Calendar, error) {
	files := map[string]fs.FS{}
	var names []string
	for _, fsys := range layers {
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return nil, fmt.Errorf("holiday files: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || (path.Ext(name) != ".yaml" && path.Ext(name) != ".yml") {
				continue
			}
			if _, seen := files[name]; !seen {
				names = append(names, name)
			}
			files[name] = fsys
		}
	}
	sort.Strings(names)
	c := &Calendar{
		years:     map[int]YearInfo{},
		days:      map[Date]dayEntry{},
		statutory: map[int]map[Date]string{},
	}
	for _, name := range names {
		m := yearFileName.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("%s: a holiday file is named <year>.yaml", name)
		}
		year, _ := strconv.Atoi(m[1])
		raw, err := fs.ReadFile(files[name], name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := c.addYear(name, year, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return c, nil
}

// addYear validates one file and adds its days.
func (c *Calendar) addYear(file string, year int, raw []byte) error {
	var f yearFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt key is an error, not a silent default
	if err := dec.Decode(&f); err != nil {
		return err
	}
	switch {
	case f.Year == 0:
		return errors.New("year: required")
	case f.Year != year:
		return fmt.Errorf("year: %d does not match the file name", f.Year)
	case f.Source == "":
		return errors.New("source: required (the notice this file transcribes)")
	case f.Official == nil:
		return errors.New("official: required (true for the State Council's arrangement)")
	case len(f.Holidays) == 0:
		return errors.New("holidays: empty")
	}
	days := map[Date]dayEntry{}
	add := func(list string, kind DayKind, items []fileDay) error {
		for i, it := range items {
			field := fmt.Sprintf("%s[%d]", list, i)
			d, err := ParseDate(it.Date)
			if err != nil {
				return fmt.Errorf("%s.date: %w", field, err)
			}
			// An arrangement may reach back into the last days of the
			// previous December (New Year's Day 2002 did).
			if d.Year != year && (d.Year != year-1 || d.Month != time.December) {
				return fmt.Errorf("%s.date: %s is outside %d", field, d, year)
			}
			if it.Name == "" {
				return fmt.Errorf("%s.name: required", field)
			}
			if kind == MakeUpWorkday && !isWeekend(d) {
				return fmt.Errorf("%s.date: %s is a %s; a make-up working day is a Saturday or Sunday", field, d, d.Weekday())
			}
			if _, dup := days[d]; dup {
				return fmt.Errorf("%s.date: %s is listed twice", field, d)
			}
			if prev, dup := c.days[d]; dup {
				return fmt.Errorf("%s.date: %s is also listed in %s", field, d, prev.file)
			}
			days[d] = dayEntry{kind: kind, name: it.Name, file: file}
		}
		return nil
	}
	if err := add("holidays", Holiday, f.Holidays); err != nil {
		return err
	}
	if err := add("workdays", MakeUpWorkday, f.Workdays); err != nil {
		return err
	}
	for d, e := range days {
		c.days[d] = e
	}
	c.years[year] = YearInfo{Year: year, File: file, Source: f.Source, Official: *f.Official, Note: f.Note}
	return nil
}

// Years lists the years that have a holiday file, in order.
func (c *Calendar) Years() []YearInfo {
	out := make([]YearInfo, 0, len(c.years))
	for _, y := range c.years {
		out = append(out, y)
	}
	slices.SortFunc(out, func(a, b YearInfo) int { return a.Year - b.Year })
	return out
}

// Day classifies the date d. It returns an EINVALID error for a year the
// calendar cannot answer for: one without a holiday file outside
// FirstProvisionalYear..LastYear.
func (c *Calendar) Day(d Date) (DayInfo, error) {
	if d.IsZero() {
		return DayInfo{}, domain.Errorf(domain.EINVALID, "no date")
	}
	info, hasFile := c.years[d.Year]
	provisional := !hasFile || !info.Official
	if e, ok := c.days[d]; ok {
		return DayInfo{Date: d, Kind: e.kind, Name: e.name, Provisional: provisional}, nil
	}
	if !hasFile {
		if d.Year < FirstProvisionalYear || d.Year > LastYear {
			return DayInfo{}, domain.Errorf(domain.EINVALID,
				"no holiday calendar for %d: add configs/holidays/%d.yaml (provisional calendars cover %d–%d)",
				d.Year, d.Year, FirstProvisionalYear, LastYear)
		}
		statutory, err := c.statutoryFor(d.Year)
		if err != nil {
			return DayInfo{}, err
		}
		if name, ok := statutory[d]; ok {
			return DayInfo{Date: d, Kind: Holiday, Name: name, Provisional: true}, nil
		}
	}
	if isWeekend(d) {
		return DayInfo{Date: d, Kind: Weekend, Provisional: provisional}, nil
	}
	return DayInfo{Date: d, Kind: Workday, Provisional: provisional}, nil
}

// IsWorkday reports whether d is a working day, and whether that answer is
// provisional (the year has no official arrangement yet). A date the
// calendar cannot answer for (see Day) is reported as no working day,
// provisionally; use Day to get the error.
func (c *Calendar) IsWorkday(d Date) (workday, provisional bool) {
	info, err := c.Day(d)
	if err != nil {
		return false, true
	}
	return info.IsWorkday(), info.Provisional
}

// statutoryFor returns the statutory holidays of year y, computing them
// once.
func (c *Calendar) statutoryFor(y int) (map[Date]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.statutory[y]; ok {
		return m, nil
	}
	m, err := StatutoryHolidays(y)
	if err != nil {
		return nil, err
	}
	c.statutory[y] = m
	return m, nil
}

func isWeekend(d Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}
