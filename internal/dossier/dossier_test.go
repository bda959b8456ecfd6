package dossier_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/pdf"
	"github.com/ipmediate/ipmediate/internal/pdf/pdftest"
)

// fixture is the application with the demo organisations and users.
type fixture struct {
	t *testing.T
	a *app.App
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return &fixture{t: t, a: apptest.New(t, apptest.WithDemo())}
}

func (fx *fixture) id(q string, args ...any) int64 {
	return apptest.Scalar[int64](fx.t, fx.a, q, args...)
}

func (fx *fixture) exec(q string, args ...any) {
	fx.t.Helper()
	if err := fx.a.DB.Exec(q, args...).Error; err != nil {
		fx.t.Fatalf("%s: %v", q, err)
	}
}

func (fx *fixture) as(username string) context.Context { return apptest.As(fx.t, fx.a, username) }

// closedCase files a case with gulou as the clerk and puts it in the
// closed state with the rows that implies: accepted, numbered, mediated
// by mediator1, settled by an agreement in effect and closed.
func (fx *fixture) closedCase(n int) int64 {
	fx.t.Helper()
	org := fx.id("SELECT id FROM orgs WHERE code = 'gulou'")
	c, err := fx.a.Cases.Submit(fx.as("clerk.gulou"), cases.IntakeInput{
		OrgID: org, Source: domain.SourceDirect, DisputeType: domain.DisputeTrademark,
		Summary: "被申请人在其网店销售的商品上使用与申请人注册商标近似的标识。", Claims: "停止使用并赔偿损失。",
		ClaimAmountFen: 3_000_000,
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: fmt.Sprintf("福州闽江茶业有限公司%d", n)},
			{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: "某某电子商务商行"},
		},
	})
	if err != nil {
		fx.t.Fatalf("submit: %v", err)
	}
	now := fx.a.Clock.Now().UTC()
	m1 := fx.id("SELECT id FROM users WHERE username = 'mediator1.gulou'")
	fx.exec(`UPDATE cases SET status = 'closed', accepted_at = ?, respondent_consent_at = ?, number = ?, number_year = 2026, number_seq = ?, outcome = 'settled',
		outcome_at = ?, closed_at = ?, closing_note = '已履行' WHERE id = ?`, now, now, fmt.Sprintf("（2026）鼓知调字第%04d号", 900+n), 900+n, now, now, c.ID)
	fx.exec("INSERT INTO case_mediators (case_id, user_id, assigned_at, declared_at, declaration) VALUES (?, ?, ?, ?, '无利害关系')", c.ID, m1, now, now)
	fx.exec(`INSERT INTO case_agreements (case_id, facts, disputed_matters, responsibilities, terms, performance_method, effective_at, created_at)
		VALUES (?, '事实', '争议', '责任', '被申请人停止使用近似标识。', '一次性支付', ?, ?)`, c.ID, now, now)
	return c.ID
}

// upload adds a document to the case as the clerk.
func (fx *fixture) upload(caseID int64, kind, name string, body []byte) {
	fx.t.Helper()
	if _, err := fx.a.Docs.Upload(fx.as("clerk.gulou"), document.UploadInput{CaseID: caseID, Kind: kind, FileName: name,
		Body: bytes.NewReader(body)}); err != nil {
		fx.t.Fatalf("upload %s: %v", name, err)
	}
}

