package domain

// This file validates the identifiers that parties and IP rights carry in a
// mediation case: unified social credit codes, resident identity numbers,
// patent application numbers, mobile numbers, trademark numbers and copyright
// registration numbers.
//
// Every identifier has two functions. NormalizeX turns what a person typed
// (full-width digits from a Chinese input method, surrounding spaces, a
// lower-case x, decorations such as "CN" or "第…号") into the one canonical
// spelling that is stored and compared. ValidX then checks that canonical
// spelling strictly: it does not normalise on its own, so that a value that
// passed validation is always the value that gets stored, and so that two
// spellings of one identifier can never both end up in the database. The
// intended use is:
//
//	code := domain.NormalizeCreditCode(in.CreditCode)
//	if !domain.ValidCreditCode(code) {
//		fields.Add("credit_code", "validation.credit_code")
//	}
//
// All functions are pure: they read no clock, no configuration and no
// network, so they can run anywhere, including in tests and fuzzers.

import (
	"strings"
	"time"
	"unicode"
)

// halfWidth maps full-width ASCII variants (U+FF01–U+FF5E) to their ASCII
// counterparts and the ideographic space (U+3000) to an ASCII space. Chinese
// input methods often produce full-width digits and letters; without this
// mapping "９１４４…" would be rejected although the user typed the right code.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// stripSpace removes every Unicode white-space rune from s. Identifiers never
// contain spaces, but people group long numbers with them when typing.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// allDigits reports whether s is non-empty and consists of ASCII digits only.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string of ASCII digits, already checked by allDigits, to an
// int. It exists so that callers need not handle an error that cannot occur.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// creditCodeCharset is the 31-character alphabet of GB 32100-2015, in the
// order that gives each character its numeric value: the digits, then the
// upper-case letters without I, O, Z, S and V, which are easily confused with
// 1, 0, 2, 5 and U.
const creditCodeCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are the GB 32100-2015 weights of the first 17 characters:
// 3^i mod 31.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCreditCode returns the canonical spelling of a unified social
// credit code: full-width characters mapped to ASCII, white space removed and
// letters upper-cased. Codes are printed in upper case on business licences,
// but people type them in whatever case their keyboard is in.
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(stripSpace(halfWidth(s)))
}

// ValidCreditCode reports whether s is a canonical unified social credit code
// (统一社会信用代码) as defined by GB 32100-2015: 18 characters from the
// alphabet 0-9 A-H J-N P-R T-U W-Y, positions 3 to 8 being the digits of the
// registering authority's administrative division, and the 18th character
// being the check character: 31 minus the weighted sum of the first 17
// character values modulo 31, where a result of 31 becomes 0.
//
// The first character (registration authority) must not be 0, which no
// authority has; beyond that it and the second character (organisation
// category) are only checked against the alphabet, not against a list of
// known authorities: that list has grown since 2015 (trade unions, religious
// affairs, the military, agriculture…), and rejecting a genuine code would
// block a party from filing a case, while the check character already catches
// every single-character typo. Normalise input with NormalizeCreditCode
// first. A failed check should be reported as "validation.credit_code".
func ValidCreditCode(s string) bool {
	if len(s) != 18 || s[0] == '0' {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeCharset, s[i])
		if v < 0 {
			return false
		}
		if i >= 2 && i < 8 && v > 9 {
			return false
		}
		sum += v * creditCodeWeights[i]
	}
	check := (31 - sum%31) % 31
	return s[17] == creditCodeCharset[check]
}

// residentIDWeights are the GB 11643-1999 weights of the first 17 digits:
// 2^(17-i) mod 11.
var residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentIDCheck maps the weighted sum modulo 11 to the check character.
const residentIDCheck = "10X98765432"

// NormalizeResidentID returns the canonical spelling of a resident identity
// number: full-width characters mapped to ASCII, white space removed and a
// trailing check character x upper-cased to X, which is how it is printed on
// the card and therefore how it is indexed.
func NormalizeResidentID(s string) string {
	return strings.ToUpper(stripSpace(halfWidth(s)))
}

