package referral

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Notifier queues a message to a user inside the caller's transaction
// (internal/notify).
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// Cipher protects personal information at rest (internal/pii).
type Cipher interface {
	Encrypt(plaintext string) (string, error)
	Decrypt(s string) (string, error)
	Hash(normalized string) string
}

// Documents moves a referral's files to the case it files
// (document.Service), inside the caller's transaction.
type Documents interface {
	MoveReferralFilesTx(ctx context.Context, tx *gorm.DB, referralID, caseID int64) (int64, error)
}

// ApplicationCheck decides, inside the send's transaction, whether the
// assistance centre senderOrgID may refer the assistance application
// applicationID (it exists and is the centre's): nil, or an error
// (ENOTFOUND, EINVALID naming application_id). The assistance capability
// provides it.
type ApplicationCheck func(ctx context.Context, tx *gorm.DB, applicationID, senderOrgID int64) error

// CreditRecorder makes a credit record inside the caller's transaction
// (credit.Service).
type CreditRecorder interface {
	RecordTx(ctx context.Context, tx *gorm.DB, in credit.Input) (int64, error)
}

// Service implements the referral use cases.
type Service struct {
	db        *gorm.DB
	authz     Authorizer
	audit     Auditor
	pii       Cipher
	cases     *cases.Service
	deadlines *deadline.Service
	documents Documents
	notify    Notifier
	appCheck  ApplicationCheck
	credit    CreditRecorder
	now       func() time.Time
	log       *slog.Logger
}

// Deps are the referral service's collaborators. Now and Log may be left
// out (the wall clock, no log); every other one is required.
type Deps struct {
	DB    *gorm.DB
	Authz Authorizer
	Audit Auditor
	PII   Cipher
	// Cases is told of referrals and tells of case outcomes: the service
	// registers with it, so that a delegated case's outcome completes its
	// referral.
	Cases     *cases.Service
	Deadlines *deadline.Service
	// Documents moves a court delegation's files to the case it files.
	Documents Documents
	// Notify tells the other side of every step.
	Notify Notifier
	// AppCheck decides whether an assistance centre may refer an
	// application (assistance.CheckReferable).
	AppCheck ApplicationCheck
	// Credit records the credit record an enforcement result finds
	// (credit.Service).
	Credit CreditRecorder
	Now    func() time.Time
	Log    *slog.Logger
}

// NewService returns a Service and registers it with the case service. A
// missing collaborator is a wiring mistake: NewService panics naming it.
func NewService(d Deps) *Service {
	domain.RequireDeps("referral.NewService", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil, "Audit": d.Audit == nil,
		"PII": d.PII == nil, "Cases": d.Cases == nil, "Deadlines": d.Deadlines == nil, "Documents": d.Documents == nil,
		"Notify": d.Notify == nil, "AppCheck": d.AppCheck == nil, "Credit": d.Credit == nil})
	if d.Now == nil {
		d.Now = clock.Wall
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: d.DB, authz: d.Authz, audit: d.Audit, pii: d.PII, cases: d.Cases, deadlines: d.Deadlines, documents: d.Documents,
		notify: d.Notify, appCheck: d.AppCheck, credit: d.Credit, now: d.Now, log: d.Log}
	d.Cases.OnOutcome("referral", s.caseOutcome)
	return s
}

// clock returns the current time as PostgreSQL stores it.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// org is an organisation as the checks need it.
type org struct {
	ID     int64
	Type   domain.OrgType
	NameZH string
	Active bool
}

func (s *Service) loadOrg(ctx context.Context, tx *gorm.DB, id int64) (org, bool, error) {
	var o org
	res := tx.WithContext(ctx).Raw("SELECT id, type, name_zh, active FROM orgs WHERE id = ?", id).Scan(&o)
	if res.Error != nil {
		return org{}, false, fmt.Errorf("load organisation %d: %w", id, res.Error)
	}
	return o, res.RowsAffected > 0, nil
}

// scope is which referrals an actor reads, as the role table declares
// it (domain.ObjectReferral): those its organisations sent or received
// (orgs, where it holds referral:read), or, for the leadership office,
// every one (all). Reading every referral grants no step on any (a step
// needs the permission in the receiving or sending organisation) and no
// document behind it (files use orgs alone).
type scope struct {
	all  bool
	orgs []int64
}

// none reports whether the actor reads no referral at all.
func (sc scope) none() bool { return !sc.all && len(sc.orgs) == 0 }

// where is the scope as a condition on referrals (unqualified columns
// when alias is "").
func (sc scope) where(alias string) (string, []any) {
	if alias != "" {
		alias += "."
	}
	if sc.all {
		return "TRUE", nil
	}
	return "(" + alias + "receiver_org_id IN ? OR " + alias + "sender_org_id IN ?)", []any{sc.orgs, sc.orgs}
}

