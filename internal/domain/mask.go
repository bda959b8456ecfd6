package domain

// This file masks personal information for display and for logs. The
// Personal Information Protection Law requires minimising who sees a natural
// person's identifiers; case lists, notifications, exports and log lines show
// a masked value that is still recognisable to the person it belongs to and
// to staff comparing it with a document, while the full value stays
// encrypted at rest and is shown only where a role needs it.
//
// Unified social credit codes are deliberately not masked and there is no
// MaskCreditCode: the code identifies an organisation or an individual
// business, not a natural person; it is printed on the business licence and
// published by the National Enterprise Credit Information Publicity System,
// and mediators need it in full to look the party up.
//
// All functions trim surrounding white space, work on runes rather than
// bytes so that Chinese characters are never split, return "" for empty
// input, and replace hidden runes with '*'.

import "strings"

// maskMiddle keeps the first keepHead and last keepTail runes of s and
// replaces each rune between them with '*', so that the masked value keeps
// its length. When s is too short to hide anything that way, every rune is
// replaced, because showing head and tail would reveal the whole value.
func maskMiddle(s string, keepHead, keepTail int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 0 {
		return ""
	}
	if len(r) <= keepHead+keepTail {
		return strings.Repeat("*", len(r))
	}
	var b strings.Builder
	b.WriteString(string(r[:keepHead]))
	b.WriteString(strings.Repeat("*", len(r)-keepHead-keepTail))
	b.WriteString(string(r[len(r)-keepTail:]))
	return b.String()
}

// MaskResidentID masks a resident identity number, keeping the first 4
// characters (the province and city of first registration) and the last 4
// (the sequence and check character), which is what people compare when
// recognising their own number: "350102199001011234" becomes
// "3501**********1234". The birth date in the middle is always hidden.
// Values of 8 characters or fewer are masked entirely.
func MaskResidentID(s string) string {
	return maskMiddle(s, 4, 4)
}

// MaskMobile masks a mobile number, keeping the first 3 digits (the carrier
// block) and the last 4, the customary display in China: "13812345678"
// becomes "138****5678". Values of 7 characters or fewer are masked
// entirely. Normalise with NormalizeMobile first if a country code may be
// present, so that the kept digits are the meaningful ones.
func MaskMobile(s string) string {
	return maskMiddle(s, 3, 4)
}

// MaskName masks a natural person's name, keeping the first rune (usually
// the surname) and replacing each remaining rune with '*': "张三" becomes
// "张*" and "欧阳娜娜" becomes "欧***". A one-rune value becomes "*",
// because keeping its only rune would hide nothing. Names of organisations
// are public and should not be passed here.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// MaskAddress masks a postal address, keeping the first 6 runes, which in a
// Chinese address are usually the province and city, followed by a fixed
// "****" so that the length of the hidden part is not revealed either:
// "福建省福州市鼓楼区五四路1号" becomes "福建省福州市****". An address of 6
// runes or fewer keeps only its first half, so that something is always
// hidden.
func MaskAddress(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 0 {
		return ""
	}
	keep := 6
	if len(r) <= keep {
		keep = len(r) / 2
	}
	return string(r[:keep]) + "****"
}

// MaskEmail masks an e-mail address, keeping the first character of the
// local part and the whole domain: "chen.ming@example.cn" becomes
// "c***@example.cn". A value without "@" is masked like a phone.
func MaskEmail(s string) string {
	local, dom, ok := strings.Cut(s, "@")
	if !ok {
		return maskMiddle(s, 0, 0)
	}
	r := []rune(local)
	if len(r) == 0 {
		return "@" + dom
	}
	return string(r[0]) + "***@" + dom
}