// ValidResidentID reports whether s is a canonical 18-character citizen
// identity number (公民身份号码) as defined by GB 11643-1999: 17 digits and a
// check character from "10X98765432" indexed by the weighted digit sum
// modulo 11, with digits 7 to 14 forming a real calendar date (YYYYMMDD) in
// the years 1900 to 2100.
//
// The birth date bound is fixed rather than relative to today so that the
// function stays pure and deterministic. The 6-digit address code is not
// checked against the administrative division list, which changes every year;
// this also lets the 18-digit residence permits of Hong Kong, Macao and
// Taiwan residents (prefixes 81, 82, 83) and the 2023 foreigner permanent
// residence ID card (prefix 9), which use the same check scheme, pass. The
// 15-digit first-generation numbers, invalid since 2013, are rejected.
// Normalise input with NormalizeResidentID first. A failed check should be
// reported as "validation.resident_id".
func ValidResidentID(s string) bool {
	if len(s) != 18 || !allDigits(s[:17]) {
		return false
	}
	if _, ok := ResidentIDBirthDate(s); !ok {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * residentIDWeights[i]
	}
	return s[17] == residentIDCheck[sum%11]
}

// ResidentIDBirthDate returns the date of birth encoded in digits 7 to 14 of
// an 18-character resident identity number, as midnight UTC, and whether it
// is a real calendar date in the years 1900 to 2100. It does not verify the
// check character; use ValidResidentID for that. It is exported so that the
// age of a natural-person party can be derived without storing the date
// separately.
func ResidentIDBirthDate(s string) (time.Time, bool) {
	if len(s) != 18 || !allDigits(s[6:14]) {
		return time.Time{}, false
	}
	y, m, d := atoi(s[6:10]), atoi(s[10:12]), atoi(s[12:14])
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 31 February to 3 March; a changed month or day
	// means the date did not exist.
	if t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// Patent kinds returned by PatentKind. The strings are stable identifiers
// suitable for storage and for i18n message ids such as "patent_kind.design".
const (
	// PatentInvention is an invention patent application (发明), type digit 1.
	PatentInvention = "invention"
	// PatentUtilityModel is a utility model application (实用新型), type
	// digit 2.
	PatentUtilityModel = "utility_model"
	// PatentDesign is a design application (外观设计), type digit 3.
	PatentDesign = "design"
	// PatentPCTInvention is a PCT invention application entering the Chinese
	// national phase (进入中国国家阶段的PCT发明), type digit 8.
	PatentPCTInvention = "pct_invention"
	// PatentPCTUtilityModel is a PCT utility model application entering the
	// Chinese national phase (进入中国国家阶段的PCT实用新型), type digit 9.
	PatentPCTUtilityModel = "pct_utility_model"
)

// patentKinds maps the application type digit to its kind.
var patentKinds = map[byte]string{
	'1': PatentInvention,
	'2': PatentUtilityModel,
	'3': PatentDesign,
	'8': PatentPCTInvention,
	'9': PatentPCTUtilityModel,
}

// patentCheck computes the check character of the digits of a patent
// application number: each digit is multiplied by a weight cycling through
// 2, 3, 4, 5, 6, 7, 8, 9 from the left, the sum is taken modulo 11 and a
// remainder of 10 is written X. Because 11 is prime and no weight is a
// multiple of it, every single-digit error changes the check character.
func patentCheck(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum += int(digits[i]-'0') * (2 + i%8)
	}
	r := sum % 11
	if r == 10 {
		return 'X'
	}
	return byte('0' + r)
}

// NormalizePatentNumber returns the canonical spelling of a Chinese patent
// application number, "201710601862.3" or "95115608.X": full-width
// characters mapped to ASCII, white space removed, letters upper-cased, a
// leading "ZL" (used for granted patent numbers) and/or "CN" stripped, and a
// dot inserted before the check character when it was omitted. People copy
// these numbers from certificates, search engines and CNIPA's sites, which
// all decorate them differently; storing one spelling makes lookups exact.
// Input that does not look like a patent number is returned cleaned but
// otherwise unchanged, for ValidPatentApplicationNumber to reject.
func NormalizePatentNumber(s string) string {
	s = strings.ToUpper(stripSpace(halfWidth(s)))
	// Strip repeatedly so that normalising twice gives the same result as
	// normalising once, whatever the input.
	for {
		t := strings.TrimPrefix(strings.TrimPrefix(s, "ZL"), "CN")
		if t == s {
			break
		}
		s = t
	}
	if strings.Contains(s, ".") {
		return s
	}
	// Without a dot, a 12- or 8-digit body followed by its check character
	// is unambiguous; insert the dot before the last character.
	if n := len(s); (n == 13 || n == 9) && allDigits(s[:n-1]) {
		return s[:n-1] + "." + s[n-1:]
	}
	return s
}

