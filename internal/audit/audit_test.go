package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

func ptr(v int64) *int64 { return &v }

// tickingClock returns a now function that starts at a non-UTC instant with
// nanoseconds (which Append must convert and truncate) and advances one
// second per call.
func tickingClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// appendTx appends e in a transaction of its own and fails the test on error.
func appendTx(t testing.TB, db *gorm.DB, l *Log, ctx context.Context, e Entry) {
	t.Helper()
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return l.Append(ctx, tx, e) })
	if err != nil {
		t.Fatalf("append %s: %v", e.Action, err)
	}
}

// storedRows returns every audit row in id order.
func storedRows(t *testing.T, db *gorm.DB) []row {
	t.Helper()
	var rows []row
	if err := db.Raw(`SELECT ` + rowColumns + ` FROM audit_log ORDER BY id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// verifyOK runs Verify and fails the test unless the log is intact with
// the given numbers of chains and rows.
func verifyOK(t *testing.T, l *Log, chains, rows int) {
	t.Helper()
	rep, err := l.Verify(context.Background(), nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify: broken %s", rep.Broken)
	}
	if rep.Chains != chains || rep.Rows != rows {
		t.Fatalf("verify: %d chains, %d rows; want %d, %d", rep.Chains, rep.Rows, chains, rows)
	}
}

func TestNormalizeNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"0.000", "0"},
		{"7", "7"},
		{"-7", "-7"},
		{"100", "100"},
		{"1e2", "100"},
		{"1E+2", "100"},
		{"100.00", "100"},
		{"1.50", "1.5"},
		{"0.1", "0.1"},
		{"-0.001", "-0.001"},
		{"1e-7", "0.0000001"},
		{"12.5e-1", "1.25"},
		{"1e+21", "1000000000000000000000"},
		{"9223372036854775807", "9223372036854775807"},
		{"123.456e2", "12345.6"},
	}
	for _, tt := range tests {
		got, err := normalizeNumber(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("normalizeNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := normalizeNumber("1e999999"); err == nil {
		t.Error("normalizeNumber(1e999999): want an out-of-range error")
	}
}

func TestAppendWritesLinkedChains(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, tickingClock())
	ctx := domain.WithActor(context.Background(), &domain.Actor{UserID: 7, Username: "alice"})
	ctx = domain.WithRequestMeta(ctx, domain.RequestMeta{IP: "10.0.0.1", RequestID: "req-1"})

	entries := []Entry{
		{OrgID: ptr(1), Action: "case.accept", ObjectType: "case", ObjectID: "42",
			Detail: map[string]any{"before": "submitted", "after": "accepted"}},
		{OrgID: ptr(2), Action: "user.create", ObjectType: "user", ObjectID: "9"},
		{Action: "auth.login_failed", ActorID: ptr(99), ActorName: "mallory", IP: "192.0.2.1", RequestID: "req-2",
			Detail: map[string]any{"reason": "bad_password", "failures": 3}},
		{OrgID: ptr(1), Action: "case.assign", ObjectType: "case", ObjectID: "42",
			// Values whose JSON text PostgreSQL's jsonb rewrites: the hash
			// must not depend on how the detail is spelt.
			Detail: map[string]any{
				"float": 0.1, "big": 1e21, "tiny": 1e-7, "exact": json.Number("1.50"), "neg_zero": json.Number("-0.0"),
				"int64": int64(9223372036854775807), "html": "<a & b>", "zh": "调解员 张三",
				"nul": "a\x00b", "bad_utf8": "a\xffb", "nested": map[string]any{"z": []any{1, "two", nil, true}, "a": map[string]any{}},
				"long key that jsonb sorts after short ones": 1, "k": 2,
			}},
		{OrgID: ptr(10), Action: "role.grant", Detail: map[string]any{}},
	}
	for _, e := range entries {
		appendTx(t, db, l, ctx, e)
	}

	rows := storedRows(t, db)
	if len(rows) != len(entries) {
		t.Fatalf("%d rows stored, want %d", len(rows), len(entries))
	}
	type summary struct {
		Chain              string
		Seq                int64
		ActorID            *int64
		ActorName, IP, Req string
		FirstInChain       bool
	}
	want := []summary{
		{"org:1", 1, ptr(7), "alice", "10.0.0.1", "req-1", true},
		{"org:2", 1, ptr(7), "alice", "10.0.0.1", "req-1", true},
		{"system", 1, ptr(99), "mallory", "192.0.2.1", "req-2", true},
		{"org:1", 2, ptr(7), "alice", "10.0.0.1", "req-1", false},
		{"org:10", 1, ptr(7), "alice", "10.0.0.1", "req-1", true},
	}
	var got []summary
	for _, r := range rows {
		got = append(got, summary{r.Chain, r.Seq, r.ActorID, r.ActorName, r.IP, r.RequestID, r.PrevHash == zeroHash})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored rows (-want +got):\n%s", diff)
	}
	if rows[3].PrevHash != rows[0].Hash {
		t.Errorf("org:1 seq 2 prev_hash = %s, want seq 1's hash %s", rows[3].PrevHash, rows[0].Hash)
	}
	wantAt := time.Date(2026, 3, 1, 0, 0, 1, 123456000, time.UTC)
	if !rows[0].OccurredAt.Equal(wantAt) {
		t.Errorf("occurred_at = %s, want %s (UTC, microseconds)", rows[0].OccurredAt, wantAt)
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(rows[3].Detail), &detail); err != nil {
		t.Fatal(err)
	}
	if detail["nul"] != "a\uFFFDb" || detail["bad_utf8"] != "a\uFFFDb" || detail["html"] != "<a & b>" {
		t.Errorf("stored detail strings = %q, %q, %q", detail["nul"], detail["bad_utf8"], detail["html"])
	}
	verifyOK(t, l, 4, len(entries))
}

func TestAppendConcurrentWritersKeepChainsGapless(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, nil)
	const (
		writers = 24
		each    = 15
		orgs    = 4
	)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				// Writers spread over four org chains and the system
				// chain; every chain sees contention from the start,
				// including the race to create its head.
				var org *int64
				if k := (w + i) % (orgs + 1); k < orgs {
					org = ptr(int64(k + 1))
				}
				err := db.Transaction(func(tx *gorm.DB) error {
					return l.Append(context.Background(), tx, Entry{OrgID: org, Action: "case.read",
						Detail: map[string]any{"writer": w, "i": i}})
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	type chainStats struct {
		Chain    string
		N, First int64
		Last     int64
	}
	var stats []chainStats
	if err := db.Raw(`SELECT chain, count(*) AS n, min(seq) AS first, max(seq) AS last FROM audit_log GROUP BY chain ORDER BY chain`).Scan(&stats).Error; err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, s := range stats {
		if s.First != 1 || s.Last != s.N {
			t.Errorf("chain %s: %d rows with seqs %d..%d, want 1..%d", s.Chain, s.N, s.First, s.Last, s.N)
		}
		total += s.N
	}
	if len(stats) != orgs+1 || total != writers*each {
		t.Errorf("%d chains, %d rows; want %d, %d", len(stats), total, orgs+1, writers*each)
	}
	verifyOK(t, l, orgs+1, writers*each)
}

func TestAppendRollsBackWithTheTransaction(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, nil)
	ctx := context.Background()
	appendTx(t, db, l, ctx, Entry{OrgID: ptr(1), Action: "case.accept"})

	errBusiness := errors.New("business change failed")
	for _, org := range []*int64{ptr(1), ptr(2)} { // an existing and a new chain
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := l.Append(ctx, tx, Entry{OrgID: org, Action: "case.close"}); err != nil {
				return err
			}
			return errBusiness
		})
		if !errors.Is(err, errBusiness) {
			t.Fatalf("transaction: %v, want the business error", err)
		}
	}
	var n, heads int64
	db.Raw(`SELECT count(*) FROM audit_log`).Scan(&n)
	db.Raw(`SELECT count(*) FROM audit_chain_heads`).Scan(&heads)
	if n != 1 || heads != 1 {
		t.Errorf("after rollbacks: %d rows, %d chain heads; want 1, 1", n, heads)
	}
	// The rolled-back seq is reused: the chain stays gapless.
	appendTx(t, db, l, ctx, Entry{OrgID: ptr(1), Action: "case.close"})
	verifyOK(t, l, 1, 2)
}

func TestAppendWithoutTransaction(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, nil)
	ctx := context.Background()
	// nil and a plain handle both get a transaction of their own.
	if err := l.Append(ctx, nil, Entry{Action: "auth.login_throttled"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, db, Entry{Action: "auth.login_throttled"}); err != nil {
		t.Fatal(err)
	}
	verifyOK(t, l, 1, 2)
}

func TestAppendRejectsInvalidEntries(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, nil)
	tests := []struct {
		name  string
		entry Entry
		field string
	}{
		{"no action", Entry{OrgID: ptr(1)}, "action"},
		{"org id zero", Entry{OrgID: ptr(0), Action: "case.read"}, "org_id"},
		{"negative org id", Entry{OrgID: ptr(-3), Action: "case.read"}, "org_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Append(context.Background(), nil, tt.entry)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.EINVALID || len(de.Fields) != 1 || de.Fields[0].Field != tt.field {
				t.Fatalf("Append = %v, want EINVALID naming %s", err, tt.field)
			}
		})
	}
	err := l.Append(context.Background(), nil, Entry{Action: "case.read", Detail: map[string]any{"n": json.Number("1e99999")}})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("out-of-range detail number: %v, want EINVALID", err)
	}
	var n int64
	db.Raw(`SELECT count(*) FROM audit_log`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows written by invalid entries", n)
	}
}

func TestAuditTablesRefuseChanges(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, nil)
	for range 3 {
		appendTx(t, db, l, context.Background(), Entry{OrgID: ptr(1), Action: "case.read"})
	}
	tests := []struct {
		name, sql, want string
	}{
		{"update", `UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2`, "audit_log is append-only: UPDATE"},
		{"delete", `DELETE FROM audit_log WHERE seq = 2`, "audit_log is append-only: DELETE"},
		{"truncate", `TRUNCATE audit_log`, "audit_log is append-only: TRUNCATE"},
		{"rewind head", `UPDATE audit_chain_heads SET last_seq = 1`, "may only advance by one seq"},
		{"forge head", `INSERT INTO audit_chain_heads (chain, last_seq) VALUES ('org:2', 5)`, "must start at seq 0"},
		{"delete head", `DELETE FROM audit_chain_heads`, "cannot be removed"},
		{"truncate heads", `TRUNCATE audit_chain_heads`, "cannot be removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Exec(tt.sql).Error
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%s: %v, want an error containing %q", tt.sql, err, tt.want)
			}
		})
	}
	verifyOK(t, l, 1, 3)
}

// tamper runs sql with the append-only trigger disabled, in one
// transaction, so no other session ever sees the table unprotected. The
// test connection is the superuser, which is exactly whom the hash chain
// guards against.
func tamper(t *testing.T, db *gorm.DB, sql string) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, s := range []string{
			`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
			sql,
			`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`,
		} {
			res := tx.Exec(s)
			if res.Error != nil {
				return fmt.Errorf("%s: %w", s, res.Error)
			}
			if s == sql && res.RowsAffected != 1 {
				return fmt.Errorf("%s: %d rows affected, want 1", s, res.RowsAffected)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

func TestVerifyNamesTheFirstBrokenRow(t *testing.T) {
	// Every case starts from the same log: chains org:1, org:2 and system
	// with five rows each, appended interleaved.
	type target struct {
		chain string
		seq   int64 // 0: no row (ID 0)
	}
	tests := []struct {
		name   string
		sql    string // %s is replaced by the chain under attack
		rehash bool   // then recompute the altered row's hash, as a forger would
		broken target
		reason string
	}{
		{name: "detail changed",
			sql:    `UPDATE audit_log SET detail = '{"after": "rejected", "step": 2}' WHERE chain = '%s' AND seq = 3`,
			broken: target{"org:2", 3}, reason: "content does not match its hash"},
		{name: "actor name changed",
			sql:    `UPDATE audit_log SET actor_name = 'bob' WHERE chain = '%s' AND seq = 2`,
			broken: target{"org:1", 2}, reason: "content does not match its hash"},
		{name: "time changed",
			sql:    `UPDATE audit_log SET occurred_at = occurred_at - interval '1 day' WHERE chain = '%s' AND seq = 5`,
			broken: target{"system", 5}, reason: "content does not match its hash"},
		{name: "org cleared",
			sql:    `UPDATE audit_log SET org_id = NULL WHERE chain = '%s' AND seq = 1`,
			broken: target{"org:2", 1}, reason: "content does not match its hash"},
		{name: "hash replaced",
			sql:    `UPDATE audit_log SET hash = repeat('a', 64) WHERE chain = '%s' AND seq = 2`,
			broken: target{"org:2", 2}, reason: "content does not match its hash"},
		{name: "row altered and rehashed",
			// A forger who recomputes the hash of the row they changed
			// still breaks the link from the next row.
			sql:    `UPDATE audit_log SET actor_name = 'bob' WHERE chain = '%s' AND seq = 2`,
			rehash: true,
			broken: target{"org:1", 3}, reason: "prev_hash does not match the hash of the previous row"},
		{name: "link rewritten",
			sql:    `UPDATE audit_log SET prev_hash = repeat('b', 64) WHERE chain = '%s' AND seq = 4`,
			broken: target{"org:1", 4}, reason: "prev_hash does not match"},
		{name: "middle row deleted",
			sql:    `DELETE FROM audit_log WHERE chain = '%s' AND seq = 3`,
			broken: target{"org:2", 4}, reason: "seq 4 follows seq 2"},
		{name: "first row deleted",
			sql:    `DELETE FROM audit_log WHERE chain = '%s' AND seq = 1`,
			broken: target{"system", 2}, reason: "starts at seq 2 instead of 1"},
		{name: "last row deleted",
			sql:    `DELETE FROM audit_log WHERE chain = '%s' AND seq = 5`,
			broken: target{"org:1", 4}, reason: "the chain head is at seq 5 but the last row is seq 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := testenv.DB(t)
			l := New(db, tickingClock())
			ctx := context.Background()
			for i := range 5 {
				for _, org := range []*int64{ptr(1), ptr(2), nil} {
					appendTx(t, db, l, ctx, Entry{OrgID: org, ActorID: ptr(3), ActorName: "alice", Action: "case.update",
						ObjectType: "case", ObjectID: fmt.Sprint(i), Detail: map[string]any{"after": "accepted", "step": i}})
				}
			}
			verifyOK(t, l, 3, 15)

			tamper(t, db, fmt.Sprintf(tt.sql, tt.broken.chain))
			if tt.rehash {
				var r row
				if err := db.Raw(`SELECT `+rowColumns+` FROM audit_log WHERE chain = ? AND seq = ?`, tt.broken.chain, tt.broken.seq-1).Scan(&r).Error; err != nil {
					t.Fatal(err)
				}
				sum, err := r.computeHash()
				if err != nil {
					t.Fatal(err)
				}
				tamper(t, db, fmt.Sprintf(`UPDATE audit_log SET hash = '%s' WHERE id = %d`, sum, r.ID))
			}
			var wantID int64
			if tt.broken.seq > 0 {
				if err := db.Raw(`SELECT id FROM audit_log WHERE chain = ? AND seq = ?`, tt.broken.chain, tt.broken.seq).Scan(&wantID).Error; err != nil || wantID == 0 {
					t.Fatalf("look up row %s/%d: %v", tt.broken.chain, tt.broken.seq, err)
				}
			}

			rep, err := l.Verify(ctx, nil)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if rep.OK() {
				t.Fatalf("verify: OK after %s", tt.name)
			}
			want := Broken{ID: wantID, Chain: tt.broken.chain, Seq: tt.broken.seq}
			got := *rep.Broken
			reason := got.Reason
			got.Reason = ""
			if diff := cmp.Diff(want, got); diff != "" || !strings.Contains(reason, tt.reason) {
				t.Errorf("broken row (-want +got):\n%s\nreason %q, want it to contain %q", diff, reason, tt.reason)
			}
		})
	}
}

func TestVerifyReportsProgressAndWalksLongChains(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, nil)
	ctx := context.Background()
	// More rows than one batch, so the keyset pagination is exercised.
	n := verifyBatch*2 + 17
	err := db.Transaction(func(tx *gorm.DB) error {
		for i := range n {
			if err := l.Append(ctx, tx, Entry{OrgID: ptr(1), Action: "case.read", ObjectID: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		return l.Append(ctx, tx, Entry{Action: "system.start"})
	})
	if err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	rep, err := l.Verify(ctx, func(chains, rows int) { calls = append(calls, [2]int{chains, rows}) })
	if err != nil || !rep.OK() || rep.Chains != 2 || rep.Rows != n+1 {
		t.Fatalf("verify = %+v, %v; want OK, 2 chains, %d rows", rep, err, n+1)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] < calls[i-1][1] {
			t.Fatalf("progress went backwards: %v", calls)
		}
	}
	if last := calls[len(calls)-1]; last != [2]int{2, n + 1} {
		t.Errorf("last progress = %v, want [2 %d]", last, n+1)
	}

	// A gap deep in the second batch is found at the right row.
	tamper(t, db, fmt.Sprintf(`DELETE FROM audit_log WHERE chain = 'org:1' AND seq = %d`, verifyBatch+5))
	rep, err = l.Verify(ctx, nil)
	if err != nil || rep.OK() || rep.Broken.Seq != int64(verifyBatch+6) {
		t.Fatalf("verify after delete = %+v, %v; want broken at seq %d", rep, err, verifyBatch+6)
	}
	if rep.Rows != verifyBatch+5 || rep.Chains != 1 {
		t.Errorf("verify counted %d rows in %d chains up to the break, want %d in 1", rep.Rows, rep.Chains, verifyBatch+5)
	}
}

func TestList(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, tickingClock()) // row i (1-based) occurs at 2026-03-01T00:00:i.123456Z
	ctx := context.Background()
	seed := []Entry{
		{OrgID: ptr(1), ActorID: ptr(7), ActorName: "alice", Action: "case.accept", ObjectType: "case", ObjectID: "1", Detail: map[string]any{"after": "accepted"}},
		{OrgID: ptr(1), ActorID: ptr(8), ActorName: "bob", Action: "case.assign", ObjectType: "case", ObjectID: "1"},
		{OrgID: ptr(2), ActorID: ptr(7), ActorName: "alice", Action: "case.read", ObjectType: "case", ObjectID: "2"},
		{ActorID: ptr(9), ActorName: "root", Action: "user.create", ObjectType: "user", ObjectID: "8"},
		{OrgID: ptr(2), ActorID: ptr(8), ActorName: "bob", Action: "case_x.odd"},
		{OrgID: ptr(1), Action: "auth.login_failed", Detail: map[string]any{"reason": "bad_password"}},
		{OrgID: ptr(1), ActorID: ptr(7), ActorName: "alice", Action: "case.accepted_late"},
	}
	for _, e := range seed {
		appendTx(t, db, l, ctx, e)
	}
	ids := map[int]int64{} // seed index (1-based) -> id
	for i, r := range storedRows(t, db) {
		ids[i+1] = r.ID
	}
	at := func(sec int) time.Time { return time.Date(2026, 3, 1, 0, 0, sec, 123456000, time.UTC) }

	tests := []struct {
		name   string
		filter Filter
		want   []int // seed indexes, newest first
	}{
		{"everything", Filter{}, []int{7, 6, 5, 4, 3, 2, 1}},
		{"org", Filter{OrgID: ptr(1)}, []int{7, 6, 2, 1}},
		{"actor", Filter{ActorID: ptr(7)}, []int{7, 3, 1}},
		{"action prefix", Filter{Action: "case."}, []int{7, 3, 2, 1}},
		{"action exact and longer", Filter{Action: "case.accept"}, []int{7, 1}},
		{"underscore is literal", Filter{Action: "case_"}, []int{5}},
		{"percent is literal", Filter{Action: "%"}, nil},
		{"from inclusive", Filter{From: at(5)}, []int{7, 6, 5}},
		{"to exclusive", Filter{To: at(3)}, []int{2, 1}},
		{"window", Filter{From: at(2), To: at(6)}, []int{5, 4, 3, 2}},
		{"org and actor and action", Filter{OrgID: ptr(1), ActorID: ptr(7), Action: "case.acc"}, []int{7, 1}},
		{"nothing matches", Filter{OrgID: ptr(3)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, next, err := l.List(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			for _, i := range tt.want {
				want = append(want, ids[i])
			}
			if diff := cmp.Diff(want, got); diff != "" || next != "" {
				t.Errorf("ids (-want +got):\n%s\nnext cursor %q, want none", diff, next)
			}
		})
	}

	t.Run("record fields", func(t *testing.T) {
		items, _, err := l.List(ctx, Filter{ActorID: ptr(7), Action: "case.accept", Limit: 1})
		if err != nil || len(items) != 1 {
			t.Fatalf("List = %v, %v", items, err)
		}
		r := items[0]
		if r.ID != ids[7] || r.Chain != "org:1" || r.Seq != 4 || !r.OccurredAt.Equal(at(7)) || r.OccurredAt.Location() != time.UTC ||
			*r.OrgID != 1 || *r.ActorID != 7 || r.ActorName != "alice" || len(r.Hash) != 64 || len(r.PrevHash) != 64 {
			t.Errorf("record = %+v", r)
		}
		b, err := json.Marshal(items[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{`"id":`, `"chain":"org:1"`, `"seq":4`, `"occurred_at":"2026-03-01T00:00:07.123456Z"`, `"org_id":1`,
			`"actor_id":7`, `"actor_name":"alice"`, `"action":"case.accepted_late"`, `"object_type":""`, `"object_id":""`,
			`"detail":{}`, `"ip":""`, `"request_id":""`, `"hash":"`} {
			if !strings.Contains(string(b), key) {
				t.Errorf("JSON %s lacks %s", b, key)
			}
		}
	})

	t.Run("cursor pagination", func(t *testing.T) {
		for _, limit := range []int{1, 2, 3, 7} {
			var got []int64
			cursor, pages := "", 0
			for {
				items, next, err := l.List(ctx, Filter{Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(items) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(items))
				}
				for _, it := range items {
					got = append(got, it.ID)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			want := []int64{ids[7], ids[6], ids[5], ids[4], ids[3], ids[2], ids[1]}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("limit %d: ids over all pages (-want +got):\n%s", limit, diff)
			}
			if wantPages := (7 + limit - 1) / limit; pages != wantPages {
				t.Errorf("limit %d: %d pages, want %d", limit, pages, wantPages)
			}
		}
		// A cursor keeps the filter's page boundaries.
		items, next, err := l.List(ctx, Filter{OrgID: ptr(1), Limit: 3})
		if err != nil || len(items) != 3 || next == "" {
			t.Fatalf("first org page: %d items, next %q, %v", len(items), next, err)
		}
		items, next, err = l.List(ctx, Filter{OrgID: ptr(1), Limit: 3, Cursor: next})
		if err != nil || len(items) != 1 || items[0].ID != ids[1] || next != "" {
			t.Fatalf("second org page: %+v, next %q, %v", items, next, err)
		}
	})

	t.Run("invalid cursor", func(t *testing.T) {
		for _, c := range []string{"not a cursor!", "AAAA", keyset.ID(0), keyset.ID(-5)} {
			_, _, err := l.List(ctx, Filter{Cursor: c})
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.EINVALID || len(de.Fields) != 1 || de.Fields[0].Field != "cursor" {
				t.Errorf("cursor %q: %v, want EINVALID naming cursor", c, err)
			}
		}
	})
}

func TestListLimits(t *testing.T) {
	db := testenv.DB(t)
	l := New(db, nil)
	ctx := context.Background()
	err := db.Transaction(func(tx *gorm.DB) error {
		for range MaxLimit + 5 {
			if err := l.Append(ctx, tx, Entry{Action: "case.read"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit, want int
	}{{0, DefaultLimit}, {-1, DefaultLimit}, {10, 10}, {MaxLimit, MaxLimit}, {MaxLimit + 1, MaxLimit}, {100000, MaxLimit}}
	for _, tt := range tests {
		items, next, err := l.List(ctx, Filter{Limit: tt.limit})
		if err != nil || len(items) != tt.want || next == "" {
			t.Errorf("limit %d: %d items, next %q, %v; want %d and a next cursor", tt.limit, len(items), next, err, tt.want)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	db := testenv.DB(b)
	l := New(db, nil)
	ctx := domain.WithActor(context.Background(), &domain.Actor{UserID: 7, Username: "alice"})
	ctx = domain.WithRequestMeta(ctx, domain.RequestMeta{IP: "10.0.0.1", RequestID: "bench"})
	detail := map[string]any{"before": map[string]any{"status": "submitted"}, "after": map[string]any{"status": "accepted"}}

	// One organisation: every append waits for the previous one's commit.
	b.Run("one_chain", func(b *testing.B) {
		for b.Loop() {
			appendTx(b, db, l, ctx, Entry{OrgID: ptr(1), Action: "case.accept", ObjectType: "case", ObjectID: "42", Detail: detail})
		}
	})
	// Many organisations at once: each goroutine writes its own chain, so
	// the chains' locks never meet.
	b.Run("parallel_chains", func(b *testing.B) {
		var next atomic.Int64
		next.Store(1000)
		b.RunParallel(func(pb *testing.PB) {
			org := ptr(next.Add(1))
			for pb.Next() {
				appendTx(b, db, l, ctx, Entry{OrgID: org, Action: "case.accept", ObjectType: "case", ObjectID: "42", Detail: detail})
			}
		})
	})
}
