package recordation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Recordation is a recordation as its readers see it.
type Recordation struct {
	ID          int64            `json:"id"`
	HolderOrgID int64            `json:"holder_org_id"`
	HolderName  string           `json:"holder_name"`
	Number      string           `json:"number"`
	RightKind   domain.RightKind `json:"right_kind"`
	RightNumber string           `json:"right_number"`
	RightName   string           `json:"right_name"`
	ValidFrom   calendar.Date    `json:"valid_from"`
	ValidUntil  calendar.Date    `json:"valid_until"`
	RenewedOn   *calendar.Date   `json:"renewed_on,omitempty"`
	// Status is the effective status: a valid or renewed recordation
	// whose end has passed reads lapsed.
	Status Status `json:"status"`
	// RenewalFrom is the first day on which a renewal may be applied for
	// (six months before the end).
	RenewalFrom calendar.Date `json:"renewal_from"`
	// RenewalOpen: in force and within the renewal window today.
	RenewalOpen bool      `json:"renewal_open"`
	Note        string    `json:"note"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Open: the status as recorded is valid or renewed, so the
	// recordation may still be corrected, renewed (a renewal granted in
	// time may be recorded after the end), withdrawn or marked lapsed.
	Open bool `json:"-"`
	// Deadlines are the recordation's validity periods (Get only).
	Deadlines []deadline.Deadline `json:"-"`
	// Manage: the reader may change it (Get and List).
	Manage bool `json:"-"`
}

// row maps customs_recordations.
type row struct {
	ID          int64
	HolderOrgID int64
	HolderName  string
	Number      string
	RightKind   string
	RightNumber string
	RightName   string
	ValidFrom   time.Time
	ValidUntil  time.Time
	RenewedOn   *time.Time
	Status      string
	Note        string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func dateOf(t time.Time) calendar.Date { return calendar.NewDate(t.Year(), t.Month(), t.Day()) }

// EffectiveStatus is the status a recordation stored as st with its end
// on until reads on today: one in force whose end has passed has lapsed.
func EffectiveStatus(st Status, until, today calendar.Date) Status {
	if st.InForce() && until.Before(today) {
		return StatusLapsed
	}
	return st
}

func (r row) rec(today calendar.Date) Recordation {
	out := Recordation{ID: r.ID, HolderOrgID: r.HolderOrgID, HolderName: r.HolderName, Number: r.Number,
		RightKind: domain.RightKind(r.RightKind), RightNumber: r.RightNumber, RightName: r.RightName,
		ValidFrom: dateOf(r.ValidFrom), ValidUntil: dateOf(r.ValidUntil), Note: r.Note, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.RenewedOn != nil {
		d := dateOf(*r.RenewedOn)
		out.RenewedOn = &d
	}
	out.Status = EffectiveStatus(Status(r.Status), out.ValidUntil, today)
	out.Open = Status(r.Status).InForce()
	out.RenewalFrom = out.ValidUntil.AddMonths(-WindowMonths)
	out.RenewalOpen = out.Status.InForce() && !today.Before(out.RenewalFrom)
	return out
}

const selectRow = `SELECT r.id, r.holder_org_id, o.name_zh AS holder_name, r.number, r.right_kind, r.right_number, r.right_name,
r.valid_from, r.valid_until, r.renewed_on, r.status, r.note, r.version, r.created_at, r.updated_at
FROM customs_recordations r JOIN orgs o ON o.id = r.holder_org_id`

// effectiveSQL is the effective status on the Beijing day given as the one
// argument (EffectiveStatus).
const effectiveSQL = `(CASE WHEN r.status IN ('valid', 'renewed') AND r.valid_until < ?::date THEN 'lapsed' ELSE r.status END)`

// ListFilter narrows a list.
type ListFilter struct {
	// Status is an effective status ("" any).
	Status Status
	// HolderOrgID narrows to one enterprise (0 any).
	HolderOrgID int64
	// Q matches the number, the right's number or name, or the holder.
	Q string
	// Expiring: in force and ending within the renewal window (six
	// months) from today.
	Expiring bool
}

// maxList is the most rows a list returns.
const maxList = 500

// List lists the recordations the actor reads, by end date.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Recordation, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewerOf(a)
	if !v.all && len(v.own) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not read customs recordations")
	}
	var fe domain.Fields
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		fe.Add("status", "validation.one_of", "Values", "valid, renewed, lapsed, withdrawn")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	today := s.Today()
	q := selectRow + " WHERE TRUE"
	var args []any
	if !v.all {
		q += " AND r.holder_org_id IN ?"
		args = append(args, v.own)
	}
	if f.HolderOrgID > 0 {
		q += " AND r.holder_org_id = ?"
		args = append(args, f.HolderOrgID)
	}
	if f.Status != "" {
		q += " AND " + effectiveSQL + " = ?"
		args = append(args, today.String(), string(f.Status))
	}
	if f.Expiring {
		q += " AND r.status IN ('valid', 'renewed') AND r.valid_until >= ?::date AND r.valid_until <= ?::date"
		args = append(args, today.String(), today.AddMonths(WindowMonths).String())
	}
	if qs := strings.TrimSpace(f.Q); qs != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(qs) + "%"
		q += " AND (r.number ILIKE ? OR r.right_number ILIKE ? OR r.right_name ILIKE ? OR o.name_zh ILIKE ?)"
		args = append(args, like, like, like, like)
	}
	q += " ORDER BY r.valid_until, r.id LIMIT " + strconv.Itoa(maxList)
	var rows []row
	if err := s.d.DB.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmtErr("list", err)
	}
	out := make([]Recordation, len(rows))
	for i, r := range rows {
		out[i] = r.rec(today)
		out[i].Manage = v.manages(r.HolderOrgID)
	}
	return out, nil
}

// Get returns one recordation with its validity deadlines. ENOTFOUND when
// the actor does not read it.
func (s *Service) Get(ctx context.Context, id int64) (Recordation, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Recordation{}, err
	}
	v := s.viewerOf(a)
	db := s.d.DB.WithContext(ctx)
	r, err := load(db, id, false)
	if err != nil {
		return Recordation{}, err
	}
	if !v.sees(r.HolderOrgID) {
		return Recordation{}, domain.NotFound("recordation")
	}
	out := r.rec(s.Today())
	out.Manage = v.manages(r.HolderOrgID)
	if out.Deadlines, err = s.d.Deadlines.ForSubjectTx(ctx, db, Subject(id)); err != nil {
		return Recordation{}, err
	}
	return out, nil
}

func load(db *gorm.DB, id int64, lock bool) (row, error) {
	var r row
	q := selectRow + " WHERE r.id = ?"
	if lock {
		q += " FOR UPDATE OF r"
	}
	res := db.Raw(q, id).Scan(&r)
	if res.Error != nil {
		return row{}, fmtErr("load", res.Error)
	}
	if res.RowsAffected == 0 {
		return row{}, domain.NotFound("recordation")
	}
	return r, nil
}

// Holder is an enterprise a recordation may be recorded for.
type Holder struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Holders are the enterprises the actor records recordations for: every
// active enterprise for the assistance centre, its own for an
// enterprise's user.
func (s *Service) Holders(ctx context.Context) ([]Holder, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewerOf(a)
	var out []Holder
	q := s.d.DB.WithContext(ctx).Table("orgs").Select("id, name_zh AS name").Where("type = ? AND active", domain.OrgEnterprise)
	switch {
	case v.manageAll:
	case len(v.manageOwn) > 0:
		q = q.Where("id IN ?", v.manageOwn)
	default:
		return nil, nil
	}
	if err := q.Order("name_zh, id").Scan(&out).Error; err != nil {
		return nil, fmtErr("holders", err)
	}
	return out, nil
}

// Input is a recordation to record.
type Input struct {
	// HolderOrgID is the holder enterprise; 0 picks the actor's only one.
	HolderOrgID int64            `json:"holder_org_id"`
	Number      string           `json:"number"`
	RightKind   domain.RightKind `json:"right_kind"`
	RightNumber string           `json:"right_number"`
	RightName   string           `json:"right_name"`
	// ValidFrom is the day customs granted the recordation (2026-03-02).
	ValidFrom string `json:"valid_from"`
	// ValidUntil is the last day of validity; empty: ten years on
	// (the corresponding day, art. 10).
	ValidUntil string `json:"valid_until"`
	Note       string `json:"note"`
}

const (
	maxName  = 200
	maxShort = 100
	maxNote  = 2000
)

// particulars checks what a recordation says (Create and update) and
// returns the normalized values; errors name the field.
func (s *Service) particulars(f *domain.Fields, in *Input) (from, until calendar.Date) {
	in.Number = NormalizeNumber(in.Number)
	in.RightName = f.Text("right_name", in.RightName, true, maxName)
	in.RightNumber = f.Text("right_number", in.RightNumber, false, maxShort)
	in.Note = f.Text("note", in.Note, false, maxNote)
	if !slices.Contains(RightKinds, in.RightKind) {
		f.Add("right_kind", "validation.recordation_right_kind")
	}
	today := s.Today()
	var err error
	switch strings.TrimSpace(in.ValidFrom) {
	case "":
		f.Add("valid_from", "validation.required")
	default:
		if from, err = calendar.ParseDate(strings.TrimSpace(in.ValidFrom)); err != nil {
			f.Add("valid_from", "validation.date")
		} else if from.After(today) {
			f.Add("valid_from", "validation.future")
		}
	}
	m := numberShape.FindStringSubmatch(in.Number)
	switch {
	case in.Number == "":
		f.Add("number", "validation.required")
	case m == nil:
		f.Add("number", "validation.recordation_number")
	case prefix(in.RightKind) != "" && m[1] != prefix(in.RightKind):
		f.Add("number", "validation.recordation_number_kind", "Letter", prefix(in.RightKind))
	default:
		// Customs protection by recordation began in 1995; the year of
		// the number is the year the recordation was granted.
		if y, _ := strconv.Atoi(m[2]); y < 1995 || y > today.Year {
			f.Add("number", "validation.recordation_number")
		}
	}
	if from.IsZero() {
		return from, until
	}
	max := from.AddMonths(ValidityMonths)
	switch v := strings.TrimSpace(in.ValidUntil); v {
	case "":
		until = max
	default:
		if until, err = calendar.ParseDate(v); err != nil {
			f.Add("valid_until", "validation.date")
		} else if !until.After(from) {
			f.Add("valid_until", "validation.date_order")
		}
	}
	return from, until
}

// Create records a recordation for a holder enterprise (recordation:manage
// for it) and opens its validity deadline. EINVALID names the field (a
// number taken is number); EFORBIDDEN without the permission.
func (s *Service) Create(ctx context.Context, in Input) (Recordation, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Recordation{}, err
	}
	v := s.viewerOf(a)
	switch {
	case !v.manageAll && len(v.manageOwn) == 0:
		return Recordation{}, domain.Errorf(domain.EFORBIDDEN, "you may not record customs recordations")
	case in.HolderOrgID == 0 && !v.manageAll && len(v.manageOwn) == 1:
		in.HolderOrgID = v.manageOwn[0]
	}
	var f domain.Fields
	from, until := s.particulars(&f, &in)
	var holderOK bool
	if in.HolderOrgID <= 0 {
		f.Add("holder_org_id", "validation.required")
	} else {
		if err := s.d.DB.WithContext(ctx).Raw(`SELECT count(*) > 0 FROM orgs WHERE id = ? AND type = ? AND active`,
			in.HolderOrgID, domain.OrgEnterprise).Scan(&holderOK).Error; err != nil {
			return Recordation{}, fmtErr("holder", err)
		}
		if !holderOK {
			f.Add("holder_org_id", "validation.recordation_holder")
		}
	}
	if err := f.Err(); err != nil {
		return Recordation{}, err
	}
	if !v.manages(in.HolderOrgID) {
		return Recordation{}, domain.Errorf(domain.EFORBIDDEN, "you may not record customs recordations for organisation %d", in.HolderOrgID)
	}
	var out Recordation
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		id, err := s.insertTx(ctx, tx, a, in, from, until)
		if err != nil {
			return err
		}
		r, err := load(tx, id, false)
		out = r.rec(s.Today())
		out.Manage = true
		return err
	})
	return out, err
}

// insertTx writes a checked recordation, its deadline and its audit row.
func (s *Service) insertTx(ctx context.Context, tx *gorm.DB, a *domain.Actor, in Input, from, until calendar.Date) (int64, error) {
	now := s.clock()
	var id int64
	err := tx.WithContext(ctx).Raw(`INSERT INTO customs_recordations (holder_org_id, number, right_kind, right_number, right_name,
valid_from, valid_until, status, note, recorded_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?, ?, ?) RETURNING id`,
		in.HolderOrgID, in.Number, string(in.RightKind), in.RightNumber, in.RightName, from.String(), until.String(), in.Note,
		a.UserIDRef(), now, now).Scan(&id).Error
	if isUnique(err) {
		return 0, domain.Invalid(domain.FieldError{Field: "number", Message: "validation.recordation_taken"})
	}
	if err != nil {
		return 0, fmtErr("insert", err)
	}
	if err := s.openValidity(ctx, tx, id, in.HolderOrgID, from, until, now); err != nil {
		return 0, err
	}
	return id, s.audit(ctx, tx, id, in.HolderOrgID, "customs_recordation.create", map[string]any{"number": in.Number,
		"right_kind": in.RightKind, "right_number": in.RightNumber, "valid_from": from.String(), "valid_until": until.String()})
}

// openValidity opens the deadline of a validity period that ends on until:
// due at the end of that day, a party's time limit (the holder's users
// are reminded before it).
func (s *Service) openValidity(ctx context.Context, tx *gorm.DB, id, holder int64, from, until calendar.Date, now time.Time) error {
	_, err := s.d.Deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: Subject(id), OrgID: holder, Kind: KindValidity,
		RuleID: RuleValidity, Event: from.Start(), Due: until.End(), Now: now,
		Explanation: fmt.Sprintf("备案有效期至 %s 届满；知识产权仍然有效的，可以自 %s 起（届满前6个月内）向海关总署申请续展备案，每次续展10年。",
			until, until.AddMonths(-WindowMonths))})
	return err
}

// ChangeInput is a change of a recordation. Version is the version the
// client saw. Update replaces the particulars (Number … Note, as Input);
// Renew records a renewal granted on RenewedOn, with the new end
// ValidUntil (empty: ten years after the old end); Withdraw and Lapse
// take a Reason.
type ChangeInput struct {
	Action      Action           `json:"action"`
	Version     int              `json:"version"`
	Number      string           `json:"number"`
	RightKind   domain.RightKind `json:"right_kind"`
	RightNumber string           `json:"right_number"`
	RightName   string           `json:"right_name"`
	ValidFrom   string           `json:"valid_from"`
	ValidUntil  string           `json:"valid_until"`
	Note        string           `json:"note"`
	RenewedOn   string           `json:"renewed_on"`
	Reason      string           `json:"reason"`
}

// Change updates, renews, withdraws or marks lapsed a recordation.
// EINVALID names the field (action, version, the particulars, renewed_on
// outside the renewal window, valid_until); ECONFLICT for a stale version
// or a recordation no longer in force; ENOTFOUND when the actor does not
// read it; EFORBIDDEN when it reads but may not change it.
func (s *Service) Change(ctx context.Context, id int64, in ChangeInput) (Recordation, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Recordation{}, err
	}
	v := s.viewerOf(a)
	if !slices.Contains(Actions, in.Action) {
		return Recordation{}, domain.Invalid(domain.FieldError{Field: "action", Message: "validation.one_of",
			Params: map[string]any{"Values": "update, renew, withdraw, lapse"}})
	}
	var out Recordation
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := load(tx.WithContext(ctx), id, true)
		if err != nil {
			return err
		}
		if !v.sees(cur.HolderOrgID) {
			return domain.NotFound("recordation")
		}
		if !v.manages(cur.HolderOrgID) {
			return domain.Errorf(domain.EFORBIDDEN, "you may not change this recordation")
		}
		today, now := s.Today(), s.clock()
		rec := cur.rec(today)
		var f domain.Fields
		if in.Version <= 0 {
			f.Add("version", "validation.required")
		}
		var (
			from, until calendar.Date
			renewed     calendar.Date
			pin         Input
		)
		switch in.Action {
		case ActionUpdate:
			pin = Input{HolderOrgID: cur.HolderOrgID, Number: in.Number, RightKind: in.RightKind, RightNumber: in.RightNumber,
				RightName: in.RightName, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil, Note: in.Note}
			if strings.TrimSpace(pin.ValidUntil) == "" {
				pin.ValidUntil = rec.ValidUntil.String()
			}
			from, until = s.particulars(&f, &pin)
		case ActionRenew:
			from = rec.ValidFrom
			switch d, err := calendar.ParseDate(strings.TrimSpace(in.RenewedOn)); {
			case strings.TrimSpace(in.RenewedOn) == "":
				f.Add("renewed_on", "validation.required")
			case err != nil:
				f.Add("renewed_on", "validation.date")
			case d.After(today):
				f.Add("renewed_on", "validation.future")
			case d.Before(rec.RenewalFrom) || d.After(rec.ValidUntil):
				// Art. 10: renewal is applied for within the six months
				// before the recordation ends.
				f.Add("renewed_on", "validation.recordation_window", "From", rec.RenewalFrom.String(), "To", rec.ValidUntil.String())
			default:
				renewed = d
			}
			max := rec.ValidUntil.AddMonths(ValidityMonths)
			until = max
			if u := strings.TrimSpace(in.ValidUntil); u != "" {
				d, err := calendar.ParseDate(u)
				switch {
				case err != nil:
					f.Add("valid_until", "validation.date")
				case !d.After(rec.ValidUntil) || d.After(max):
					f.Add("valid_until", "validation.date_range", "From", rec.ValidUntil.AddDays(1).String(), "To", max.String())
				default:
					until = d
				}
			}
		case ActionWithdraw, ActionLapse:
			in.Reason = f.Text("reason", in.Reason, true, maxNote)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if cur.Version != in.Version {
			return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
				Message: fmt.Sprintf("the recordation was changed by someone else (current version %d); reload and try again", cur.Version)}
		}
		// Withdrawn and lapsed recordations are kept as they were; a
		// renewal granted in time may still be recorded after the end.
		stored := Status(cur.Status)
		if !stored.InForce() {
			return domain.Errorf(domain.ECONFLICT, "the recordation is %s", stored)
		}
		detail := map[string]any{"number": cur.Number, "from_version": cur.Version}
		db := tx.WithContext(ctx)
		switch in.Action {
		case ActionUpdate:
			res := db.Exec(`UPDATE customs_recordations SET number = ?, right_kind = ?, right_number = ?, right_name = ?, valid_from = ?,
valid_until = ?, note = ?, version = version + 1, updated_at = ? WHERE id = ?`, pin.Number, string(pin.RightKind), pin.RightNumber,
				pin.RightName, from.String(), until.String(), pin.Note, now, id)
			if isUnique(res.Error) {
				return domain.Invalid(domain.FieldError{Field: "number", Message: "validation.recordation_taken"})
			}
			if res.Error != nil {
				return fmtErr("update", res.Error)
			}
			detail["new_number"], detail["right_kind"], detail["valid_from"], detail["valid_until"] = pin.Number, pin.RightKind, from.String(), until.String()
			if until != rec.ValidUntil || from != rec.ValidFrom {
				if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(id), KindValidity, deadline.Cancelled, now); err != nil {
					return err
				}
				if err := s.openValidity(ctx, tx, id, cur.HolderOrgID, from, until, now); err != nil {
					return err
				}
			}
		case ActionRenew:
			if err := db.Exec(`UPDATE customs_recordations SET valid_until = ?, renewed_on = ?, status = 'renewed', version = version + 1,
updated_at = ? WHERE id = ?`, until.String(), renewed.String(), now, id).Error; err != nil {
				return fmtErr("renew", err)
			}
			detail["renewed_on"], detail["old_valid_until"], detail["valid_until"] = renewed.String(), rec.ValidUntil.String(), until.String()
			// The period that ended was met by the renewal; the next
			// one runs from the old end.
			if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(id), KindValidity, deadline.Met, now); err != nil {
				return err
			}
			if err := s.openValidity(ctx, tx, id, cur.HolderOrgID, rec.ValidUntil, until, now); err != nil {
				return err
			}
		case ActionWithdraw, ActionLapse:
			st := StatusWithdrawn
			if in.Action == ActionLapse {
				st = StatusLapsed
			}
			if err := db.Exec(`UPDATE customs_recordations SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				string(st), now, id).Error; err != nil {
				return fmtErr(string(in.Action), err)
			}
			detail["reason"] = in.Reason
			if _, err := s.d.Deadlines.CloseTx(ctx, tx, Subject(id), KindValidity, deadline.Cancelled, now); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, id, cur.HolderOrgID, "customs_recordation."+string(in.Action), detail); err != nil {
			return err
		}
		r, err := load(db, id, false)
		out = r.rec(today)
		out.Manage = true
		return err
	})
	return out, err
}