// box is the condition of a list box: inbox, the referrals received (by
// the actor's organisations, or by any for the office), outbox, those
// sent (by any organisation for the office: a referral a worker's rule
// produced has no sender).
func (sc scope) box(box string) (string, []any) {
	switch {
	case box == "inbox" && sc.all:
		return "TRUE", nil
	case box == "inbox":
		return "referrals.receiver_org_id IN ?", []any{sc.orgs}
	case box == "outbox" && sc.all:
		return "referrals.sender_org_id IS NOT NULL", nil
	case box == "outbox":
		return "referrals.sender_org_id IN ?", []any{sc.orgs}
	}
	return sc.where("referrals")
}

// readScope is the actor's referral scope.
func (s *Service) readScope(a *domain.Actor) scope { return readScope(s.authz, a) }

// readOrgs are the organisations whose referrals the actor reads as their
// sender or receiver.
func (s *Service) readOrgs(a *domain.Actor) []int64 { return readScope(s.authz, a).orgs }

func readScope(authz Authorizer, a *domain.Actor) scope {
	var sc scope
	for _, m := range a.Memberships {
		reach := m.Role.Reach(domain.ObjectReferral)
		if reach == 0 || !authz.Can(a.UserID, m.OrgID, "referral", "read") {
			continue
		}
		if reach.Has(domain.ReachAll) {
			sc.all = true
		}
		if reach.Has(domain.ReachOrg) && !slices.Contains(sc.orgs, m.OrgID) {
			sc.orgs = append(sc.orgs, m.OrgID)
		}
	}
	return sc
}

// may reports whether the actor holds, as a member of orgID, the referral
// permission perm.
func (s *Service) may(a *domain.Actor, orgID int64, perm string) bool {
	return a.IsMember(orgID) && s.authz.Can(a.UserID, orgID, "referral", perm)
}

// senderOrg picks the organisation that sends a referral of kind k.
func (s *Service) senderOrg(a *domain.Actor, k Kind, want int64) (int64, error) {
	sp := Describe(k)
	var candidates []int64
	for _, m := range a.Memberships {
		if slices.Contains(sp.Senders, m.OrgType) && s.authz.Can(a.UserID, m.OrgID, "referral", "send") && !slices.Contains(candidates, m.OrgID) {
			candidates = append(candidates, m.OrgID)
		}
	}
	switch {
	case want > 0 && slices.Contains(candidates, want):
		return want, nil
	case want > 0 && a.IsMember(want):
		return 0, domain.Errorf(domain.EFORBIDDEN, "your organisation may not send a %s referral", k)
	case want > 0:
		return 0, domain.NotFound("organisation")
	case len(candidates) == 0:
		return 0, domain.Errorf(domain.EFORBIDDEN, "you may not send a %s referral", k)
	case len(candidates) > 1:
		return 0, domain.Invalid(domain.FieldError{Field: "sender_org_id", Message: "validation.required"})
	}
	return candidates[0], nil
}

// CanSend reports whether the actor may send referrals of kind k from
// some organisation, for the pages that offer the forms.
func (s *Service) CanSend(a *domain.Actor, k Kind) bool {
	if !k.Valid() {
		return false
	}
	_, err := s.senderOrg(a, k, 0)
	return err == nil || domain.ErrorCode(err) == domain.EINVALID
}

// Send sends a referral. It checks the kind's rules (who sends it to
// whom, what it needs of the case, its fields), encrypts personal data,
// and writes the referral, its event, the event on the case timeline, the
// deadlines the kind starts on sending, the receivers' notifications and
// the audit row in one transaction.
func (s *Service) Send(ctx context.Context, in SendInput) (Referral, error) {
	var out Referral
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = s.SendTx(ctx, tx, in)
		return err
	})
	return out, err
}

// SendTx is Send inside the caller's transaction: a capability that sends
// referrals as one step of its own (an approved assistance plan sending
// enforcement and customs referrals) commits them, or none, together with
// the rest of that step.
func (s *Service) SendTx(ctx context.Context, tx *gorm.DB, in SendInput) (Referral, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !in.Kind.Valid() {
		return Referral{}, domain.Invalid(domain.FieldError{Field: "kind", Message: "validation.referral_kind"})
	}
	sender, err := s.senderOrg(a, in.Kind, in.SenderOrgID)
	if err != nil {
		return Referral{}, fmt.Errorf("send referral: %w", err)
	}
	out, err := s.send(ctx, tx.WithContext(ctx), a, sender, in)
	if err != nil {
		return Referral{}, fmt.Errorf("send referral: %w", err)
	}
	return out, nil
}

