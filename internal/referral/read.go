package referral

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/keyset"
)

// Get returns a referral with its history, its deadlines and the steps the
// actor may take now. ENOTFOUND unless the actor is a member of its
// sender or receiving organisation whose role reads referrals, or reads
// every referral (the leadership office, which may take no step).
func (s *Service) Get(ctx context.Context, id int64) (View, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return View{}, err
	}
	sc := s.readScope(a)
	if sc.none() {
		return View{}, domain.NotFound("referral")
	}
	orgs := sc.orgs
	db := s.db.WithContext(ctx)
	var rows []listRow
	cond, args := sc.where("referrals")
	if err := listQuery(db).Where("referrals.id = ?", id).Where(cond, args...).Scan(&rows).Error; err != nil {
		return View{}, fmt.Errorf("get referral %d: %w", id, err)
	}
	if len(rows) == 0 {
		return View{}, domain.NotFound("referral")
	}
	v := View{Referral: rows[0].toReferral()}
	var events []eventRow
	if err := db.Where("referral_id = ?", id).Order("id").Find(&events).Error; err != nil {
		return View{}, fmt.Errorf("get referral %d: events: %w", id, err)
	}
	for _, e := range events {
		v.Events = append(v.Events, e.toEvent())
	}
	if v.Deadlines, err = s.referralDeadlines(ctx, db, id); err != nil {
		return View{}, err
	}
	v.Receiver = slices.Contains(orgs, v.ReceiverOrgID)
	v.Sender = v.SenderOrgID != nil && slices.Contains(orgs, *v.SenderOrgID)
	v.Allowed = []Action{}
	for _, act := range allowedByState(v.Kind, v.Status) {
		if s.may(a, v.ReceiverOrgID, string(act)) {
			v.Allowed = append(v.Allowed, act)
		}
	}
	return v, nil
}

// List returns the referrals of the actor's organisations (of every
// organisation for the leadership office), newest first,
// a page at a time (keyset on the id; the second result is the next
// page's cursor, "" on the last). EFORBIDDEN when no role of the actor
// reads referrals; EINVALID naming box, kind, status or cursor.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Referral, string, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	sc := s.readScope(a)
	if sc.none() {
		return nil, "", domain.Errorf(domain.EFORBIDDEN, "you may not read referrals")
	}
	var fe domain.Fields
	q := listQuery(s.db.WithContext(ctx))
	switch f.Box {
	case "", "inbox", "outbox":
		cond, args := sc.box(f.Box)
		q = q.Where(cond, args...)
	default:
		fe.Add("box", "validation.one_of", "Values", "inbox, outbox")
	}
	if f.Kind != "" {
		if !f.Kind.Valid() {
			fe.Add("kind", "validation.referral_kind")
		}
		q = q.Where("referrals.kind = ?", string(f.Kind))
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			if !x.Valid() {
				fe.Add("status", "validation.status")
			}
			st[i] = string(x)
		}
		q = q.Where("referrals.status IN ?", st)
	}
	if f.Result != "" {
		if !knownResult(f.Kind, f.Result) {
			fe.Add("result", "validation.referral_result")
		}
		q = q.Where(ResultSQL+" = ?", f.Result)
	}
	if f.CaseID > 0 {
		q = q.Where("referrals.case_id = ?", f.CaseID)
	}
	if f.ApplicationID > 0 {
		q = q.Where("referrals.application_id = ?", f.ApplicationID)
	}
	for _, b := range []struct {
		cond string
		at   time.Time
	}{{"referrals.created_at >= ?", f.SentFrom}, {"referrals.created_at < ?", f.SentTo},
		{"referrals.completed_at >= ?", f.CompletedFrom}, {"referrals.completed_at < ?", f.CompletedTo},
		{"referrals.decided_at >= ?", f.DecidedFrom}, {"referrals.decided_at < ?", f.DecidedTo}} {
		if !b.at.IsZero() {
			q = q.Where(b.cond, b.at)
		}
	}
	if f.Cursor != "" {
		last, err := keyset.DecodeID(f.Cursor)
		if err != nil {
			fe.Add("cursor", "validation.cursor")
		}
		q = q.Where("referrals.id < ?", last)
	}
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	limit := keyset.Limit(f.Limit)
	var rows []listRow
	if err := q.Order("referrals.id DESC").Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list referrals: %w", err)
	}
	rows, next := keyset.Page(rows, limit, func(r listRow) int64 { return r.Row.ID })
	out := make([]Referral, len(rows))
	for i, r := range rows {
		out[i] = r.toReferral()
	}
	return out, next, nil
}

// Inbox is a receiver's and sender's work list: what is overdue first,
// then what is new, then what is in progress; the referrals sent and not
// finished; and the latest finished ones.
type Inbox struct {
	Overdue    []Referral // received by the actor's organisations, a deadline run out
	New        []Referral // received, not yet acknowledged
	InProgress []Referral // received, acknowledged or accepted, soonest due first
	Sent       []Referral // sent by the actor's organisations and not finished
	Done       []Referral // the latest finished, either way
}