func (s *Service) audit(ctx context.Context, tx *gorm.DB, id, holder int64, action string, detail map[string]any) error {
	return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &holder, Action: action, ObjectType: "customs_recordation",
		ObjectID: strconv.FormatInt(id, 10), Detail: detail})
}

// isUnique reports whether err is a unique violation.
func isUnique(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505"
}

// HoldersTx are the enterprises a customs referral about a
// case or an application protects the rights of: the case's enterprise
// parties and applicant, or the application's applicant. Empty when none
// is registered here.
func HoldersTx(ctx context.Context, tx *gorm.DB, caseID, applicationID *int64) ([]int64, error) {
	var ids []int64
	db := tx.WithContext(ctx)
	switch {
	case applicationID != nil:
		if err := db.Raw(`SELECT a.applicant_org_id FROM assistance_applications a JOIN orgs o ON o.id = a.applicant_org_id
WHERE a.id = ? AND o.type = ?`, *applicationID, domain.OrgEnterprise).Scan(&ids).Error; err != nil {
			return nil, fmtErr("holders", err)
		}
	case caseID != nil:
		if err := db.Raw(`SELECT DISTINCT e.org_id FROM (
	SELECT p.org_id FROM case_parties p WHERE p.case_id = ? AND p.org_id IS NOT NULL
	UNION SELECT c.applicant_org_id FROM cases c WHERE c.id = ? AND c.applicant_org_id IS NOT NULL) AS e (org_id)
JOIN orgs o ON o.id = e.org_id AND o.type = ? ORDER BY e.org_id`, *caseID, *caseID, domain.OrgEnterprise).Scan(&ids).Error; err != nil {
			return nil, fmtErr("holders", err)
		}
	}
	return ids, nil
}

