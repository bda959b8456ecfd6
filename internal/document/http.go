package document

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// ServeDownload writes d with the contents body as an HTTP response that
// a browser saves rather than renders (docs/design.md §12):
//
//   - Content-Type: the type sniffed at upload (application/octet-stream
//     when unknown), never the client's claim;
//   - Content-Disposition: attachment, with an ASCII fallback name and the
//     real name percent-encoded as UTF-8 in filename* (RFC 5987) when it
//     is not ASCII;
//   - X-Content-Type-Options: nosniff, and a Content-Security-Policy that
//     forbids everything in case a browser renders it anyway;
//   - Content-Length: the stored size;
//   - Cache-Control: private, no-store (no copy left in shared caches or
//     on the viewer's disk).
//
// A failure writing the body (the client went away) is ignored: the
// status has been sent by then.
func ServeDownload(w http.ResponseWriter, d Document, body io.Reader) {
	h := w.Header()
	ct := d.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", contentDisposition(d.FileName))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	if d.SizeBytes >= 0 {
		h.Set("Content-Length", strconv.FormatInt(d.SizeBytes, 10))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, body)
}

// contentDisposition returns the attachment header for a file name: the
// name is cleaned again (the document may not come from Upload), an ASCII
// fallback goes in filename= for old clients, and a name that is not
// ASCII goes percent-encoded in filename*= as well.
func contentDisposition(name string) string {
	name = CleanFileName(name)
	if name == "" {
		name = "download"
	}
	fallback := asciiFallback(name)
	v := mime.FormatMediaType("attachment", map[string]string{"filename": fallback})
	if v == "" {
		return "attachment"
	}
	if fallback != name {
		// FormatMediaType writes a non-ASCII value as filename*=utf-8''….
		if ext := mime.FormatMediaType("attachment", map[string]string{"filename": name}); ext != "" {
			v += strings.TrimPrefix(ext, "attachment")
		}
	}
	return v
}

// asciiFallback replaces each run of characters outside printable ASCII
// with one underscore, keeping the extension readable ("协议.pdf" gives
// "_.pdf").
func asciiFallback(name string) string {
	var b strings.Builder
	sub := false
	for _, r := range name {
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
			sub = false
			continue
		}
		if !sub {
			b.WriteByte('_')
			sub = true
		}
	}
	return b.String()
}
