// Package audit keeps the tamper-evident audit log: an append-only table in
// which every row carries the SHA-256 of its own canonical content and the
// hash of the previous row of its chain. There is one chain per
// organisation ("org:<id>") and one for everything else ("system"), so
// writers of different organisations never wait for each other.
//
// Rows are written with Append inside the caller's transaction, so the
// audit row commits or rolls back together with the change it records. A
// database trigger refuses UPDATE, DELETE and TRUNCATE; whoever bypasses
// it (a superuser disabling the trigger, someone editing the data files)
// breaks a hash or a link, and Verify names the first broken row.
//
// # Canonical content
//
// A row's hash is the lowercase hex SHA-256 of this compact JSON object,
// members in exactly this order, written by encoding/json without HTML
// escaping:
//
//	{"v":1,"chain":"org:12","seq":3,"occurred_at":"2026-03-01T08:15:30.123456Z",
//	 "org_id":12,"actor_id":7,"actor_name":"alice","action":"case.accept",
//	 "object_type":"case","object_id":"42","detail":{"after":"accepted"},
//	 "ip":"10.0.0.1","request_id":"r-1","prev_hash":"<64 hex>"}
//
// occurred_at is UTC RFC 3339 with at most microsecond precision (what
// PostgreSQL stores) and no trailing fractional zeros; org_id and actor_id
// are null when absent; detail is the canonical form of the detail object:
// keys sorted, numbers as plain decimals without exponent or trailing
// fractional zeros (see canonicalDetail), which survives the jsonb round
// trip unchanged. prev_hash is 64 zeros for seq 1.
package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// SystemChain is the chain of events that belong to no organisation, such
// as a failed login with an unknown username.
const SystemChain = "system"

// ChainOf returns the chain an event of the given organisation belongs to:
// "org:<id>", or SystemChain when orgID is nil.
func ChainOf(orgID *int64) string {
	if orgID == nil {
		return SystemChain
	}
	return "org:" + strconv.FormatInt(*orgID, 10)
}

// Entry is one event to record. Only Action is required. Append fills
// ActorID and ActorName from the context's actor and IP and RequestID from
// the context's request metadata when they are left empty.
type Entry struct {
	// OrgID is the organisation the event belongs to; it picks the chain.
	// Nil puts the event on the system chain.
	OrgID *int64
	// ActorID is the user who acted; nil for anonymous events.
	ActorID *int64
	// ActorName is the actor's username, kept so that the row stays
	// readable after the user is renamed or removed.
	ActorName string
	// Action names the event as "<object>.<verb>", e.g. "case.accept",
	// "role.grant", "auth.login_failed" or "case.read" for audited reads.
	Action string
	// ObjectType and ObjectID name what the event acted on.
	ObjectType string
	ObjectID   string
	// Detail holds the particulars, such as before and after values. It
	// must encode to a JSON object; nil is stored as {}.
	Detail map[string]any
	// IP and RequestID say where the request came from.
	IP        string
	RequestID string
}

// Log appends to and reads the audit log.
type Log struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a Log over db. now supplies the time of each event; nil
// means the wall clock.
func New(db *gorm.DB, now func() time.Time) *Log {
	if now == nil {
		now = clock.Wall
	}
	return &Log{db: db, now: now}
}

// head is a chain's last seq and hash as held in audit_chain_heads.
type head = Head

// Append records e inside the caller's transaction tx, so that the audit
// row commits or rolls back with the change it records. When tx is nil or
// not a transaction, Append runs in a transaction of its own (for events
// with no business change, such as a refused login).
//
// Append locks the head of e's chain until tx ends: other writers of the
// same organisation wait for tx, writers of other organisations do not.
// Append last in a transaction to keep that wait short, and when one
// transaction appends to several chains, do so in the same order
// everywhere (PostgreSQL aborts one of two transactions that lock two
// chains in opposite orders).
//
// An empty Action or a non-positive OrgID gives EINVALID.
func (l *Log) Append(ctx context.Context, tx *gorm.DB, e Entry) error {
	if err := fill(ctx, &e); err != nil {
		return err
	}
	detail, err := encodeDetail(e.Detail)
	if err != nil {
		return err
	}
	if tx == nil {
		tx = l.db
	}
	tx = tx.WithContext(ctx)
	if _, inTx := tx.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return l.append(tx, e, detail)
	}
	return tx.Transaction(func(tx *gorm.DB) error { return l.append(tx, e, detail) })
}

// HeadLockSQL selects the head of the chain given as its one argument
// (columns last_seq and last_hash) and locks it until the transaction
// ends, like Append does. A writer that wants to save a round trip reads
// it inside a statement of its own (as a CTE, say), then passes what it
// read to Link. No row means the chain has no head yet: LockHead creates
// it.
const HeadLockSQL = `SELECT last_seq, last_hash FROM audit_chain_heads WHERE chain = ? FOR UPDATE`

// Head is a chain's last seq and hash, read with HeadLockSQL or LockHead
// in the transaction that will append to it.
type Head struct {
	LastSeq  int64
	LastHash string
}

// LockHead locks the head of orgID's chain (see ChainOf) until tx ends
// and returns it, creating the head of a new chain first.
func LockHead(tx *gorm.DB, orgID *int64) (Head, error) {
	return lockHead(tx, ChainOf(orgID))
}