// Option is a recordation a customs referral may name.
type Option struct {
	Number     string           `json:"number"`
	RightKind  domain.RightKind `json:"right_kind"`
	RightName  string           `json:"right_name"`
	ValidUntil calendar.Date    `json:"valid_until"`
	HolderName string           `json:"holder_name"`
}

// InForceTx lists the recordations in force on today of the holder
// enterprises (every holder when holders is nil), by number: what a
// customs referral offers to pick from. No authorization: the caller
// shows them only on a form its user may send; the particulars are those
// customs publishes of a recordation anyway.
func InForceTx(ctx context.Context, db *gorm.DB, holders []int64, today calendar.Date) ([]Option, error) {
	q := `SELECT r.number, r.right_kind, r.right_name, r.valid_until, o.name_zh AS holder_name FROM customs_recordations r
JOIN orgs o ON o.id = r.holder_org_id WHERE r.status IN ('valid', 'renewed') AND r.valid_until >= ?::date`
	args := []any{today.String()}
	if holders != nil {
		if len(holders) == 0 {
			return nil, nil
		}
		q += " AND r.holder_org_id IN ?"
		args = append(args, holders)
	}
	var rows []struct {
		Number, RightKind, RightName, HolderName string
		ValidUntil                               time.Time
	}
	if err := db.WithContext(ctx).Raw(q+" ORDER BY r.number", args...).Scan(&rows).Error; err != nil {
		return nil, fmtErr("in force", err)
	}
	out := make([]Option, len(rows))
	for i, r := range rows {
		out[i] = Option{Number: r.Number, RightKind: domain.RightKind(r.RightKind), RightName: r.RightName,
			ValidUntil: dateOf(r.ValidUntil), HolderName: r.HolderName}
	}
	return out, nil
}

