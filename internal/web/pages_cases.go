package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/pdf"
	"github.com/ipmediate/ipmediate/internal/register"
	"github.com/ipmediate/ipmediate/internal/service"
	"github.com/ipmediate/ipmediate/internal/stats"
)

type casesPage struct {
	Items      []cases.ListItem
	Next       string
	Query      map[string]string
	Committees []domain.Org
	CanCreate  bool
	IsMediator bool
}

// handleCaseList is the case queue: a director's and clerk's committee
// queue, a mediator's own cases, an SME's filings.
func (s *Server) handleCaseList(c echo.Context) error {
	f, err := caseFilter(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	reach := a.ReachAny(domain.ObjectCase)
	if c.QueryParam("mine") == "" && cases.MineByDefault(reach) {
		f.Mine = true
	}
	items, next, err := s.deps.Cases.List(ctxOf(c), f)
	if err != nil {
		return err
	}
	q := map[string]string{}
	for _, k := range []string{"status", "dispute_type", "source", "region_code", "q", "from", "to", "org_id", "objection",
		"outcome", "outcome_from", "outcome_to", "right_kind", "sme_applicant"} {
		q[k] = c.QueryParam(k)
	}
	if f.Mine {
		q["mine"] = "1"
	}
	page := &casesPage{Items: items, Next: next, Query: q, IsMediator: reach.Has(domain.ReachAssigned)}
	page.Committees, err = s.committees(c)
	if err != nil {
		return err
	}
	page.CanCreate = s.canCreateCase(a)
	return s.render(c, http.StatusOK, "cases", page)
}

// OpenStatuses is the status filter value of every case in progress (the
// statistics' "in progress" figure links to it).
func (p *casesPage) OpenStatuses() string { return openStatusesParam }

var openStatusesParam = func() string {
	v := make([]string, len(stats.OpenStatuses))
	for i, st := range stats.OpenStatuses {
		v[i] = string(st)
	}
	return strings.Join(v, ",")
}()

// nextQuery builds the link to the next page with the same filters.
func (p *casesPage) NextQuery() string {
	v := make([]string, 0, len(p.Query)+1)
	for k, val := range p.Query {
		if val != "" {
			v = append(v, k+"="+urlEscape(val))
		}
	}
	v = append(v, "cursor="+urlEscape(p.Next))
	return strings.Join(v, "&")
}

func (s *Server) committees(c echo.Context) ([]domain.Org, error) {
	dir, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return nil, err
	}
	var out []domain.Org
	for _, o := range dir {
		if (o.Type == domain.OrgMediationCommittee || o.Type == domain.OrgSocialMediation) && o.Active {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *Server) canCreateCase(a *domain.Actor) bool {
	for _, m := range a.Memberships {
		if s.deps.Authz.Can(a.UserID, m.OrgID, "case", "create") {
			return true
		}
	}
	return false
}

// The intake form has fixed rows so that it works without JavaScript;
// blank rows are skipped.
const (
	formParties = 5 // applicant, applicant, respondent, respondent, third party
	formRights  = 3
	// The form grows by a row per "add" submit (no JavaScript needed) up
	// to these; a row left blank is dropped, which is how one is removed.
	maxFormParties = 30
	maxFormRights  = 20
)

// formRows reads how many rows of a repeated group the submitted form
// had (the hidden field name), between min and max.
func formRows(c echo.Context, name string, min, max int) int {
	n := int(formInt(c.FormValue(name)))
	return clampInt(n, min, max)
}

// kindFields are the party fields the intake form shows only for one
// kind of party (the data-for attributes of case_new.html).
var kindFields = map[domain.PartyKind][]string{
	domain.PartyPerson:       {"id_number", "gender", "ethnicity", "birth_date", "age", "occupation"},
	domain.PartyOrganisation: {"credit_code", "is_sme", "representative_role", "representative_name", "representative_title"},
}

// otherKind is the kind of party whose fields k's row hides.
func otherKind(k domain.PartyKind) domain.PartyKind {
	if k == domain.PartyPerson {
		return domain.PartyOrganisation
	}
	return domain.PartyPerson
}

// removeRow drops row i of the n rows of group (the values named
// group[j].field) and moves the later rows up by one.
func removeRow(values map[string]string, group string, i, n int) {
	rowOf := func(j int) string { return fmt.Sprintf("%s[%d].", group, j) }
	for j := i; j < n; j++ {
		cur, next := rowOf(j), rowOf(j+1)
		for k := range values {
			if strings.HasPrefix(k, cur) {
				delete(values, k)
			}
		}
		for k, v := range values {
			if field, ok := strings.CutPrefix(k, next); ok {
				values[cur+field] = v
			}
		}
	}
}

func clampInt(n, min, max int) int {
	if n < min {
		return min
	}
	if n > max {
		return max
	}
	return n
}

var defaultPartyRoles = []domain.PartyRole{domain.PartyApplicant, domain.PartyApplicant, domain.PartyRespondent, domain.PartyRespondent, domain.PartyThird}

type caseNewPage struct {
	Form
	Committees []domain.Org
	PartyRows  []int
	RightRows  []int
	PartyRoles []domain.PartyRole
	Sources    []domain.CaseSource
	Procedures []domain.CourtProcedure
	Types      []domain.DisputeType
	Kinds      []domain.RightKind
	// CanAddParty, CanAddRight: the form may still grow.
	CanAddParty, CanAddRight bool
}

func (s *Server) newCasePage(c echo.Context, f *Form) (*caseNewPage, error) {
	return s.newCasePageRows(c, f, formParties, formRights)
}

// newCasePageRows is the intake form with parties party rows and rights
// right rows.
func (s *Server) newCasePageRows(c echo.Context, f *Form, parties, rights int) (*caseNewPage, error) {
	comm, err := s.committees(c)
	if err != nil {
		return nil, err
	}
	a := actorOf(c)
	if cases.FilesAtOwnCommittee(a) {
		var own []domain.Org
		for _, o := range comm {
			if a.IsMember(o.ID) {
				own = append(own, o)
			}
		}
		comm = own
	}
	p := &caseNewPage{Committees: comm, Sources: domain.CaseSources, Procedures: domain.CourtProcedures,
		Types: domain.DisputeTypes, Kinds: domain.RightKinds}
	if f != nil {
		p.Form = *f
	}
	for i := 0; i < parties; i++ {
		p.PartyRows = append(p.PartyRows, i)
		role := domain.PartyThird // rows added beyond the usual ones
		if i < len(defaultPartyRoles) {
			role = defaultPartyRoles[i]
		}
		p.PartyRoles = append(p.PartyRoles, role)
	}
	for i := 0; i < rights; i++ {
		p.RightRows = append(p.RightRows, i)
	}
	p.CanAddParty, p.CanAddRight = parties < maxFormParties, rights < maxFormRights
	return p, nil
}

func (s *Server) handleCaseNew(c echo.Context) error {
	if !s.canCreateCase(actorOf(c)) {
		return domain.NotFound("page")
	}
	p, err := s.newCasePage(c, &Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "case_new", p)
}

// parseYuan turns "12,345.67" into fen without floating point.
func parseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" || !digitsOnly(whole) || !digitsOnly(frac) {
		// Only digits: ParseInt would take "-0" and "+5" (a negative
		// amount as a positive one).
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > 1e14 {
		return 0, false
	}
	return w*100 + f, true
}

// formYuan reads an amount in yuan from a form (empty: 0), adding
// validation.amount for field when it is not one.
func formYuan(v, field string, fe *domain.Fields) int64 {
	fen, ok := parseYuan(v)
	if !ok {
		fe.Add(field, "validation.amount")
	}
	return fen
}

// yuanField names the form's amount field ("amount", in yuan) in the
// field errors of an agreement action, which the service reports on
// amount_fen.
func yuanField(run func() (domain.Case, error)) func() (domain.Case, error) {
	return func() (domain.Case, error) {
		cs, err := run()
		var de *domain.Error
		if errors.As(err, &de) {
			for i := range de.Fields {
				if de.Fields[i].Field == "amount_fen" {
					de.Fields[i].Field = "amount"
				}
			}
		}
		return cs, err
	}
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// handleCaseCreate reads the intake form, maps field errors back to the
// form's rows and redirects to the new case.
func (s *Server) handleCaseCreate(c echo.Context) error {
	form, _ := c.FormParams()
	f := &Form{Values: map[string]string{}}
	for k, v := range form {
		if k != "_csrf" && len(v) > 0 {
			f.Values[k] = v[0]
		}
	}
	in := cases.IntakeInput{
		Source: domain.CaseSource(f.V("source")), DisputeType: domain.DisputeType(f.V("dispute_type")),
		Summary: f.V("summary"), Claims: f.V("claims"), ExternalRef: f.V("external_ref"),
		CourtProcedure: domain.CourtProcedure(f.V("court_procedure")),
	}
	var pre domain.Fields
	if org, err := strconv.ParseInt(f.V("org_id"), 10, 64); err == nil {
		in.OrgID = org
	} else {
		pre.Add("org_id", "validation.required")
	}
	if fen, ok := parseYuan(f.V("claim_amount")); ok {
		in.ClaimAmountFen = fen
	} else {
		pre.Add("claim_amount", "validation.amount")
	}
	nParties := formRows(c, "party_rows", formParties, maxFormParties)
	nRights := formRows(c, "right_rows", formRights, maxFormRights)
	// "Add a party" / "add a right": the same form again, one row longer,
	// nothing filed.
	switch c.FormValue("add") {
	case "party", "right":
		if c.FormValue("add") == "party" {
			nParties = clampInt(nParties+1, formParties, maxFormParties)
		} else {
			nRights = clampInt(nRights+1, formRights, maxFormRights)
		}
		p, err := s.newCasePageRows(c, f, nParties, nRights)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "case_new", p)
	}
	// "Remove": the same form without that row, the rows after it moved up.
	if group, at, ok := strings.Cut(c.FormValue("remove"), ":"); ok {
		i, err := strconv.Atoi(at)
		switch {
		case err != nil:
		case group == "party" && i >= 0 && i < nParties:
			removeRow(f.Values, "parties", i, nParties)
			nParties = clampInt(nParties-1, formParties, maxFormParties)
		case group == "right" && i >= 0 && i < nRights:
			removeRow(f.Values, "rights", i, nRights)
			nRights = clampInt(nRights-1, formRights, maxFormRights)
		}
		p, err := s.newCasePageRows(c, f, nParties, nRights)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "case_new", p)
	}
	var partyRow, rightRow []int
	for i := 0; i < nParties; i++ {
		k := fmt.Sprintf("parties[%d].", i)
		if strings.TrimSpace(f.V(k+"name")) == "" {
			continue
		}
		// The form shows only the fields of the chosen kind; what was
		// typed into the other kind's fields before switching is not sent on.
		for _, field := range kindFields[otherKind(domain.PartyKind(f.V(k+"kind")))] {
			delete(f.Values, k+field)
		}
		partyRow = append(partyRow, i)
		in.Parties = append(in.Parties, cases.PartyInput{
			Role: domain.PartyRole(f.V(k + "role")), Kind: domain.PartyKind(f.V(k + "kind")), Name: f.V(k + "name"),
			IDNumber: f.V(k + "id_number"), CreditCode: f.V(k + "credit_code"), Phone: f.V(k + "phone"),
			Address: f.V(k + "address"), IsSME: f.V(k+"is_sme") == "on", AgentName: f.V(k + "agent_name"),
			AgentPhone: f.V(k + "agent_phone"), AgentLicense: f.V(k + "agent_license"),
			Email: f.V(k + "email"), AgentEmail: f.V(k + "agent_email"),
			Gender: domain.Gender(f.V(k + "gender")), Ethnicity: f.V(k + "ethnicity"), BirthDate: f.V(k + "birth_date"),
			Age: int(formInt(f.V(k + "age"))), Occupation: f.V(k + "occupation"),
			RepresentativeRole: domain.RepresentativeRole(f.V(k + "representative_role")),
			RepresentativeName: f.V(k + "representative_name"), RepresentativeTitle: f.V(k + "representative_title"),
		})
	}
	for i := 0; i < nRights; i++ {
		k := fmt.Sprintf("rights[%d].", i)
		if strings.TrimSpace(f.V(k+"number")) == "" && strings.TrimSpace(f.V(k+"title")) == "" {
			continue
		}
		rightRow = append(rightRow, i)
		in.Rights = append(in.Rights, cases.RightInput{Kind: domain.RightKind(f.V(k + "kind")), Number: f.V(k + "number"),
			Title: f.V(k + "title"), Holder: f.V(k + "holder"), ValidFrom: f.V(k + "valid_from"), ValidTo: f.V(k + "valid_to")})
	}
	fail := func(errs []domain.FieldError) error {
		p, err := s.newCasePageRows(c, f, nParties, nRights)
		if err != nil {
			return err
		}
		p.Errors = remapRows(errs, partyRow, rightRow)
		return s.render(c, http.StatusUnprocessableEntity, "case_new", p)
	}
	if len(pre) > 0 {
		return fail(pre)
	}
	cs, err := s.deps.Cases.Submit(ctxOf(c), in)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return fail(de.Fields)
		}
		return err
	}
	s.flash(c, "ok", "case.flash.submitted")
	return c.Redirect(http.StatusSeeOther, "/cases/"+itoa(cs.ID))
}

