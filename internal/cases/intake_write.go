package cases

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// An intake talks to the database in two statements inside its
// transaction (docs/benchmarks.md, "Intake in two statements"): the
// reservation takes the registration number, locks the committee's audit
// chain, draws the ids and reads the credit records and the desk; the
// write inserts the case, its parties, rights and timeline, the notices
// and the audit row, and advances the chain. Each round trip costs a
// busy two-core host as much as the work of a small statement, and an
// intake used to take a dozen.

// reservation is what reserveIntake read and took for one intake.
type reservation struct {
	ShortCode  string
	RegionCode string
	// Seq is the registration number's sequence, taken from
	// registration_counters, whose row stays locked until commit.
	Seq int
	// CaseID and EventID are drawn from the tables' sequences, so that
	// the audit row can name them before they are written.
	CaseID  int64
	EventID int64
	// PartyIDs, Members and Credit are JSON arrays: the parties' ids in
	// position order, the active members of the committee, and the
	// credit records shown today that name a respondent.
	PartyIDs string
	Members  string
	Credit   string
	// LastSeq and LastHash are the head of the committee's audit chain,
	// locked; nil when the chain has none yet.
	LastSeq  *int64
	LastHash *string

	partyIDs []int64
	members  []int64
	records  []creditHit
}

// creditHit is a credit record that may name a respondent.
type creditHit struct {
	ID           int64  `json:"id"`
	CreditCode   string `json:"credit_code"`
	IDNumberHash string `json:"id_number_hash"`
}

