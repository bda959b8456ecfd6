package domain_test

import (
	"testing"

	"github.com/ipmediate/ipmediate/internal/domain"
)

func TestMask(t *testing.T) {
	tests := []struct {
		desc string
		fn   func(string) string
		in   string
		want string
	}{
		{desc: "resident ID", fn: domain.MaskResidentID, in: "350102199001011234", want: "3501**********1234"},
		{desc: "resident ID with X", fn: domain.MaskResidentID, in: "44030519851215001X", want: "4403**********001X"},
		{desc: "resident ID surrounded by spaces", fn: domain.MaskResidentID, in: " 350102199001011234 ", want: "3501**********1234"},
		{desc: "resident ID too short", fn: domain.MaskResidentID, in: "12345678", want: "********"},
		{desc: "resident ID empty", fn: domain.MaskResidentID, in: "", want: ""},
		{desc: "resident ID blank", fn: domain.MaskResidentID, in: "   ", want: ""},
		{desc: "mobile", fn: domain.MaskMobile, in: "13812345678", want: "138****5678"},
		{desc: "mobile too short", fn: domain.MaskMobile, in: "1234567", want: "*******"},
		{desc: "mobile eight digits", fn: domain.MaskMobile, in: "12345678", want: "123*5678"},
		{desc: "mobile empty", fn: domain.MaskMobile, in: "", want: ""},
		{desc: "two-rune name", fn: domain.MaskName, in: "张三", want: "张*"},
		{desc: "four-rune name", fn: domain.MaskName, in: "欧阳娜娜", want: "欧***"},
		{desc: "one-rune name", fn: domain.MaskName, in: "张", want: "*"},
		{desc: "Latin name", fn: domain.MaskName, in: "Anna", want: "A***"},
		{desc: "name empty", fn: domain.MaskName, in: "", want: ""},
		{desc: "address", fn: domain.MaskAddress, in: "福建省福州市鼓楼区五四路1号", want: "福建省福州市****"},
		{desc: "address of seven runes", fn: domain.MaskAddress, in: "福建省福州市X", want: "福建省福州市****"},
		{desc: "address of six runes", fn: domain.MaskAddress, in: "福建省福州市", want: "福建省****"},
		{desc: "address of one rune", fn: domain.MaskAddress, in: "闽", want: "****"},
		{desc: "address empty", fn: domain.MaskAddress, in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	for _, c := range []struct {
		in, norm, mask string
		ok             bool
	}{
		{" chen.ming@Example.CN ", "chen.ming@example.cn", "c***@example.cn", true},
		{"ｌｉｎ＠ｆｚ．ｃｎ", "lin@fz.cn", "l***@fz.cn", true},
		{"no-at-sign", "no-at-sign", "", false},
		{"a@b", "a@b", "a***@b", false},
		{"a b@c.cn", "a b@c.cn", "", false},
		{"<x@y.cn>", "<x@y.cn>", "", false},
		{"@y.cn", "@y.cn", "", false},
		{"x@.cn", "x@.cn", "", false},
	} {
		n := domain.NormalizeEmail(c.in)
		if n != c.norm || domain.ValidEmail(n) != c.ok {
			t.Errorf("%q: normalized %q valid %v", c.in, n, domain.ValidEmail(n))
		}
		if c.mask != "" && domain.MaskEmail(n) != c.mask {
			t.Errorf("%q: masked %q, want %q", c.in, domain.MaskEmail(n), c.mask)
		}
	}
}
