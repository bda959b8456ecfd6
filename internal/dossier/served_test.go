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
	text := archivedText(t, fx, id)
	for _, want := range []string{"送达回证", "调解协议书", rs[0].PartyName, rs[1].PartyName, rs[0].SHA256[:16], "邮寄送达", "EMS1234567890"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dossier lacks %q", want)
		}
	}
}

// TestArchive_PartiesChoicesAndAttendanceInTheDossier: what the parties
// answered in their own view — each choice of mediator, the earlier ones
// too, and each attendance answer with its reason — is a part of the
// dossier, in the order it was given.
func TestArchive_PartiesChoicesAndAttendanceInTheDossier(t *testing.T) {
	fx := newFixture(t)
	id := fx.closedCase(1)
	party := fx.id(`SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent' ORDER BY id LIMIT 1`, id)
	mediator := fx.id(`SELECT id FROM users WHERE username = 'mediator1.gulou'`)
	access := fx.id(`INSERT INTO party_access (case_id, party_id, token_hash, created_at, expires_at)
VALUES (?, ?, md5('dossier-choice') || md5('x'), now(), now() + interval '30 days') RETURNING id`, id, party)
	fx.exec(`INSERT INTO party_mediator_choices (case_id, party_id, access_id, mediator_id, note, created_at)
VALUES (?, ?, ?, NULL, '先由委员会指定', now() - interval '3 days'), (?, ?, ?, ?, '熟悉软件著作权', now() - interval '2 days')`,
		id, party, access, id, party, access, mediator)
	fx.exec(`INSERT INTO party_attendance (case_id, party_id, access_id, session_at, attends, note, created_at)
VALUES (?, ?, ?, now() - interval '1 day', false, '出差在外，申请改期', now() - interval '2 days')`, id, party, access)

	text := archivedText(t, fx, id)
	for _, want := range []string{"当事人选择调解员及出席确认", "由调解委员会指定", "先由委员会指定", "熟悉软件著作权",
		"无法出席", "出差在外，申请改期"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dossier lacks %q", want)
		}
	}
	if strings.Index(text, "先由委员会指定") > strings.Index(text, "熟悉软件著作权") {
		t.Error("the choices are not in the order they were given")
	}
	if n := strings.Count(text, "当事人选择调解员及出席确认"); n < 2 {
		t.Errorf("the parties' answers are not both in the index and on their pages (%d times)", n)
	}
}

// archivedText archives case id as the 鼓楼 clerk and returns the text of
// every page of its dossier PDF as the director downloads it.
func archivedText(t *testing.T, fx *fixture, id int64) string {
	t.Helper()
	d, err := fx.a.Dossiers.Archive(fx.as("clerk.gulou"), id, dossier.Input{})
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	file := download(t, fx, "director.gulou", id, dossier.FilePDF)
	var all strings.Builder
	for n := 1; n <= d.PDFPages; n++ {
		all.WriteString(pageText(t, file, n))
	}
	return all.String()
}