func (s *Service) send(ctx context.Context, tx *gorm.DB, a *domain.Actor, sender int64, in SendInput) (Referral, error) {
	sp := Describe(in.Kind)
	now := s.clock()
	var f domain.Fields

	recv, ok, err := s.loadOrg(ctx, tx, in.ReceiverOrgID)
	if err != nil {
		return Referral{}, err
	}
	switch {
	case in.ReceiverOrgID <= 0:
		f.Add("receiver_org_id", "validation.required")
	case !ok || !recv.Active || !slices.Contains(sp.Receivers, recv.Type) || recv.ID == sender:
		f.Add("receiver_org_id", "validation.referral_receiver")
	}
	senderOrg, _, err := s.loadOrg(ctx, tx, sender)
	if err != nil {
		return Referral{}, err
	}

	var facts *cases.Facts
	switch sp.link {
	case caseNone:
		if in.CaseID != nil {
			f.Add("case_id", "validation.not_applicable")
		}
		if in.Case == nil {
			f.Add("case", "validation.required")
		}
	case caseRequired:
		if in.CaseID == nil {
			f.Add("case_id", "validation.required")
		}
	case caseOrApplication:
		if in.CaseID == nil && in.ApplicationID == nil {
			f.Add("case_id", "validation.case_or_application")
		}
	}
	if sp.link != caseNone && in.Case != nil {
		f.Add("case", "validation.not_applicable")
	}
	if in.ApplicationID != nil {
		switch {
		case senderOrg.Type != domain.OrgAssistanceCenter || sp.link == caseNone || sp.link == caseRequired:
			f.Add("application_id", "validation.not_applicable")
		case *in.ApplicationID <= 0:
			f.Add("application_id", "validation.required")
		default:
			if err := s.appCheck(ctx, tx, *in.ApplicationID, sender); err != nil {
				return Referral{}, err
			}
		}
	}
	disclosure := sp.Disclosure
	if in.Disclosure != nil {
		disclosure = *in.Disclosure
	}
	if in.CaseID != nil {
		fc, err := s.linkCase(ctx, tx, &f, a, sender, in, &disclosure, now)
		if err != nil {
			return Referral{}, err
		}
		facts = fc
	} else if sp.link != caseNone {
		// Nothing of a case to disclose.
		disclosure = cases.Disclosure{}
	}
	if disclosure.Documents == nil {
		disclosure.Documents = []int64{}
	}

	var intake cases.IntakeInput
	if sp.filing != nil && in.Case != nil {
		intake = *in.Case
		intake.OrgID = in.ReceiverOrgID
		intake.Source = sp.filing.source
	}
	fields, inf := checkFields(&f, in.Kind, in.Fields, facts, now)
	if in.Kind == KindCustoms {
		if err := checkRecordation(ctx, tx, &f, fields, in.CaseID, in.ApplicationID, now); err != nil {
			return Referral{}, err
		}
	}
	if sp.filing != nil && in.Case != nil {
		if p, ok := fields["procedure"].(string); ok {
			intake.CourtProcedure = domain.CourtProcedure(p)
		}
		if err := cases.ValidateIntake(intake); err != nil {
			var de *domain.Error
			if !errors.As(err, &de) {
				return Referral{}, err
			}
			for _, fe := range de.Fields {
				if fe.Field == "court_procedure" {
					continue // reported as fields.procedure
				}
				fe.Field = "case." + fe.Field
				f = append(f, fe)
			}
		}
	}
	title := text(&f, "title", in.Title, false, maxShort)
	note := text(&f, "note", in.Note, false, maxText)
	if err := f.Err(); err != nil {
		return Referral{}, err
	}
	if title == "" {
		title = defaultTitle(in.Kind, fields, facts, in.Case)
	}
	if err := s.seal(fields, intake, inf, sp.link == caseNone); err != nil {
		return Referral{}, err
	}

	fieldsJSON, err := encode(fields)
	if err != nil {
		return Referral{}, err
	}
	discJSON, err := encode(disclosure)
	if err != nil {
		return Referral{}, err
	}
	senderID := sender
	r := row{Kind: string(in.Kind), SenderOrgID: &senderID, ReceiverOrgID: in.ReceiverOrgID, Status: string(StatusSent),
		CaseID: in.CaseID, ApplicationID: in.ApplicationID, Title: title, Note: note, Disclosure: discJSON, Fields: fieldsJSON,
		Result: "{}", SentBy: a.UserIDRef(), Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
		return Referral{}, fmt.Errorf("insert referral: %w", err)
	}
	detail := map[string]any{"kind": r.Kind, "sender_org_id": sender, "receiver_org_id": r.ReceiverOrgID}
	if err := s.sentDeadlines(ctx, tx, &r, fields, detail, now); err != nil {
		return Referral{}, err
	}
	if err := s.record(ctx, tx, a, &sender, r, "sent", "", StatusSent, detail, now); err != nil {
		return Referral{}, err
	}
	if err := s.tell(ctx, tx, a, r, ActionReceive, "referral_sent", r.ReceiverOrgID, nil); err != nil {
		return Referral{}, err
	}
	if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: &sender, Action: "referral.send", ObjectType: "referral",
		ObjectID: strconv.FormatInt(r.ID, 10), Detail: map[string]any{"kind": r.Kind, "receiver_org_id": r.ReceiverOrgID,
			"case_id": r.CaseID, "application_id": r.ApplicationID, "disclosure": disclosure}}); err != nil {
		return Referral{}, err
	}
	return s.reload(ctx, tx, r.ID)
}

