package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// returnColumns are the columns of the statistical return of people's
// mediation work after the committee's name: message ids of the headers
// and of their definitions (the second sheet), in order.
var returnColumns = []string{"mediators", "accepted", "settled", "failed", "rate", "written", "oral", "performed", "amount", "confirmations"}

// returnRow is a line of the return as the workbook writes it: the
// success rate a fraction (or empty), the amount in yuan.
func returnRow(name string, l stats.ReturnLine) []any {
	var rate any = ""
	if r := l.SuccessRate(); r >= 0 {
		rate = float64(r) / 100
	}
	return []any{name, l.Mediators, l.Accepted, l.Settled, l.Failed, rate, l.Written, l.Oral, l.Performed,
		float64(l.AmountFen) / 100, l.Confirmations}
}

// handleStatsReturn downloads the period's statistical return of people's
// mediation work (人民调解工作统计) for the committees the reader oversees:
// one sheet in the layout of the return, one sheet defining each column
// from the system's data (docs/design.md §10).
func (s *Server) handleStatsReturn(c echo.Context) error {
	p, err := statsPeriod(c.QueryParams(), s.now())
	if err != nil {
		return err
	}
	lines, ok, err := s.deps.Stats.Return(ctxOf(c), p)
	if err != nil {
		return err
	}
	if !ok {
		return domain.Errorf(domain.EFORBIDDEN, "you may not read statistics")
	}
	// The judicial confirmations each committee applied for are the
	// referral package's figure (its table), asked committee by committee.
	for i := range lines {
		kinds, err := s.deps.Referrals.StatsOf(ctxOf(c), []int64{lines[i].OrgID}, p.From, p.To)
		if err != nil {
			return err
		}
		for _, k := range kinds {
			if k.Kind == referral.KindJudicialConfirm {
				lines[i].Confirmations = k.Sent
			}
		}
	}
	lang := langOf(c)
	t := func(id string, kv ...any) string {
		var params map[string]any
		if len(kv) > 1 {
			params = map[string]any{fmt.Sprint(kv[0]): kv[1]}
		}
		return s.tmpl.tr.T(lang, id, params)
	}
	from, to := p.From.In(beijing).Format("2006-01-02"), p.LastDay().In(beijing).Format("2006-01-02")

	f := excelize.NewFile()
	defer f.Close()
	sheet, notes := t("stats.return.sheet"), t("stats.return.notes_sheet")
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	head := []any{t("stats.return.col.org")}
	for _, col := range returnColumns {
		head = append(head, t("stats.return.col."+col))
	}
	lastCol, err := excelize.ColumnNumberToName(len(head))
	if err != nil {
		return err
	}
	title := []any{t("stats.return.title")}
	period := []any{t("stats.return.period", "Period", from+" – "+to)}
	steps := []error{
		f.SetSheetRow(sheet, "A1", &title),
		f.MergeCell(sheet, "A1", lastCol+"1"),
		f.SetSheetRow(sheet, "A2", &period),
		f.MergeCell(sheet, "A2", lastCol+"2"),
		f.SetSheetRow(sheet, "A3", &head),
	}
	n := 4
	for _, l := range lines {
		row := returnRow(l.Name(lang), l)
		steps = append(steps, f.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &row))
		n++
	}
	total := returnRow(t("work.headline.total"), stats.Total(lines))
	steps = append(steps, f.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &total))
	if err := errors.Join(steps...); err != nil {
		return err
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return err
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}})
	if err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9})
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	steps = []error{
		f.SetCellStyle(sheet, "A1", "A1", titleStyle),
		f.SetCellStyle(sheet, "A3", lastCol+"3", headStyle),
		f.SetRowHeight(sheet, 3, 36),
		f.SetCellStyle(sheet, "F4", fmt.Sprintf("F%d", n), pct),
		f.SetCellStyle(sheet, "J4", fmt.Sprintf("J%d", n), money),
		f.SetCellStyle(sheet, fmt.Sprintf("A%d", n), fmt.Sprintf("A%d", n), bold),
		f.SetColWidth(sheet, "A", "A", 34),
		f.SetColWidth(sheet, "B", lastCol, 12),
		f.SetColWidth(sheet, "J", "J", 18),
		f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}),
	}
	// The definitions: each column and where its figure comes from.
	defHead := []any{t("stats.return.notes_column"), t("stats.return.notes_meaning")}
	steps = append(steps, f.SetSheetRow(notes, "A1", &defHead), f.SetCellStyle(notes, "A1", "B1", bold),
		f.SetColWidth(notes, "A", "A", 24), f.SetColWidth(notes, "B", "B", 100))
	for i, col := range append([]string{"org"}, returnColumns...) {
		row := []any{t("stats.return.col." + col), t("stats.return.def." + col)}
		steps = append(steps, f.SetSheetRow(notes, fmt.Sprintf("A%d", i+2), &row))
	}
	if err := errors.Join(steps...); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="ipmediate-return-%s-%s.xlsx"`, from, to))
	c.Response().WriteHeader(http.StatusOK)
	return f.Write(c.Response())
}
