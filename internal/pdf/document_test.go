package pdf

import (
	"bytes"
	"crypto/sha256"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/pdf/pdftest"
)

// sample is a document of every kind of content, in Chinese with Latin
// words and numbers in it.
func sample(extra func(d *Document)) *Document {
	d := New(Options{Title: "鼓楼区知识产权纠纷调解委员会 2026 年度工作报告", Lang: "zh-CN",
		Created: time.Date(2026, 12, 10, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))})
	d.Title("鼓楼区知识产权纠纷调解委员会 2026 年度工作报告")
	d.Note("状态：已提交 · 2026-12-08 15:04")
	d.Heading("一、年度数据")
	d.Table([]string{"项目", "数值"}, [][]string{{"受理案件", "128"}, {"调解成功率", "67%"}, {"诉调对接 · 委派", "12"}})
	d.Heading("二、主要工作")
	d.Para("全年受理知识产权纠纷案件，开展诉调对接。\n\n调解成功率提高。Mediation success rate rose.")
	if extra != nil {
		extra(d)
	}
	return d
}

func bytesOf(t *testing.T, d *Document) []byte {
	t.Helper()
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func textOf(t *testing.T, b []byte) string {
	t.Helper()
	s, err := pdftest.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDocument_ChineseTextAndEmbeddedFonts: the file is a PDF whose pages
// show the Chinese and the Latin text, in fonts embedded in it (TrueType,
// /FontFile2) and subset (a few kilobytes, not the megabytes of the Chinese
// font), with its title and language in the properties.
func TestDocument_ChineseTextAndEmbeddedFonts(t *testing.T) {
	b := bytesOf(t, sample(nil))
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Fatalf("not a PDF file: %q", b[:min(len(b), 20)])
	}
	text := pdftest.Joined(textOf(t, b))
	for _, want := range []string{"鼓楼区知识产权纠纷调解委员会", "2026", "年度工作报告", "一、年度数据", "受理案件", "128", "67%",
		"诉调对接 · 委派", "全年受理知识产权纠纷案件，开展诉调对接。", "Mediation success rate rose."} {
		if !strings.Contains(text, want) {
			t.Errorf("the pages do not show %q:\n%s", want, text)
		}
	}
	if !strings.Contains(textOf(t, b), "\n— 1 —\n") {
		t.Error("no page number")
	}
	if n := bytes.Count(b, []byte("/FontFile2")); n != 3 {
		t.Errorf("%d embedded TrueType fonts, want 3 (Chinese, Latin, Latin bold)", n)
	}
	if !bytes.Contains(b, []byte("/ToUnicode")) {
		t.Error("no /ToUnicode map: the text could not be copied or searched")
	}
	if len(b) > 200_000 {
		t.Errorf("%d bytes: the fonts are not subset", len(b))
	}
	if !bytes.Contains(b, []byte("/Lang (zh-CN)")) {
		t.Error("the document's language is not in the catalog")
	}
}

// TestDocument_SameContentSameBytes: a document's bytes depend only on its
// content and its date.
func TestDocument_SameContentSameBytes(t *testing.T) {
	if !bytes.Equal(bytesOf(t, sample(nil)), bytesOf(t, sample(nil))) {
		t.Error("the same document twice gives different bytes")
	}
}

// TestDocument_LongChineseParagraphWrapsAndBreaksPages: a Chinese
// paragraph without a space is broken into lines that fill the width, none
// starting with a closing mark; enough of them go on to more pages, each
// numbered.
func TestDocument_LongChineseParagraphWrapsAndBreaksPages(t *testing.T) {
	sentence := "调解委员会依法受理专利、商标、著作权等知识产权纠纷，邀请技术专家参与调解，促成当事人达成和解协议。"
	para := strings.Repeat(sentence, 40)
	b := bytesOf(t, sample(func(d *Document) { d.Para(para) }))
	text := textOf(t, b)
	if !strings.Contains(pdftest.Joined(text), para) {
		t.Fatal("the long paragraph is not all there, in order")
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		// A line of the paragraph: of its characters only.
		if l != "" && !strings.ContainsFunc(l, func(r rune) bool { return !strings.ContainsRune(sentence, r) }) {
			lines = append(lines, l)
		}
	}
	if len(lines) < 40 {
		t.Fatalf("%d lines for %d characters: the paragraph is not wrapped", len(lines), len([]rune(para)))
	}
	// A full line of 四号 on a 156 mm body is 31 or 32 characters (the
	// first is indented by two).
	long := 0
	for _, l := range lines {
		n := len([]rune(l))
		if n > 33 {
			t.Errorf("a line of %d characters overflows the body: %s", n, l)
		}
		if n >= 30 {
			long++
		}
		if strings.ContainsAny(string([]rune(l)[0]), "，。、") {
			t.Errorf("a line starts with a closing mark: %s", l)
		}
	}
	if long < len(lines)*3/4 {
		t.Errorf("only %d of %d lines are full", long, len(lines))
	}
	pages := regexp.MustCompile(`/Type /Page\b`).FindAll(b, -1)
	if len(pages) < 2 {
		t.Fatalf("%d pages: the paragraph did not break onto a new page", len(pages))
	}
	for _, n := range []string{"— 1 —", "— 2 —"} {
		if !strings.Contains(text, n) {
			t.Errorf("no page number %s", n)
		}
	}
}

// TestDocument_TableCellsWrapAndTablesContinue: a cell longer than its
// column wraps within it; a table longer than a page continues on the
// next with its header again.
func TestDocument_TableCellsWrapAndTablesContinue(t *testing.T) {
	long := strings.Repeat("专利侵权纠纷诉前委派调解", 8)
	var rows [][]string
	rows = append(rows, []string{long, "1"})
	for i := range 60 {
		rows = append(rows, []string{"委员会" + itoa(i+1), itoa(i)})
	}
	b := bytesOf(t, New(Options{}).tableOnly([]string{"调解委员会", "逾期"}, rows))
	text := textOf(t, b)
	if !strings.Contains(pdftest.Joined(text), long) {
		t.Fatal("the long cell is not all there")
	}
	if strings.Contains(text, long+"\n") {
		t.Error("the long cell is on one line")
	}
	if n := strings.Count(text, "调解委员会逾期\n"); n < 2 {
		t.Errorf("the header is shown %d times, want it on every page of the table", n)
	}
	if !strings.Contains(text, "调解委员会逾期\n") || !strings.Contains(text, "委员会6059\n") {
		t.Error("the last row is missing")
	}
}

func (d *Document) tableOnly(head []string, rows [][]string) *Document {
	d.Table(head, rows)
	return d
}

// TestDocument_Concurrent: documents written at once give the bytes of
// one written alone, and leave the fonts they share as they were (fpdf
// writes into the font it is given; under -race this fails without the
// copy New makes).
func TestDocument_Concurrent(t *testing.T) {
	want := bytesOf(t, sample(nil))
	files, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	var before [faceCount][32]byte
	for i, f := range files {
		before[i] = sha256.Sum256(f)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 6)
	errs := make([]error, len(got))
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = sample(nil).Bytes()
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || !bytes.Equal(got[i], want) {
			t.Errorf("document %d written concurrently: %v, differs %v", i, errs[i], !bytes.Equal(got[i], want))
		}
	}
	for i, f := range files {
		if sha256.Sum256(f) != before[i] {
			t.Errorf("the font %s changed", faceFont[i].file)
		}
	}
}