// remapRows turns "parties[1].name" (index in the submitted list) back into
// the form row it came from, and claim_amount_fen into claim_amount.
func remapRows(errs []domain.FieldError, partyRow, rightRow []int) []domain.FieldError {
	out := make([]domain.FieldError, len(errs))
	for i, e := range errs {
		out[i] = e
		for _, m := range []struct {
			prefix string
			rows   []int
		}{{"parties[", partyRow}, {"rights[", rightRow}} {
			rest, ok := strings.CutPrefix(e.Field, m.prefix)
			if !ok {
				continue
			}
			idx, tail, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(idx)
			if ok && err == nil && n < len(m.rows) {
				out[i].Field = fmt.Sprintf("%s%d]%s", m.prefix, m.rows[n], tail)
			}
		}
		if e.Field == "claim_amount_fen" {
			out[i].Field = "claim_amount"
		}
	}
	return out
}

type casePage struct {
	Form
	V         cases.CaseView
	Mediators []domain.User // assignable mediators, for the assign forms
	// Suggestions rank the committee's mediators for the assign form
	// (register.Suggest, docs/design.md §17).
	Suggestions []register.Suggestion
	// Experts is the case's technical experts section.
	Experts    caseExperts
	Targets    []domain.Org // committees the case may move to, for the reassign form
	FailedForm string       // which action's form the errors belong to
	Conflict   string       // a 409 message shown above the actions
	Now        time.Time
	// Dossier is the case's dossier once archived; CanArchive offers the
	// archive form, ReadsDossier the downloads.
	Dossier      *dossier.Dossier
	CanArchive   bool
	ReadsDossier bool
	// Notice is the printed document of a print page.
	Notice notice.Notice
	// Served are the case's service records (送达回证) the viewer sees;
	// Serves: the viewer serves the case's notices.
	Served []service.Record
	Serves bool
	// Consents are the parties' decisions on mediation recorded online,
	// latest first (history included); Decided each party's latest.
	Consents []party.Current
	Decided  []party.Current
	// Answers are the parties' choices of mediator and attendance
	// answers (pages_party_choice.go).
	Answers casePartyAnswers
}

