// Package calendar answers the legal time limits of docs/design.md §6: which civil
// days are working days in China, and when a period counted in days, working
// days, months, years or hours ends.
//
// The working-day calendar comes from the State Council's yearly arrangement
// of public holidays (configs/holidays/<year>.yaml: days off and the make-up
// working days, 调休上班). For a year whose arrangement is not out yet the
// calendar falls back to a provisional one: weekends plus the statutory
// holidays of 全国年节及纪念日放假办法 (as amended in 2024), with lunar dates
// computed by github.com/6tail/lunar-go and no guessed make-up days. Every
// answer that rests on such a year says so (Provisional), so that a deadline
// can be recomputed when the official file arrives; nothing silently falls
// back to plain weekdays.
//
// Periods are counted as the Civil Code (arts. 200–204) and the Civil
// Procedure Law count them: from the day after the event; months and years
// end on the corresponding day (or the month's last day); a last day that is
// a rest day moves to the next working day; the last day ends at 24:00
// Beijing time. All civil dates are Beijing dates (UTC+8, see Beijing).
//
// The deadline rules themselves (limit, unit, extension, legal basis) are
// data in configs/deadlines.yaml, loaded by LoadRules.
package calendar

//go:generate env IPMEDIATE_GEN_HOLIDAYS=1 go test -run TestGenerateHolidayFiles -count=1 .