// linkCase checks the case a referral names: the actor sees it, the kind's
// rules about the case hold, and the disclosure names only what the
// sender may pass on. It returns the case's facts.
func (s *Service) linkCase(ctx context.Context, tx *gorm.DB, f *domain.Fields, a *domain.Actor, sender int64, in SendInput,
	disclosure *cases.Disclosure, now time.Time) (*cases.Facts, error) {
	sp := Describe(in.Kind)
	acc, err := s.cases.AccessTx(ctx, tx, *in.CaseID)
	if err != nil {
		return nil, err
	}
	facts, err := s.cases.FactsTx(ctx, tx, *in.CaseID)
	if err != nil {
		return nil, err
	}
	handler := facts.OrgID == sender
	switch {
	case sp.fromHandler && !handler:
		f.Add("case_id", "validation.referral_not_handler")
	case handler && !acc.Handling:
		return nil, domain.Errorf(domain.EFORBIDDEN, "only the committee handling the case may refer it")
	}
	if sp.caseRule != nil {
		if err := sp.caseRule(s, f, facts, now); err != nil {
			return nil, err
		}
	}
	var pending int64
	if err := tx.WithContext(ctx).Raw(`SELECT count(*) FROM referrals WHERE case_id = ? AND kind = ? AND receiver_org_id = ?
AND status IN ('sent', 'received', 'accepted')`, *in.CaseID, in.Kind, in.ReceiverOrgID).Scan(&pending).Error; err != nil {
		return nil, fmt.Errorf("check pending referrals: %w", err)
	}
	if pending > 0 {
		f.Add("case_id", "validation.referral_pending")
	}

	// What the sender may pass on: everything of its own case; of a case
	// it sees through a referral, no more than it sees itself.
	allowedDocs := facts.Documents
	if !handler {
		shown, err := s.cases.DisclosedTx(ctx, tx, *in.CaseID)
		if err != nil {
			return nil, err
		}
		if shown != nil {
			allowedDocs = shown.Documents
			disclosure.Summary = disclosure.Summary && shown.Summary
			disclosure.Parties = disclosure.Parties && shown.Parties
			disclosure.Rights = disclosure.Rights && shown.Rights
			disclosure.Agreement = disclosure.Agreement && shown.Agreement
		}
	}
	var docs []int64
	for i, id := range disclosure.Documents {
		if !slices.Contains(allowedDocs, id) {
			f.Add(fmt.Sprintf("disclosure.documents[%d]", i), "validation.document")
		}
		if !slices.Contains(docs, id) {
			docs = append(docs, id)
		}
	}
	disclosure.Documents = docs
	return &facts, nil
}

// seal encrypts the personal data of a referral's fields in place: the
// whole dispute a court delegates (kept encrypted until the case is
// filed, with a display copy without identity numbers, phones and
// addresses) and a suspected infringer's identity number (encrypted, its
// keyed hash kept for the credit record).
func (s *Service) seal(fields map[string]any, intake cases.IntakeInput, inf *infringerInput, court bool) error {
	if court {
		raw, err := encode(intake)
		if err != nil {
			return err
		}
		enc, err := s.pii.Encrypt(raw)
		if err != nil {
			return fmt.Errorf("encrypt delegated case: %w", err)
		}
		fields["case_enc"] = enc
		var parties []map[string]any
		for _, p := range intake.Parties {
			parties = append(parties, map[string]any{"role": string(p.Role), "kind": string(p.Kind), "name": strings.TrimSpace(p.Name),
				"credit_code": domain.NormalizeCreditCode(p.CreditCode), "is_sme": p.IsSME})
		}
		var rights []map[string]any
		for _, r := range intake.Rights {
			rights = append(rights, map[string]any{"kind": string(r.Kind), "number": strings.TrimSpace(r.Number), "title": strings.TrimSpace(r.Title)})
		}
		fields["case"] = map[string]any{"dispute_type": string(intake.DisputeType), "summary": strings.TrimSpace(intake.Summary),
			"claims": strings.TrimSpace(intake.Claims), "claim_amount_fen": intake.ClaimAmountFen, "parties": parties, "rights": rights}
	}
	if inf != nil && inf.IDNumber != "" {
		disp, _ := fields["infringer"].(map[string]any)
		if disp == nil {
			disp = map[string]any{}
		}
		enc, err := s.pii.Encrypt(inf.IDNumber)
		if err != nil {
			return fmt.Errorf("encrypt identity number: %w", err)
		}
		disp["id_number_enc"], disp["id_number_hash"] = enc, s.pii.Hash(inf.IDNumber)
		fields["infringer"] = disp
	}
	return nil
}

