package document

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// newBlobs returns a store in a fresh temporary directory and the
// directory.
func newBlobs(t *testing.T) (*Blobs, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files")
	b, err := NewBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b, dir
}

// filesIn returns the regular files under dir, relative to it.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantInvalid fails the test unless err is EINVALID naming field with the
// message id msg.
func wantInvalid(t *testing.T, err error, field, msg string) *domain.FieldError {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		t.Fatalf("got %v, want EINVALID %s %s", err, field, msg)
	}
	for i, f := range de.Fields {
		if f.Field == field && f.Message == msg {
			return &de.Fields[i]
		}
	}
	t.Fatalf("got fields %+v, want %s %s", de.Fields, field, msg)
	return nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Sample files of every accepted kind, built for real where the standard
// library can.

func pdfFile() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	return img
}

func pngFile(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegFile(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gifFile(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := gif.Encode(&buf, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webpFile is a RIFF/WEBP header followed by a lossless chunk header:
// enough for sniffing, which is all that is checked.
func webpFile() []byte {
	return append([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00"), make([]byte, 13)...)
}

// zipFile builds a zip holding the named entries.
func zipFile(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><x/>`); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// docxFile is a minimal but real Word document.
func docxFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>调解申请书</w:t></w:r></w:p></w:body></w:document>`},
	}
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBlobsPutOpenDelete(t *testing.T) {
	b, dir := newBlobs(t)
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o750 {
		t.Fatalf("storage dir: %v, %v", info, err)
	}
	content := []byte("调解申请书正文\n")
	st, err := b.Put(bytes.NewReader(content), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(st.Key) {
		t.Errorf("key %q is not 128-bit hex", st.Key)
	}
	if st.Size != int64(len(content)) || st.SHA256 != sum(content) || st.ContentType != "text/plain; charset=utf-8" {
		t.Errorf("stored %+v", st)
	}
	want := filepath.Join(st.Key[:2], st.Key[2:4], st.Key)
	if got := filesIn(t, dir); len(got) != 1 || got[0] != want {
		t.Errorf("files %v, want only %s (no temporary file left)", got, want)
	}
	rc, err := b.Open(st.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	_ = rc.Close()
	if !bytes.Equal(got, content) {
		t.Errorf("read back %q", got)
	}

	st2, err := b.Put(bytes.NewReader(content), 1<<20)
	if err != nil || st2.Key == st.Key {
		t.Fatalf("second put: %+v, %v", st2, err)
	}

	if err := b.Delete(st.Key); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(st.Key); err != nil {
		t.Errorf("deleting a deleted blob: %v", err)
	}
	if _, err := b.Open(st.Key); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open deleted blob: %v, want fs.ErrNotExist", err)
	}
}

func TestBlobsRefuseForeignKeys(t *testing.T) {
	b, dir := newBlobs(t)
	// A file a traversal would reach, just outside the root.
	secret := filepath.Join(filepath.Dir(dir), "x")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../x", "", "x", "ab/cd/" + strings.Repeat("a", 32), "../" + strings.Repeat("a", 30),
		strings.Repeat("A", 32), strings.Repeat("a", 31), strings.Repeat("a", 33), "/etc/passwd",
		strings.Repeat("a", 31) + "\x00", `..\..\boot.ini`} {
		if _, err := b.Open(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := b.Delete(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("file outside the root: %v", err)
	}
}

// A symbolic link planted in the storage directory cannot lead out of it.
func TestBlobsSymlinkEscape(t *testing.T) {
	b, dir := newBlobs(t)
	outside := t.TempDir()
	key := strings.Repeat("ab", 16)
	if err := os.WriteFile(filepath.Join(outside, key), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "ab"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "ab", "ab")); err != nil {
		t.Fatal(err)
	}
	if rc, err := b.Open(key); err == nil {
		_ = rc.Close()
		t.Fatal("Open followed a symbolic link out of the root")
	}
}

func TestBlobsSizeLimit(t *testing.T) {
	b, dir := newBlobs(t)
	if _, err := b.Put(strings.NewReader("0123456789"), 10); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
	_, err := b.Put(strings.NewReader("0123456789A"), 10)
	fe := wantInvalid(t, err, "file", "validation.file_too_large")
	if fe.Params["Max"] != int64(10) {
		t.Errorf("params %v, want Max 10", fe.Params)
	}
	// Bigger than the sniffing buffer and the copy buffer.
	_, err = b.Put(bytes.NewReader(bytes.Repeat([]byte("a"), 200_000)), 100_000)
	wantInvalid(t, err, "file", "validation.file_too_large")
	// A body cut off by http.MaxBytesReader is too large as well.
	rec := httptest.NewRecorder()
	mbr := http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(strings.Repeat("a", 100))), 50)
	_, err = b.Put(mbr, 1000)
	wantInvalid(t, err, "file", "validation.file_too_large")

	_, err = b.Put(strings.NewReader(""), 10)
	wantInvalid(t, err, "file", "validation.file_empty")
	if got := filesIn(t, dir); len(got) != 1 {
		t.Errorf("files %v, want only the first upload", got)
	}
}

// errReader fails after some bytes, like a client that disconnects.
type errReader struct{ n int }

func (e *errReader) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), e.n)
	for i := range p[:n] {
		p[i] = 'a'
	}
	e.n -= n
	return n, nil
}

func TestBlobsReadErrorLeavesNothing(t *testing.T) {
	b, dir := newBlobs(t)
	if _, err := b.Put(&errReader{n: 100_000}, 1<<20); err == nil || domain.ErrorCode(err) != domain.EINTERNAL {
		t.Fatalf("got %v, want an internal error", err)
	}
	if got := filesIn(t, dir); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
}

func TestPutUploadAllowList(t *testing.T) {
	longText := strings.Repeat("知识产权纠纷人民调解", 10_000) // runes split across every buffer boundary
	gbk := []byte("\xd6\xaa\xca\xb6\xb2\xfa\xc8\xa8 plain bytes that are not UTF-8")
	ole := []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00")
	ok := []struct {
		name, file string
		body       []byte
		want       string
	}{
		{"pdf", "申请书.pdf", pdfFile(), "application/pdf"},
		{"png", "scan.png", pngFile(t), "image/png"},
		{"jpeg", "photo.JPG", jpegFile(t), "image/jpeg"},
		{"gif", "a.gif", gifFile(t), "image/gif"},
		{"webp", "a.webp", webpFile(), "image/webp"},
		{"text", "笔录.txt", []byte("第一次调解笔录\n"), "text/plain; charset=utf-8"},
		{"long text", "long.txt", []byte(longText), "text/plain; charset=utf-8"},
		{"text with BOM", "bom.txt", []byte("\xef\xbb\xbfhello"), "text/plain; charset=utf-8"},
		// The type is sniffed; a name that says nothing about it is fine.
		{"pdf without extension", "申请书", pdfFile(), "application/pdf"},
		{"pdf with an unknown extension", "申请书.final", pdfFile(), "application/pdf"},
		{"docx", "协议.docx", docxFile(t), TypeDOCX},
		{"docx upper-case", "AGREEMENT.DOCX", docxFile(t), TypeDOCX},
		{"xlsx", "清单.xlsx", zipFile(t, "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"), TypeXLSX},
		{"pptx", "slides.pptx", zipFile(t, "[Content_Types].xml", "ppt/presentation.xml"), TypePPTX},
		// What Chinese courts and offices send besides.
		{"gbk text", "gbk.txt", gbk, TypeTextGB18030},
		{"gbk csv", "名单.csv", []byte("\xd0\xd5\xc3\xfb,\xb5\xe7\xbb\xb0\n"), TypeTextGB18030},
		{"legacy word", "x.doc", ole, TypeDOC},
		{"legacy excel", "清单.XLS", ole, TypeXLS},
		{"wps writer", "起诉状.wps", ole, TypeWPS},
		{"wps spreadsheet", "表.et", ole, TypeET},
		{"ofd", "判决书.ofd", zipFile(t, "OFD.xml", "Doc_0/Document.xml"), TypeOFD},
		{"tiff little-endian", "扫描件.tif", []byte("II*\x00\x08\x00\x00\x00\x00\x00"), TypeTIFF},
		{"tiff big-endian", "scan.tiff", []byte("MM\x00*\x00\x00\x00\x08\x00\x00"), TypeTIFF},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			b, dir := newBlobs(t)
			st, err := b.PutUpload(bytes.NewReader(c.body), 1<<20, c.file)
			if err != nil {
				t.Fatal(err)
			}
			if st.ContentType != c.want || st.Size != int64(len(c.body)) || st.SHA256 != sum(c.body) {
				t.Errorf("stored %+v, want type %s size %d", st, c.want, len(c.body))
			}
			if got := filesIn(t, dir); len(got) != 1 {
				t.Errorf("files %v", got)
			}
		})
	}

	bad := []struct {
		name, file string
		body       []byte
	}{
		{"elf", "tool.pdf", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 100)...)},
		{"html", "page.txt", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")},
		{"html lower", "page.pdf", []byte("<html><body onload=alert(1)>")},
		{"svg", "a.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"docx named pdf", "agreement.pdf", docxFile(t)},
		{"docx without extension", "agreement", docxFile(t)},
		{"plain zip named docx", "archive.docx", zipFile(t, "a.txt", "b.exe")},
		{"zip without content types", "x.docx", zipFile(t, "word/document.xml")},
		{"docx named xlsx", "x.xlsx", docxFile(t)},
		{"truncated zip", "x.docx", docxFile(t)[:60]},
		{"neither utf-8 nor gb 18030", "bad.txt", []byte("abc\x81\x20def")},
		// Broken late, as neither UTF-8 nor GB 18030 (E8 B0 alone would be
		// a GBK character).
		{"text broken late", "late.txt", append([]byte(strings.Repeat("a", 40_000)), 0xe8, 0x20)},
		{"utf-16 text", "u16.txt", []byte("\xff\xfeh\x00i\x00")},
		{"ole without a name that says which", "x.bin", ole},
		{"ole without extension", "x", ole},
		{"octet stream named doc", "x.doc", []byte("\x00\x01\x02\x03\x04\x05\x06\x07")},
		{"zip with ofd.xml elsewhere", "x.ofd", zipFile(t, "Doc_0/OFD.xml")},
		{"pe", "setup.exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 100)...)},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			b, dir := newBlobs(t)
			_, err := b.PutUpload(bytes.NewReader(c.body), 1<<20, c.file)
			wantInvalid(t, err, "file", "validation.file_type")
			if got := filesIn(t, dir); len(got) != 0 {
				t.Errorf("files left: %v", got)
			}
		})
	}
}