// Link is an entry placed after a chain's locked head: the row to insert
// and the head's advance to it. The caller runs both in the transaction
// that locked the head, in one statement:
//
//	WITH row AS (<Insert>) <Advance>
//
// possibly after CTEs of its own, and checks that the UPDATE changed one
// row.
type Link struct {
	Insert, Advance         string
	InsertArgs, AdvanceArgs []any
}

// Link validates e, completes it from the context as Append does and
// places it after head h of its chain, which the caller's transaction
// must hold locked. The entry's time is read now, so call Link only once
// the head is locked.
func (l *Log) Link(ctx context.Context, h Head, e Entry) (Link, error) {
	if err := fill(ctx, &e); err != nil {
		return Link{}, err
	}
	detail, err := encodeDetail(e.Detail)
	if err != nil {
		return Link{}, err
	}
	return l.link(h, e, detail)
}

// fill validates e and completes it from the context.
func fill(ctx context.Context, e *Entry) error {
	var fields domain.Fields
	if e.Action == "" {
		fields.Add("action", "validation.required")
	}
	if e.OrgID != nil && *e.OrgID <= 0 {
		fields.Add("org_id", "validation.org")
	}
	if err := fields.Err(); err != nil {
		return err
	}
	if a := domain.ActorFrom(ctx); a != nil {
		if e.ActorID == nil {
			id := a.UserID
			e.ActorID = &id
		}
		if e.ActorName == "" {
			e.ActorName = a.Username
		}
	}
	meta := domain.RequestMetaFrom(ctx)
	if e.IP == "" {
		e.IP = meta.IP
	}
	if e.RequestID == "" {
		e.RequestID = meta.RequestID
	}
	for _, s := range []*string{&e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &e.IP, &e.RequestID} {
		*s = cleanString(*s)
	}
	return nil
}

// encodeDetail returns the canonical JSON of a detail map.
func encodeDetail(d map[string]any) ([]byte, error) {
	if d == nil {
		return []byte("{}"), nil
	}
	raw, err := marshal(d)
	if err != nil {
		return nil, fmt.Errorf("audit: encode detail: %w", err)
	}
	canon, err := canonicalDetail(raw)
	if err != nil {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "invalid audit detail", Err: err}
	}
	return canon, nil
}

// append writes the row of e in tx, which must be a transaction.
func (l *Log) append(tx *gorm.DB, e Entry, detail []byte) error {
	chain := ChainOf(e.OrgID)
	h, err := lockHead(tx, chain)
	if err != nil {
		return err
	}
	k, err := l.link(h, e, detail)
	if err != nil {
		return err
	}
	// One round trip for the row and the head: the data-modifying CTE runs
	// whether or not the UPDATE reads it.
	res := tx.Exec("WITH ins AS ("+k.Insert+") "+k.Advance, append(k.InsertArgs, k.AdvanceArgs...)...)
	if res.Error != nil {
		return fmt.Errorf("audit: append %s to chain %s: %w", e.Action, chain, res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("audit: append %s to chain %s: chain head vanished", e.Action, chain)
	}
	return nil
}

// link places e after h, the locked head of its chain.
func (l *Log) link(h head, e Entry, detail []byte) (Link, error) {
	chain := ChainOf(e.OrgID)
	// Read the clock only once the chain is locked, so that occurred_at
	// never goes backwards along a chain (barring clock steps). PostgreSQL
	// keeps microseconds: truncate before hashing so that Verify, which
	// reads the stored value, hashes the very same instant.
	at := l.now().UTC().Truncate(time.Microsecond)
	c := content{
		Chain: chain, Seq: h.LastSeq + 1, OccurredAt: formatTime(at),
		OrgID: e.OrgID, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, Detail: detail,
		IP: e.IP, RequestID: e.RequestID, PrevHash: h.LastHash,
	}
	sum, err := hashOf(c)
	if err != nil {
		return Link{}, err
	}
	return Link{
		Insert: `INSERT INTO audit_log (chain, seq, occurred_at, org_id, actor_id, actor_name, action,
	object_type, object_id, detail, ip, request_id, prev_hash, hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING 1`,
		InsertArgs: []any{chain, c.Seq, at, e.OrgID, e.ActorID, e.ActorName, e.Action,
			e.ObjectType, e.ObjectID, string(detail), e.IP, e.RequestID, c.PrevHash, sum},
		Advance:     `UPDATE audit_chain_heads SET last_seq = ?, last_hash = ? WHERE chain = ?`,
		AdvanceArgs: []any{c.Seq, sum, chain},
	}, nil
}

// lockHead locks chain's head row until tx ends and returns it, creating
// the head of a new chain first. The common case, an existing chain, costs
// one round trip.
func lockHead(tx *gorm.DB, chain string) (head, error) {
	const lock = HeadLockSQL
	for attempt := 0; attempt < 2; attempt++ {
		var hs []head
		if err := tx.Raw(lock, chain).Scan(&hs).Error; err != nil {
			return head{}, fmt.Errorf("audit: lock chain %s: %w", chain, err)
		}
		if len(hs) == 1 {
			return hs[0], nil
		}
		// DO NOTHING, not DO UPDATE: when two writers start the same chain
		// at once, the second waits here for the first to commit and then
		// locks the committed head in the SELECT above.
		if err := tx.Exec(`INSERT INTO audit_chain_heads (chain) VALUES (?) ON CONFLICT (chain) DO NOTHING`, chain).Error; err != nil {
			return head{}, fmt.Errorf("audit: start chain %s: %w", chain, err)
		}
	}
	return head{}, errors.New("audit: lock chain " + chain + ": head row missing after creating it")
}
