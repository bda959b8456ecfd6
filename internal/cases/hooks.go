package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// What the case capability offers the referral capability (internal/
// referral, docs/design.md §5), kept in this one file:
//
//   - outcome hooks: a capability registers with OnOutcome and is told,
//     inside the transaction of the case action, that a case reached an
//     outcome a referring body waits for (its agreement took effect, the
//     mediation failed, the case was rejected or withdrawn), so that a
//     court learns the result of a delegated case without anyone typing it
//     again;
//   - the receivers' scope: the organisations at either end of a referral
//     of a case (a court, customs, an enforcement body, an arbitration
//     commission, the assistance centre) read the case, but only within
//     the referral's disclosure scope (Disclosure): the parts of the case
//     the sender chose, never the session minutes, and only the documents
//     it named;
//   - ValidateIntake and Facts for the flows that file or refer a case.

// Disclosure is what of a case the receiver of a referral may read; the
// sender chooses it when sending. The case's number, handling committee,
// status, dates and timeline are always visible to both ends of a
// referral; personal data stays masked; session minutes are never
// disclosed. Documents lists the case documents disclosed, confidential
// ones included only when named here explicitly.
type Disclosure struct {
	Summary   bool    `json:"summary"`   // the facts in brief, the claims, the amount
	Parties   bool    `json:"parties"`   // the parties (personal data masked)
	Rights    bool    `json:"rights"`    // the IP rights concerned
	Agreement bool    `json:"agreement"` // the mediation agreement and its sign-offs
	Documents []int64 `json:"documents"` // the case documents disclosed
}

// Union widens d with o: what either of two referrals discloses.
func (d Disclosure) Union(o Disclosure) Disclosure {
	d.Summary = d.Summary || o.Summary
	d.Parties = d.Parties || o.Parties
	d.Rights = d.Rights || o.Rights
	d.Agreement = d.Agreement || o.Agreement
	for _, id := range o.Documents {
		if !slices.Contains(d.Documents, id) {
			d.Documents = append(d.Documents, id)
		}
	}
	return d
}

// Outcome is what a case's outcome hook is told.
type Outcome struct {
	CaseID int64
	OrgID  int64
	Number string
	// Action is the case action that reached the outcome: signoff (the
	// agreement took effect), fail, reject or withdraw.
	Action domain.CaseAction
	// Result is settled, failed, rejected or withdrawn, or closed when a
	// case that reached one of them is closed.
	Result domain.CaseStatus
	// Reason is the reason of a failure, rejection or withdrawal.
	Reason string
	// Route is the route suggested after a failure.
	Route domain.FailRoute
	// EffectiveAt is when a settled case's agreement took effect.
	EffectiveAt *time.Time
	At          time.Time
	Actor       *domain.Actor
}

// OutcomeHook runs inside the transaction of the case action that reached
// an outcome; an error rolls the action back.
type OutcomeHook func(ctx context.Context, tx *gorm.DB, o Outcome) error

// hookSet holds the registered outcome hooks.
type hookSet struct {
	mu       sync.RWMutex
	outcomes map[string]OutcomeHook
}

// OnOutcome registers (or replaces) the outcome hook named name. Hooks run
// in the order of their names.
func (s *Service) OnOutcome(name string, h OutcomeHook) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if s.hooks.outcomes == nil {
		s.hooks.outcomes = map[string]OutcomeHook{}
	}
	s.hooks.outcomes[name] = h
}

// tellOutcome runs the outcome hooks when the action that commit has just
// written reached an outcome. It is called last in commit, inside the
// action's transaction.
func (s *Service) tellOutcome(ctx context.Context, tx *gorm.DB, a *domain.Actor, row caseRow, action domain.CaseAction, ch change) error {
	o := Outcome{CaseID: row.ID, OrgID: row.OrgID, Number: row.ref(), Action: action, At: row.UpdatedAt, Actor: a}
	switch action {
	case domain.ActionFail:
		o.Result, o.Reason, o.Route = domain.StatusFailed, row.OutcomeReason, domain.FailRoute(row.SuggestedRoute)
	case domain.ActionReject:
		o.Result, o.Reason = domain.StatusRejected, row.OutcomeReason
	case domain.ActionWithdraw:
		o.Result, o.Reason = domain.StatusWithdrawn, row.OutcomeReason
	case domain.ActionClose:
		// The case ends: settled and performed, or failed and routed on.
		o.Result = domain.StatusClosed
	case domain.ActionSignoff, domain.ActionSettle: // the last sign-off, or an oral agreement
		for _, ev := range ch.follow {
			if ev.Action != "agreement_effective" {
				continue
			}
			var d struct {
				EffectiveAt time.Time `json:"effective_at"`
			}
			if err := json.Unmarshal([]byte(ev.Detail), &d); err == nil && !d.EffectiveAt.IsZero() {
				o.EffectiveAt = &d.EffectiveAt
			}
			o.Result = domain.StatusSettled
		}
	}
	if o.Result == "" {
		return nil
	}
	s.hooks.mu.RLock()
	names := make([]string, 0, len(s.hooks.outcomes))
	for n := range s.hooks.outcomes {
		names = append(names, n)
	}
	sort.Strings(names)
	hooks := make([]OutcomeHook, len(names))
	for i, n := range names {
		hooks[i] = s.hooks.outcomes[n]
	}
	s.hooks.mu.RUnlock()
	for _, h := range hooks {
		if err := h(ctx, tx, o); err != nil {
			return err
		}
	}
	return nil
}

