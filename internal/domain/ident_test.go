package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// creditCodeAlphabet is the GB 32100-2015 alphabet, used to mutate codes.
const creditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// withResidentIDCheck appends the GB 11643-1999 check character to 17
// digits, computed independently of the implementation under test.
func withResidentIDCheck(t *testing.T, body string) string {
	t.Helper()
	if len(body) != 17 {
		t.Fatalf("body %q: want 17 digits", body)
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// mutations returns every string that differs from s in exactly one of the
// given byte positions, the replacement taken from alphabet.
func mutations(s string, positions []int, alphabet string) []string {
	var out []string
	for _, i := range positions {
		for j := 0; j < len(alphabet); j++ {
			if alphabet[j] == s[i] {
				continue
			}
			out = append(out, s[:i]+string(alphabet[j])+s[i+1:])
		}
	}
	return out
}

// allPositions returns 0..n-1.
func allPositions(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

func TestValidCreditCode(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want bool
	}{
		{desc: "real enterprise code, digit check", in: "914403001922038216", want: true},
		{desc: "real enterprise code, letter check", in: "9144030071526726XG", want: true},
		{desc: "real enterprise code, letter in body", in: "91350100M000100Y43", want: true},
		{desc: "empty", in: "", want: false},
		{desc: "17 characters", in: "91440300192203821", want: false},
		{desc: "19 characters", in: "9144030019220382160", want: false},
		{desc: "lower case is not canonical", in: "9144030071526726xg", want: false},
		{desc: "surrounding space is not canonical", in: " 914403001922038216", want: false},
		{desc: "wrong check character", in: "914403001922038217", want: false},
		{desc: "excluded letter I", in: "91440300I922038216", want: false},
		{desc: "excluded letter O", in: "9144030O1922038216", want: false},
		{desc: "letter in division code", in: "91A403001922038216", want: false},
		{desc: "all zeros passes the check but authority 0 does not exist", in: "000000000000000000", want: false},
		{desc: "full-width digits are not canonical", in: "９１４４０３００１９２２０３８２１６", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.ValidCreditCode(tt.in); got != tt.want {
				t.Errorf("ValidCreditCode(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidCreditCodeSingleCharacterChange(t *testing.T) {
	for _, code := range []string{"914403001922038216", "9144030071526726XG", "91350100M000100Y43"} {
		for _, m := range mutations(code, allPositions(18), creditCodeAlphabet+"IOZSV") {
			if domain.ValidCreditCode(m) {
				t.Errorf("ValidCreditCode(%q) = true for a one-character change of %q", m, code)
			}
		}
	}
}

func TestNormalizeCreditCode(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string
	}{
		{desc: "already canonical", in: "9144030071526726XG", want: "9144030071526726XG"},
		{desc: "lower case and spaces", in: "  9144 0300 7152 6726 xg\t", want: "9144030071526726XG"},
		{desc: "full-width input", in: "９１４４０３００７１５２６７２６ｘｇ", want: "9144030071526726XG"},
		{desc: "ideographic space", in: "\u3000914403001922038216\u3000", want: "914403001922038216"},
		{desc: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got := domain.NormalizeCreditCode(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeCreditCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidResidentID(t *testing.T) {
	valid := withResidentIDCheck(t, "35010219900101123")
	leap := withResidentIDCheck(t, "11010520000229001")
	xCheck := ""
	// Find a body whose check character is X so that case handling is tested.
	for i := 0; i < 1000 && xCheck == ""; i++ {
		id := withResidentIDCheck(t, "440305198512"+"15"+pad3(i))
		if id[17] == 'X' {
			xCheck = id
		}
	}
	if xCheck == "" {
		t.Fatal("no body with check character X found")
	}
	tests := []struct {
		desc string
		in   string
		want bool
	}{
		{desc: "computed valid number", in: valid, want: true},
		{desc: "29 February of a leap year", in: leap, want: true},
		{desc: "check character X", in: xCheck, want: true},
		{desc: "lower-case x is not canonical", in: strings.ToLower(xCheck), want: false},
		{desc: "Hong Kong resident permit prefix", in: withResidentIDCheck(t, "81000019800101001"), want: true},
		{desc: "wrong check character", in: valid[:17] + nextDigit(valid[17]), want: false},
		{desc: "29 February of a common year", in: withResidentIDCheck(t, "11010519990229001"), want: false},
		{desc: "29 February 1900 (not a leap year)", in: withResidentIDCheck(t, "11010519000229001"), want: false},
		{desc: "month 13", in: withResidentIDCheck(t, "11010519901301001"), want: false},
		{desc: "day 0", in: withResidentIDCheck(t, "11010519900100001"), want: false},
		{desc: "31 April", in: withResidentIDCheck(t, "11010519900431001"), want: false},
		{desc: "year 1899", in: withResidentIDCheck(t, "11010518991231001"), want: false},
		{desc: "year 2101", in: withResidentIDCheck(t, "11010521010101001"), want: false},
		{desc: "15-digit first-generation number", in: "350102900101123", want: false},
		{desc: "letter in body", in: "35010219900101A23" + "4", want: false},
		{desc: "empty", in: "", want: false},
		{desc: "19 characters", in: valid + "1", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.ValidResidentID(tt.in); got != tt.want {
				t.Errorf("ValidResidentID(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// pad3 formats 0 <= i < 1000 as three digits.
func pad3(i int) string {
	return string([]byte{byte('0' + i/100), byte('0' + i/10%10), byte('0' + i%10)})
}

// nextDigit returns a check character different from c.
func nextDigit(c byte) string {
	if c == 'X' {
		return "0"
	}
	if c == '9' {
		return "X"
	}
	return string(c + 1)
}

func TestValidResidentIDSingleCharacterChange(t *testing.T) {
	id := withResidentIDCheck(t, "35010219900101123")
	for _, m := range mutations(id, allPositions(18), "0123456789X") {
		if domain.ValidResidentID(m) {
			t.Errorf("ValidResidentID(%q) = true for a one-character change of %q", m, id)
		}
	}
}

func TestResidentIDBirthDate(t *testing.T) {
	tests := []struct {
		desc   string
		in     string
		want   time.Time
		wantOK bool
	}{
		{desc: "ordinary date", in: "350102199001011234", want: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), wantOK: true},
		{desc: "leap day", in: "110105200002290012", want: time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), wantOK: true},
		{desc: "impossible date", in: "110105199902300012", wantOK: false},
		{desc: "short input", in: "3501021990", wantOK: false},
		{desc: "letters in date", in: "3501021990O1011234", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, ok := domain.ResidentIDBirthDate(tt.in)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("ResidentIDBirthDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestNormalizeResidentID(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string
	}{
		{desc: "lower-case x", in: "44030519851215001x", want: "44030519851215001X"},
		{desc: "spaces", in: " 350102 19900101 1234 ", want: "350102199001011234"},
		{desc: "full-width", in: "３５０１０２１９９００１０１１２３４", want: "350102199001011234"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.NormalizeResidentID(tt.in); got != tt.want {
				t.Errorf("NormalizeResidentID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidPatentApplicationNumber(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want bool
		kind string
	}{
		{desc: "real new-format invention", in: "201710601862.3", want: true, kind: domain.PatentInvention},
		{desc: "real old-format invention with X check", in: "95115608.X", want: true, kind: domain.PatentInvention},
		{desc: "new-format utility model", in: "202020123456.8", want: true, kind: domain.PatentUtilityModel},
		{desc: "new-format design", in: "202130123456.8", want: true, kind: domain.PatentDesign},
		{desc: "new-format PCT invention", in: "201880012345.5", want: true, kind: domain.PatentPCTInvention},
		{desc: "new-format PCT utility model", in: "201990012345.5", want: true, kind: domain.PatentPCTUtilityModel},
		{desc: "old-format 2003 design", in: "03312345.4", want: true, kind: domain.PatentDesign},
		{desc: "missing dot is not canonical", in: "2017106018623", want: false},
		{desc: "prefix is not canonical", in: "CN201710601862.3", want: false},
		{desc: "lower-case x is not canonical", in: "95115608.x", want: false},
		{desc: "wrong check digit", in: "201710601862.4", want: false},
		{desc: "type digit 4", in: "201740601862.X", want: false},
		{desc: "new format before 2003", in: "200210601862.7", want: false},
		{desc: "old format year 84", in: "84115608.5", want: false},
		{desc: "old format year 04", in: "04115608.0", want: false},
		{desc: "comma instead of dot", in: "201710601862,3", want: false},
		{desc: "letter in body", in: "2017106O1862.3", want: false},
		{desc: "empty", in: "", want: false},
		{desc: "only a dot and check", in: ".3", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.ValidPatentApplicationNumber(tt.in); got != tt.want {
				t.Errorf("ValidPatentApplicationNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if got := domain.PatentKind(tt.in); got != tt.kind {
				t.Errorf("PatentKind(%q) = %q, want %q", tt.in, got, tt.kind)
			}
		})
	}
}

func TestValidPatentApplicationNumberSingleDigitChange(t *testing.T) {
	for _, n := range []string{"201710601862.3", "95115608.X"} {
		positions := allPositions(len(n))
		dot := strings.IndexByte(n, '.')
		positions = append(positions[:dot], positions[dot+1:]...)
		for _, m := range mutations(n, positions, "0123456789X") {
			if domain.ValidPatentApplicationNumber(m) {
				t.Errorf("ValidPatentApplicationNumber(%q) = true for a one-digit change of %q", m, n)
			}
		}
	}
}

func TestNormalizePatentNumber(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string
	}{
		{desc: "canonical", in: "201710601862.3", want: "201710601862.3"},
		{desc: "CN prefix", in: "CN201710601862.3", want: "201710601862.3"},
		{desc: "ZL prefix with space", in: "ZL 201710601862.3", want: "201710601862.3"},
		{desc: "lower-case prefix", in: "zl201710601862.3", want: "201710601862.3"},
		{desc: "ZL and CN", in: "ZLCN201710601862.3", want: "201710601862.3"},
		{desc: "no dot, new format", in: "2017106018623", want: "201710601862.3"},
		{desc: "no dot, old format, lower-case x", in: "95115608x", want: "95115608.X"},
		{desc: "full-width", in: "ＣＮ９５１１５６０８．Ｘ", want: "95115608.X"},
		{desc: "body without check is left alone", in: "201710601862", want: "201710601862"},
		{desc: "garbage is only cleaned", in: " abc ", want: "ABC"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.NormalizePatentNumber(tt.in); got != tt.want {
				t.Errorf("NormalizePatentNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidMobile(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want bool
	}{
		{desc: "China Mobile", in: "13812345678", want: true},
		{desc: "19x block", in: "19912345678", want: true},
		{desc: "16x block", in: "16612345678", want: true},
		{desc: "12x is not a mobile block", in: "12812345678", want: false},
		{desc: "10 digits", in: "1381234567", want: false},
		{desc: "12 digits", in: "138123456789", want: false},
		{desc: "country code is not canonical", in: "+8613812345678", want: false},
		{desc: "landline", in: "05911234567", want: false},
		{desc: "letter", in: "1381234567a", want: false},
		{desc: "empty", in: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.ValidMobile(tt.in); got != tt.want {
				t.Errorf("ValidMobile(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeMobile(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string
	}{
		{desc: "bare", in: "13812345678", want: "13812345678"},
		{desc: "+86", in: "+8613812345678", want: "13812345678"},
		{desc: "+86 with separators", in: "+86 138-1234-5678", want: "13812345678"},
		{desc: "(+86)", in: "(+86)13812345678", want: "13812345678"},
		{desc: "86", in: "8613812345678", want: "13812345678"},
		{desc: "0086", in: "0086 13812345678", want: "13812345678"},
		{desc: "full-width", in: "１３８１２３４５６７８", want: "13812345678"},
		{desc: "prefix not stripped when too short", in: "861381234567", want: "861381234567"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.NormalizeMobile(tt.in); got != tt.want {
				t.Errorf("NormalizeMobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidTrademarkRegNumber(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want bool
	}{
		{desc: "one digit", in: "7", want: true},
		{desc: "seven digits", in: "1234567", want: true},
		{desc: "eight digits", in: "56789012", want: true},
		{desc: "nine digits", in: "123456789", want: false},
		{desc: "leading zero", in: "0123456", want: false},
		{desc: "zero", in: "0", want: false},
		{desc: "decorated is not canonical", in: "第1234567号", want: false},
		{desc: "letter", in: "12345A", want: false},
		{desc: "empty", in: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.ValidTrademarkRegNumber(tt.in); got != tt.want {
				t.Errorf("ValidTrademarkRegNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeTrademarkRegNumber(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string
	}{
		{desc: "bare", in: "1234567", want: "1234567"},
		{desc: "certificate wording", in: "第1234567号", want: "1234567"},
		{desc: "wording with spaces", in: " 第 1234567 号 ", want: "1234567"},
		{desc: "full-width digits", in: "第１２３４５６７号", want: "1234567"},
		{desc: "prefix only", in: "第1234567", want: "1234567"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.NormalizeTrademarkRegNumber(tt.in); got != tt.want {
				t.Errorf("NormalizeTrademarkRegNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidCopyrightRegNumber(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want bool
	}{
		{desc: "national works registration", in: "国作登字-2021-F-00012345", want: true},
		{desc: "provincial works registration", in: "闽作登字-2019-A-00001234", want: true},
		{desc: "software, 7-digit serial", in: "2021SR0123456", want: true},
		{desc: "software, 6-digit serial", in: "2012SR012345", want: true},
		{desc: "works, 7-digit serial", in: "国作登字-2021-F-0012345", want: false},
		{desc: "works, lower-case category", in: "国作登字-2021-f-00012345", want: false},
		{desc: "works, unknown region", in: "美作登字-2021-F-00012345", want: false},
		{desc: "works, missing region", in: "作登字-2021-F-00012345", want: false},
		{desc: "works, two-letter category", in: "国作登字-2021-FF-0012345", want: false},
		{desc: "works, year 1989", in: "国作登字-1989-F-00012345", want: false},
		{desc: "works, en dash is not canonical", in: "国作登字–2021–F–00012345", want: false},
		{desc: "software, lower-case sr", in: "2021sr0123456", want: false},
		{desc: "software, 5-digit serial", in: "2021SR01234", want: false},
		{desc: "software, 8-digit serial", in: "2021SR01234567", want: false},
		{desc: "software certificate number", in: "软著登字第1234567号", want: false},
		{desc: "empty", in: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := domain.ValidCopyrightRegNumber(tt.in); got != tt.want {
				t.Errorf("ValidCopyrightRegNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeCopyrightRegNumber(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string
	}{
		{desc: "canonical works", in: "国作登字-2021-F-00012345", want: "国作登字-2021-F-00012345"},
		{desc: "dashes and case", in: " 国作登字—2021–f－00012345 ", want: "国作登字-2021-F-00012345"},
		{desc: "software lower case", in: "2021sr0123456", want: "2021SR0123456"},
		{desc: "software full-width", in: "２０２１ＳＲ０１２３４５６", want: "2021SR0123456"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got := domain.NormalizeCopyrightRegNumber(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeCopyrightRegNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !domain.ValidCopyrightRegNumber(got) {
				t.Errorf("ValidCopyrightRegNumber(%q) = false after normalising", got)
			}
		})
	}
}

// checkNormalizer asserts the properties every normaliser/validator pair
// must have on any input: no panic, idempotent normalisation, and canonical
// valid values left unchanged by normalisation.
func checkNormalizer(t *testing.T, s string, normalize func(string) string, valid func(string) bool) {
	t.Helper()
	n := normalize(s)
	if again := normalize(n); again != n {
		t.Errorf("normalise not idempotent: %q -> %q -> %q", s, n, again)
	}
	if valid(s) && n != s {
		t.Errorf("valid %q normalises to a different %q", s, n)
	}
	_ = valid(n)
}

func FuzzValidCreditCode(f *testing.F) {
	for _, s := range []string{"914403001922038216", "9144030071526726xg", " 91350100M000100Y43 ", "", "IOZSV", "９１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNormalizer(t, s, domain.NormalizeCreditCode, domain.ValidCreditCode)
	})
}

func FuzzValidResidentID(f *testing.F) {
	for _, s := range []string{"350102199001011234", "44030519851215001x", "", "19000229"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNormalizer(t, s, domain.NormalizeResidentID, domain.ValidResidentID)
		if domain.ValidResidentID(s) {
			if _, ok := domain.ResidentIDBirthDate(s); !ok {
				t.Errorf("valid %q has no birth date", s)
			}
		}
	})
}

func FuzzValidPatentApplicationNumber(f *testing.F) {
	for _, s := range []string{"201710601862.3", "ZL95115608x", "CN2017106018623", "", ".", "ZLZL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNormalizer(t, s, domain.NormalizePatentNumber, domain.ValidPatentApplicationNumber)
		if valid, kind := domain.ValidPatentApplicationNumber(s), domain.PatentKind(s); valid != (kind != "") {
			t.Errorf("ValidPatentApplicationNumber(%q) = %v but PatentKind = %q", s, valid, kind)
		}
	})
}

func FuzzValidMobile(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "8686", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNormalizer(t, s, domain.NormalizeMobile, domain.ValidMobile)
	})
}

func FuzzValidTrademarkRegNumber(f *testing.F) {
	for _, s := range []string{"第1234567号", "第第1号号", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNormalizer(t, s, domain.NormalizeTrademarkRegNumber, domain.ValidTrademarkRegNumber)
	})
}

func FuzzValidCopyrightRegNumber(f *testing.F) {
	for _, s := range []string{"国作登字-2021-F-00012345", "2021sr0123456", "国", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNormalizer(t, s, domain.NormalizeCopyrightRegNumber, domain.ValidCopyrightRegNumber)
	})
}
