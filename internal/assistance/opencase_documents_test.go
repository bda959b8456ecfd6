package assistance_test

import (
	"io"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/assistance"
)

// TestOpenCase_CarriesTheDocuments: the files the SME sent with its
// application go with the case opened from it, so the committee reads
// the same evidence (same bytes, kind mapped) without asking again.
func TestOpenCase_CarriesTheDocuments(t *testing.T) {
	fx := newFixture(t)
	svc := fx.app.Assistance // with the file store
	sme, officer := fx.as("sme1"), fx.as("assistance.fz")
	app, err := svc.Apply(sme, goodApplication())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct{ kind, name, body string }{
		{"evidence", "展位照片说明.txt", "3号馆 A-12 展位陈列侵权包装"},
		{"right_certificate", "商标注册证.txt", "第12345678号 闽光"},
	} {
		if _, err := svc.Upload(sme, assistance.UploadInput{ApplicationID: app.ID, Kind: d.kind, FileName: d.name, Body: strings.NewReader(d.body)}); err != nil {
			t.Fatalf("upload %s: %v", d.name, err)
		}
	}
	v, err := svc.Get(officer, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	app, err = svc.Approve(officer, app.ID, assistance.ApproveInput{Version: v.Version, Help: []assistance.Help{assistance.HelpMediation}})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := svc.OpenCase(officer, app.ID, assistance.OpenCaseInput{Version: app.Version, OrgID: fx.org("gulou")})
	if err != nil {
		t.Fatal(err)
	}
	director := fx.as("director.gulou")
	docs, err := fx.app.Docs.List(director, opened.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Kind != "evidence" || docs[1].Kind != "evidence" || docs[1].FileName != "商标注册证.txt" {
		t.Fatalf("the case's documents: %+v", docs)
	}
	d, body, err := fx.app.Docs.Download(director, docs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	if b, _ := io.ReadAll(body); string(b) != "第12345678号 闽光" || d.SHA256 != docs[1].SHA256 {
		t.Fatalf("the committee reads %q", b)
	}
}
