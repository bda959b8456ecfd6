package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// verifyBatch is how many rows Verify reads per query: large enough that
// round trips do not dominate, small enough to keep memory flat.
const verifyBatch = 2000

// Report is the outcome of Verify.
type Report struct {
	// Chains and Rows count what was checked: everything when the log is
	// intact, up to and including the broken row otherwise.
	Chains int
	Rows   int
	// Broken is the first broken row, nil when the log is intact.
	Broken *Broken
}

// OK reports whether every chain verified.
func (r Report) OK() bool { return r.Broken == nil }

// Broken names the first row at which a chain no longer verifies, and why.
// ID is 0 when the fault concerns no existing row (a chain head pointing
// past the last row of an otherwise empty chain).
type Broken struct {
	ID     int64
	Chain  string
	Seq    int64
	Reason string
}

// String describes b for operators, e.g. "row id=17 chain=org:3 seq=5:
// content does not match its hash".
func (b Broken) String() string {
	return fmt.Sprintf("row id=%d chain=%s seq=%d: %s", b.ID, b.Chain, b.Seq, b.Reason)
}

// Verify walks every chain in byte order of its name and every row of a
// chain in seq order, and checks that seqs run 1, 2, 3… without a gap (a
// gap is a deleted row), that each row's prev_hash is the hash of the row
// before it, that each row's hash is the SHA-256 of its canonical content,
// and that the chain head in audit_chain_heads matches the last row. It
// stops at the first broken row and names it in Report.Broken; the error
// is for failures to read, not for a broken log.
//
// Rows are read in keyset-paginated batches, so memory stays flat however
// long the log. Each chain is read in one repeatable-read, read-only
// transaction, so rows appended meanwhile neither appear half-way nor look
// like a mismatch with the head. progress, when not nil, is called after
// every batch with the chains completed and the rows checked so far.
func (l *Log) Verify(ctx context.Context, progress func(chainsDone, rowsDone int)) (Report, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	var rep Report
	after := ""
	for {
		chain, ok, err := l.nextChain(ctx, after)
		if err != nil {
			return rep, err
		}
		if !ok {
			return rep, nil
		}
		done := rep.Rows
		broken, n, err := l.verifyChain(ctx, chain, func(rows int) { progress(rep.Chains, done+rows) })
		rep.Rows += n
		if err != nil {
			return rep, err
		}
		rep.Chains++
		if broken != nil {
			rep.Broken = broken
			return rep, nil
		}
		progress(rep.Chains, rep.Rows)
		after = chain
	}
}

// nextChain returns the first chain named after after, in byte order,
// that has rows or a head. Looking chains up one at a time through the
// indexes keeps Verify's memory flat however many organisations there are;
// a chain with rows but no head is found too.
func (l *Log) nextChain(ctx context.Context, after string) (string, bool, error) {
	var next sql.NullString
	err := l.db.WithContext(ctx).Raw(`SELECT least(
	(SELECT min(chain) FROM audit_log WHERE chain > ?),
	(SELECT min(chain) FROM audit_chain_heads WHERE chain > ?))`, after, after).Row().Scan(&next)
	if err != nil {
		return "", false, fmt.Errorf("audit verify: find next chain after %q: %w", after, err)
	}
	return next.String, next.Valid, nil
}

// row is a stored audit_log row.
type row struct {
	ID         int64
	Chain      string
	Seq        int64
	OccurredAt time.Time
	OrgID      *int64
	ActorID    *int64
	ActorName  string
	Action     string
	ObjectType string
	ObjectID   string
	Detail     string
	IP         string `gorm:"column:ip"`
	RequestID  string `gorm:"column:request_id"`
	PrevHash   string
	Hash       string
}

// rowColumns lists the columns of row, for SELECTs.
const rowColumns = `id, chain, seq, occurred_at, org_id, actor_id, actor_name, action,
	object_type, object_id, detail, ip, request_id, prev_hash, hash`

// computeHash recomputes the hash of a stored row from its content.
func (r row) computeHash() (string, error) {
	detail, err := canonicalDetail([]byte(r.Detail))
	if err != nil {
		return "", err
	}
	return hashOf(content{
		Chain: r.Chain, Seq: r.Seq, OccurredAt: formatTime(r.OccurredAt),
		OrgID: r.OrgID, ActorID: r.ActorID, ActorName: r.ActorName, Action: r.Action,
		ObjectType: r.ObjectType, ObjectID: r.ObjectID, Detail: detail,
		IP: r.IP, RequestID: r.RequestID, PrevHash: r.PrevHash,
	})
}