// OptionsFor are the recordations a customs referral about the case or
// the application may name: those in force of its right holders
// (HoldersTx), or of every holder when none of the case's enterprises is
// registered here.
func (s *Service) OptionsFor(ctx context.Context, caseID, applicationID *int64) ([]Option, error) {
	db := s.d.DB.WithContext(ctx)
	holders, err := HoldersTx(ctx, db, caseID, applicationID)
	if err != nil {
		return nil, err
	}
	if len(holders) == 0 {
		holders = nil
	}
	return InForceTx(ctx, db, holders, s.Today())
}

// CheckTx checks a recordation number a customs referral names against
// the register: "" when it is a recordation of one of holders (any holder
// when holders is empty: the right holder is not registered here) in
// force on today, else the message id of the problem
// (validation.recordation_unknown, _lapsed, _holder).
func CheckTx(ctx context.Context, db *gorm.DB, number string, holders []int64, today calendar.Date) (string, error) {
	var rows []row
	if err := db.WithContext(ctx).Raw(selectRow+" WHERE r.number = ?", NormalizeNumber(number)).Scan(&rows).Error; err != nil {
		return "", fmtErr("check", err)
	}
	switch {
	case len(rows) == 0:
		return "validation.recordation_unknown", nil
	case !rows[0].rec(today).Status.InForce():
		return "validation.recordation_lapsed", nil
	case len(holders) > 0 && !slices.Contains(holders, rows[0].HolderOrgID):
		return "validation.recordation_holder_mismatch", nil
	}
	return "", nil
}
