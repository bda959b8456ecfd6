package document

import (
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServeDownload(t *testing.T) {
	body := "%PDF-1.4 content"
	d := Document{ID: 7, FileName: "调解协议书（终稿）.pdf", ContentType: "application/pdf", SizeBytes: int64(len(body))}
	rec := httptest.NewRecorder()
	ServeDownload(rec, d, strings.NewReader(body))

	res := rec.Result()
	if res.StatusCode != http.StatusOK || rec.Body.String() != body {
		t.Fatalf("status %d body %q", res.StatusCode, rec.Body.String())
	}
	want := map[string]string{
		"Content-Type":            "application/pdf",
		"Content-Disposition":     "attachment; filename=_.pdf; filename*=utf-8''%E8%B0%83%E8%A7%A3%E5%8D%8F%E8%AE%AE%E4%B9%A6%EF%BC%88%E7%BB%88%E7%A8%BF%EF%BC%89.pdf",
		"X-Content-Type-Options":  "nosniff",
		"Content-Length":          "16",
		"Cache-Control":           "private, no-store",
		"Content-Security-Policy": "default-src 'none'; sandbox",
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// A standard parser gets the real name back.
	disp, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != d.FileName {
		t.Errorf("parsed %q %v %v", disp, params, err)
	}
}

func TestContentDisposition(t *testing.T) {
	cases := []struct{ name, want string }{
		{"report.pdf", "attachment; filename=report.pdf"},
		{"my report.pdf", `attachment; filename="my report.pdf"`},
		{`a "quoted" name.txt`, `attachment; filename="a \"quoted\" name.txt"`},
		// Header injection and path tricks are cleaned away again.
		{"x.pdf\r\nSet-Cookie: a=b", `attachment; filename="x.pdfSet-Cookie: a=b"`},
		{"../../etc/passwd", "attachment; filename=passwd"},
		{"", "attachment; filename=download"},
		{"证据 A.png", "attachment; filename=\"_ A.png\"; filename*=utf-8''%E8%AF%81%E6%8D%AE%20A.png"},
	}
	for _, c := range cases {
		got := contentDisposition(c.name)
		if got != c.want {
			t.Errorf("contentDisposition(%q) = %s, want %s", c.name, got, c.want)
		}
		if strings.ContainsAny(got, "\r\n\x00") {
			t.Errorf("contentDisposition(%q) has control characters", c.name)
		}
		if _, params, err := mime.ParseMediaType(got); err != nil || params["filename"] == "" {
			t.Errorf("contentDisposition(%q) does not parse: %v %v", c.name, params, err)
		}
	}
}

func TestServeDownloadUnknownType(t *testing.T) {
	rec := httptest.NewRecorder()
	ServeDownload(rec, Document{FileName: "x"}, strings.NewReader(""))
	if got := rec.Header().Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("Content-Type %q", got)
	}
}