// verifyChain checks one chain and returns its first broken row, if any,
// and the number of rows checked.
func (l *Log) verifyChain(ctx context.Context, chain string, progress func(rows int)) (*Broken, int, error) {
	var (
		broken *Broken
		n      int
	)
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var heads []head
		if err := tx.Raw(`SELECT last_seq, last_hash FROM audit_chain_heads WHERE chain = ?`, chain).Scan(&heads).Error; err != nil {
			return fmt.Errorf("audit verify: read head of chain %s: %w", chain, err)
		}
		var (
			prevSeq  int64
			prevHash = zeroHash
			prevID   int64
		)
		for {
			var batch []row
			err := tx.Raw(`SELECT `+rowColumns+` FROM audit_log WHERE chain = ? AND seq > ? ORDER BY seq LIMIT ?`,
				chain, prevSeq, verifyBatch).Scan(&batch).Error
			if err != nil {
				return fmt.Errorf("audit verify: read chain %s after seq %d: %w", chain, prevSeq, err)
			}
			for _, r := range batch {
				n++
				if reason := checkRow(r, prevID, prevSeq, prevHash, heads); reason != "" {
					broken = &Broken{ID: r.ID, Chain: chain, Seq: r.Seq, Reason: reason}
					return nil
				}
				prevID, prevSeq, prevHash = r.ID, r.Seq, r.Hash
			}
			progress(n)
			if len(batch) < verifyBatch {
				break
			}
		}
		switch {
		case len(heads) == 0:
			// nextChain found rows, so a head must exist.
			broken = &Broken{ID: prevID, Chain: chain, Seq: prevSeq,
				Reason: "the chain has no head in audit_chain_heads"}
		case heads[0].LastSeq != prevSeq:
			broken = &Broken{ID: prevID, Chain: chain, Seq: prevSeq, Reason: fmt.Sprintf(
				"the chain head is at seq %d but the last row is seq %d: the newest rows are missing", heads[0].LastSeq, prevSeq)}
		case heads[0].LastHash != prevHash:
			broken = &Broken{ID: prevID, Chain: chain, Seq: prevSeq,
				Reason: "the chain head's hash does not match the last row's hash"}
		}
		return nil
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	return broken, n, err
}

// checkRow returns why r does not continue its chain after the row
// (prevID, prevSeq, prevHash), or "" when it does. heads holds the chain's
// head, if it has one.
func checkRow(r row, prevID, prevSeq int64, prevHash string, heads []head) string {
	switch {
	case r.Seq != prevSeq+1 && prevSeq == 0:
		return fmt.Sprintf("the chain starts at seq %d instead of 1: the rows before it are missing (deleted)", r.Seq)
	case r.Seq != prevSeq+1:
		return fmt.Sprintf("seq %d follows seq %d (row id=%d): %d row(s) missing (deleted)", r.Seq, prevSeq, prevID, r.Seq-prevSeq-1)
	case r.PrevHash != prevHash && prevSeq == 0:
		return "prev_hash of the first row is not 64 zeros"
	case r.PrevHash != prevHash:
		return fmt.Sprintf("prev_hash does not match the hash of the previous row (id=%d): that row's hash or this row's prev_hash was altered", prevID)
	}
	sum, err := r.computeHash()
	if err != nil {
		return "the stored detail cannot be read: " + err.Error()
	}
	if sum != r.Hash {
		return "the content does not match its hash: the row was altered"
	}
	if len(heads) == 1 && r.Seq > heads[0].LastSeq {
		return fmt.Sprintf("the row is beyond the chain head at seq %d", heads[0].LastSeq)
	}
	return ""
}

// ComputeHash returns the hash r must carry to verify: the SHA-256 of its
// canonical content, which includes r.PrevHash (see the package
// documentation). r.ID and r.Hash are not part of it. It lets a bulk
// loader (`ipmediate bench history`) write rows that Verify accepts.
func (r Record) ComputeHash() (string, error) {
	return row{Chain: r.Chain, Seq: r.Seq, OccurredAt: r.OccurredAt, OrgID: r.OrgID, ActorID: r.ActorID,
		ActorName: r.ActorName, Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID,
		Detail: string(r.Detail), IP: r.IP, RequestID: r.RequestID, PrevHash: r.PrevHash}.computeHash()
}
