package assistance_test

import (
	"io"
	"strconv"
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
	// The document service wrote them as it writes every document of a
	// case: a timeline entry and an audit row each.
	var events, audits int64
	fx.app.DB.Raw("SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'document_upload'", opened.Case.ID).Scan(&events)
	fx.app.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = 'document.upload' AND object_type = 'document' AND object_id IN ?`,
		[]string{strconv.FormatInt(docs[0].ID, 10), strconv.FormatInt(docs[1].ID, 10)}).Scan(&audits)
	if events != 2 || audits != 2 {
		t.Fatalf("timeline entries %d, audit rows %d for the 2 documents", events, audits)
	}
	// The enterprise follows the case as its applicant.
	var linked int64
	fx.app.DB.Raw(`SELECT count(*) FROM cases c JOIN case_parties p ON p.case_id = c.id AND p.position = 0
WHERE c.id = ? AND c.applicant_org_id = ? AND p.org_id = ?`, opened.Case.ID, app.ApplicantOrgID, app.ApplicantOrgID).Scan(&linked)
	if linked != 1 || opened.Case.ApplicantOrgID == nil || *opened.Case.ApplicantOrgID != app.ApplicantOrgID {
		t.Fatalf("the case is not linked to the enterprise %d: %+v", app.ApplicantOrgID, opened.Case.ApplicantOrgID)
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