// ValidPatentApplicationNumber reports whether s is a canonical Chinese
// patent application number (专利申请号). Two formats are accepted:
//
//   - the format used since 1 October 2003, "YYYYTNNNNNNN.C": a 4-digit
//     filing year from 2003 to 2099, a type digit, a 7-digit serial number,
//     a dot and a check character;
//   - the earlier format, "YYTNNNNN.C": a 2-digit filing year from 85
//     (1985, when the patent law took effect) to 99 or 00 to 03, a type digit,
//     a 5-digit serial number, a dot and a check character.
//
// The type digit must be 1, 2, 3, 8 or 9 (see PatentKind). The check
// character is the sum of the digits multiplied by weights cycling through
// 2 to 9 from the left, modulo 11, with 10 written X; it was verified against
// the real numbers 201710601862.3 and 95115608.X. Normalise input with
// NormalizePatentNumber first. A failed check should be reported as
// "validation.patent_number".
func ValidPatentApplicationNumber(s string) bool {
	var body string
	switch len(s) {
	case 14:
		body = s[:12]
		if y := atoiIfDigits(s[:4]); y < 2003 || y > 2099 {
			return false
		}
	case 10:
		body = s[:8]
		y := atoiIfDigits(s[:2])
		if y < 0 || (y > 3 && y < 85) {
			return false
		}
	default:
		return false
	}
	if !allDigits(body) || s[len(body)] != '.' {
		return false
	}
	if _, ok := patentKinds[patentTypeDigit(body)]; !ok {
		return false
	}
	return s[len(s)-1] == patentCheck(body)
}

// patentTypeDigit returns the application type digit of a 12- or 8-digit
// patent application number body: the 5th digit of the new format, the 3rd
// of the old one, each following the filing year.
func patentTypeDigit(body string) byte {
	if len(body) == 12 {
		return body[4]
	}
	return body[2]
}

// atoiIfDigits returns the value of s, or -1 when s is not all digits.
func atoiIfDigits(s string) int {
	if !allDigits(s) {
		return -1
	}
	return atoi(s)
}

// PatentKind returns the kind of a valid canonical patent application number
// (PatentInvention, PatentUtilityModel, PatentDesign, PatentPCTInvention or
// PatentPCTUtilityModel), or "" when s is not valid. The kind matters for a
// dispute because it decides the protection term and whether an evaluation
// report (专利权评价报告) can be requested.
func PatentKind(s string) string {
	if !ValidPatentApplicationNumber(s) {
		return ""
	}
	return patentKinds[patentTypeDigit(s[:len(s)-2])]
}

// NormalizeMobile returns the canonical spelling of a mainland China mobile
// number, the bare 11 digits: full-width characters mapped to ASCII, white
// space, hyphens and parentheses removed, and a country code prefix "+86",
// "0086" or "86" stripped. The prefix is stripped only when 11 digits remain,
// so that a number is never truncated by mistake.
func NormalizeMobile(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, halfWidth(s))
	for _, p := range []string{"+86", "0086", "86"} {
		if rest, ok := strings.CutPrefix(s, p); ok && len(rest) == 11 {
			return rest
		}
	}
	return s
}

// MobileIndexKey is what the blind index of a stored phone hashes
// (pii.Cipher.Hash): the normalized number under a prefix of its own, so
// that it never equals the key of another kind of value. An empty phone
// gives "", which hashes to "" and so matches nothing.
func MobileIndexKey(phone string) string {
	n := NormalizeMobile(phone)
	if n == "" {
		return ""
	}
	return "mobile|" + n
}

// MaxEmail is the longest e-mail address accepted (RFC 5321's limit on a
// path).
const MaxEmail = 254

// NormalizeEmail trims an e-mail address and lower-cases its domain
// (the local part may be case-sensitive, the domain is not).
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(halfWidth(s))
	if local, dom, ok := strings.Cut(s, "@"); ok {
		return local + "@" + strings.ToLower(dom)
	}
	return s
}

// ValidEmail reports whether s, normalized, looks like an address mail
// can be sent to: one "@" with something before it and a dotted domain
// after, no spaces or angle brackets, at most MaxEmail bytes. Whether the
// mailbox exists only sending tells.
func ValidEmail(s string) bool {
	local, dom, ok := strings.Cut(s, "@")
	return ok && len(s) <= MaxEmail && local != "" && strings.Contains(dom, ".") && !strings.HasPrefix(dom, ".") &&
		!strings.HasSuffix(dom, ".") && !strings.ContainsAny(s, " \t\r\n<>,;\"") && !strings.Contains(dom, "@")
}

