package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// viewer is the actor's case scope, derived once per call from the roles
// through which casbin grants case:read and what each reaches on cases in
// the role table (domain.Role.Reach; internal/domain/role.go):
//
//   - director or clerk of a committee: every case of that committee;
//   - city-level director: the cases of the committees they supervise;
//   - mediator: the cases of their committee they are assigned to (an
//     assignment ended by withdrawal or objection no longer counts);
//   - leader: every case, read-only and masked (oversight);
//   - applicant: the cases their enterprise filed or is a linked party of;
//   - court liaison, assistance officer: the cases filed by a member of
//     their organisation;
//   - association staff: the cases of the association's member
//     enterprises that consent to it reading them (as the enterprise
//     sees them, read-only, personal data masked).
//
// Anyone else, the system administrator included, sees no case.
type viewer struct {
	a          *domain.Actor
	staff      []int64 // director or clerk
	supervised []int64
	mediator   []int64
	leader     bool
	// leaderOrgs are the leadership offices in which the actor reads
	// cases (leader true); supervisors the city-level committees whose
	// director they are (the source of supervised).
	leaderOrgs  []int64
	supervisors []int64
	applicant   []int64
	submitter   []int64
	// referred: organisations at either end of a referral of the case
	// (hooks.go); they read it within the referral's disclosure.
	referred []int64
	// associations: the industry associations through which the actor
	// reads its consenting members' cases (domain.ReachMembers).
	associations []int64
	// party: a party acting through its access link (no account); it
	// reaches its one case and may only sign the agreement there
	// (partyViewer).
	party *domain.PartyActor
}

// partyViewer is the scope of a party signed in through its link: its
// own case, acting under its own name (a user-less actor).
func partyViewer(p *domain.PartyActor) viewer {
	return viewer{a: &domain.Actor{DisplayName: p.Name}, party: p}
}

func (s *Service) viewerOf(a *domain.Actor) viewer {
	v := viewer{a: a}
	add := func(list *[]int64, id int64) {
		if !slices.Contains(*list, id) {
			*list = append(*list, id)
		}
	}
	supervising := false
	for _, m := range a.Memberships {
		if !s.authz.Can(a.UserID, m.OrgID, "case", "read") {
			continue
		}
		r := m.Role.Reach(domain.ObjectCase)
		if r.Has(domain.ReachOrg) {
			add(&v.staff, m.OrgID)
		}
		if r.Has(domain.ReachAssigned) {
			add(&v.mediator, m.OrgID)
		}
		if r.Has(domain.ReachAll) {
			v.leader = true
			add(&v.leaderOrgs, m.OrgID)
		}
		if r.Has(domain.ReachPartyTo) {
			add(&v.applicant, m.OrgID)
		}
		if r.Has(domain.ReachFiled) {
			add(&v.submitter, m.OrgID)
		}
		if r.Has(domain.ReachMembers) {
			add(&v.associations, m.OrgID)
		}
		if r.Has(domain.ReachSupervised) {
			supervising = true
			if m.OrgLevel == domain.LevelCity {
				add(&v.supervisors, m.OrgID)
			}
		}
	}
	if supervising {
		for _, id := range a.Supervised {
			add(&v.supervised, id)
		}
	}
	if len(v.supervised) == 0 {
		v.supervisors = nil
	}
	v.referred = s.referralOrgs(a)
	return v
}

// MineByDefault reports whether a case list for a holder of reach starts
// with their own assignments: they reach cases by assignment and not as
// the committee's office (a mediator, not a clerk or director).
func MineByDefault(reach domain.Reach) bool {
	return reach.Has(domain.ReachAssigned) && !reach.Has(domain.ReachOrg)
}

// FilesAtOwnCommittee reports whether the actor files cases only with a
// committee they belong to (a clerk, into the docket of their committee):
// none of their roles reaches cases as a party (an enterprise) or as their
// filer (a court, the assistance centre), who choose the committee.
func FilesAtOwnCommittee(a *domain.Actor) bool {
	r := a.ReachAny(domain.ObjectCase)
	return !r.Has(domain.ReachPartyTo) && !r.Has(domain.ReachFiled)
}

