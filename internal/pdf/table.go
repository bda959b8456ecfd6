package pdf

// Tables: bordered cells whose text wraps within the column, the header
// row in bold on a grey ground, repeated at the top of every page the
// table continues on. A row moves whole to the next page unless it is
// taller than a page, when it continues on the next.

const (
	cellPadX    = 1.8 // millimetres left and right of a cell's text
	cellPadY    = 1.2 // above and below
	cellLeading = 1.35
	ruleWidth   = 0.2 // the borders, in millimetres (about half a point)
)

// Table adds a table: a header row, then the rows; a row shorter than the
// header has empty cells.
func (d *Document) Table(head []string, rows [][]string) {
	n := len(head)
	for _, r := range rows {
		n = max(n, len(r))
	}
	if n == 0 {
		return
	}
	norm := func(r []string) []string {
		out := make([]string, n)
		for i := range out {
			if i < len(r) {
				out[i] = clean(r[i])
			}
		}
		return out
	}
	head = norm(head)
	body := make([][]string, len(rows))
	for i, r := range rows {
		body[i] = norm(r)
	}
	widths := d.columnWidths(head, body)
	lh := sizeSmall * cellLeading * mmPerPt

	cellLines := func(r []string, bold bool) [][]string {
		out := make([][]string, n)
		for i, c := range r {
			out[i] = d.lines(c, bold, sizeSmall, widths[i]-2*cellPadX, 0)
		}
		return out
	}
	height := func(ls [][]string) int {
		h := 1
		for _, l := range ls {
			h = max(h, len(l))
		}
		return h
	}
	headLines := cellLines(head, true)
	headH := float64(height(headLines))*lh + 2*cellPadY

	// drawRow draws lines [from, from+count) of a row's cells.
	drawRow := func(ls [][]string, from, count int, bold bool) {
		h := float64(count)*lh + 2*cellPadY
		x := marginLeft
		d.f.SetLineWidth(ruleWidth)
		d.f.SetDrawColor(0, 0, 0)
		style := "D"
		if bold {
			d.f.SetFillColor(232, 232, 232)
			style = "FD"
		}
		for i, cell := range ls {
			d.f.Rect(x, d.y, widths[i], h, style)
			for k := from; k < from+count && k < len(cell); k++ {
				top := d.y + cellPadY + float64(k-from)*lh
				d.draw(cell[k], x+cellPadX, baseline(top, lh, sizeSmall), sizeSmall, bold)
			}
			x += widths[i]
		}
		d.y += h
	}
	header := func() { drawRow(headLines, 0, height(headLines), true) }

	if d.y > marginTop {
		d.y += 2
	}
	// The header and the first row start on the same page.
	first := headH + lh + 2*cellPadY
	if len(body) > 0 {
		first = headH + float64(height(cellLines(body[0], false)))*lh + 2*cellPadY
	}
	d.room(min(first, bodyBottom-marginTop))
	header()
	for _, r := range body {
		ls := cellLines(r, false)
		total := height(ls)
		h := float64(total)*lh + 2*cellPadY
		if d.y+h > bodyBottom && h <= bodyBottom-marginTop-headH {
			d.newPage()
			header()
		}
		for done := 0; done < total; {
			fit := int((bodyBottom - d.y - 2*cellPadY) / lh)
			if fit < 1 {
				d.newPage()
				header()
				continue
			}
			count := min(fit, total-done)
			drawRow(ls, done, count, false)
			done += count
		}
	}
	d.y += 5
}

// columnWidths shares the body's width among the columns: each column as
// wide as its widest line would be, scaled to fill the width when they all
// fit; else the narrow columns keep their width and the wide ones share
// what is left in proportion to theirs.
func (d *Document) columnWidths(head []string, body [][]string) []float64 {
	n := len(head)
	natural := make([]float64, n)
	measure := func(r []string, bold bool) {
		for i, c := range r {
			for _, line := range splitLines(c) {
				natural[i] = max(natural[i], d.width(line, bold, sizeSmall)+2*cellPadX+0.5)
			}
		}
	}
	measure(head, true)
	for _, r := range body {
		measure(r, false)
	}
	for i := range natural {
		natural[i] = max(natural[i], 2*cellPadX+sizeSmall*mmPerPt*2)
	}
	sum := 0.0
	for _, w := range natural {
		sum += w
	}
	widths := make([]float64, n)
	if sum <= bodyWidth {
		for i, w := range natural {
			widths[i] = w * bodyWidth / sum
		}
		return widths
	}
	fixed := make([]bool, n)
	for {
		left, wantSum, open := bodyWidth, 0.0, 0
		for i, w := range natural {
			if fixed[i] {
				left -= w
			} else {
				wantSum += w
				open++
			}
		}
		if open == 0 {
			return natural
		}
		changed := false
		for i, w := range natural {
			if !fixed[i] && w <= left/float64(open) {
				fixed[i], changed = true, true
			}
		}
		if !changed {
			for i, w := range natural {
				if fixed[i] {
					widths[i] = w
				} else {
					widths[i] = left * w / wantSum
				}
			}
			return widths
		}
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
