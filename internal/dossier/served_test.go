package dossier_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/service"
)

// TestArchive_ProofOfServiceInTheDossier: the notices served on the
// parties join the dossier as its proof of service (送达回证), one entry
// naming each party, the notice and the SHA-256 of the PDF served, with
// the other means of service recorded for a notice not opened.
func TestArchive_ProofOfServiceInTheDossier(t *testing.T) {
	fx := newFixture(t)
	id := fx.closedCase(1)
	rs, err := fx.a.Served.Serve(fx.as("clerk.gulou"), id, service.ServeInput{Doc: notice.DocAgreement})
	if err != nil || len(rs) != 2 {
		t.Fatalf("serve: %v %d", err, len(rs))
	}
	if _, err := fx.a.Served.RecordOtherMeans(fx.as("clerk.gulou"), rs[1].ID, service.OtherMeansInput{Method: service.MethodPost,
		ServedOn: fx.a.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"), TrackingNumber: "EMS1234567890"}); err != nil {
		t.Fatalf("other means: %v", err)
	}
	d, err := fx.a.Dossiers.Archive(fx.as("clerk.gulou"), id, dossier.Input{})
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	file := download(t, fx, "director.gulou", id, dossier.FilePDF)
	var all strings.Builder
	for n := 1; n <= d.PDFPages; n++ {
		all.WriteString(pageText(t, file, n))
	}
	text := all.String()
	for _, want := range []string{"送达回证", "调解协议书", rs[0].PartyName, rs[1].PartyName, rs[0].SHA256[:16], "邮寄送达", "EMS1234567890"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dossier lacks %q", want)
		}
	}
}
