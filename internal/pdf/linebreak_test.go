package pdf

import (
	"reflect"
	"testing"
)

// TestWrap breaks lines by the width of characters: anywhere between
// Chinese characters, at spaces between Latin words, never before a
// closing mark or after an opening one.
func TestWrap(t *testing.T) {
	// Every character is 1 wide, a space 0.5.
	adv := func(r rune) float64 {
		if r == ' ' {
			return 0.5
		}
		return 1
	}
	for _, c := range []struct {
		name          string
		s             string
		width, indent float64
		want          []string
	}{
		{"chinese by character", "知识产权纠纷调解", 3, 0, []string{"知识产", "权纠纷", "调解"}},
		{"first line indented", "知识产权纠纷调解", 4, 2, []string{"知识", "产权纠纷", "调解"}},
		{"comma stays with its character", "知识产，权纠纷", 3, 0, []string{"知识", "产，权", "纠纷"}},
		{"full stop not alone", "调解成功。", 4, 0, []string{"调解成", "功。"}},
		{"opening mark stays with what follows", "依照《专利法》", 3, 0, []string{"依照", "《专利", "法》"}},
		{"latin words at spaces", "the success rate", 8, 0, []string{"the", "success", "rate"}},
		{"number stays whole", "收案2026件", 5, 0, []string{"收案", "2026件"}},
		{"a word wider than the line", "abcdefgh", 3, 0, []string{"abc", "def", "gh"}},
		{"leading spaces kept, trailing dropped", "  调解 ", 10, 0, []string{"  调解"}},
		{"empty", "", 5, 0, []string{""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := wrap(c.s, c.width, c.indent, adv); !reflect.DeepEqual(got, c.want) {
				t.Errorf("wrap(%q, %v, %v) = %q, want %q", c.s, c.width, c.indent, got, c.want)
			}
		})
	}
}