// record writes a step to the referral's history and, when it has a case,
// to the case timeline (as referral_<action>).
func (s *Service) record(ctx context.Context, tx *gorm.DB, a *domain.Actor, orgID *int64, r row, action string,
	from, to Status, detail map[string]any, at time.Time) error {
	d, err := encode(detail)
	if err != nil {
		return err
	}
	ev := eventRow{ReferralID: r.ID, At: at, ActorID: a.UserIDRef(), ActorName: a.Name(), OrgID: orgID, Action: action,
		FromStatus: string(from), ToStatus: string(to), Detail: d}
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return fmt.Errorf("record referral event: %w", err)
	}
	if r.CaseID == nil {
		return nil
	}
	cd := map[string]any{"referral_id": r.ID, "kind": r.Kind, "status": string(to)}
	for _, k := range []string{"sender_org_id", "receiver_org_id", "reason", "outcome", "decision", "ruling_number",
		"filing_number", "award_number", "decision_number", "rule"} {
		if v, ok := detail[k]; ok {
			cd[k] = v
		}
	}
	return s.cases.AddEventTx(ctx, tx, *r.CaseID, a, "referral_"+action, cd, at)
}

// tell notifies the other side of a step: the members of orgID whose role
// holds the referral permission perm, except the actor.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, a *domain.Actor, r row, perm Action, kind string, orgID int64, extra map[string]any) error {
	if orgID <= 0 {
		return nil
	}
	var members []int64
	if err := tx.WithContext(ctx).Raw(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
WHERE m.org_id = ? ORDER BY m.user_id`, orgID).Scan(&members).Error; err != nil {
		return fmt.Errorf("notify referral: %w", err)
	}
	var names struct{ Sender, Receiver string }
	if err := tx.WithContext(ctx).Raw(`SELECT coalesce((SELECT name_zh FROM orgs WHERE id = ?), '') AS sender,
coalesce((SELECT name_zh FROM orgs WHERE id = ?), '') AS receiver`, r.SenderOrgID, r.ReceiverOrgID).Scan(&names).Error; err != nil {
		return fmt.Errorf("notify referral: %w", err)
	}
	params := map[string]any{"Title": r.Title, "From": names.Sender, "To": names.Receiver}
	// The notice names the case the referral is about (number and kind of
	// dispute): two referrals with the same title never read the same.
	if r.CaseID != nil {
		var c struct{ Ref, Dispute string }
		if err := tx.WithContext(ctx).Raw(`SELECT coalesce(nullif(number, ''), registration_number) AS ref, dispute_type AS dispute FROM cases WHERE id = ?`,
			*r.CaseID).Scan(&c).Error; err != nil {
			return fmt.Errorf("notify referral: %w", err)
		}
		params["CaseRef"], params["Dispute"] = c.Ref, c.Dispute
	}
	for k, v := range extra {
		params[k] = v
	}
	for _, uid := range members {
		if a != nil && uid == a.UserID {
			continue
		}
		if !s.authz.Can(uid, orgID, "referral", string(perm)) {
			continue
		}
		if err := s.notify.SendTx(ctx, tx, notify.Message{UserID: uid, Kind: kind, Params: params,
			Link: "/referrals/" + strconv.FormatInt(r.ID, 10), DedupKey: fmt.Sprintf("%s:%d:%d:%d", kind, r.ID, r.Version, uid)}); err != nil {
			return err
		}
	}
	return nil
}

// reload reads a referral back with its organisations' names.
func (s *Service) reload(ctx context.Context, tx *gorm.DB, id int64) (Referral, error) {
	var rows []listRow
	if err := listQuery(tx.WithContext(ctx)).Where("referrals.id = ?", id).Scan(&rows).Error; err != nil {
		return Referral{}, fmt.Errorf("reload referral %d: %w", id, err)
	}
	if len(rows) == 0 {
		return Referral{}, domain.NotFound("referral")
	}
	return rows[0].toReferral(), nil
}

// listQuery selects referrals with their organisations, case number and
// earliest open deadline that is the receiver's own duty (a party's time
// limit or a soft follow-up never makes a referral overdue; docs/law.md §1).
func listQuery(db *gorm.DB) *gorm.DB {
	return db.Table("referrals").Select(`referrals.*, coalesce(so.name_zh, '') AS sender_org_name, ro.name_zh AS receiver_org_name,
coalesce(c.number, '') AS case_number,
(SELECT min(d.due_at) FROM deadlines d WHERE d.subject_type = 'referral' AND d.subject_id = referrals.id AND d.status = 'open'
	AND d.duty = 'organisation') AS next_due_at`).
		Joins("LEFT JOIN orgs so ON so.id = referrals.sender_org_id").
		Joins("JOIN orgs ro ON ro.id = referrals.receiver_org_id").
		Joins("LEFT JOIN cases c ON c.id = referrals.case_id")
}

// stepRun describes one step for run.
type stepRun struct {
	action  Action
	version int
	check   func(f *domain.Fields, st *state)
	apply   func(ctx context.Context, tx *gorm.DB, st *state) (stepChange, error)
}

// state is a locked referral as a step sees it.
type state struct {
	row   row
	now   time.Time
	actor *domain.Actor
}

// stepChange is what a step does to the referral row and what its event
// records.
type stepChange struct {
	set    map[string]any
	detail map[string]any
	// notify names the message kind and the side told; extra fills it.
	extra map[string]any
}

// allowedByState lists the steps the state allows for a referral of kind
// k in status st.
func allowedByState(k Kind, st Status) []Action {
	var out []Action
	for _, a := range Actions {
		if a == ActionComplete && k.Automatic() {
			continue
		}
		if slices.Contains(transitions[a].from, st) {
			out = append(out, a)
		}
	}
	return out
}

// checkStep returns ECONFLICT naming the steps allowed now when action may
// not run.
func checkStep(k Kind, st Status, action Action) error {
	allowed := allowedByState(k, st)
	if slices.Contains(allowed, action) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	msg := fmt.Sprintf("step %q is not allowed while the referral is %s; allowed now: %s", action, st, orNone(strings.Join(names, ", ")))
	if action == ActionComplete && k.Automatic() && st == StatusAccepted {
		msg = "the result of a delegated or entrusted case is reported by the case itself when its agreement takes effect or the mediation fails"
	}
	return &domain.Error{Code: domain.ECONFLICT, Allowed: names, Message: msg}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// run executes one step of the receiver as one transaction: lock the
// referral within the actor's scope (ENOTFOUND), check the state machine
// (ECONFLICT), the permission (EFORBIDDEN: a member of the receiving
// organisation whose role holds referral:<step>), the input (EINVALID),
// the version, then write the change, the events, deadlines,
// notifications and the audit row.
func (s *Service) run(ctx context.Context, id int64, sr stepRun) (Referral, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Referral{}, err
	}
	var out Referral
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st, err := s.lock(ctx, tx, a, id)
		if err != nil {
			return err
		}
		k, from := Kind(st.row.Kind), Status(st.row.Status)
		if err := checkStep(k, from, sr.action); err != nil {
			return err
		}
		if !s.may(a, st.row.ReceiverOrgID, string(sr.action)) {
			return domain.Errorf(domain.EFORBIDDEN, "only the receiving organisation may %s this referral", sr.action)
		}
		var f domain.Fields
		if sr.version <= 0 {
			f.Add("version", "validation.required")
		}
		if sr.check != nil {
			sr.check(&f, st)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if st.row.Version != sr.version {
			return domain.Errorf(domain.ECONFLICT, "the referral was changed by someone else (current version %d); reload and try again", st.row.Version)
		}
		ch := stepChange{set: map[string]any{}, detail: map[string]any{}}
		// Accepting or declining what was not acknowledged acknowledges it.
		if from == StatusSent && sr.action != ActionReceive {
			if err := s.received(ctx, tx, st, &ch); err != nil {
				return err
			}
		}
		more, err := sr.apply(ctx, tx, st)
		if err != nil {
			return err
		}
		for k, v := range more.set {
			ch.set[k] = v
		}
		for k, v := range more.detail {
			ch.detail[k] = v
		}
		ch.extra = more.extra
		out, err = s.commit(ctx, tx, a, st, sr.action, ch)
		return err
	})
	if err != nil {
		return Referral{}, fmt.Errorf("%s referral %d: %w", sr.action, id, err)
	}
	return out, nil
}

// lock loads and locks a referral the actor may see.
func (s *Service) lock(ctx context.Context, tx *gorm.DB, a *domain.Actor, id int64) (*state, error) {
	sc := s.readScope(a)
	if sc.none() {
		return nil, domain.NotFound("referral")
	}
	st := &state{now: s.clock(), actor: a}
	cond, args := sc.where("")
	err := tx.WithContext(ctx).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("id = ?", id).Where(cond, args...).Take(&st.row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.NotFound("referral")
	}
	if err != nil {
		return nil, fmt.Errorf("load referral %d: %w", id, err)
	}
	if !slices.Contains(sc.orgs, st.row.ReceiverOrgID) && (st.row.SenderOrgID == nil || !slices.Contains(sc.orgs, *st.row.SenderOrgID)) {
		// The office that reads every referral acts on none.
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may read this referral, not act on it")
	}
	return st, nil
}

// received records the receipt of a referral in the change: who and
// when, and the deadlines that start at receipt.
func (s *Service) received(ctx context.Context, tx *gorm.DB, st *state, ch *stepChange) error {
	ch.set["received_at"], ch.set["received_by"] = st.now, st.actor.UserIDRef()
	st.row.ReceivedAt, st.row.ReceivedBy = &st.now, st.actor.UserIDRef()
	return s.receivedDeadlines(ctx, tx, st, ch.detail)
}

// commit writes the referral row (version + 1, the new status), the
// events, the notification of the sender's side and the audit row.
func (s *Service) commit(ctx context.Context, tx *gorm.DB, a *domain.Actor, st *state, action Action, ch stepChange) (Referral, error) {
	from := Status(st.row.Status)
	to := transitions[action].to
	set := ch.set
	set["status"], set["version"], set["updated_at"] = string(to), gorm.Expr("version + 1"), st.now
	res := tx.WithContext(ctx).Model(&row{}).Where("id = ? AND version = ?", st.row.ID, st.row.Version).Updates(set)
	if res.Error != nil {
		return Referral{}, fmt.Errorf("update referral: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Referral{}, domain.Errorf(domain.ECONFLICT, "the referral was changed by someone else; reload and try again")
	}
	st.row.Status, st.row.Version = string(to), st.row.Version+1
	if cid, ok := set["case_id"].(int64); ok {
		st.row.CaseID = &cid
	}
	recv := st.row.ReceiverOrgID
	ch.detail["sender_org_id"], ch.detail["receiver_org_id"] = st.row.SenderOrgID, recv
	verb := map[Action]string{ActionReceive: "received", ActionAccept: "accepted", ActionDecline: "declined", ActionComplete: "completed"}[action]
	if err := s.record(ctx, tx, a, &recv, st.row, verb, from, to, ch.detail, st.now); err != nil {
		return Referral{}, err
	}
	if st.row.SenderOrgID != nil {
		if err := s.tell(ctx, tx, a, st.row, ActionReceive, "referral_"+verb, *st.row.SenderOrgID, ch.extra); err != nil {
			return Referral{}, err
		}
		if err := s.tellSenderUser(ctx, tx, a, st.row, "referral_"+verb, ch.extra); err != nil {
			return Referral{}, err
		}
	}
	if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: &recv, Action: "referral." + string(action), ObjectType: "referral",
		ObjectID: strconv.FormatInt(st.row.ID, 10), Detail: map[string]any{"kind": st.row.Kind, "from_status": string(from),
			"to_status": string(to), "version": st.row.Version, "case_id": st.row.CaseID}}); err != nil {
		return Referral{}, err
	}
	return s.reload(ctx, tx, st.row.ID)
}

// tellSenderUser notifies the user who sent the referral when their role
// does not receive referrals (a committee clerk), so the sender always
// hears back.
func (s *Service) tellSenderUser(ctx context.Context, tx *gorm.DB, a *domain.Actor, r row, kind string, extra map[string]any) error {
	if r.SentBy == nil || r.SenderOrgID == nil || (a != nil && *r.SentBy == a.UserID) {
		return nil
	}
	if s.authz.Can(*r.SentBy, *r.SenderOrgID, "referral", string(ActionReceive)) {
		return nil // told with the organisation
	}
	var active bool
	if err := tx.WithContext(ctx).Raw("SELECT active FROM users WHERE id = ?", *r.SentBy).Scan(&active).Error; err != nil {
		return fmt.Errorf("notify referral sender: %w", err)
	}
	if !active {
		return nil
	}
	params := map[string]any{"Title": r.Title}
	for k, v := range extra {
		params[k] = v
	}
	return s.notify.SendTx(ctx, tx, notify.Message{UserID: *r.SentBy, Kind: kind, Params: params,
		Link: "/referrals/" + strconv.FormatInt(r.ID, 10), DedupKey: fmt.Sprintf("%s:%d:%d:%d", kind, r.ID, r.Version, *r.SentBy)})
}

// Receive acknowledges a referral (签收): the receiver has it; deadlines
// that run from receipt start (the police's 3 days to decide on a
// transferred case).
func (s *Service) Receive(ctx context.Context, id int64, in ReceiveInput) (Referral, error) {
	return s.run(ctx, id, stepRun{action: ActionReceive, version: in.Version,
		apply: func(ctx context.Context, tx *gorm.DB, st *state) (stepChange, error) {
			ch := stepChange{set: map[string]any{}, detail: map[string]any{}}
			return ch, s.received(ctx, tx, st, &ch)
		}})
}

// Accept accepts a referral. Accepting a court's delegation or
// entrustment files the case with the receiving committee (court.go);
// customs records the detention and its deadlines start; a court that
// accepts an application for judicial confirmation starts its time to
// decide.
func (s *Service) Accept(ctx context.Context, id int64, in AcceptInput) (Referral, error) {
	var extra, note any
	return s.run(ctx, id, stepRun{action: ActionAccept, version: in.Version,
		check: func(f *domain.Fields, st *state) {
			note = text(f, "note", in.Note, false, maxText)
			extra = checkAccept(f, Kind(st.row.Kind), st.row.fields(), in.Fields, st.now)
		},
		apply: func(ctx context.Context, tx *gorm.DB, st *state) (stepChange, error) {
			ch := stepChange{set: map[string]any{"decided_at": st.now, "decided_by": st.actor.UserIDRef()},
				detail: map[string]any{}}
			if n, _ := note.(string); n != "" {
				ch.detail["note"] = n
			}
			data, _ := extra.(map[string]any)
			if len(data) > 0 {
				fields := st.row.fields()
				for k, v := range data {
					fields[k] = v
					ch.detail[k] = v
				}
				enc, err := encode(fields)
				if err != nil {
					return stepChange{}, err
				}
				ch.set["fields"] = enc
				st.row.Fields = enc
			}
			if Kind(st.row.Kind).Automatic() {
				caseID, number, err := s.fileCourtCase(ctx, tx, st)
				if err != nil {
					return stepChange{}, err
				}
				ch.set["case_id"] = caseID
				ch.detail["case_id"], ch.detail["case_number"] = caseID, number
				ch.extra = map[string]any{"Case": number}
			}
			return ch, s.acceptedDeadlines(ctx, tx, st, ch.detail)
		}})
}

// Decline declines a referral with a reason; its open deadlines close (a
// decision was taken) and the sender is told.
func (s *Service) Decline(ctx context.Context, id int64, in DeclineInput) (Referral, error) {
	var reason string
	return s.run(ctx, id, stepRun{action: ActionDecline, version: in.Version,
		check: func(f *domain.Fields, _ *state) { reason = text(f, "reason", in.Reason, true, maxText) },
		apply: func(ctx context.Context, tx *gorm.DB, st *state) (stepChange, error) {
			closed, err := s.closeDeadlines(ctx, tx, st.row, st.now)
			if err != nil {
				return stepChange{}, err
			}
			ch := stepChange{set: map[string]any{"decline_reason": reason, "decided_at": st.now, "decided_by": st.actor.UserIDRef()},
				detail: map[string]any{"reason": reason}, extra: map[string]any{"Reason": reason}}
			if len(closed) > 0 {
				ch.detail["deadlines"] = closed
			}
			return ch, nil
		}})
}

// Complete records the result of an accepted referral (the court's
// decision on judicial confirmation and its 民特 ruling number, the filing
// number of a transferred case, the arbitration award, the enforcement
// decision …); its open deadlines close. An enforcement finding of
// intentional or repeated infringement writes a credit record, which
// intake's repeat-infringer check reads. The result of a delegated or
// entrusted case is reported by the case itself (ECONFLICT here).
func (s *Service) Complete(ctx context.Context, id int64, in CompleteInput) (Referral, error) {
	var result map[string]any
	return s.run(ctx, id, stepRun{action: ActionComplete, version: in.Version,
		check: func(f *domain.Fields, st *state) { result = checkResult(f, Kind(st.row.Kind), in.Result, st.now) },
		apply: func(ctx context.Context, tx *gorm.DB, st *state) (stepChange, error) {
			return s.completeWith(ctx, tx, st, result)
		}})
}

// completeWith stores a result and closes the referral's deadlines; the
// enforcement finding goes to the credit records.
func (s *Service) completeWith(ctx context.Context, tx *gorm.DB, st *state, result map[string]any) (stepChange, error) {
	if Describe(Kind(st.row.Kind)).credit {
		id, err := s.creditRecord(ctx, tx, st, result)
		if err != nil {
			return stepChange{}, err
		}
		if id > 0 {
			result["credit_record_id"] = id
		}
	}
	enc, err := encode(result)
	if err != nil {
		return stepChange{}, err
	}
	closed, err := s.closeDeadlines(ctx, tx, st.row, st.now)
	if err != nil {
		return stepChange{}, err
	}
	ch := stepChange{set: map[string]any{"result": enc, "completed_at": st.now, "completed_by": st.actor.UserIDRef()},
		detail: map[string]any{}, extra: map[string]any{}}
	for k, v := range result {
		ch.detail[k] = v
	}
	if len(closed) > 0 {
		ch.detail["deadlines"] = closed
	}
	for _, k := range []string{"outcome", "decision"} {
		if v, ok := result[k].(string); ok {
			ch.extra["Outcome"] = v
		}
	}
	return ch, nil
}
