package document

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// ErrInvalidKey is returned by Blobs.Open and Blobs.Delete for a key that
// is not of the generated form: keys come from the database, never from
// users, so a malformed key is a bug or an attack and is refused before
// it comes near the file system.
var ErrInvalidKey = errors.New("document: invalid storage key")

// keyRE is the form of a generated key: 128 random bits in lower-case hex.
var keyRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// sniffLen is how many leading bytes http.DetectContentType looks at.
const sniffLen = 512

// Content types of Office Open XML files, accepted by their extension once
// the zip container has been checked (see ooxmlType).
const (
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// sniffedAllowed lists the sniffed content types accepted as they are.
// Plain text is accepted only when the whole file is valid UTF-8; zip only
// as Office Open XML (see allowedType).
var sniffedAllowed = map[string]bool{
	"application/pdf": true,
	"image/png":       true,
	"image/jpeg":      true,
	"image/gif":       true,
	"image/webp":      true,
}

// textUTF8 is what http.DetectContentType answers for text without binary
// bytes (whatever its real encoding; Put checks UTF-8 separately).
const textUTF8 = "text/plain; charset=utf-8"

// ooxmlKinds maps an Office Open XML extension to the folder its main part
// lives in and the content type it is served with.
var ooxmlKinds = map[string]struct{ prefix, contentType string }{
	".docx": {"word/", TypeDOCX},
	".xlsx": {"xl/", TypeXLSX},
	".pptx": {"ppt/", TypePPTX},
}

// Blobs stores file contents under a root directory, each under a
// generated key (128 random bits in hex) in a two-level sharded layout,
// ab/cd/abcd…: names given by users never reach a path. All file-system
// access goes through an os.Root, so even a symbolic link planted in the
// directory cannot lead outside it.
type Blobs struct {
	root *os.Root
}

// Stored describes a blob Put has stored.
type Stored struct {
	// Key names the blob; it is what documents.storage_key holds.
	Key string
	// Size is the number of bytes stored.
	Size int64
	// SHA256 is the lower-case hex SHA-256 of the contents.
	SHA256 string
	// ContentType is the type sniffed from the contents (for Office Open
	// XML uploads, the type of the checked document kind).
	ContentType string
}

// NewBlobs returns the store rooted at dir, creating the directory (mode
// 0o750) when it does not exist.
func NewBlobs(dir string) (*Blobs, error) {
	if dir == "" {
		return nil, errors.New("document: storage directory is empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("document: create storage directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("document: open storage directory: %w", err)
	}
	return &Blobs{root: root}, nil
}

// Close releases the handle on the root directory.
func (b *Blobs) Close() error { return b.root.Close() }

// Put stores the contents of r, at most max bytes, under a new key. It
// streams r to a temporary file in the root while computing its SHA-256,
// so the file is never held in memory, and sniffs its content type from
// the first 512 bytes. More than max bytes (or an *http.MaxBytesError from
// r) gives EINVALID, field "file", "validation.file_too_large" with param
// Max; an empty body gives "validation.file_empty". Put applies no
// content-type allow-list: uploads from users go through PutUpload.
func (b *Blobs) Put(r io.Reader, max int64) (Stored, error) {
	return b.put(r, max, func(_ *os.File, _ int64, sniffed string, _ bool) (string, error) {
		return sniffed, nil
	})
}

// PutUpload is Put for a file uploaded by a user under fileName (as the
// user gave it, or cleaned; it is used for nothing but its extension).
// Before the temporary file gets a key, its sniffed content type must be
// on the allow-list — PDF, PNG, JPEG, GIF, WebP, UTF-8 plain text, or a
// zip that is an Office Open XML document whose extension (.docx, .xlsx,
// .pptx) matches its contents; anything else gives EINVALID, field
// "file", "validation.file_type". A file on the allow-list whose name
// carries an extension that says another type (a PNG named "scan.pdf" or
// ".pdf", a PDF named "x.txt" or "x.html") gives EINVALID, field "file",
// "validation.file_type_mismatch" with params Ext (the extension) and
// Type (what the content is): a viewer would open it with the wrong
// program, and the uploader most likely picked the wrong file. The
// temporary file is removed on every refusal. The client's declared
// content type plays no part.
func (b *Blobs) PutUpload(r io.Reader, max int64, fileName string) (Stored, error) {
	return b.put(r, max, func(f *os.File, size int64, sniffed string, utf8OK bool) (string, error) {
		return allowedType(f, size, sniffed, utf8OK, fileName)
	})
}

// acceptFunc decides, from the complete temporary file, its size, its
// sniffed type and whether it is valid UTF-8, the content type to store,
// or refuses the file with an error.
type acceptFunc func(f *os.File, size int64, sniffed string, utf8OK bool) (string, error)

// put streams r into a temporary file, lets accept judge it and renames it
// to a generated key. The temporary file is removed on every failure.
func (b *Blobs) put(r io.Reader, max int64, accept acceptFunc) (st Stored, err error) {
	if max < 1 {
		return Stored{}, fmt.Errorf("document: upload limit %d is not positive", max)
	}
	tmp := ".upload-" + randomKey()
	f, err := b.root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Stored{}, fmt.Errorf("document: create temporary file: %w", err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = f.Close()
			}
			_ = b.root.Remove(tmp)
		}
	}()

	lr := io.LimitReader(r, max+1)
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(lr, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return Stored{}, readError(err, max)
	}
	head = head[:n]
	sniffed := http.DetectContentType(head)
	h := sha256.New()
	var text utf8Check
	w := io.MultiWriter(f, h, &text)
	if _, err := w.Write(head); err != nil {
		return Stored{}, fmt.Errorf("document: write temporary file: %w", err)
	}
	rest, err := io.Copy(w, lr)
	if err != nil {
		return Stored{}, readError(err, max)
	}
	size := int64(n) + rest
	if size > max {
		return Stored{}, tooLarge(max)
	}
	if size == 0 {
		var fe domain.Fields
		fe.Add("file", "validation.file_empty")
		return Stored{}, fe.Err()
	}
	if err := f.Sync(); err != nil {
		return Stored{}, fmt.Errorf("document: sync temporary file: %w", err)
	}
	contentType, err := accept(f, size, sniffed, text.valid())
	if err != nil {
		return Stored{}, err
	}
	closed = true
	if err := f.Close(); err != nil {
		return Stored{}, fmt.Errorf("document: close temporary file: %w", err)
	}
	key := randomKey()
	p := keyPath(key)
	if err := b.root.MkdirAll(path.Dir(p), 0o750); err != nil {
		return Stored{}, fmt.Errorf("document: create shard directory: %w", err)
	}
	if err := b.root.Rename(tmp, p); err != nil {
		return Stored{}, fmt.Errorf("document: store blob: %w", err)
	}
	return Stored{Key: key, Size: size, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: contentType}, nil
}

