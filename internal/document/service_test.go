package document

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// fakeAccess stands in for the case service, which lives in another
// package: what each user may do with each case. A missing entry is a case
// the user may not see.
type fakeAccess map[[2]int64]domain.CaseAccess

// Access implements CaseAccessor.
func (f fakeAccess) Access(ctx context.Context, caseID int64) (domain.CaseAccess, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.CaseAccess{}, err
	}
	acc, ok := f[[2]int64{a.UserID, caseID}]
	if !ok {
		return domain.CaseAccess{}, domain.NotFound("case")
	}
	return acc, nil
}

// AddEventTx implements CaseAccessor as the case service does: one
// timeline row, in the caller's transaction, with no status change.
func (f fakeAccess) AddEventTx(ctx context.Context, tx *gorm.DB, caseID int64, a *domain.Actor, action string, detail map[string]any, at time.Time) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO case_events (case_id, at, actor_id, actor_name, action, detail) VALUES (?, ?, ?, ?, ?, ?::jsonb)`,
		caseID, at, a.UserID, a.Name(), action, string(raw)).Error
}

// noReferrals is a ReferralAccessor for a database without referrals:
// every referral is unknown.
type noReferrals struct{}

func (noReferrals) DocumentAccess(context.Context, int64) (int64, *int64, error) {
	return 0, nil, domain.NotFound("referral")
}

func (noReferrals) AttachAccess(context.Context, *gorm.DB, int64) (int64, *int64, error) {
	return 0, nil, domain.NotFound("referral")
}

// failingAuditor refuses every append, to make the upload transaction fail
// after the blob is stored.
type failingAuditor struct{}

func (failingAuditor) Append(context.Context, *gorm.DB, audit.Entry) error {
	return errors.New("audit log unavailable")
}

// fixture is a migrated database with one committee, one case, users with
// different access to it, and a Service over a temporary directory.
type fixture struct {
	db     *gorm.DB
	dir    string
	blobs  *Blobs
	svc    *Service
	orgID  int64
	caseID int64
	// Users: clerk works the case, party is a party, viewer sees the case
	// but neither works it nor is a party (say a court liaison), stranger
	// may not see it.
	clerk, party, viewer, stranger *domain.Actor
}

var testNow = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))

func newFixture(t *testing.T, maxBytes int64) *fixture {
	t.Helper()
	db := testenv.DB(t)
	f := &fixture{db: db}
	mustScan(t, db, &f.orgID, `INSERT INTO orgs (code, type, level, name_zh, short_code)
VALUES ('fz-ipmc', 'mediation_committee', 'city', '福州市知识产权纠纷人民调解委员会', '榕知调') RETURNING id`)
	user := func(name, display string) *domain.Actor {
		var id int64
		mustScan(t, db, &id, `INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, 'x') RETURNING id`, name, display)
		return &domain.Actor{UserID: id, Username: name, DisplayName: display}
	}
	f.clerk, f.party, f.viewer, f.stranger = user("clerk", "王书记员"), user("party", "甲公司"), user("viewer", "法院联络员"), user("stranger", "路人")
	mustScan(t, db, &f.caseID, `INSERT INTO cases (org_id, registration_number, number, number_year, number_seq, year, seq, source, dispute_type, summary, status, submitted_by)