// ValidateIntake checks a case that another capability is going to file
// later through SubmitInternal (a court's delegation, checked when the
// court sends it, filed when the committee accepts it), with the rules of
// Submit except the committee: EINVALID naming the fields as Submit does.
func ValidateIntake(in IntakeInput) error {
	var f domain.Fields
	validateIntake(&f, in, filer{kind: filerSystem})
	return f.Err()
}

// Facts is what the referral flows need to know about a case: the
// handling committee, its state, the agreement's effect and whether an
// arbitration agreement is on file.
type Facts struct {
	ID          int64
	OrgID       int64
	Number      string
	Status      domain.CaseStatus
	Source      domain.CaseSource
	DisputeType domain.DisputeType
	Summary     string
	// EffectiveAt is when the mediation agreement took effect; nil when
	// there is none or it is not in effect.
	EffectiveAt *time.Time
	// SuggestedRoute is the route suggested after a failure.
	SuggestedRoute domain.FailRoute
	// Outcome is settled or failed once the case had one (it stays set
	// after closing).
	Outcome string
	// ArbitrationAgreementDocs are the documents of kind
	// arbitration_agreement on file.
	ArbitrationAgreementDocs []int64
	// Documents are the ids of every document of the case.
	Documents []int64
	// Respondents are the respondent parties (names, credit codes and
	// the keyed hash of identity numbers, never the numbers).
	Respondents []Respondent
}

// Respondent is a respondent of a case as the enforcement flow needs it.
type Respondent struct {
	PartyID      int64
	Kind         domain.PartyKind
	Name         string
	CreditCode   string
	IDNumberHash string
}

// FactsTx reads the facts of case id in tx, checking no scope: the caller
// has established that the actor may see the case (Access). ENOTFOUND
// when there is no such case.
func (s *Service) FactsTx(ctx context.Context, tx *gorm.DB, id int64) (Facts, error) {
	db := tx.WithContext(ctx)
	var row caseRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Facts{}, domain.NotFound("case")
		}
		return Facts{}, fmt.Errorf("case facts %d: %w", id, err)
	}
	f := Facts{ID: row.ID, OrgID: row.OrgID, Number: row.ref(), Status: domain.CaseStatus(row.Status),
		Source: domain.CaseSource(row.Source), DisputeType: domain.DisputeType(row.DisputeType), Summary: row.Summary,
		SuggestedRoute: domain.FailRoute(row.SuggestedRoute), Outcome: row.Outcome}
	var eff []time.Time
	if err := db.Raw("SELECT effective_at FROM case_agreements WHERE case_id = ? AND effective_at IS NOT NULL", id).
		Scan(&eff).Error; err != nil {
		return Facts{}, fmt.Errorf("case facts %d: agreement: %w", id, err)
	}
	if len(eff) > 0 {
		f.EffectiveAt = &eff[0]
	}
	var docs []struct {
		ID   int64
		Kind string
	}
	if err := db.Raw("SELECT id, kind FROM documents WHERE case_id = ? ORDER BY id", id).Scan(&docs).Error; err != nil {
		return Facts{}, fmt.Errorf("case facts %d: documents: %w", id, err)
	}
	for _, d := range docs {
		f.Documents = append(f.Documents, d.ID)
		if d.Kind == "arbitration_agreement" {
			f.ArbitrationAgreementDocs = append(f.ArbitrationAgreementDocs, d.ID)
		}
	}
	var parties []partyRow
	if err := db.Select("id, kind, name, credit_code, id_number_hash").Where("case_id = ? AND role = ?", id, domain.PartyRespondent).
		Order("position, id").Find(&parties).Error; err != nil {
		return Facts{}, fmt.Errorf("case facts %d: parties: %w", id, err)
	}
	for _, p := range parties {
		f.Respondents = append(f.Respondents, Respondent{PartyID: p.ID, Kind: domain.PartyKind(p.Kind), Name: p.Name,
			CreditCode: p.CreditCode, IDNumberHash: p.IDNumberHash})
	}
	return f, nil
}