// Open returns the contents stored under key. A key not of the generated
// form gives ErrInvalidKey; a missing blob an error matching
// fs.ErrNotExist.
func (b *Blobs) Open(key string) (io.ReadCloser, error) {
	if !keyRE.MatchString(key) {
		return nil, ErrInvalidKey
	}
	f, err := b.root.Open(keyPath(key))
	if err != nil {
		return nil, fmt.Errorf("document: open blob: %w", err)
	}
	return f, nil
}

// Delete removes the blob stored under key; a blob already gone is not an
// error. It cleans up after a failed database insert.
func (b *Blobs) Delete(key string) error {
	if !keyRE.MatchString(key) {
		return ErrInvalidKey
	}
	if err := b.root.Remove(keyPath(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("document: delete blob: %w", err)
	}
	return nil
}

// keyPath returns the sharded path of a valid key: ab/cd/abcd….
func keyPath(key string) string {
	return key[0:2] + "/" + key[2:4] + "/" + key
}

// randomKey returns 128 random bits in lower-case hex.
func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return hex.EncodeToString(b)
}

// tooLarge is the error for a file above max bytes.
func tooLarge(max int64) error {
	var fe domain.Fields
	fe.Add("file", "validation.file_too_large", "Max", max)
	return fe.Err()
}

// readError maps a failure reading the upload: a body cut off by
// http.MaxBytesReader is too large, anything else is passed on.
func readError(err error, max int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(max)
	}
	return fmt.Errorf("document: read upload: %w", err)
}

// allowedType applies the content-type allow-list to a complete temporary
// file, then checks the name's extension against the content, and
// returns the content type to store.
func allowedType(f *os.File, size int64, sniffed string, utf8OK bool, fileName string) (string, error) {
	ct := ""
	switch {
	case sniffedAllowed[sniffed]:
		ct = sniffed
	case sniffed == textUTF8 && utf8OK:
		ct = sniffed
	case sniffed == textUTF8:
		// Not UTF-8: Chinese offices still write GBK (GB 18030) text.
		if gb18030Text(f, size) {
			ct = TypeTextGB18030
		}
	case sniffed == "application/zip":
		ct = ooxmlType(f, size, fileName)
		if ct == "" && ofdPackage(f, size) {
			ct = TypeOFD
		}
	case sniffed == "application/octet-stream":
		ct = binaryType(f, fileName)
	}
	var fe domain.Fields
	if ct == "" {
		fe.Add("file", "validation.file_type")
		return "", fe.Err()
	}
	ext := extension(fileName)
	if want, known := extensionTypes[ext]; known && want != ct && !(want == textUTF8 && ct == TypeTextGB18030) {
		fe.Add("file", "validation.file_type_mismatch", "Ext", ext, "Type", typeLabels[ct])
		return "", fe.Err()
	}
	return ct, nil
}