VALUES (?, '（2026）榕知调登字第0001号', '（2026）榕知调字第0001号', 2026, 1, 2026, 1, 'direct', 'patent_infringement', '专利侵权纠纷', 'mediating', ?) RETURNING id`, f.orgID, f.clerk.UserID)
	base := domain.CaseAccess{CaseID: f.caseID, OrgID: f.orgID, Status: domain.StatusMediating}
	clerk, party, viewer := base, base, base
	clerk.Handling, clerk.Works, clerk.SeesConfidential, clerk.SeesPersonalData = true, true, true, true
	party.Party, party.SeesConfidential = true, true
	// The case service decides these from casbin; here every user who
	// sees the case reads its documents, and those who work it or are a
	// party add to them.
	clerk.ReadsDocuments, clerk.UploadsDocuments = true, true
	party.ReadsDocuments, party.UploadsDocuments = true, true
	viewer.ReadsDocuments = true
	access := fakeAccess{
		{f.clerk.UserID, f.caseID}:  clerk,
		{f.party.UserID, f.caseID}:  party,
		{f.viewer.UserID, f.caseID}: viewer,
	}
	f.blobs, f.dir = newBlobs(t)
	f.svc = NewService(Deps{DB: db, Blobs: f.blobs, Cases: access, Referrals: noReferrals{}, Audit: audit.New(db, nil), MaxBytes: maxBytes,
		Now: func() time.Time { return testNow }})
	return f
}

func mustScan(t *testing.T, db *gorm.DB, dest any, sql string, args ...any) {
	t.Helper()
	if err := db.Raw(sql, args...).Scan(dest).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func as(a *domain.Actor) context.Context {
	return domain.WithActor(context.Background(), a)
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	mustScan(t, f.db, &n, sql, args...)
	return n
}

// auditRow is what the tests read back from audit_log.
type auditRow struct {
	OrgID     *int64
	ActorID   *int64
	Action    string
	ObjectID  string
	Detail    string
	ActorName string
}

func (f *fixture) auditRows(t *testing.T, action string) []auditRow {
	t.Helper()
	var rows []auditRow
	if err := f.db.Raw(`SELECT org_id, actor_id, action, object_id, detail::text AS detail, actor_name