// inboxLimit bounds each part of the inbox.
const inboxLimit = 100

// Inbox returns the actor's referral work list (see Inbox): the
// referrals its own organisations sent or received. EFORBIDDEN when no
// role of the actor reads referrals as their sender or receiver (the
// leadership office, which reads every referral, has no inbox: see
// HasInbox).
func (s *Service) Inbox(ctx context.Context) (Inbox, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Inbox{}, err
	}
	orgs := s.readOrgs(a)
	if len(orgs) == 0 {
		return Inbox{}, domain.Errorf(domain.EFORBIDDEN, "you have no referral inbox")
	}
	now := s.clock()
	db := s.db.WithContext(ctx)
	var open []listRow
	if err := listQuery(db).Where("referrals.status IN ?", []string{string(StatusSent), string(StatusReceived), string(StatusAccepted)}).
		Where("(referrals.receiver_org_id IN ? OR referrals.sender_org_id IN ?)", orgs, orgs).
		Order("referrals.id DESC").Limit(4 * inboxLimit).Scan(&open).Error; err != nil {
		return Inbox{}, fmt.Errorf("referral inbox: %w", err)
	}
	var in Inbox
	for _, r := range open {
		x := r.toReferral()
		switch {
		case !slices.Contains(orgs, x.ReceiverOrgID):
			in.Sent = append(in.Sent, x)
		case x.Overdue(now):
			in.Overdue = append(in.Overdue, x)
		case x.Status == StatusSent:
			in.New = append(in.New, x)
		default:
			in.InProgress = append(in.InProgress, x)
		}
	}
	byDue := func(x, y Referral) int {
		switch {
		case x.NextDueAt == nil && y.NextDueAt == nil:
			return int(y.ID - x.ID)
		case x.NextDueAt == nil:
			return 1
		case y.NextDueAt == nil:
			return -1
		}
		return x.NextDueAt.Compare(*y.NextDueAt)
	}
	slices.SortStableFunc(in.Overdue, byDue)
	slices.SortStableFunc(in.InProgress, byDue)
	for _, p := range []*[]Referral{&in.Overdue, &in.New, &in.InProgress, &in.Sent} {
		if len(*p) > inboxLimit {
			*p = (*p)[:inboxLimit]
		}
	}
	var done []listRow
	if err := listQuery(db).Where("referrals.status IN ?", []string{string(StatusDeclined), string(StatusCompleted)}).
		Where("(referrals.receiver_org_id IN ? OR referrals.sender_org_id IN ?)", orgs, orgs).
		Order("referrals.updated_at DESC, referrals.id DESC").Limit(30).Scan(&done).Error; err != nil {
		return Inbox{}, fmt.Errorf("referral inbox: %w", err)
	}
	for _, r := range done {
		in.Done = append(in.Done, r.toReferral())
	}
	return in, nil
}

// CanRead reports whether the actor reads referrals at all.
func (s *Service) CanRead(a *domain.Actor) bool { return !s.readScope(a).none() }

// HasInbox reports whether the actor's organisations send or receive
// referrals, so that the inbox is theirs.
func (s *Service) HasInbox(a *domain.Actor) bool { return len(s.readOrgs(a)) > 0 }

// ForCase lists the referrals of a case that the actor may read, oldest
// first (none for a case they may not see or referrals they may not
// read).
func (s *Service) ForCase(ctx context.Context, caseID int64) ([]Referral, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	sc := s.readScope(a)
	if sc.none() {
		return nil, nil
	}
	cond, args := sc.where("referrals")
	var rows []listRow
	if err := listQuery(s.db.WithContext(ctx)).Where("referrals.case_id = ?", caseID).
		Where(cond, args...).
		Order("referrals.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("referrals of case %d: %w", caseID, err)
	}
	out := make([]Referral, len(rows))
	for i, r := range rows {
		out[i] = r.toReferral()
	}
	return out, nil
}