// evidencePDF is a one- or more-page PDF saying text.
func evidencePDF(t testing.TB, text string, pages int) []byte {
	t.Helper()
	d := pdf.New(pdf.Options{Title: text, Lang: "zh-CN"})
	for i := range pages {
		if i > 0 {
			d.NewPage()
		}
		d.Para(text)
	}
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pngImage(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for x := range 120 {
		for y := range 80 {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func conf() *model.Configuration {
	c := model.NewDefaultConfiguration()
	c.ValidationMode = model.ValidationRelaxed
	return c
}

// pageText is the text of page n of a PDF.
func pageText(t testing.TB, file []byte, n int) string {
	t.Helper()
	var one bytes.Buffer
	if err := api.Trim(bytes.NewReader(file), &one, []string{strconv.Itoa(n)}, conf()); err != nil {
		t.Fatalf("page %d: %v", n, err)
	}
	s, err := pdftest.Text(one.Bytes())
	if err != nil {
		t.Fatalf("page %d: %v", n, err)
	}
	return pdftest.Joined(s)
}

func readAll(t testing.TB, rc io.ReadCloser, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func download(t testing.TB, fx *fixture, who string, id int64, f dossier.File) []byte {
	t.Helper()
	rc, _, err := fx.a.Dossiers.Open(fx.as(who), id, f)
	return readAll(t, rc, err)
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestArchive_DossierHoldsTheCaseInOrderWithItsIndex(t *testing.T) {
	fx := newFixture(t)
	id := fx.closedCase(1)
	now := fx.a.Clock.Now().UTC()
	fx.exec(`INSERT INTO case_sessions (case_id, held_at, mode, place, attendees, minutes, next_steps, recorded_by)
		VALUES (?, ?, 'in_person', '鼓楼区调委会调解室', '双方当事人', '申请人陈述了商标注册及被申请人使用的情况。', '', ?)`,
		id, now.Add(-48*time.Hour), fx.id("SELECT id FROM users WHERE username = 'mediator1.gulou'"))
	evidence := evidencePDF(t, "证据材料甲：商标注册证复印件", 2)
	fx.upload(id, "evidence", "registration.pdf", evidence)
	photo := pngImage(t)
	fx.upload(id, "evidence", "photo.png", photo)
	note := []byte("网店页面截图说明\n")
	fx.upload(id, "other", "note.txt", note)

	notice := dossier.Item{Title: "受理通知书", Write: func(d *pdf.Document) {
		d.Title("受理通知书")
		d.Para("经审查，本委员会决定予以受理。")
	}}
	d, err := fx.a.Dossiers.Archive(fx.as("clerk.gulou"), id, dossier.Input{Notices: []dossier.Item{notice}})
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	year := fx.a.Clock.Now().In(time.FixedZone("CST", 8*3600)).Year()
	if want := dossier.ArchiveNumber(year, "鼓知调", 1); d.ArchiveNumber != want {
		t.Errorf("archive number = %q, want %q", d.ArchiveNumber, want)
	}

	file := download(t, fx, "director.gulou", id, dossier.FilePDF)
	if got := sum(file); got != d.PDFSHA256 {
		t.Errorf("the stored PDF's SHA-256 = %s, the dossier says %s", got, d.PDFSHA256)
	}
	pages, err := api.PageCount(bytes.NewReader(file), conf())
	if err != nil {
		t.Fatalf("the dossier does not parse: %v", err)
	}
	// cover, index, application, notice, session, evidence (2 pages),
	// photo, timeline: 9 pages.
	if pages != d.PDFPages || pages != 9 {
		t.Errorf("pages = %d, the dossier says %d, want 9", pages, d.PDFPages)
	}
	cover := pageText(t, file, 1)
	for _, want := range []string{"人民调解卷宗", d.ArchiveNumber, "（2026）鼓知调字第0901号", "福州闽江茶业有限公司1", "某某电子商务商行",
		"商标侵权", "立卷人"} {
		if !strings.Contains(cover, want) {
			t.Errorf("cover lacks %q:\n%s", want, cover)
		}
	}
	index := pageText(t, file, 2)
	// Each item starts on the page the index gives it.
	items := []struct {
		title string
		page  int
		text  string // on that page
	}{
		{"调解申请及受理登记", 3, "被申请人在其网店销售的商品上使用"},
		{"受理通知书", 4, "决定予以受理"},
		{"调解记录（第1次）", 5, "申请人陈述了商标注册"},
		{"证据材料：registration.pdf", 6, "证据材料甲"},
		{"证据材料：photo.png", 8, "photo.png"},
		{"案件流程记录", 9, "提交申请"},
	}
	for _, it := range items {
		if !strings.Contains(index, it.title+strconv.Itoa(it.page)) {
			t.Errorf("the index does not give %q page %d:\n%s", it.title, it.page, index)
		}
		if got := pageText(t, file, it.page); !strings.Contains(got, it.text) {
			t.Errorf("page %d (%s) lacks %q:\n%s", it.page, it.title, it.text, got)
		}
	}
	if !strings.Contains(index, "registration.pdf6–7") {
		t.Errorf("the index does not give the evidence pages 6–7:\n%s", index)
	}
	if !strings.Contains(index, "note.txt") || !strings.Contains(index, sum(note)[:16]) {
		t.Errorf("the index does not list the text file with its hash:\n%s", index)
	}

	// The ZIP: the PDF, the originals and a manifest whose hashes are the
	// stored bytes'.
	zb := download(t, fx, "director.gulou", id, dossier.FileZIP)
	if got := sum(zb); got != d.ZIPSHA256 {
		t.Errorf("the stored ZIP's SHA-256 = %s, the dossier says %s", got, d.ZIPSHA256)
	}
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		files[f.Name] = readAll(t, rc, err)
	}
	var manifest []dossier.ManifestEntry
	if err := json.Unmarshal(files[dossier.ManifestName], &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(manifest) != 4 || len(files) != 5 {
		t.Fatalf("manifest lists %d files, the ZIP holds %d; want 4 and 5 (with the manifest)", len(manifest), len(files))
	}
	originals := map[string][]byte{"dossier.pdf": file}
	for _, m := range manifest {
		b, ok := files[m.Name]
		if !ok {
			t.Errorf("manifest names %s, not in the ZIP", m.Name)
			continue
		}
		if sum(b) != m.SHA256 || int64(len(b)) != m.Size {
			t.Errorf("%s: manifest says %s (%d bytes), the ZIP holds %s (%d)", m.Name, m.SHA256, m.Size, sum(b), len(b))
		}
		for name, orig := range map[string][]byte{"registration.pdf": evidence, "photo.png": photo, "note.txt": note} {
			if strings.HasSuffix(m.Name, name) {
				originals[name] = orig
				if !bytes.Equal(b, orig) {
					t.Errorf("%s in the ZIP differs from the upload", m.Name)
				}
			}
		}
	}
	if len(originals) != 4 || !bytes.Equal(files[dossier.PDFName], file) {
		t.Errorf("the ZIP lacks an original or holds another PDF (found %d of 4)", len(originals))
	}

	// On the timeline, audited, and the case is marked archived.
	if n := fx.id("SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'archive'", id); n != 1 {
		t.Errorf("archive events = %d, want 1", n)
	}
	if n := fx.id("SELECT count(*) FROM audit_log WHERE action = 'case.archive' AND object_id = ?", strconv.FormatInt(id, 10)); n != 1 {
		t.Errorf("case.archive audit rows = %d, want 1", n)
	}
	if n := fx.id("SELECT count(*) FROM audit_log WHERE action = 'dossier.download' AND object_id = ?", strconv.FormatInt(id, 10)); n != 2 {
		t.Errorf("dossier.download audit rows = %d, want 2 (the PDF and the ZIP)", n)
	}

	// Archived twice: refused, and no number is spent.
	if _, err := fx.a.Dossiers.Archive(fx.as("clerk.gulou"), id, dossier.Input{}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second archive: %v, want a conflict", err)
	}
}

func TestArchive_WhoMayAndWhen(t *testing.T) {
	fx := newFixture(t)
	id := fx.closedCase(1)
	open := fx.closedCase(2)
	fx.exec("UPDATE cases SET status = 'mediating', closed_at = NULL WHERE id = ?", open)
	for _, tc := range []struct {
		desc, who string
		caseID    int64
		want      string
	}{
		{"a mediator of the committee may not", "mediator1.gulou", id, domain.EFORBIDDEN},
		{"another committee does not see the case", "director.cangshan", id, domain.ENOTFOUND},
		{"the leadership office may not", "leader", id, domain.EFORBIDDEN},
		{"a case still being mediated is not archived", "director.gulou", open, domain.ECONFLICT},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := fx.a.Dossiers.Archive(fx.as(tc.who), tc.caseID, dossier.Input{})
			if got := domain.ErrorCode(err); got != tc.want {
				t.Errorf("archive as %s: %v, want %s", tc.who, err, tc.want)
			}
		})
	}
	if n := fx.id("SELECT count(*) FROM case_dossiers"); n != 0 {
		t.Fatalf("%d dossiers after refusals", n)
	}
	if _, err := fx.a.Dossiers.Archive(fx.as("director.gulou"), id, dossier.Input{}); err != nil {
		t.Fatal(err)
	}
	// The refusals spent no number.
	if n := fx.id("SELECT archive_seq FROM case_dossiers WHERE case_id = ?", id); n != 1 {
		t.Errorf("first archive number's sequence = %d, want 1", n)
	}
	for _, tc := range []struct {
		who  string
		want string
	}{{"director.gulou", ""}, {"clerk.gulou", ""}, {"director.city", ""}, {"mediator1.gulou", domain.EFORBIDDEN},
		{"director.cangshan", domain.ENOTFOUND}, {"sme1", domain.ENOTFOUND}, {"leader", domain.EFORBIDDEN}} {
		_, _, err := fx.a.Dossiers.Open(fx.as(tc.who), id, dossier.FilePDF)
		if got := domain.ErrorCode(err); got != tc.want {
			t.Errorf("download as %s: %v, want %q", tc.who, err, tc.want)
		}
	}
}

func TestArchive_NumbersGaplessUnderConcurrency(t *testing.T) {
	fx := newFixture(t)
	const n = 6
	var ids []int64
	for i := range n {
		ids = append(ids, fx.closedCase(i+1))
	}
	open := fx.closedCase(99)
	fx.exec("UPDATE cases SET status = 'settled', closed_at = NULL WHERE id = ?", open)
	var wg sync.WaitGroup
	errs := make([]error, n+2)
	who := []string{"director.gulou", "clerk.gulou"}
	for i, id := range ids {
		wg.Go(func() {
			_, errs[i] = fx.a.Dossiers.Archive(fx.as(who[i%2]), id, dossier.Input{})
		})
	}
	// The same case twice at once, and a case that may not be archived.
	wg.Go(func() { _, errs[n] = fx.a.Dossiers.Archive(fx.as("clerk.gulou"), ids[0], dossier.Input{}) })
	wg.Go(func() { _, errs[n+1] = fx.a.Dossiers.Archive(fx.as("clerk.gulou"), open, dossier.Input{}) })
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			if domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("archive %d: %v", i, err)
			}
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d archives failed, want 2 (the repeated case and the settled one): %v", failed, errs)
	}
	var seqs []int
	if err := fx.a.DB.Raw("SELECT archive_seq FROM case_dossiers ORDER BY archive_seq").Scan(&seqs).Error; err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(seqs, want) {
		t.Errorf("archive sequences = %v, want %v", seqs, want)
	}
}

func TestArchive_ArchivedCaseRefusesChanges(t *testing.T) {
	fx := newFixture(t)
	id := fx.closedCase(1)
	if _, err := fx.a.Dossiers.Archive(fx.as("clerk.gulou"), id, dossier.Input{}); err != nil {
		t.Fatal(err)
	}
	version := int(fx.id("SELECT version FROM cases WHERE id = ?", id))
	events := fx.id("SELECT count(*) FROM case_events WHERE case_id = ?", id)
	today := fx.a.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	for _, tc := range []struct {
		desc string
		run  func() error
	}{
		{"a follow-up of the agreement", func() error {
			_, err := fx.a.Cases.RecordPerformance(fx.as("mediator1.gulou"), id, cases.PerformanceInput{Version: version,
				Result: domain.PerformancePerformed, PerformedOn: today})
			return err
		}},
		{"a document upload", func() error {
			_, err := fx.a.Docs.Upload(fx.as("clerk.gulou"), document.UploadInput{CaseID: id, Kind: "other", FileName: "a.txt",
				Body: strings.NewReader("补充材料")})
			return err
		}},
		{"a write that passes by the services", func() error {
			return fx.a.DB.Exec("UPDATE cases SET closing_note = 'changed' WHERE id = ?", id).Error
		}},
		{"a session row written directly", func() error {
			return fx.a.DB.Exec(`INSERT INTO case_sessions (case_id, held_at, mode, place, attendees, minutes, next_steps)
				VALUES (?, now(), 'phone', '', '', '', '')`, id).Error
		}},
		{"the dossier itself", func() error {
			return fx.a.DB.Exec("DELETE FROM case_dossiers WHERE case_id = ?", id).Error
		}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			err := tc.run()
			var de *domain.Error
			if !errors.As(err, &de) || de.ID != domain.MsgArchived {
				t.Errorf("got %v, want the archived refusal", err)
			}
		})
	}
	if v := int(fx.id("SELECT version FROM cases WHERE id = ?", id)); v != version {
		t.Errorf("version moved from %d to %d", version, v)
	}
	if n := fx.id("SELECT count(*) FROM case_events WHERE case_id = ?", id); n != events {
		t.Errorf("events: %d, want %d", n, events)
	}
	if n := fx.id("SELECT count(*) FROM documents WHERE case_id = ?", id); n != 0 {
		t.Errorf("documents: %d, want 0", n)
	}
}

// TestArchive_LargeCaseTakesSeconds archives a case with 200 timeline
// events and 50 uploaded documents (PDFs of one to three pages and
// images) and reports how long it took.
func TestArchive_LargeCaseTakesSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large dossier")
	}
	fx := newFixture(t)
	id := fx.closedCase(1)
	fx.exec(`INSERT INTO case_events (case_id, at, actor_name, action, detail)
		SELECT ?, now() - make_interval(mins => g), '调解员', 'sessions', '{}' FROM generate_series(1, 200) g`, id)
	photo := pngImage(t)
	for i := range 50 {
		if i%5 == 4 {
			fx.upload(id, "evidence", fmt.Sprintf("photo-%02d.png", i), photo)
			continue
		}
		fx.upload(id, "evidence", fmt.Sprintf("evidence-%02d.pdf", i), evidencePDF(t, fmt.Sprintf("证据材料第%d号", i), 1+i%3))
	}
	start := time.Now()
	d, err := fx.a.Dossiers.Archive(fx.as("clerk.gulou"), id, dossier.Input{})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("archived 201 events and 50 documents in %v: %d pages, PDF %d bytes, ZIP %d bytes", took, d.PDFPages, d.PDFSize, d.ZIPSize)
	if took > 60*time.Second {
		t.Errorf("archiving took %v; it should take seconds", took)
	}
}