// extensionTypes maps the extensions that say what a file is to the
// content type a file with that name must have. An extension of the
// allow-list names its type; one of a type outside it (a legacy Office
// file, an archive, a program, a web page) maps to "", which no accepted
// content has. Extensions not listed here, and names without one, say
// nothing and are not checked.
var extensionTypes = map[string]string{
	".pdf": "application/pdf",
	".png": "image/png",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".jfif": "image/jpeg",
	".gif":  "image/gif",
	".webp": "image/webp",
	".txt":  textUTF8, ".text": textUTF8, ".csv": textUTF8, ".md": textUTF8, ".log": textUTF8,
	".docx": TypeDOCX, ".xlsx": TypeXLSX, ".pptx": TypePPTX,
	".doc": TypeDOC, ".xls": TypeXLS, ".ppt": TypePPT, ".wps": TypeWPS, ".et": TypeET, ".dps": TypeDPS,
	".ofd": TypeOFD, ".tif": TypeTIFF, ".tiff": TypeTIFF,
	".rtf": "", ".odt": "", ".ods": "", ".odp": "",
	".zip": "", ".rar": "", ".7z": "", ".gz": "", ".tar": "",
	".exe": "", ".dll": "", ".msi": "", ".bat": "", ".cmd": "", ".com": "", ".scr": "", ".ps1": "", ".sh": "",
	".js": "", ".jar": "", ".apk": "", ".lnk": "",
	".html": "", ".htm": "", ".xhtml": "", ".svg": "", ".xml": "",
	".bmp": "", ".heic": "",
}

// typeLabels names the accepted content types for the mismatch message.
var typeLabels = map[string]string{
	"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP",
	textUTF8: "TXT", TypeDOCX: "DOCX", TypeXLSX: "XLSX", TypePPTX: "PPTX",
	TypeTextGB18030: "TXT (GBK)", TypeDOC: "DOC", TypeXLS: "XLS", TypePPT: "PPT", TypeWPS: "WPS", TypeET: "ET", TypeDPS: "DPS",
	TypeOFD: "OFD", TypeTIFF: "TIFF",
}

// extension returns the lower-case extension of a file name as the user
// gave it or as CleanFileName left it, with its dot: ".pdf" for
// "证据.PDF", for ".pdf" (a name that is nothing but an extension) and
// for "pdf" when the raw name was ".pdf"; "" when there is none. Only the
// last path element counts, and control and bidirectional-override
// characters are dropped first, as CleanFileName drops them, so that
// "evil\u202Efdp.exe" has the extension ".exe".
func extension(fileName string) string {
	name := CleanFileName(fileName)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return strings.ToLower(name[i:])
	}
	raw := fileName
	if i := strings.LastIndexAny(raw, `/\`); i >= 0 {
		raw = raw[i+1:]
	}
	if name != "" && strings.HasPrefix(strings.TrimSpace(raw), ".") {
		return "." + strings.ToLower(name)
	}
	return ""
}

// ooxmlType returns the Office Open XML content type of the zip in f when
// fileName ends in .docx, .xlsx or .pptx and the archive's directory holds
// both [Content_Types].xml and a part in the folder that extension implies
// (word/, xl/, ppt/); otherwise "". Only the central directory is read:
// nothing is decompressed, so a zip bomb costs nothing here.
func ooxmlType(f *os.File, size int64, fileName string) string {
	kind, ok := ooxmlKinds[extension(fileName)]
	if !ok {
		return ""
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return ""
	}
	var types, main bool
	for _, zf := range zr.File {
		switch {
		case zf.Name == "[Content_Types].xml":
			types = true
		case strings.HasPrefix(zf.Name, kind.prefix):
			main = true
		}
	}
	if types && main {
		return kind.contentType
	}
	return ""
}

// utf8Check is an io.Writer that checks whether everything written to it
// is valid UTF-8, carrying a rune split between two writes over to the
// next.
type utf8Check struct {
	tail []byte // the start of an incomplete rune at the end of the last write
	bad  bool
}

// Write checks p; it never fails.
func (u *utf8Check) Write(p []byte) (int, error) {
	if u.bad {
		return len(p), nil
	}
	buf := p
	if len(u.tail) > 0 {
		buf = append(bytes.Clone(u.tail), p...)
	}
	// Hold back a trailing incomplete rune: its lead byte is within the
	// last UTFMax-1 bytes.
	cut := len(buf)
	for i := len(buf) - 1; i >= 0 && i > len(buf)-utf8.UTFMax; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(buf[:cut]) {
		u.bad = true
		return len(p), nil
	}
	u.tail = bytes.Clone(buf[cut:])
	return len(p), nil
}

// valid reports whether everything written was valid UTF-8.
func (u *utf8Check) valid() bool { return !u.bad && len(u.tail) == 0 }