FROM audit_log WHERE action = ? ORDER BY id`, action).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("got %v (%s), want %s", err, got, code)
	}
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUploadAndDownload(t *testing.T) {
	f := newFixture(t, 1<<20)
	pdf := pdfFile()
	d, err := f.svc.Upload(as(f.clerk), UploadInput{CaseID: f.caseID, Kind: KindEvidence, FileName: "../../证据一.pdf", Body: bytes.NewReader(pdf)})
	if err != nil {
		t.Fatal(err)
	}
	want := Document{ID: d.ID, CaseID: f.caseID, Kind: KindEvidence, FileName: "证据一.pdf", SizeBytes: int64(len(pdf)),
		ContentType: "application/pdf", SHA256: sum(pdf), UploadedBy: f.clerk.UserID, UploadedAt: testNow.UTC().Truncate(time.Microsecond)}
	if d != want {
		t.Errorf("uploaded\n got %+v\nwant %+v", d, want)
	}

	// The row as stored, including the key that never leaves the package.
	var r row
	if err := f.db.Where("id = ?", d.ID).Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	if got := r.toDocument(); !got.UploadedAt.Equal(want.UploadedAt) {
		t.Errorf("stored uploaded_at %v", got.UploadedAt)
	} else if got.UploadedAt = want.UploadedAt; got != want {
		t.Errorf("stored %+v", got)
	}
	if files := filesIn(t, f.dir); len(files) != 1 || !strings.HasSuffix(files[0], r.StorageKey) {
		t.Errorf("files %v, key %s", files, r.StorageKey)
	}
	if raw, _ := json.Marshal(d); strings.Contains(string(raw), r.StorageKey) || strings.Contains(string(raw), "storage") {
		t.Errorf("JSON leaks the storage key: %s", raw)
	}

	// Audited in the org's chain, and on the case timeline.
	ups := f.auditRows(t, "document.upload")
	if len(ups) != 1 || ups[0].OrgID == nil || *ups[0].OrgID != f.orgID || *ups[0].ActorID != f.clerk.UserID ||
		ups[0].ObjectID != jsonNum(d.ID) || !strings.Contains(ups[0].Detail, sum(pdf)) || !strings.Contains(ups[0].Detail, "证据一.pdf") {
		t.Errorf("audit rows %+v", ups)
	}
	var ev struct {
		ActorID   int64
		ActorName string
		Detail    string
	}
	mustScan(t, f.db, &ev, `SELECT actor_id, actor_name, detail::text AS detail FROM case_events WHERE case_id = ? AND action = 'document_upload'`, f.caseID)
	var detail map[string]any
	if err := json.Unmarshal([]byte(ev.Detail), &detail); err != nil {
		t.Fatal(err)
	}
	if ev.ActorID != f.clerk.UserID || ev.ActorName != "王书记员" || detail["file_name"] != "证据一.pdf" || detail["sha256"] != sum(pdf) ||
		detail["kind"] != KindEvidence || detail["size_bytes"] != float64(len(pdf)) || detail["document_id"] != float64(d.ID) {
		t.Errorf("case event %+v", ev)
	}

	// Everyone who sees the case may download it; no read audit for an
	// ordinary document.
	for _, a := range []*domain.Actor{f.clerk, f.party, f.viewer} {
		got, body, err := f.svc.Download(as(a), d.ID)
		if err != nil {
			t.Fatalf("%s: %v", a.Username, err)
		}
		if b := readAll(t, body); !bytes.Equal(b, pdf) || got.ID != d.ID || got.SHA256 != sum(pdf) {
			t.Errorf("%s downloaded %+v", a.Username, got)
		}
	}
	if n := len(f.auditRows(t, "document.read")); n != 0 {
		t.Errorf("%d read audits for an ordinary document", n)
	}

	// Outside the case, or no such document: ENOTFOUND alike.
	_, _, err = f.svc.Download(as(f.stranger), d.ID)
	wantCode(t, err, domain.ENOTFOUND)
	_, _, err = f.svc.Download(as(f.clerk), d.ID+1000)
	wantCode(t, err, domain.ENOTFOUND)
	_, _, err = f.svc.Download(context.Background(), d.ID)
	wantCode(t, err, domain.EUNAUTHORIZED)
	_, err = f.svc.List(as(f.stranger), f.caseID)
	wantCode(t, err, domain.ENOTFOUND)
}

func jsonNum(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}

func TestUploadKinds(t *testing.T) {
	f := newFixture(t, 1<<20)
	cases := []struct {
		name, file string
		body       []byte
		want       string
	}{
		{"png", "scan.png", pngFile(t), "image/png"},
		{"text", "说明.txt", []byte("当事人陈述\n"), "text/plain; charset=utf-8"},
		{"docx", "调解申请书.docx", docxFile(t), TypeDOCX},
	}
	for _, c := range cases {
		// The party uploads: parties may attach their own material.
		d, err := f.svc.Upload(as(f.party), UploadInput{CaseID: f.caseID, Kind: KindApplication, FileName: c.file, Body: bytes.NewReader(c.body)})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d.ContentType != c.want || d.SHA256 != sum(c.body) || d.SizeBytes != int64(len(c.body)) || d.FileName != c.file {
			t.Errorf("%s: %+v", c.name, d)
		}
		_, body, err := f.svc.Download(as(f.clerk), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, body); !bytes.Equal(got, c.body) {
			t.Errorf("%s: read back %d bytes", c.name, len(got))
		}
	}
	if n := f.count(t, `SELECT count(*) FROM documents`); n != 3 {
		t.Errorf("%d rows", n)
	}
	if n := len(f.auditRows(t, "document.upload")); n != 3 {
		t.Errorf("%d upload audits", n)
	}
}

// nothingStored fails the test unless no document row and no file exist.
func (f *fixture) nothingStored(t *testing.T) {
	t.Helper()
	if n := f.count(t, `SELECT count(*) FROM documents`); n != 0 {
		t.Errorf("%d document rows", n)
	}
	if files := filesIn(t, f.dir); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
	if n := f.count(t, `SELECT count(*) FROM case_events`); n != 0 {
		t.Errorf("%d case events", n)
	}
	if n := len(f.auditRows(t, "document.upload")); n != 0 {
		t.Errorf("%d upload audits", n)
	}
}

func TestUploadRefused(t *testing.T) {
	f := newFixture(t, 1000)
	in := func(kind, name string, body []byte) UploadInput {
		return UploadInput{CaseID: f.caseID, Kind: kind, FileName: name, Body: bytes.NewReader(body)}
	}

	_, err := f.svc.Upload(as(f.clerk), in(KindEvidence, "big.txt", bytes.Repeat([]byte("a"), 1001)))
	fe := wantInvalid(t, err, "file", "validation.file_too_large")
	if fe.Params["Max"] != int64(1000) {
		t.Errorf("params %v", fe.Params)
	}
	for _, body := range [][]byte{
		append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...),
		[]byte("<!DOCTYPE html><html><body>hi</body></html>"),
	} {
		_, err = f.svc.Upload(as(f.clerk), in(KindEvidence, "x.pdf", body))
		wantInvalid(t, err, "file", "validation.file_type")
	}
	_, err = f.svc.Upload(as(f.clerk), in(KindEvidence, "agreement.pdf", docxFile(t)[:min(len(docxFile(t)), 1000)]))
	wantInvalid(t, err, "file", "validation.file_type")
	_, err = f.svc.Upload(as(f.clerk), in("secret_plans", "a.pdf", pdfFile()))
	wantInvalid(t, err, "kind", "validation.document_kind")
	_, err = f.svc.Upload(as(f.clerk), in("", "a.pdf", pdfFile()))
	wantInvalid(t, err, "kind", "validation.required")
	for _, name := range []string{"", "../", "..", "\x00", "dir/"} {
		_, err = f.svc.Upload(as(f.clerk), in(KindEvidence, name, pdfFile()))
		wantInvalid(t, err, "file_name", "validation.file_name")
	}
	_, err = f.svc.Upload(as(f.clerk), UploadInput{CaseID: f.caseID, Kind: KindEvidence, FileName: "a.pdf"})
	wantInvalid(t, err, "file", "validation.required")

	// Seeing the case is not enough to add to it.
	_, err = f.svc.Upload(as(f.viewer), in(KindEvidence, "a.pdf", pdfFile()))
	wantCode(t, err, domain.EFORBIDDEN)
	_, err = f.svc.Upload(as(f.stranger), in(KindEvidence, "a.pdf", pdfFile()))
	wantCode(t, err, domain.ENOTFOUND)
	_, err = f.svc.Upload(context.Background(), in(KindEvidence, "a.pdf", pdfFile()))
	wantCode(t, err, domain.EUNAUTHORIZED)

	f.nothingStored(t)
}

// When the transaction fails after the blob is stored, the blob goes too.
func TestUploadTransactionFailureRemovesBlob(t *testing.T) {
	f := newFixture(t, 1<<20)
	svc := NewService(Deps{DB: f.db, Blobs: f.blobs, Cases: f.svc.access, Referrals: noReferrals{}, Audit: failingAuditor{}, MaxBytes: 1 << 20})
	_, err := svc.Upload(as(f.clerk), UploadInput{CaseID: f.caseID, Kind: KindEvidence, FileName: "a.pdf", Body: bytes.NewReader(pdfFile())})
	if err == nil || !strings.Contains(err.Error(), "audit log unavailable") {
		t.Fatalf("got %v", err)
	}
	f.nothingStored(t)

	// A case that vanished between the access check and the insert (the
	// foreign key fails): same clean-up.
	missing := f.caseID + 999
	svc = NewService(Deps{DB: f.db, Blobs: f.blobs, Cases: fakeAccess{{f.clerk.UserID, missing}: {CaseID: missing, OrgID: f.orgID, Handling: true, Works: true,
		SeesConfidential: true, ReadsDocuments: true, UploadsDocuments: true}},
		Referrals: noReferrals{}, Audit: audit.New(f.db, nil), MaxBytes: 1 << 20})
	_, err = svc.Upload(as(f.clerk), UploadInput{CaseID: missing, Kind: KindEvidence, FileName: "a.pdf", Body: bytes.NewReader(pdfFile())})
	wantCode(t, err, domain.EINTERNAL)
	f.nothingStored(t)
}

func TestConfidential(t *testing.T) {
	f := newFixture(t, 1<<20)
	up := func(a *domain.Actor, kind, name string, confidential bool) Document {
		t.Helper()
		d, err := f.svc.Upload(as(a), UploadInput{CaseID: f.caseID, Kind: kind, FileName: name, Confidential: confidential,
			Body: strings.NewReader("内容 " + name)})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	open := up(f.clerk, KindEvidence, "公开证据.txt", false)
	secret := up(f.party, KindEvidence, "底价.txt", true) // a party shields its own evidence
	minutes := up(f.clerk, KindMinutes, "笔录.txt", false)
	ident := up(f.party, KindIdentity, "营业执照.txt", false)
	identByClerk := up(f.clerk, KindIdentity, "身份证.txt", false)
	if !secret.Confidential || !minutes.Confidential || ident.Confidential {
		t.Errorf("confidential flags: %v %v %v", secret.Confidential, minutes.Confidential, ident.Confidential)
	}

	ids := func(ds []Document) []int64 {
		out := []int64{}
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	list := func(a *domain.Actor) []int64 {
		t.Helper()
		ds, err := f.svc.List(as(a), f.caseID)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ds)
	}
	eq := func(a, b []int64) bool { return slices.Equal(a, b) }
	if got := list(f.clerk); !eq(got, []int64{open.ID, secret.ID, minutes.ID, ident.ID, identByClerk.ID}) {
		t.Errorf("clerk sees %v", got)
	}
	// The party sees confidential material, and identity documents only
	// when it uploaded them (it lacks SeesPersonalData in this fixture).
	if got := list(f.party); !eq(got, []int64{open.ID, secret.ID, minutes.ID, ident.ID}) {
		t.Errorf("party sees %v", got)
	}
	_, _, err := f.svc.Download(as(f.party), identByClerk.ID)
	wantCode(t, err, domain.ENOTFOUND)
	if got := list(f.viewer); !eq(got, []int64{open.ID}) {
		t.Errorf("viewer sees %v", got)
	}
	for _, d := range []Document{secret, minutes, ident} {
		_, _, err := f.svc.Download(as(f.viewer), d.ID)
		wantCode(t, err, domain.ENOTFOUND)
	}

	// The timeline names no confidential file.
	var details []string
	mustScan(t, f.db, &details, `SELECT detail::text FROM case_events WHERE action = 'document_upload' ORDER BY id`)
	if len(details) != 5 || !strings.Contains(details[0], "公开证据.txt") || strings.Contains(details[1], "底价") ||
		strings.Contains(details[1], secret.SHA256) || strings.Contains(details[2], "笔录") {
		t.Errorf("timeline details %v", details)
	}

	// Reads of confidential, minutes and identity documents are audited.
	for _, d := range []Document{secret, minutes, ident} {
		_, body, err := f.svc.Download(as(f.clerk), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		_ = readAll(t, body)
	}
	_, body, err := f.svc.Download(as(f.party), secret.ID)
	if err != nil {
		t.Fatal(err)
	}
	_ = readAll(t, body)
	reads := f.auditRows(t, "document.read")
	if len(reads) != 4 {
		t.Fatalf("read audits %+v", reads)
	}
	for i, want := range []struct {
		actor int64
		doc   int64
	}{{f.clerk.UserID, secret.ID}, {f.clerk.UserID, minutes.ID}, {f.clerk.UserID, ident.ID}, {f.party.UserID, secret.ID}} {
		r := reads[i]
		if r.OrgID == nil || *r.OrgID != f.orgID || r.ActorID == nil || *r.ActorID != want.actor || r.ObjectID != jsonNum(want.doc) {
			t.Errorf("read audit %d: %+v", i, r)
		}
	}
	// Refused reads leave no read audit, and the open one none either.
	if _, body, err := f.svc.Download(as(f.clerk), open.ID); err != nil {
		t.Fatal(err)
	} else {
		_ = readAll(t, body)
	}
	if n := len(f.auditRows(t, "document.read")); n != 4 {
		t.Errorf("%d read audits", n)
	}

	// The audit chain is intact.
	rep, err := audit.New(f.db, nil).Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("audit chain broken: %s", rep.Broken)
	}
}
