package web

import (
	"strconv"
	"strings"
)

// yuanText writes an amount in fen as yuan with thousands separators and
// two decimals, as Chinese documents print money: 20000000 → 200,000.00.
func yuanText(fen int64) string {
	sign := ""
	u := uint64(fen)
	if fen < 0 {
		sign, u = "-", uint64(-(fen+1))+1
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	cents := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}