// ValidMobile reports whether s is a canonical mainland China mobile number:
// 11 digits starting with 13 to 19. The third digit is not checked against
// the carriers' current number blocks because the Ministry of Industry and
// Information Technology assigns new blocks every few years. Normalise input
// with NormalizeMobile first. A failed check should be reported as
// "validation.mobile".
func ValidMobile(s string) bool {
	return len(s) == 11 && allDigits(s) && s[0] == '1' && s[1] >= '3'
}

// NormalizeTrademarkRegNumber returns the canonical spelling of a trademark
// registration or application number, the bare digits: full-width characters
// mapped to ASCII, white space removed, and the "第" prefix and "号" suffix
// of the certificate's wording ("第12345678号") stripped.
func NormalizeTrademarkRegNumber(s string) string {
	s = stripSpace(halfWidth(s))
	// Strip repeatedly so that normalising is idempotent.
	for {
		t := strings.TrimSuffix(strings.TrimPrefix(s, "第"), "号")
		if t == s {
			return s
		}
		s = t
	}
}

// ValidTrademarkRegNumber reports whether s is a canonical CNIPA trademark
// registration or application number (商标注册号/申请号): 1 to 8 digits
// without a leading zero. Registration and application numbers share one
// sequence; the highest numbers issued so far have 8 digits. Trademark
// numbers carry no check digit, so this only catches gross errors; the
// number should be confirmed against the CNIPA trademark search. Normalise
// input with NormalizeTrademarkRegNumber first. A failed check should be
// reported as "validation.trademark_number".
func ValidTrademarkRegNumber(s string) bool {
	return len(s) >= 1 && len(s) <= 8 && allDigits(s) && s[0] != '0'
}

// copyrightRegions are the single-character prefixes of copyright
// registration numbers: 国 for the Copyright Protection Center of China and
// the abbreviations of the provinces, autonomous regions and municipalities
// whose copyright bureaus register works themselves.
const copyrightRegions = "国京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔贵滇云藏陕甘青宁新"

// NormalizeCopyrightRegNumber returns the canonical spelling of a copyright
// registration number: full-width characters mapped to ASCII, white space
// removed, letters upper-cased, and the dash variants that word processors
// substitute (en dash, em dash, minus sign) replaced by an ASCII hyphen.
func NormalizeCopyrightRegNumber(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '–', '—', '−', '‐', '‑':
			return '-'
		}
		return r
	}, halfWidth(s))
	return strings.ToUpper(stripSpace(s))
}

// ValidCopyrightRegNumber reports whether s is a canonical Chinese copyright
// registration number. Two formats are accepted:
//
//   - works (作品登记): "国作登字-YYYY-C-NNNNNNNN", for example
//     "国作登字-2021-F-00012345", where 国 may instead be a provincial
//     abbreviation such as 闽 or 粤 for works registered by a provincial
//     copyright bureau, YYYY is a year from 1990 to 2099, C is the work
//     category letter (A written works … F fine art … L other) and the
//     serial number has 8 digits;
//   - computer software (软件著作权登记): "YYYYSRNNNNNNN", for example
//     "2021SR0123456", a year from 1990 to 2099, "SR" and a 6- or 7-digit
//     serial number.
//
// The certificate number printed on software certificates ("软著登字第…号")
// is a different number and is not accepted. Normalise input with
// NormalizeCopyrightRegNumber first. A failed check should be reported as
// "validation.copyright_number".
func ValidCopyrightRegNumber(s string) bool {
	r := []rune(s)
	if len(r) == 0 {
		return false
	}
	if strings.ContainsRune(copyrightRegions, r[0]) {
		return validWorksRegNumber(string(r[1:]))
	}
	return validSoftwareRegNumber(s)
}

// validWorksRegNumber checks what follows the region character of a works
// registration number: "作登字-YYYY-C-NNNNNNNN".
func validWorksRegNumber(s string) bool {
	rest, ok := strings.CutPrefix(s, "作登字-")
	if !ok || len(rest) != 4+1+1+1+8 {
		return false
	}
	if y := atoiIfDigits(rest[:4]); y < 1990 || y > 2099 {
		return false
	}
	return rest[4] == '-' && rest[5] >= 'A' && rest[5] <= 'Z' && rest[6] == '-' && allDigits(rest[7:])
}

// validSoftwareRegNumber checks a software registration number:
// "YYYYSRNNNNNNN" with a 6- or 7-digit serial number.
func validSoftwareRegNumber(s string) bool {
	if len(s) != 12 && len(s) != 13 {
		return false
	}
	if y := atoiIfDigits(s[:4]); y < 1990 || y > 2099 {
		return false
	}
	return s[4:6] == "SR" && allDigits(s[6:])
}