// reserveIntake takes, in one statement, what an intake with committee
// orgID in year needs from the database before it can write: nil when
// orgID is no active committee with a short code (the counter is then
// left alone). Only the credit records displayed on day today count
// (credit.ShownSQL: in effect after the due process, within their
// display period; not provisional, objected, revoked, repaired or
// expired ones); they are looked up by the respondents' credit codes and
// the keyed hashes of their identity numbers.
func reserveIntake(db *gorm.DB, orgID int64, year int, parties []partyRow, today calendar.Date) (*reservation, error) {
	var codes, hashes []string
	for _, p := range parties {
		if p.Role != string(domain.PartyRespondent) {
			continue
		}
		if p.CreditCode != "" {
			codes = append(codes, p.CreditCode)
		}
		if p.IDNumberHash != "" {
			hashes = append(hashes, p.IDNumberHash)
		}
	}
	chain := audit.ChainOf(&orgID)
	args := []any{orgID, committeeTypes, year, chain, len(parties)}
	records := `'[]'`
	if len(codes)+len(hashes) > 0 {
		// An empty list is IN (NULL), which matches nothing.
		records = `(SELECT coalesce(json_agg(json_build_object('id', id, 'credit_code', coalesce(credit_code, ''),
		'id_number_hash', coalesce(id_number_hash, '')) ORDER BY id), '[]')
	FROM credit_records WHERE ` + credit.ShownSQL + ` AND (credit_code IN ? OR id_number_hash IN ?))`
		args = append(args, today.String(), codes, hashes)
	}
	var rs []reservation
	err := db.Raw(`WITH org AS (
	SELECT id, short_code, region_code FROM orgs WHERE id = ? AND active AND type IN ? AND short_code <> ''),
num AS (
	INSERT INTO registration_counters AS c (org_id, year, last_no) SELECT id, ?, 1 FROM org
	ON CONFLICT (org_id, year) DO UPDATE SET last_no = c.last_no + 1
	RETURNING last_no),
head AS (`+audit.HeadLockSQL+`)
SELECT org.short_code, org.region_code, num.last_no AS seq,
	nextval('cases_id_seq') AS case_id, nextval('case_events_id_seq') AS event_id,
	(SELECT json_agg(nextval('case_parties_id_seq')) FROM generate_series(1, ?))::text AS party_ids,
	(SELECT coalesce(json_agg(DISTINCT m.user_id ORDER BY m.user_id), '[]') FROM memberships m
		JOIN users u ON u.id = m.user_id AND u.active WHERE m.org_id = org.id)::text AS members,
	`+records+`::text AS credit,
	head.last_seq, head.last_hash
FROM org CROSS JOIN num LEFT JOIN head ON true`, args...).Scan(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("reserve intake: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	r := &rs[0]
	for _, j := range []struct {
		src string
		dst any
	}{{r.PartyIDs, &r.partyIDs}, {r.Members, &r.members}, {r.Credit, &r.records}} {
		if err := json.Unmarshal([]byte(j.src), j.dst); err != nil {
			return nil, fmt.Errorf("reserve intake: decode %q: %w", j.src, err)
		}
	}
	if len(r.partyIDs) != len(parties) {
		return nil, fmt.Errorf("reserve intake: %d party ids for %d parties", len(r.partyIDs), len(parties))
	}
	if r.LastSeq == nil {
		// The committee's first audit row: create the chain's head and
		// lock it, one more round trip once per committee.
		h, err := audit.LockHead(db, &orgID)
		if err != nil {
			return nil, err
		}
		r.LastSeq, r.LastHash = &h.LastSeq, &h.LastHash
	}
	return r, nil
}

// head is the locked head of the committee's audit chain.
func (r *reservation) head() audit.Head {
	return audit.Head{LastSeq: *r.LastSeq, LastHash: *r.LastHash}
}

// repeatInfringers are the credit records that name each respondent, by
// party index: the same credit code, or the same keyed hash of the
// identity number.
func (r *reservation) repeatInfringers(parties []partyRow) map[int][]int64 {
	hits := map[int][]int64{}
	for i, p := range parties {
		if p.Role != string(domain.PartyRespondent) {
			continue
		}
		for _, rec := range r.records {
			if (p.CreditCode != "" && rec.CreditCode == p.CreditCode) || (p.IDNumberHash != "" && rec.IDNumberHash == p.IDNumberHash) {
				hits[i] = append(hits[i], rec.ID)
			}
		}
	}
	return hits
}

// intakeWrite is everything an intake writes, in one statement.
type intakeWrite struct {
	c       caseInsert
	parties []partyRow
	rights  []rightRow
	events  []eventRow
	outbox  []notify.Outboxed
	audit   audit.Link
}

// exec writes w in one statement of data-modifying CTEs, the audit
// chain's advance last. The foreign keys to the case and the statistics'
// triggers (all AFTER triggers) run at the end of the statement, when
// every row is in.
func (w intakeWrite) exec(db *gorm.DB) error {
	var (
		ctes []string
		args []any
	)
	add := func(sql string, a []any) {
		ctes = append(ctes, fmt.Sprintf("w%d AS (%s)", len(ctes), sql))
		args = append(args, a...)
	}
	add(insertOf(db, &w.c))
	add(insertOf(db, &w.parties))
	if len(w.rights) > 0 {
		add(insertOf(db, &w.rights))
	}
	// The first event's id was drawn beforehand; a second one takes its
	// own, so the two are inserted apart.
	for i := range w.events {
		add(insertOf(db, &w.events[i]))
	}
	if len(w.outbox) > 0 {
		values := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(w.outbox)), ", ")
		var a []any
		for _, o := range w.outbox {
			a = append(a, o.Topic, o.Payload)
		}
		add("INSERT INTO outbox (topic, payload) VALUES "+values, a)
	}
	add(w.audit.Insert, w.audit.InsertArgs)
	res := db.Exec("WITH "+strings.Join(ctes, ",\n")+"\n"+w.audit.Advance, append(args, w.audit.AdvanceArgs...)...)
	if res.Error != nil {
		return fmt.Errorf("write case: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("write case: the audit chain's head vanished")
	}
	return nil
}

// insertOf is the INSERT of rows (a pointer to a row or to a slice of
// rows of one GORM model) with ? for its parameters, so that it composes
// with others into one statement: every column GORM would create, the
// auto-incremented primary key only when a row sets it. It is what
// db.Create writes (TestInsertOf_WritesWhatCreateWrites), without the
// callbacks and clause building of a Create, which cost a sixth of the
// intake's CPU in Go when the statement was built with GORM's dry run.
func insertOf(db *gorm.DB, rows any) (string, []any) {
	st := &gorm.Statement{DB: db}
	if err := st.Parse(rows); err != nil {
		// The models are this package's own; one GORM cannot parse is
		// a programming error the first test finds.
		panic(fmt.Sprintf("insert of %T: %v", rows, err))
	}
	rv := reflect.Indirect(reflect.ValueOf(rows))
	elems := []reflect.Value{rv}
	if rv.Kind() == reflect.Slice {
		elems = elems[:0]
		for i := range rv.Len() {
			elems = append(elems, reflect.Indirect(rv.Index(i)))
		}
	}
	ctx := db.Statement.Context
	// Like Create, the auto-incremented key goes last, when it is set.
	var cols, keys []*schema.Field
	for _, f := range st.Schema.Fields {
		switch {
		case f.DBName == "" || !f.Creatable:
		case f.PrimaryKey && f.AutoIncrement:
			for _, e := range elems {
				if _, zero := f.ValueOf(ctx, e); !zero {
					keys = append(keys, f)
					break
				}
			}
		default:
			cols = append(cols, f)
		}
	}
	cols = append(cols, keys...)
	var b strings.Builder
	b.WriteString(`INSERT INTO "` + st.Schema.Table + `" (`)
	for i, f := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + f.DBName + `"`)
	}
	b.WriteString(") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	args := make([]any, 0, len(cols)*len(elems))
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
		for _, f := range cols {
			v, _ := f.ValueOf(ctx, e)
			args = append(args, v)
		}
	}
	return b.String(), args
}
