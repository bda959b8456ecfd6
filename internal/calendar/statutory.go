package calendar

import (
	"fmt"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// StatutoryHolidays returns the days off that 全国年节及纪念日放假办法 (as
// amended by the State Council in 2024, in force from 2025) grants all
// citizens in year y, by date, named:
//
//   - 元旦 1 January;
//   - 春节 农历除夕 and 正月初一 to 初三 (4 days);
//   - 清明节 the day of the 清明 solar term;
//   - 劳动节 1 and 2 May;
//   - 端午节 农历五月初五;
//   - 中秋节 农历八月十五;
//   - 国庆节 1 to 3 October.
//
// It is the basis of the provisional calendar. It deliberately leaves out
// what only the yearly notice decides: the make-up working days (调休) and
// the weekday given off for a holiday that falls on a weekend (补休).
func StatutoryHolidays(y int) (m map[Date]string, err error) {
	defer func() {
		// lunar-go panics on dates it cannot convert.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("statutory holidays of %d: %v", y, r)
		}
	}()
	m = map[Date]string{}
	add := func(d Date, name string) {
		if prev, ok := m[d]; ok && prev != name {
			name = prev + "、" + name
		}
		m[d] = name
	}
	add(NewDate(y, time.January, 1), "元旦")
	newYear := fromLunar(y, 1, 1)
	for i := -1; i <= 2; i++ { // 除夕 to 正月初三
		add(newYear.AddDays(i), "春节")
	}
	qingming, ok := lunar.NewLunarFromYmd(y, 1, 1).GetJieQiTable()["清明"]
	if !ok || qingming.GetYear() != y {
		return nil, fmt.Errorf("statutory holidays of %d: no 清明 solar term", y)
	}
	add(NewDate(qingming.GetYear(), time.Month(qingming.GetMonth()), qingming.GetDay()), "清明节")
	add(NewDate(y, time.May, 1), "劳动节")
	add(NewDate(y, time.May, 2), "劳动节")
	add(fromLunar(y, 5, 5), "端午节")
	add(fromLunar(y, 8, 15), "中秋节")
	for d := 1; d <= 3; d++ {
		add(NewDate(y, time.October, d), "国庆节")
	}
	return m, nil
}

// fromLunar returns the solar date of a day of a (non-leap) lunar month.
func fromLunar(y, month, day int) Date {
	s := lunar.NewLunarFromYmd(y, month, day).GetSolar()
	return NewDate(s.GetYear(), time.Month(s.GetMonth()), s.GetDay())
}
