package document

import (
	"bytes"
	"testing"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestDocumentPermissions: what the case service reports of casbin's
// document permissions decides, whatever else the access says. A viewer
// who sees the case but whose role does not read documents (the
// leadership office) lists none and downloads none, not even an ordinary
// one; one who handles the case only by supervising it reads but does
// not add.
func TestDocumentPermissions(t *testing.T) {
	f := newFixture(t, 1<<20)
	d, err := f.svc.Upload(as(f.clerk), UploadInput{CaseID: f.caseID, Kind: KindEvidence, FileName: "证据.pdf", Body: bytes.NewReader(pdfFile())})
	if err != nil {
		t.Fatal(err)
	}
	base := domain.CaseAccess{CaseID: f.caseID, OrgID: f.orgID, Status: domain.StatusMediating}
	oversight, supervisor := base, base
	supervisor.Handling, supervisor.SeesConfidential, supervisor.SeesPersonalData, supervisor.ReadsDocuments = true, true, true, true
	access := fakeAccess{{f.viewer.UserID, f.caseID}: oversight, {f.stranger.UserID, f.caseID}: supervisor}
	svc := NewService(Deps{DB: f.db, Blobs: f.blobs, Cases: access, Referrals: noReferrals{}, Audit: audit.New(f.db, nil), MaxBytes: 1 << 20})

	docs, err := svc.List(as(f.viewer), f.caseID)
	if err != nil || len(docs) != 0 {
		t.Errorf("oversight lists %v, %v; want none", docs, err)
	}
	_, _, err = svc.Download(as(f.viewer), d.ID)
	wantCode(t, err, domain.ENOTFOUND)

	docs, err = svc.List(as(f.stranger), f.caseID)
	if err != nil || len(docs) != 1 {
		t.Errorf("the supervisor lists %v, %v; want the document", docs, err)
	}
	_, err = svc.Upload(as(f.stranger), UploadInput{CaseID: f.caseID, Kind: KindEvidence, FileName: "b.pdf", Body: bytes.NewReader(pdfFile())})
	wantCode(t, err, domain.EFORBIDDEN)
	if _, err := svc.UploadAccess(as(f.stranger), f.caseID); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("UploadAccess for the supervisor: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM documents`); n != 1 {
		t.Errorf("%d documents, want only the clerk's", n)
	}
}

// TestUploadContentMustMatchExtension: a PNG named .pdf (or named
// nothing but ".pdf") is refused naming the field "file", with the
// extension and what the content is; nothing is stored.
func TestUploadContentMustMatchExtension(t *testing.T) {
	f := newFixture(t, 1<<20)
	for _, name := range []string{"证据.pdf", ".pdf", "SCAN.PDF"} {
		_, err := f.svc.Upload(as(f.clerk), UploadInput{CaseID: f.caseID, Kind: KindEvidence, FileName: name, Body: bytes.NewReader(pngFile(t))})
		fe := wantInvalid(t, err, "file", "validation.file_type_mismatch")
		if fe.Params["Ext"] != ".pdf" || fe.Params["Type"] != "PNG" {
			t.Errorf("%s: params %v", name, fe.Params)
		}
	}
	f.nothingStored(t)
}

func TestPutUploadExtensionMismatch(t *testing.T) {
	cases := []struct {
		name, file string
		body       []byte
		ext, typ   string
	}{
		{"png named pdf", "scan.pdf", pngFile(t), ".pdf", "PNG"},
		{"png named only .pdf", ".pdf", pngFile(t), ".pdf", "PNG"},
		{"png named .pdf in a path", `C:\证据\.pdf`, pngFile(t), ".pdf", "PNG"},
		{"pdf named txt", "x.txt", pdfFile(), ".txt", "PDF"},
		{"text named pdf", "笔录.PDF", []byte("第一次调解笔录\n"), ".pdf", "TXT"},
		{"jpeg named png", "photo.png", jpegFile(t), ".png", "JPEG"},
		{"png named html", "page.html", pngFile(t), ".html", "PNG"},
		{"pdf named exe behind a bidi override", "evil\u202Efdp.exe", pdfFile(), ".exe", "PDF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, dir := newBlobs(t)
			_, err := b.PutUpload(bytes.NewReader(c.body), 1<<20, c.file)
			fe := wantInvalid(t, err, "file", "validation.file_type_mismatch")
			if fe.Params["Ext"] != c.ext || fe.Params["Type"] != c.typ {
				t.Errorf("params %v, want Ext %s Type %s", fe.Params, c.ext, c.typ)
			}
			if got := filesIn(t, dir); len(got) != 0 {
				t.Errorf("files left: %v", got)
			}
		})
	}
	// Names that agree, or say nothing, pass.
	for _, c := range []struct{ file, want string }{
		{"scan.PNG", "image/png"}, {"photo.jpeg", "image/jpeg"}, {"清单.csv", "text/plain; charset=utf-8"},
		{"说明", "text/plain; charset=utf-8"}, {"说明.v2", "text/plain; charset=utf-8"},
	} {
		body := []byte("文本\n")
		switch c.want {
		case "image/png":
			body = pngFile(t)
		case "image/jpeg":
			body = jpegFile(t)
		}
		b, _ := newBlobs(t)
		st, err := b.PutUpload(bytes.NewReader(body), 1<<20, c.file)
		if err != nil || st.ContentType != c.want {
			t.Errorf("%s: %+v %v, want %s", c.file, st, err, c.want)
		}
	}
}