// ProduceTx writes, inside the caller's transaction tx, a
// rights-assistance referral that a worker's rule produced (docs/design.md §7),
// once per (rule, key): run again with the same rule and key — by the
// same worker retrying or by another one at the same time — it returns
// the existing referral and false, and writes nothing. created is true
// when this call wrote it, with its event, the case timeline entry, the
// notification of the assistance centre's officers and the audit row.
//
// EINVALID names receiver_org_id (not an active assistance centre), rule
// or key (missing); ENOTFOUND for a case that does not exist.
func (s *Service) ProduceTx(ctx context.Context, tx *gorm.DB, in Produce) (Referral, bool, error) {
	var f domain.Fields
	rule := text(&f, "rule", in.Rule, true, maxShort)
	key := text(&f, "key", in.Key, true, maxShort)
	note := text(&f, "note", in.Note, false, maxText)
	recv, ok, err := s.loadOrg(ctx, tx, in.ReceiverOrgID)
	if err != nil {
		return Referral{}, false, err
	}
	if !ok || !recv.Active || recv.Type != domain.OrgAssistanceCenter {
		f.Add("receiver_org_id", "validation.referral_receiver")
	}
	if err := f.Err(); err != nil {
		return Referral{}, false, err
	}
	var existing []row
	if err := tx.WithContext(ctx).Where("kind = ? AND rule = ? AND idem_key = ?", KindRightsAssistance, rule, key).
		Limit(1).Find(&existing).Error; err != nil {
		return Referral{}, false, fmt.Errorf("produce referral: %w", err)
	}
	if len(existing) > 0 {
		r, err := s.reload(ctx, tx, existing[0].ID)
		return r, false, err
	}

	now := s.clock()
	var sender *int64
	if in.SenderOrgID > 0 {
		id := in.SenderOrgID
		sender = &id
	}
	title := KindRightsAssistance.Label() + "（" + rule + "）"
	disclosure := `{"summary":false,"parties":false,"rights":false,"agreement":false,"documents":[]}`
	if in.CaseID != nil {
		facts, err := s.cases.FactsTx(ctx, tx, *in.CaseID)
		if err != nil {
			return Referral{}, false, err
		}
		if sender == nil && facts.OrgID != in.ReceiverOrgID {
			sender = &facts.OrgID
		}
		title = KindRightsAssistance.Label() + "：" + facts.Number
		disclosure = `{"summary":true,"parties":true,"rights":false,"agreement":false,"documents":[]}`
	}
	fields, err := encode(map[string]any{"rule": rule, "key": key})
	if err != nil {
		return Referral{}, false, err
	}
	var id int64
	res := tx.WithContext(ctx).Raw(`INSERT INTO referrals (kind, sender_org_id, receiver_org_id, status, case_id, application_id,
title, note, disclosure, fields, result, rule, idem_key, version, created_at, updated_at)
VALUES (?, ?, ?, 'sent', ?, ?, ?, ?, ?::jsonb, ?::jsonb, '{}', ?, ?, 1, ?, ?)
ON CONFLICT (kind, rule, idem_key) WHERE idem_key IS NOT NULL DO NOTHING
RETURNING id`, KindRightsAssistance, sender, in.ReceiverOrgID, in.CaseID, in.ApplicationID, title, note, disclosure, fields,
		rule, key, now, now).Scan(&id)
	if res.Error != nil {
		return Referral{}, false, fmt.Errorf("produce referral: %w", res.Error)
	}
	if id == 0 {
		// Another worker wrote it meanwhile (its transaction committed
		// while this insert waited on the unique index).
		var got []row
		if err := tx.WithContext(ctx).Where("kind = ? AND rule = ? AND idem_key = ?", KindRightsAssistance, rule, key).
			Limit(1).Find(&got).Error; err != nil || len(got) == 0 {
			return Referral{}, false, fmt.Errorf("produce referral: lost the row of %s/%s: %v", rule, key, err)
		}
		r, err := s.reload(ctx, tx, got[0].ID)
		return r, false, err
	}
	var r row
	if err := tx.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return Referral{}, false, fmt.Errorf("produce referral: %w", err)
	}
	a := domain.ActorFrom(ctx)
	detail := map[string]any{"kind": r.Kind, "sender_org_id": sender, "receiver_org_id": r.ReceiverOrgID, "rule": rule}
	if err := s.record(ctx, tx, a, sender, r, "sent", "", StatusSent, detail, now); err != nil {
		return Referral{}, false, err
	}
	if err := s.tell(ctx, tx, a, r, ActionReceive, "referral_sent", r.ReceiverOrgID, nil); err != nil {
		return Referral{}, false, err
	}
	auditOrg := in.ReceiverOrgID
	if err := s.audit.Append(ctx, tx, auditEntry(&auditOrg, "referral.produce", r.ID, map[string]any{"kind": r.Kind, "rule": rule,
		"key": key, "case_id": r.CaseID, "application_id": r.ApplicationID, "sender_org_id": sender})); err != nil {
		return Referral{}, false, err
	}
	out, err := s.reload(ctx, tx, id)
	return out, true, err
}

// Now is the service's clock, for pages that show countdowns.
func (s *Service) Now() time.Time { return s.now() }

func auditEntry(org *int64, action string, id int64, detail map[string]any) audit.Entry {
	return audit.Entry{OrgID: org, Action: action, ObjectType: "referral", ObjectID: strconv.FormatInt(id, 10), Detail: detail}
}

// knownResult reports whether v is a result value of kind k, or of any
// kind when k is "".
func knownResult(k Kind, v string) bool {
	for _, kind := range Kinds {
		if (k == "" || k == kind) && slices.Contains(kind.Results(), v) {
			return true
		}
	}
	return false
}
