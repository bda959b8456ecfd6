package notice_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/pdf/pdftest"
)

func view(status domain.CaseStatus) cases.CaseView {
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	v := cases.CaseView{OrgName: "福州市鼓楼区知识产权纠纷人民调解委员会",
		Parties: []domain.Party{{ID: 1, Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司"},
			{ID: 2, Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某"}}}
	v.Number, v.Status, v.DisputeType, v.CreatedAt = "（2026）鼓知调字第0007号", status, domain.DisputeTrademark, at
	v.AcceptedAt, v.OutcomeAt, v.OutcomeReason, v.SuggestedRoute = &at, &at, "双方分歧过大。", domain.RouteLitigation
	v.Agreement = &domain.Agreement{Facts: "事实。", Terms: "条款。", RecorderName: "张伟"}
	next := time.Date(2026, 3, 9, 1, 30, 0, 0, time.UTC)
	v.Sessions = []domain.Session{{ID: 1, HeldAt: at, NextSessionAt: &next, CreatedAt: at}}
	return v
}

// TestPDF_EveryNoticeNamesItsCase: each notice that prints writes a PDF
// that parses, shows its title and the case number, and carries no image
// without a seal; a notice that does not print now is not found.
func TestPDF_EveryNoticeNamesItsCase(t *testing.T) {
	seal := pngSeal(t)
	for _, tc := range []struct {
		doc    notice.Doc
		status domain.CaseStatus
		title  string
		sealed bool
	}{
		{notice.DocAcceptance, domain.StatusMediating, "受理通知书", true},
		{notice.DocSession, domain.StatusMediating, "2026年3月9日9时30分", true},
		{notice.DocRejection, domain.StatusRejected, "不予受理通知书", true},
		{notice.DocTermination, domain.StatusFailed, "调解终止通知书", true},
		{notice.DocAgreement, domain.StatusAgreementDraft, "人民调解协议书", false},
	} {
		v := view(tc.status)
		n, err := notice.Build(v, tc.doc, func(k string) string { return k })
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		for _, s := range [][]byte{nil, seal} {
			b, err := notice.PDF(n, s, v.CreatedAt)
			if err != nil {
				t.Fatalf("%s: %v", tc.doc, err)
			}
			text, err := pdftest.Text(b)
			if err != nil {
				t.Fatalf("%s: %v", tc.doc, err)
			}
			j := pdftest.Joined(text)
			if !strings.Contains(j, v.Number) || !strings.Contains(j, tc.title) {
				t.Errorf("%s: no number or title in\n%s", tc.doc, text)
			}
			img := bytes.Contains(b, []byte("/Subtype /Image"))
			if want := s != nil && tc.sealed; img != want {
				t.Errorf("%s with seal %v: image %v, want %v", tc.doc, s != nil, img, want)
			}
		}
	}
	_, err := notice.Build(view(domain.StatusMediating), notice.DocRejection, func(k string) string { return k })
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.ENOTFOUND {
		t.Errorf("the rejection notice of a case being mediated: %v, want not found", err)
	}
}

// TestSessionNotice_OnlyWithANextSession: the session notice prints while
// mediating with a next session set, naming its time in Beijing time,
// and not otherwise.
func TestSessionNotice_OnlyWithANextSession(t *testing.T) {
	v := view(domain.StatusMediating)
	if !notice.Available(v, notice.DocSession) {
		t.Fatal("no session notice with a next session set")
	}
	n, err := notice.Build(v, notice.DocSession, func(k string) string { return k })
	if err != nil || n.Title != "调解通知书" {
		t.Fatalf("%+v %v", n, err)
	}
	v.Sessions[0].NextSessionAt = nil
	if notice.Available(v, notice.DocSession) {
		t.Error("a session notice without a next session")
	}
	if notice.Available(view(domain.StatusFailed), notice.DocSession) {
		t.Error("a session notice after mediation ended")
	}
}