// Refusals are the parties whose latest decision refuses mediation.
func (p *casePage) Refusals() []party.Current {
	var out []party.Current
	for _, c := range p.Decided {
		if c.Decision == party.DecisionRefuse {
			out = append(out, c)
		}
	}
	return out
}

// Can reports whether the viewer may take action now.
func (p *casePage) Can(action string) bool {
	for _, a := range p.V.Allowed {
		if string(a) == action {
			return true
		}
	}
	return false
}

// PendingObjections lists objections awaiting the director.
func (p *casePage) PendingObjections() []domain.Objection {
	var out []domain.Objection
	for _, o := range p.V.Objections {
		if o.Status == "pending" {
			out = append(out, o)
		}
	}
	return out
}

// ActiveMediators lists the mediators not removed.
func (p *casePage) ActiveMediators() []domain.Mediator {
	var out []domain.Mediator
	for _, m := range p.V.Mediators {
		if !m.Removed {
			out = append(out, m)
		}
	}
	return out
}

// PartyName returns a party's name by id.
func (p *casePage) PartyName(id int64) string {
	for _, x := range p.V.Parties {
		if x.ID == id {
			return x.Name
		}
	}
	return ""
}

// MediatorName returns a mediator's name by user id.
func (p *casePage) MediatorName(id int64) string {
	for _, m := range p.V.Mediators {
		if m.UserID == id {
			return m.Name
		}
	}
	return ""
}