func TestUTF8Check(t *testing.T) {
	s := []byte("a调解𝄞b")
	// Every way of cutting s into three writes is valid.
	for i := 0; i <= len(s); i++ {
		for j := i; j <= len(s); j++ {
			var u utf8Check
			_, _ = u.Write(s[:i])
			_, _ = u.Write(s[i:j])
			_, _ = u.Write(s[j:])
			if !u.valid() {
				t.Fatalf("cut at %d, %d: reported invalid", i, j)
			}
		}
	}
	for _, bad := range [][]byte{{0xff}, {'a', 0xe8, 0xb0}, {0xc0, 0xaf}, {0xed, 0xa0, 0x80}} {
		var u utf8Check
		_, _ = u.Write(bad)
		if u.valid() {
			t.Errorf("% x reported valid", bad)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	long := strings.Repeat("长", 300) + ".pdf"
	cases := []struct{ in, want string }{
		{"申请书.pdf", "申请书.pdf"},
		{"../../etc/passwd", "passwd"},
		{`..\..\boot.ini`, "boot.ini"},
		{`C:\Users\张三\证据.pdf`, "证据.pdf"},
		{"/abs/name.pdf", "name.pdf"},
		{"name\x00.pdf", "name.pdf"},
		{"evil\x00/../../x.pdf", "x.pdf"},
		{".htaccess", "htaccess"},
		{"...hidden.txt", "hidden.txt"},
		{" . .bashrc", "bashrc"},
		{"line\r\nbreak.txt", "linebreak.txt"},
		{"tab\there.txt", "tabhere.txt"},
		{"evil\u202Efdp.exe", "evilfdp.exe"},
		{"trailing.pdf. ", "trailing.pdf"},
		{"bad\xff\xfeutf8.txt", "badutf8.txt"},
		{"  spaced name.docx  ", "spaced name.docx"},
		{"..", ""},
		{"../", ""},
		{"dir/", ""},
		{"\x00\x01", ""},
		{"", ""},
		{long, strings.Repeat("长", 196) + ".pdf"},
		{strings.Repeat("a", 250), strings.Repeat("a", 200)},
	}
	for _, c := range cases {
		if got := CleanFileName(c.in); got != c.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