// queueOrgs are the committees whose whole docket the viewer sees.
func (v viewer) queueOrgs() []int64 {
	out := slices.Clone(v.staff)
	for _, id := range v.supervised {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (v viewer) empty() bool {
	return v.party == nil && !v.leader && len(v.staff)+len(v.supervised)+len(v.mediator)+len(v.applicant)+len(v.submitter)+len(v.associations) == 0
}

// rowScope is the viewer's scope as a condition on one row of "cases",
// with correlated EXISTS sub-queries that cost an index probe each: the
// form for fetching a case by id.
func (v viewer) rowScope() (string, []any) {
	return v.scope(false, false)
}

// listScope is the same scope in the form that plans well for a page of a
// long list: sets of case ids the planner can compute from an index
// (a mediator's assignments, an enterprise's party links) instead of a
// sub-query probed for every row walked. With mine, the caller restricts
// the list to the viewer's own assignments itself, so the mediator part
// needs only the committee: a second, identical assignment sub-query
// would make the planner misjudge the result size by orders of magnitude
// (a hash join over the committee's whole docket instead of walking the
// assignments).
func (v viewer) listScope(mine bool) (string, []any) {
	return v.scope(true, mine)
}

func (v viewer) scope(list, mine bool) (string, []any) {
	if v.party != nil {
		return "cases.id = ?", []any{v.party.CaseID}
	}
	if v.leader {
		return "TRUE", nil
	}
	parts, args := v.directParts(list, mine)
	wp, wa := v.wholeParts()
	parts, args = append(parts, wp...), append(args, wa...)
	if p, pa, ok := v.referralScope(list); ok {
		parts, args = append(parts, p), append(args, pa...)
	}
	return orParts(parts), args
}

// orParts joins conditions with OR; none is FALSE.
func orParts(parts []string) string {
	if len(parts) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// directParts are the parts of the scope through which the viewer sees a
// case whole: handling it (the committee's staff, its supervising
// director, an assigned mediator) or a party to it. They are the
// conditions of CaseAccess.Handling and Party.
func (v viewer) directParts(list, mine bool) ([]string, []any) {
	var (
		parts []string
		args  []any
	)
	if orgs := v.queueOrgs(); len(orgs) > 0 {
		parts = append(parts, "cases.org_id IN ?")
		args = append(args, orgs)
	}
	if len(v.mediator) > 0 && mine {
		parts = append(parts, "cases.org_id IN ?")
		args = append(args, v.mediator)
	} else if len(v.mediator) > 0 {
		if list {
			parts = append(parts, "(cases.org_id IN ? AND cases.id IN (SELECT cm.case_id FROM case_mediators cm WHERE cm.user_id = ? AND cm.removed_at IS NULL))")
		} else {
			parts = append(parts, "(cases.org_id IN ? AND EXISTS (SELECT 1 FROM case_mediators cm WHERE cm.case_id = cases.id AND cm.user_id = ? AND cm.removed_at IS NULL))")
		}
		args = append(args, v.mediator, v.a.UserID)
	}
	if len(v.applicant) > 0 {
		if list {
			parts = append(parts, "cases.id IN (SELECT c2.id FROM cases c2 WHERE c2.applicant_org_id IN ? UNION SELECT cp.case_id FROM case_parties cp WHERE cp.org_id IN ?)")
		} else {
			parts = append(parts, "(cases.applicant_org_id IN ? OR EXISTS (SELECT 1 FROM case_parties cp WHERE cp.case_id = cases.id AND cp.org_id IN ?))")
		}
		args = append(args, v.applicant, v.applicant)
	}
	return parts, args
}

// filedPart admits the cases filed by a member of the viewer's court or
// assistance centre, which they read whole (no referral disclosure
// applies).
func (v viewer) filedPart() (string, []any, bool) {
	if len(v.submitter) == 0 {
		return "", nil, false
	}
	// cases records the submitting user, not their organisation, so
	// the submitter's current memberships stand for it: a liaison
	// who leaves the court takes nothing along, a successor sees the
	// court's cases. Without an index on cases.submitted_by this
	// part is a scan of cases.
	return "EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = cases.submitted_by AND m.org_id IN ?)", []any{v.submitter}, true
}

// membersPart admits the cases of the enterprises that are members of
// the viewer's associations and consent to them reading their cases: the
// cases such an enterprise filed or is a linked party of, read whole as
// the enterprise reads them. The consent is read with the case, so a
// withdrawal takes effect on the next request.
func (v viewer) membersPart() (string, []any, bool) {
	if len(v.associations) == 0 {
		return "", nil, false
	}
	return "(cases.applicant_org_id IN (" + domain.ConsentingMembers + ") OR EXISTS (SELECT 1 FROM case_parties cp WHERE cp.case_id = cases.id AND cp.org_id IN (" + domain.ConsentingMembers + ")))",
		[]any{v.associations, v.associations}, true
}

// wholeParts are filedPart and membersPart: the parts of the scope
// through which a viewer who neither handles nor is party to a case
// reads it whole.
func (v viewer) wholeParts() ([]string, []any) {
	var (
		parts []string
		args  []any
	)
	if p, pa, ok := v.filedPart(); ok {
		parts, args = append(parts, p), append(args, pa...)
	}
	if p, pa, ok := v.membersPart(); ok {
		parts, args = append(parts, p), append(args, pa...)
	}
	return parts, args
}

// caseState is a case as the action checks and the Allowed list need it.
type caseState struct {
	row               caseRow
	mediators         []mediatorRow // every assignment, ended ones too
	parties           []partyRow    // id, position, role, kind, name, org_id at least
	agreement         *agreementRow // by Get, and for actions on a settled case
	signoffs          []signoffRow  // of agreement
	pendingObjections int           // counted by Get, for the Allowed list
	access            domain.CaseAccess
	mine              *mediatorRow // the actor's active assignment
	// partyOrgs are the viewer's enterprises linked to the case;
	// applicantSide those linked as the applicant.
	partyOrgs     []int64
	applicantSide []int64
	now           time.Time     // the time of the action or read
	actor         *domain.Actor // who acts or reads
	// byParty is the party acting through its link, when it is one.
	byParty *domain.PartyActor
}

func (st *caseState) status() domain.CaseStatus { return domain.CaseStatus(st.row.Status) }

func (st *caseState) activeMediators() []mediatorRow {
	var out []mediatorRow
	for _, m := range st.mediators {
		if m.active() {
			out = append(out, m)
		}
	}
	return out
}

func (st *caseState) party(id int64) *partyRow {
	for i := range st.parties {
		if st.parties[i].ID == id {
			return &st.parties[i]
		}
	}
	return nil
}

func (st *caseState) activeMediator(userID int64) *mediatorRow {
	for i := range st.mediators {
		if st.mediators[i].UserID == userID && st.mediators[i].active() {
			return &st.mediators[i]
		}
	}
	return nil
}

// effective reports whether the agreement has taken effect.
func (st *caseState) effective() bool { return st.agreement != nil && st.agreement.EffectiveAt != nil }

// resolve fills the viewer-dependent fields once the rows are loaded.
func (st *caseState) resolve(v viewer) {
	r := st.row
	a := v.a
	for i := range st.mediators {
		if st.mediators[i].UserID == a.UserID && st.mediators[i].active() {
			st.mine = &st.mediators[i]
		}
	}
	st.partyOrgs, st.applicantSide = nil, nil
	for _, e := range v.applicant {
		linked, applicantSide := false, false
		if r.ApplicantOrgID != nil && *r.ApplicantOrgID == e {
			linked, applicantSide = true, true
		}
		for _, p := range st.parties {
			if p.OrgID != nil && *p.OrgID == e {
				linked = true
				applicantSide = applicantSide || p.Role == string(domain.PartyApplicant)
			}
		}
		if linked {
			st.partyOrgs = append(st.partyOrgs, e)
		}
		if applicantSide {
			st.applicantSide = append(st.applicantSide, e)
		}
	}
	works := slices.Contains(v.staff, r.OrgID) || (slices.Contains(v.mediator, r.OrgID) && st.mine != nil)
	handling := works || slices.Contains(v.supervised, r.OrgID)
	party := len(st.partyOrgs) > 0
	st.access = domain.CaseAccess{
		CaseID: r.ID, OrgID: r.OrgID, Status: domain.CaseStatus(r.Status),
		Handling: handling, Party: party, Works: works,
		SeesPersonalData: handling, SeesConfidential: handling || party,
	}
}

// documentRights sets ReadsDocuments and UploadsDocuments of st.access
// from casbin (configs/policy.csv is the truth, no role list here): the
// permission document:read held in an organisation through which the
// viewer sees the case — the handling committee for its staff and
// assigned mediators, the supervising committee, the party enterprise,
// the leadership office, the organisation whose member filed it, an end
// of one of its referrals that was not declined; document:upload held in
// the handling committee by someone who works the case, or in a party
// enterprise. Supervision reads but never uploads. The two queries (the
// filer's organisation, the referrals) run only when nothing cheaper has
// decided.
func (s *Service) documentRights(ctx context.Context, db *gorm.DB, v viewer, st *caseState) error {
	a, acc := v.a, &st.access
	can := func(org int64, action string) bool {
		return a.IsMember(org) && s.authz.Can(a.UserID, org, "document", action)
	}
	anyCan := func(orgs []int64, action string) []int64 {
		var out []int64
		for _, o := range orgs {
			if can(o, action) {
				out = append(out, o)
			}
		}
		return out
	}
	acc.UploadsDocuments = (acc.Works && can(acc.OrgID, "upload")) || len(anyCan(st.partyOrgs, "upload")) > 0
	switch {
	case acc.Works && can(acc.OrgID, "read"),
		slices.Contains(v.supervised, acc.OrgID) && len(anyCan(v.supervisors, "read")) > 0,
		len(anyCan(st.partyOrgs, "read")) > 0,
		len(anyCan(v.leaderOrgs, "read")) > 0:
		acc.ReadsDocuments = true
		return nil
	}
	if filers := anyCan(v.submitter, "read"); len(filers) > 0 && st.row.SubmittedBy != nil {
		var n int64
		if err := db.WithContext(ctx).Raw("SELECT count(*) FROM memberships WHERE user_id = ? AND org_id IN ?",
			*st.row.SubmittedBy, filers).Scan(&n).Error; err != nil {
			return fmt.Errorf("case %d: filer: %w", st.row.ID, err)
		}
		if n > 0 {
			acc.ReadsDocuments = true
			return nil
		}
	}
	if ends := anyCan(v.referred, "read"); len(ends) > 0 {
		var n int64
		if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM referrals WHERE case_id = ? AND status <> 'declined'
AND (receiver_org_id IN ? OR sender_org_id IN ?)`, st.row.ID, ends, ends).Scan(&n).Error; err != nil {
			return fmt.Errorf("case %d: referral ends: %w", st.row.ID, err)
		}
		acc.ReadsDocuments = n > 0
	}
	return nil
}

// oversightOnly reports whether the viewer sees the case only as the
// leader's office does: then natural persons' names are masked too.
func (st *caseState) oversightOnly(v viewer) bool {
	return v.leader && !st.access.Handling && !st.access.Party
}

// loadState loads a case within the viewer's scope with the rows that
// decide who may see and do what (mediators, parties). A case outside the
// scope is ENOTFOUND. For an action (forAction) it also locks the case row
// for the rest of the transaction and loads what the action's checks need
// (the agreement and sign-offs of a settled or closed case).
func (s *Service) loadState(ctx context.Context, tx *gorm.DB, v viewer, id int64, forAction bool) (*caseState, error) {
	if v.blind() {
		return nil, domain.NotFound("case")
	}
	where, args := v.rowScope()
	q := tx.WithContext(ctx).Where("cases.id = ?", id).Where(where, args...)
	if forAction {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Table: clause.Table{Name: "cases"}})
	}
	st := &caseState{now: s.clock(), actor: v.a, byParty: v.party}
	if err := q.Take(&st.row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, domain.NotFound("case")
		}
		return nil, fmt.Errorf("load case %d: %w", id, err)
	}
	db := tx.WithContext(ctx)
	if err := db.Where("case_id = ?", id).Order("assigned_at, user_id").Find(&st.mediators).Error; err != nil {
		return nil, fmt.Errorf("load case mediators: %w", err)
	}
	if err := db.Select("id, case_id, position, role, kind, name, org_id").Where("case_id = ?", id).
		Order("position, id").Find(&st.parties).Error; err != nil {
		return nil, fmt.Errorf("load case parties: %w", err)
	}
	if forAction && (st.status() == domain.StatusAgreementDraft || st.status() == domain.StatusSettled || st.status() == domain.StatusClosed) {
		if err := s.loadAgreement(ctx, tx, st); err != nil {
			return nil, err
		}
	}
	st.resolve(v)
	return st, nil
}

// loadAgreement loads the case's agreement, if any, and its sign-offs.
func (s *Service) loadAgreement(ctx context.Context, tx *gorm.DB, st *caseState) error {
	var ags []agreementRow
	if err := tx.WithContext(ctx).Where("case_id = ?", st.row.ID).Find(&ags).Error; err != nil {
		return fmt.Errorf("load agreement: %w", err)
	}
	if len(ags) == 0 {
		return nil
	}
	st.agreement = &ags[0]
	if err := tx.WithContext(ctx).Where("agreement_id = ? AND voided_at IS NULL", ags[0].ID).Order("id").Find(&st.signoffs).Error; err != nil {
		return fmt.Errorf("load sign-offs: %w", err)
	}
	return nil
}

// Access returns what the actor may do with a case, for other capabilities
// (documents, referrals) that must not repeat the case rules, including
// what casbin's document permissions give them on it (documentRights). It
// is ENOTFOUND when the actor may not see the case.
func (s *Service) Access(ctx context.Context, id int64) (domain.CaseAccess, error) {
	return s.AccessTx(ctx, s.db, id)
}

// AccessTx is Access read in tx, for a use case of another capability
// that decides on the case inside its own transaction (a referral being
// sent).
func (s *Service) AccessTx(ctx context.Context, tx *gorm.DB, id int64) (domain.CaseAccess, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.CaseAccess{}, err
	}
	v := s.viewerOf(a)
	st, err := s.loadState(ctx, tx, v, id, false)
	if err != nil {
		return domain.CaseAccess{}, err
	}
	if err := s.documentRights(ctx, tx, v, st); err != nil {
		return domain.CaseAccess{}, err
	}
	return st.access, nil
}

// can reports whether the actor holds, in org, a role with the case
// permission of action. Membership is required as well, so that the
// system administrator's wildcard never reaches into a case: sysadmin
// has no case access (least privilege).
func (s *Service) can(a *domain.Actor, org int64, action domain.CaseAction) bool {
	return a.IsMember(org) && s.authz.Can(a.UserID, org, "case", action.Permission())
}

// permitted decides who may take an action on a case they can see:
// casbin's permission plus what casbin cannot know (the assignment, the
// declaration, the enterprise's side). The state machine is separate
// (allowedByState).
func (s *Service) permitted(v viewer, st *caseState, action domain.CaseAction) bool {
	a, org := v.a, st.row.OrgID
	if v.party != nil {
		// A party signs its own case's agreement and objects to its
		// mediators; nothing else.
		return (action == domain.ActionSignoff || action == domain.ActionObject) && v.party.CaseID == st.row.ID
	}
	switch action {
	case domain.ActionAccept, domain.ActionReject, domain.ActionAssign, domain.ActionExtend,
		domain.ActionClose, domain.ActionDecideObjection:
		return s.can(a, org, action)
	case domain.ActionReassign:
		return slices.Contains(s.reassignOrgs(a), org)
	case domain.ActionDeclareConflict:
		return st.mine != nil && s.can(a, org, action)
	case domain.ActionLogSession, domain.ActionSettle, domain.ActionReviseAgreement, domain.ActionFail:
		return st.mine != nil && st.mine.DeclaredAt != nil && s.can(a, org, action)
	case domain.ActionSignoff, domain.ActionPerformance:
		// Performance follow-ups too: an assigned mediator, the clerk or
		// the director of the handling committee.
		return s.can(a, org, action) && (a.ReachIn(org, domain.ObjectCase).Has(domain.ReachOrg) || st.mine != nil)
	case domain.ActionObject:
		// A clerk records an objection on a party's behalf; an SME
		// raises its own online.
		if s.can(a, org, action) {
			return true
		}
		for _, e := range st.partyOrgs {
			if s.can(a, e, action) {
				return true
			}
		}
	case domain.ActionWithdraw:
		// Withdrawal is the applicant's: recorded by the clerk, or by
		// the applicant enterprise online.
		if s.can(a, org, action) {
			return true
		}
		for _, e := range st.applicantSide {
			if s.can(a, e, action) {
				return true
			}
		}
	}
	return false
}

// needsReassignment reports whether a mediating case has lost every
// mediator (withdrawal, upheld objection without replacement). The state
// machine allows assign only from accepted; the service lets the director
// assign again in exactly this situation, keeping the case mediating.
func (st *caseState) needsReassignment() bool {
	return st.status() == domain.StatusMediating && len(st.activeMediators()) == 0
}

// checkTransition is domain.CheckTransition plus the reassignment rule.
func checkTransition(st *caseState, action domain.CaseAction) error {
	if action == domain.ActionAssign && st.needsReassignment() {
		return nil
	}
	err := domain.CheckTransition(st.status(), action)
	var de *domain.Error
	if err != nil && st.needsReassignment() && errors.As(err, &de) {
		de.Allowed = append([]string{string(domain.ActionAssign)}, de.Allowed...)
		de.Message = fmt.Sprintf("action %q is not allowed while the case is %s; allowed now: %s",
			action, st.status(), strings.Join(de.Allowed, ", "))
	}
	return err
}

// hasWork reports whether an action that the state machine and the
// permissions allow has something to act on, so that the case page does
// not offer a button that can only fail.
func (st *caseState) hasWork(action domain.CaseAction) bool {
	switch action {
	case domain.ActionDecideObjection:
		return st.pendingObjections > 0
	case domain.ActionObject:
		return len(st.activeMediators()) > 0
	case domain.ActionSignoff:
		return st.agreement != nil && !st.effective()
	case domain.ActionClose:
		return st.status() != domain.StatusSettled || st.effective()
	case domain.ActionPerformance:
		return st.effective()
	}
	return true
}

// allowed lists the actions the viewer may take now.
func (s *Service) allowed(v viewer, st *caseState) []domain.CaseAction {
	out := []domain.CaseAction{}
	if st.row.ArchivedAt != nil {
		return out // an archived case is read-only
	}
	for _, action := range domain.CaseActions {
		if checkTransition(st, action) == nil && s.permitted(v, st, action) && st.hasWork(action) {
			out = append(out, action)
		}
	}
	return out
}

// listIDs is the viewer's list scope as one set of case ids, newest
// first, for a viewer whose every way to a case is a set of ids that an
// index yields (an enterprise's filings and party links, an association's
// consenting members, referrals, a mediator's assignments); ok false for
// anyone who sees whole dockets (committee staff, supervisors, the
// leader), a court's or centre's filings, or a single case (a party).
// Joined to the list (JOIN … ON s.id = cases.id), the set is probed
// newest first and the probing stops at the end of the page, where
// "cases.id IN (…) OR …" walked the table backward from the newest case
// and tested every case filed since the viewer's own (54,477 cases for
// an SME after 28,708 intakes by clerks, measured). The set is exactly
// the cases listScope(false) admits, and, once List keeps the viewer's
// own assignments (mine), the same list as listScope(true).
func (v viewer) listIDs() (string, []any, bool) {
	// A court's or centre's filings (filedPart) are left to the walk:
	// the demo court filed 82,966 of the million cases, and sorting
	// them took 47 ms where walking the newest cases takes 1 ms.
	if v.party != nil || v.leader || len(v.queueOrgs()) > 0 || len(v.submitter) > 0 {
		return "", nil, false
	}
	var (
		sets []string
		args []any
	)
	if len(v.mediator) > 0 {
		// With mine, listScope admits the committee's whole docket, as
		// List keeps only the viewer's assignments itself; a set of the
		// docket would be enormous, and the assignments at the committee
		// give the same list once List has kept its own.
		sets = append(sets, "SELECT cm.case_id FROM case_mediators cm JOIN cases c1 ON c1.id = cm.case_id WHERE cm.user_id = ? AND cm.removed_at IS NULL AND c1.org_id IN ?")
		args = append(args, v.a.UserID, v.mediator)
	}
	if len(v.applicant) > 0 {
		sets = append(sets, "SELECT c2.id FROM cases c2 WHERE c2.applicant_org_id IN ?", "SELECT cp.case_id FROM case_parties cp WHERE cp.org_id IN ?")
		args = append(args, v.applicant, v.applicant)
	}
	if len(v.associations) > 0 {
		sets = append(sets, "SELECT c4.id FROM cases c4 WHERE c4.applicant_org_id IN ("+domain.ConsentingMembers+")",
			"SELECT cp.case_id FROM case_parties cp WHERE cp.org_id IN ("+domain.ConsentingMembers+")")
		args = append(args, v.associations, v.associations)
	}
	if len(v.referred) > 0 {
		sets = append(sets, "SELECT r.case_id FROM referrals r WHERE r.case_id IS NOT NULL AND r.status <> 'declined' AND (r.receiver_org_id IN ? OR r.sender_org_id IN ?)")
		args = append(args, v.referred, v.referred)
	}
	if len(sets) == 0 {
		return "", nil, false
	}
	return "JOIN (SELECT u.id FROM (" + strings.Join(sets, "\nUNION ") + ") u (id) ORDER BY u.id DESC) scope ON scope.id = cases.id", args, true
}