func (s *Server) renderCase(c echo.Context, status int, id int64, page *casePage) error {
	v, err := s.deps.Cases.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	if page == nil {
		page = &casePage{}
	}
	page.V, page.Now = v, s.now()
	if page.Can(string(domain.ActionAssign)) || page.Can(string(domain.ActionDecideObjection)) {
		if page.Mediators, err = s.deps.Cases.Mediators(ctxOf(c), v.OrgID); err != nil {
			return err
		}
	}
	if page.Can(string(domain.ActionAssign)) {
		if page.Suggestions, err = s.deps.Register.Suggest(ctxOf(c), id); err != nil {
			return err
		}
	}
	if err := s.loadCaseExperts(c, page); err != nil {
		return err
	}
	if page.Can(string(domain.ActionReassign)) {
		if page.Targets, err = s.deps.Cases.ReassignTargets(ctxOf(c), v.OrgID); err != nil {
			return err
		}
	}
	if page.Dossier, err = s.deps.Dossiers.Of(ctxOf(c), id); err != nil {
		return err
	}
	a := actorOf(c)
	if page.Dossier != nil {
		page.ReadsDossier = s.deps.Dossiers.CanRead(a, v.OrgID)
	} else if slices.Contains(dossier.Archivable, v.Status) {
		page.CanArchive = a != nil && s.deps.Authz.Can(a.UserID, v.OrgID, "dossier", "archive")
	}
	// An archived case is served no more.
	page.Serves = page.Dossier == nil && s.deps.Service.Serves(a, v)
	if page.Served, err = s.deps.Service.OfCase(ctxOf(c), id); err != nil {
		return err
	}
	// A referral's disclosure does not include the parties' decisions.
	if !v.Access.Disclosed {
		if page.Consents, err = s.deps.Party.Decisions(ctxOf(c), id); err != nil {
			return err
		}
	}
	page.Decided = party.Latest(page.Consents)
	if err := s.loadPartyAnswers(c, page); err != nil {
		return err
	}
	// The accept form proposes the respondents' recorded consent time;
	// the director may still type another.
	if at := party.RespondentConsentAt(page.Consents); at != nil && page.Can(string(domain.ActionAccept)) && page.Form.V("consent_at") == "" {
		if page.Values == nil {
			page.Values = map[string]string{}
		}
		page.Values["consent_at"] = at.In(beijing).Format("2006-01-02T15:04")
	}
	return s.render(c, status, "case", page)
}