// AddEventTx writes an entry to a case's timeline inside tx, for the
// steps of other capabilities that concern the case (a referral sent,
// accepted, completed). detail must not carry personal data: every viewer
// of the case reads the timeline.
func (s *Service) AddEventTx(ctx context.Context, tx *gorm.DB, caseID int64, a *domain.Actor, action string, detail map[string]any, at time.Time) error {
	var status string
	if err := tx.WithContext(ctx).Raw("SELECT status FROM cases WHERE id = ?", caseID).Scan(&status).Error; err != nil {
		return fmt.Errorf("case event: %w", err)
	}
	st := domain.CaseStatus(status)
	ev, err := newEvent(caseID, a, action, st, st, detail, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return err
	}
	// A step that leaves the case's status alone shows no transition.
	ev.FromStatus, ev.ToStatus = "", ""
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return fmt.Errorf("record case event: %w", err)
	}
	return nil
}

// referralOrgs returns the organisations through which the actor may read
// cases referred to or by them: those where a role of theirs reaches cases
// through referrals (domain.ReachReferred) and casbin grants case:read.
func (s *Service) referralOrgs(a *domain.Actor) []int64 {
	var out []int64
	for _, m := range a.Memberships {
		if m.Role.Reach(domain.ObjectCase).Has(domain.ReachReferred) && !slices.Contains(out, m.OrgID) && s.authz.Can(a.UserID, m.OrgID, "case", "read") {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// blind reports whether the viewer can see no case at all, not even
// through a referral.
func (v viewer) blind() bool { return v.empty() && len(v.referred) == 0 }

// wholeView is the condition, in the list form, under which the viewer
// sees a case whole rather than through a referral's disclosure: always
// for a viewer without referrals or with the leader's oversight.
func (v viewer) wholeView(mine bool) (string, []any) {
	if v.leader || len(v.referred) == 0 {
		return "TRUE", nil
	}
	parts, args := v.directParts(true, mine)
	wp, wa := v.wholeParts()
	parts, args = append(parts, wp...), append(args, wa...)
	return orParts(parts), args
}

// referralScope is the part of the case scope that admits the
// organisations at either end of a referral of the case that was not
// declined.
func (v viewer) referralScope(list bool) (string, []any, bool) {
	if len(v.referred) == 0 {
		return "", nil, false
	}
	if list {
		return "cases.id IN (SELECT r.case_id FROM referrals r WHERE r.case_id IS NOT NULL AND r.status <> 'declined' AND (r.receiver_org_id IN ? OR r.sender_org_id IN ?))",
			[]any{v.referred, v.referred}, true
	}
	return "EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = cases.id AND r.status <> 'declined' AND (r.receiver_org_id IN ? OR r.sender_org_id IN ?))",
		[]any{v.referred, v.referred}, true
}

// disclosureOf returns what of the case of st the viewer may read when
// they see it only through referrals, or nil when they see it otherwise
// (handling it, a party, the leader's oversight, filed by their
// organisation). The scopes of every referral of the case with the
// viewer's organisations at either end are joined; the documents
// attached to those referrals are disclosed as well.
func (s *Service) disclosureOf(ctx context.Context, db *gorm.DB, v viewer, st *caseState) (*Disclosure, error) {
	if st.access.Handling || st.access.Party || v.leader || len(v.referred) == 0 {
		return nil, nil
	}
	if len(v.submitter) > 0 && st.row.SubmittedBy != nil {
		var own int64
		if err := db.WithContext(ctx).Raw("SELECT count(*) FROM memberships WHERE user_id = ? AND org_id IN ?",
			*st.row.SubmittedBy, v.submitter).Scan(&own).Error; err != nil {
			return nil, fmt.Errorf("case %d: filer: %w", st.row.ID, err)
		}
		if own > 0 {
			return nil, nil
		}
	}
	var rows []struct {
		ID         int64
		Disclosure string
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, disclosure::text AS disclosure FROM referrals
WHERE case_id = ? AND status <> 'declined' AND (receiver_org_id IN ? OR sender_org_id IN ?) ORDER BY id`,
		st.row.ID, v.referred, v.referred).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("case %d: referral disclosure: %w", st.row.ID, err)
	}
	d := Disclosure{Documents: []int64{}}
	var ids []int64
	for _, r := range rows {
		var one Disclosure
		if err := json.Unmarshal([]byte(r.Disclosure), &one); err != nil {
			return nil, fmt.Errorf("referral %d: disclosure: %w", r.ID, err)
		}
		d = d.Union(one)
		ids = append(ids, r.ID)
	}
	if len(ids) > 0 {
		var attached []int64
		if err := db.WithContext(ctx).Raw("SELECT id FROM documents WHERE case_id = ? AND referral_id IN ? ORDER BY id", st.row.ID, ids).
			Scan(&attached).Error; err != nil {
			return nil, fmt.Errorf("case %d: referral documents: %w", st.row.ID, err)
		}
		d = d.Union(Disclosure{Documents: attached})
	}
	return &d, nil
}

// restrictToDisclosure cuts a case page down to the referral's disclosure
// scope for a viewer who sees the case only through referrals: the parts
// not disclosed, every session (the minutes are never disclosed, nor is
// who attended) and the objections go; documents are exactly the
// disclosed ones (confidential ones included when named); the timeline
// keeps no trace of documents not disclosed.
func (s *Service) restrictToDisclosure(ctx context.Context, v viewer, st *caseState, docs []documentRow, cv *CaseView) error {
	d, err := s.disclosureOf(ctx, s.db, v, st)
	if err != nil || d == nil {
		return err
	}
	cv.Access.Disclosed = true
	if !d.Summary {
		cv.Summary, cv.Claims, cv.ClaimAmountFen = "", "", 0
	}
	if !d.Parties {
		cv.Parties = nil
	}
	if !d.Rights {
		cv.Rights = nil
	}
	if !d.Agreement {
		cv.Agreement, cv.Performance = nil, nil
	}
	// The committee's own work is not disclosed by a referral: the
	// sessions, objections, the internal timeline, the mediators' conflict
	// declarations and the mediation period (its countdown is the
	// committee's duty, not the receiver's).
	cv.Sessions, cv.Objections, cv.Events = nil, nil, nil
	cv.MediationDueAt = nil
	for i := range cv.Mediators {
		cv.Mediators[i].DeclaredAt, cv.Mediators[i].Declaration = nil, ""
	}
	cv.Documents = nil
	for _, doc := range docs {
		if slices.Contains(d.Documents, doc.ID) {
			cv.Documents = append(cv.Documents, doc.toDocument())
		}
	}
	// Of the deadlines, those a referral puts on the viewer's organisation.
	dls := cv.Deadlines[:0]
	for _, dl := range cv.Deadlines {
		if dl.Subject.Type == deadline.SubjectReferral && slices.Contains(v.referred, dl.OrgID) {
			dls = append(dls, dl)
		}
	}
	cv.Deadlines = dls
	return nil
}

// DisclosedDocuments tells the document service which documents of a case
// the actor may read when they see the case only through referrals
// (restricted true: exactly ids, confidential ones included); restricted
// false means the usual rules of CaseAccess apply. ENOTFOUND when the
// actor may not see the case.
func (s *Service) DisclosedDocuments(ctx context.Context, caseID int64) ([]int64, bool, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, false, err
	}
	v := s.viewerOf(a)
	st, err := s.loadState(ctx, s.db, v, caseID, false)
	if err != nil {
		return nil, false, err
	}
	d, err := s.disclosureOf(ctx, s.db, v, st)
	if err != nil || d == nil {
		return nil, false, err
	}
	return d.Documents, true, nil
}

// DisclosedTx tells, read in tx, what of case caseID the actor reads when
// they see it only through referrals, so that a referral they send passes
// on no more: nil when they see the case otherwise (everything of it, as
// CaseAccess says); else the disclosed documents, and Summary, Parties,
// Rights and Agreement true for the parts that are disclosed and that the
// case has (what the case page shows them). ENOTFOUND when the actor may
// not see the case.
func (s *Service) DisclosedTx(ctx context.Context, tx *gorm.DB, caseID int64) (*Disclosure, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewerOf(a)
	st, err := s.loadState(ctx, tx, v, caseID, false)
	if err != nil {
		return nil, err
	}
	d, err := s.disclosureOf(ctx, tx, v, st)
	if err != nil || d == nil {
		return nil, err
	}
	var has struct{ Rights, Agreements int64 }
	if err := tx.WithContext(ctx).Raw(`SELECT (SELECT count(*) FROM case_rights WHERE case_id = ?) AS rights,
(SELECT count(*) FROM case_agreements WHERE case_id = ?) AS agreements`, caseID, caseID).Scan(&has).Error; err != nil {
		return nil, fmt.Errorf("case %d: disclosed parts: %w", caseID, err)
	}
	d.Summary = d.Summary && st.row.Summary != ""
	d.Parties = d.Parties && len(st.parties) > 0
	d.Rights = d.Rights && has.Rights > 0
	d.Agreement = d.Agreement && has.Agreements > 0
	return d, nil
}