func (s *Server) handleCaseShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderCase(c, http.StatusOK, id, nil)
}

// formTime parses a datetime-local or date field in Beijing time.
func formTime(v, field string, f *domain.Fields) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, beijing); err == nil {
			return t
		}
	}
	f.Add(field, "validation.datetime")
	return time.Time{}
}

func formInt(v string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n
}

func formInts(vs []string) []int64 {
	var out []int64
	for _, v := range vs {
		if n := formInt(v); n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// handleCaseAction runs one action form of the case page and redirects
// back (POST-redirect-GET); a validation error re-renders the page with
// the form's messages, an illegal or stale action explains itself.
func (s *Server) handleCaseAction(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	action := c.Param("action")
	ctx := ctxOf(c)
	var fe domain.Fields
	version := int(formInt(c.FormValue("version")))
	form, _ := c.FormParams()
	var run func() (domain.Case, error)
	switch domain.CaseAction(action) {
	case domain.ActionAccept:
		in := cases.AcceptInput{Version: version, ConsentAt: formTime(c.FormValue("consent_at"), "consent_at", &fe), ConsentNote: c.FormValue("consent_note")}
		run = func() (domain.Case, error) { return s.deps.Cases.Accept(ctx, id, in) }
	case domain.ActionReject:
		in := cases.ReasonInput{Version: version, Reason: c.FormValue("reason"), Route: domain.FailRoute(c.FormValue("route"))}
		run = func() (domain.Case, error) { return s.deps.Cases.Reject(ctx, id, in) }
	case domain.ActionAssign:
		in := cases.AssignInput{Version: version, MediatorIDs: formInts(form["mediator_ids"]), Reason: c.FormValue("reason")}
		run = func() (domain.Case, error) { return s.deps.Cases.Assign(ctx, id, in) }
	case domain.ActionDeclareConflict:
		in := cases.DeclareInput{Version: version, NoConflict: c.FormValue("no_conflict") == "true", Statement: c.FormValue("statement")}
		run = func() (domain.Case, error) { return s.deps.Cases.Declare(ctx, id, in) }
	case domain.ActionObject:
		in := cases.ObjectInput{Version: version, MediatorID: formInt(c.FormValue("mediator_id")), PartyID: formInt(c.FormValue("party_id")), Reason: c.FormValue("reason")}
		run = func() (domain.Case, error) { return s.deps.Cases.Object(ctx, id, in) }
	case domain.ActionDecideObjection:
		in := cases.DecideObjectionInput{Version: version, ObjectionID: formInt(c.FormValue("objection_id")),
			Uphold: c.FormValue("uphold") == "true", Reason: c.FormValue("reason"), Replacements: formInts(form["replacement_ids"])}
		run = func() (domain.Case, error) { return s.deps.Cases.DecideObjection(ctx, id, in) }
	case domain.ActionLogSession:
		in := cases.SessionInput{Version: version, HeldAt: formTime(c.FormValue("held_at"), "held_at", &fe),
			Mode: domain.SessionMode(c.FormValue("mode")), Place: c.FormValue("place"), Attendees: c.FormValue("attendees"),
			Minutes: c.FormValue("minutes"), NextSteps: c.FormValue("next_steps")}
		if t := formTime(c.FormValue("next_session_at"), "next_session_at", &fe); !t.IsZero() {
			in.NextSessionAt = &t
		}
		run = func() (domain.Case, error) { return s.deps.Cases.LogSession(ctx, id, in) }
	case domain.ActionExtend:
		in := cases.ExtendInput{Version: version, NewDueAt: formTime(c.FormValue("new_due_at"), "new_due_at", &fe), Reason: c.FormValue("reason"),
			ApplicantConsent: c.FormValue("applicant_consent") == "on", RespondentConsent: c.FormValue("respondent_consent") == "on"}
		// The form asks for the new last day: the period then ends at
		// 24:00 that day, like every period counted in days.
		if v := strings.TrimSpace(c.FormValue("new_due_at")); len(v) == len("2006-01-02") && !in.NewDueAt.IsZero() {
			in.NewDueAt = in.NewDueAt.AddDate(0, 0, 1)
		}
		run = func() (domain.Case, error) { return s.deps.Cases.Extend(ctx, id, in) }
	case domain.ActionSettle:
		in := cases.AgreementInput{Version: version, Facts: c.FormValue("facts"), DisputedMatters: c.FormValue("disputed_matters"),
			Responsibilities: c.FormValue("responsibilities"), Terms: c.FormValue("terms"),
			PerformanceMethod: c.FormValue("performance_method"), PerformanceDue: c.FormValue("performance_due"),
			Oral: c.FormValue("oral") == "on", AmountFen: formYuan(c.FormValue("amount"), "amount", &fe)}
		if t := formTime(c.FormValue("agreed_at"), "agreed_at", &fe); !t.IsZero() {
			in.AgreedAt = &t
		}
		run = yuanField(func() (domain.Case, error) { return s.deps.Cases.Settle(ctx, id, in) })
	case domain.ActionReviseAgreement:
		in := cases.ReviseAgreementInput{Version: version, Facts: c.FormValue("facts"), DisputedMatters: c.FormValue("disputed_matters"),
			Responsibilities: c.FormValue("responsibilities"), Terms: c.FormValue("terms"),
			PerformanceMethod: c.FormValue("performance_method"), PerformanceDue: c.FormValue("performance_due"),
			AmountFen: formYuan(c.FormValue("amount"), "amount", &fe)}
		run = yuanField(func() (domain.Case, error) { return s.deps.Cases.ReviseAgreement(ctx, id, in) })
	case domain.ActionSignoff:
		in := cases.SignoffInput{Version: version, Method: c.FormValue("method"), SignedAt: formTime(c.FormValue("signed_at"), "signed_at", &fe)}
		// The signer select carries "party:<id>", "mediator:<id>" or "seal".
		kind, ref, _ := strings.Cut(c.FormValue("signer"), ":")
		in.SignerKind = kind
		switch kind {
		case "party":
			in.PartyID = formInt(ref)
		case "mediator":
			in.UserID = formInt(ref)
		}
		run = func() (domain.Case, error) { return s.deps.Cases.Signoff(ctx, id, in) }
	case domain.ActionFail:
		in := cases.FailInput{Version: version, Reason: c.FormValue("reason"), Route: domain.FailRoute(c.FormValue("suggested_route"))}
		run = func() (domain.Case, error) { return s.deps.Cases.Fail(ctx, id, in) }
	case domain.ActionWithdraw:
		in := cases.ReasonInput{Version: version, Reason: c.FormValue("reason")}
		run = func() (domain.Case, error) { return s.deps.Cases.Withdraw(ctx, id, in) }
	case domain.ActionPerformance:
		in := cases.PerformanceInput{Version: version, Result: domain.PerformanceResult(c.FormValue("result")),
			PerformedOn: c.FormValue("performed_on"), Note: c.FormValue("note")}
		run = func() (domain.Case, error) { return s.deps.Cases.RecordPerformance(ctx, id, in) }
	case domain.ActionClose:
		in := cases.CloseInput{Version: version, Note: c.FormValue("note")}
		run = func() (domain.Case, error) { return s.deps.Cases.Close(ctx, id, in) }
	case domain.ActionReassign:
		in := cases.ReassignInput{Version: version, OrgID: formInt(c.FormValue("org_id")), Reason: c.FormValue("reason")}
		run = func() (domain.Case, error) { return s.deps.Cases.Reassign(ctx, id, in) }
	default:
		return domain.NotFound("action")
	}
	if irreversible[domain.CaseAction(action)] && c.FormValue("confirmed") != "on" {
		run = s.confirmFirst(c, id, domain.CaseAction(action), version, run)
	}
	page := &casePage{Form: Form{Values: formValues(form)}, FailedForm: action}
	return s.finishAction(c, fe, func() error { _, err := run(); return err }, &page.Form, &page.Conflict,
		func(status int) error { return s.renderCase(c, status, id, page) }, "case.flash."+action, "/cases/"+itoa(id))
}

// irreversible are the case actions the form asks to confirm (the
// "confirmed" box): they end the case or refuse it, and cannot be undone.
var irreversible = map[domain.CaseAction]bool{domain.ActionReject: true, domain.ActionFail: true, domain.ActionWithdraw: true}

// confirmFirst refuses an irreversible action submitted without its
// confirmation, naming the field, when the action would otherwise be
// taken: the user may take it now on the version they saw. Otherwise run
// answers as it would (not found, forbidden, stale, not allowed now), so
// the missing box never tells anyone more than the action itself would.
func (s *Server) confirmFirst(c echo.Context, id int64, action domain.CaseAction, version int,
	run func() (domain.Case, error)) func() (domain.Case, error) {
	return func() (domain.Case, error) {
		v, err := s.deps.Cases.Get(ctxOf(c), id)
		if err == nil && v.Version == version && slices.Contains(v.Allowed, action) {
			return domain.Case{}, domain.Invalid(domain.FieldError{Field: "confirmed", Message: "validation.confirm_irreversible"})
		}
		return run()
	}
}

// handleCasePrint renders a printable document of the case: the mediation
// agreement, or the acceptance, rejection or termination notice, as a
// page to print or, with ?format=pdf, as a PDF file carrying the
// committee's seal where it may (internal/notice writes the content of
// both once).
func (s *Server) handleCasePrint(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.deps.Cases.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	n, err := notice.Build(v, notice.Doc(c.Param("doc")), func(key string) string { return s.deps.Texts.T("zh-CN", key, nil) })
	if err != nil {
		return err
	}
	if c.QueryParam("format") == string(formatPDF) {
		var seal []byte
		if s.deps.Service != nil {
			if seal, err = s.deps.Service.SealOf(ctxOf(c), v.OrgID); err != nil {
				return err
			}
		}
		b, err := notice.PDF(n, seal, s.now())
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+string(n.Doc)+"-"+itoa(id)+`.pdf"`)
		return c.Blob(http.StatusOK, pdf.MediaType, b)
	}
	return s.render(c, http.StatusOK, "print_notice", &casePage{V: v, Now: s.now(), Notice: n})
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// caseRoutes registers the case pages, their documents and printouts.
func (s *Server) caseRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/cases", s.handleCaseList, in)
	g.GET("/cases/new", s.handleCaseNew, in)
	g.POST("/cases", s.handleCaseCreate, in)
	g.GET("/cases/:id", s.handleCaseShow, in)
	g.POST("/cases/:id/documents", s.handleDocumentUpload, s.uploadLimit, in)
	g.POST("/cases/:id/:action", s.handleCaseAction, in)
	g.GET("/cases/:id/print/:doc", s.handleCasePrint, in)
	g.GET("/documents/:id", s.handleDocumentDownload, in)
}

// ServableDocs are the notices of the case that print now: those the
// serve form offers.
func (p *casePage) ServableDocs() []notice.Doc {
	var out []notice.Doc
	for _, d := range notice.Docs {
		if notice.Available(p.V, d) {
			out = append(out, d)
		}
	}
	return out
}
