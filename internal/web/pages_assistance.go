package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/association"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// The assistance pages: the SME portal (apply, follow, answer requests for
// materials), the assistance officer's queue and review forms, and the
// exhibition complaint form. Every form works without JavaScript and on a
// phone.

// assistanceRoutes registers the assistance pages.
func (s *Server) assistanceRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/assistance", s.handleAssistanceList, in)
	g.GET("/assistance/new", s.handleAssistanceNew, in)
	g.POST("/assistance", s.handleAssistanceCreate, in)
	g.GET("/assistance/exhibition", s.handleExhibitionNew, in)
	g.POST("/assistance/exhibition", s.handleExhibitionCreate, in)
	g.GET("/assistance/:id", s.handleAssistanceShow, in)
	g.POST("/assistance/:id/documents", s.handleAssistanceUpload, s.uploadLimit, in)
	g.POST("/assistance/:id/:action", s.handleAssistanceAction, in)
	g.GET("/assistance/documents/:id", s.handleApplicationDocument, in)
}

// assistanceRoles says what the actor does in assistance: apply (an
// enterprise's applicant) and review (an assistance officer).
func (s *Server) assistanceRoles(a *domain.Actor) (applicant, officer bool) {
	applicant, officer, _ = s.assistanceReach(a)
	return applicant, officer
}

// assistanceReach is assistanceRoles, and whether the actor reads every
// application (the leadership office, which takes no step on any).
func (s *Server) assistanceReach(a *domain.Actor) (applicant, officer, all bool) {
	for _, m := range a.Memberships {
		reach := m.Role.Reach(domain.ObjectApplication)
		if reach.Has(domain.ReachPartyTo) && s.deps.Authz.Can(a.UserID, m.OrgID, "assistance", "apply") {
			applicant = true
		}
		if reach.Has(domain.ReachOrg) && s.deps.Authz.Can(a.UserID, m.OrgID, "assistance", "review") {
			officer = true
		}
		if reach.Has(domain.ReachAll) && s.deps.Authz.Can(a.UserID, m.OrgID, "assistance", "read") {
			all = true
		}
	}
	return applicant, officer, all
}

// assistanceGroup is one block of applications on the list and work pages.
type assistanceGroup struct {
	ID    string // anchor and i18n suffix: new, materials, approved, mine …
	Items []assistance.ListItem
	// Referrals are the rights_assistance referrals the workers' rules
	// produced (the group "referrals").
	Referrals []referral.Referral
	More      string // link to the rest, when there may be more
}

type assistanceListPage struct {
	Applicant, Officer bool
	// ForMembers: the actor applies for its association's consenting
	// members (the apply button).
	ForMembers bool
	// All: the reader of every application (the leadership office).
	All bool
	// Members: an industry association reading its consenting
	// members' applications (docs/design.md §15).
	Members bool
	Groups  []assistanceGroup
	// Filtered: one list by the filters of Query instead of the groups.
	Filtered bool
	Query    url.Values
}

// HasFilters reports whether the list is filtered (the filter line).
func (p *assistanceListPage) HasFilters() bool { return hasAny(p.Query, assistanceListParams) }

// Badge is the colour of an application status.
func (assistanceListPage) Badge(st assistance.Status) string { return assistanceBadge(st) }

func assistanceBadge(st assistance.Status) string {
	switch st {
	case assistance.StatusApproved:
		return "ok"
	case assistance.StatusRejected, assistance.StatusLapsed:
		return "bad"
	case assistance.StatusMaterialsRequested:
		return "warn"
	}
	return "info"
}

// assistanceGroups loads the blocks the actor works from: an SME its
// applications, an officer the queue by what it waits for.
func (s *Server) assistanceGroups(c echo.Context, applicant, officer bool, limit int) ([]assistanceGroup, error) {
	type q struct {
		id  string
		sts []assistance.Status
	}
	var qs []q
	if applicant {
		qs = append(qs, q{id: "mine"})
	}
	if officer {
		qs = append(qs,
			q{"new", []assistance.Status{assistance.StatusSubmitted, assistance.StatusUnderReview}},
			q{"materials", []assistance.Status{assistance.StatusMaterialsRequested}},
			q{"approved", []assistance.Status{assistance.StatusApproved}},
			q{"decided", []assistance.Status{assistance.StatusRejected, assistance.StatusLapsed}})
	}
	var out []assistanceGroup
	for _, x := range qs {
		items, next, err := s.deps.Assistance.List(ctxOf(c), assistance.ListFilter{Statuses: x.sts, Limit: limit, Cursor: c.QueryParam("cursor." + x.id)})
		if err != nil {
			return nil, err
		}
		g := assistanceGroup{ID: x.id, Items: items}
		if next != "" {
			g.More = "/assistance?cursor." + x.id + "=" + next + "#" + x.id
		}
		out = append(out, g)
	}
	if officer {
		refs, _, err := s.deps.Referrals.List(ctxOf(c), referral.ListFilter{Box: "inbox", Kind: referral.KindRightsAssistance, Limit: limit})
		if err != nil {
			return nil, err
		}
		g := assistanceGroup{ID: "referrals", More: "/referrals"}
		for _, r := range refs {
			if r.Rule != "" {
				g.Referrals = append(g.Referrals, r)
			}
		}
		out = append(out, g)
	}
	// The decided ones are history: last.
	slices.SortStableFunc(out, func(x, y assistanceGroup) int {
		switch {
		case x.ID == "decided" && y.ID != "decided":
			return 1
		case y.ID == "decided" && x.ID != "decided":
			return -1
		}
		return 0
	})
	return out, nil
}

func (s *Server) handleAssistanceList(c echo.Context) error {
	applicant, officer, all := s.assistanceReach(actorOf(c))
	members := false
	for _, m := range actorOf(c).Memberships {
		if m.Role.Reach(domain.ObjectApplication).Has(domain.ReachMembers) && s.deps.Authz.Can(actorOf(c).UserID, m.OrgID, "assistance", "read") {
			members = true
		}
	}
	if !applicant && !officer && !all && !members {
		return domain.Errorf(domain.EFORBIDDEN, "you may not read assistance applications")
	}
	page := &assistanceListPage{Applicant: applicant, Officer: officer, All: all, Members: members, Query: c.QueryParams(),
		ForMembers: len(s.deps.Associations.Associations(actorOf(c), "file")) > 0}
	q := c.QueryParams()
	// The office, which has no queue of its own, reads one list of every
	// application (newest first), filtered as the statistics link it.
	if !applicant && !officer || hasAny(q, assistanceListParams) {
		// A flat list so filtered (the statistics link here).
		f, err := assistanceFilter(c)
		if err != nil {
			return err
		}
		items, next, err := s.deps.Assistance.List(ctxOf(c), f)
		if err != nil {
			return err
		}
		g := assistanceGroup{ID: "filtered", Items: items}
		if next != "" {
			v := url.Values{}
			for _, k := range assistanceListParams {
				if x := q.Get(k); x != "" {
					v.Set(k, x)
				}
			}
			v.Set("cursor", next)
			g.More = "/assistance?" + v.Encode()
		}
		page.Filtered, page.Groups = true, []assistanceGroup{g}
		return s.render(c, http.StatusOK, "assistance", page)
	}
	groups, err := s.assistanceGroups(c, applicant, officer, 50)
	if err != nil {
		return err
	}
	page.Groups = groups
	return s.render(c, http.StatusOK, "assistance", page)
}

// assistanceListParams are the query parameters that turn the list page
// into one list so filtered (assistanceFilter).
var assistanceListParams = []string{"status", "help", "submitted_from", "submitted_to", "cursor"}

// assistanceRightRows is how many right rows the forms offer; blank ones are
// skipped.
const assistanceRightRows = 3

type assistanceNewPage struct {
	Form
	Rows        []int
	Kinds       []domain.RightKind
	Places      []assistance.PlaceKind
	Helps       []assistance.Help
	Exhibitions []assistance.Exhibition
	// Members are the consenting member enterprises an association's
	// staff apply for (none for an enterprise's own users).
	Members []association.Member
}

// Checked reports whether a checkbox value was submitted (or is preset).
func (p *assistanceNewPage) Checked(name, value string) bool {
	return slices.Contains(strings.Split(p.V(name), ","), value)
}

func (s *Server) assistanceNewPage(c echo.Context, f *Form) (*assistanceNewPage, error) {
	exh, err := s.deps.Assistance.Exhibitions(ctxOf(c))
	if err != nil {
		return nil, err
	}
	p := &assistanceNewPage{Form: *f, Kinds: domain.RightKinds, Places: assistance.PlaceKinds, Helps: assistance.Helps, Exhibitions: exh}
	for i := range assistanceRightRows {
		p.Rows = append(p.Rows, i)
	}
	if applicant, _ := s.assistanceRoles(actorOf(c)); !applicant {
		if p.Members, err = s.consentingMembers(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// consentingMembers are the member enterprises that consent to the
// actor's associations, for which its staff file and apply (§15).
func (s *Server) consentingMembers(c echo.Context) ([]association.Member, error) {
	var out []association.Member
	for _, id := range s.deps.Associations.Associations(actorOf(c), "file") {
		ms, err := s.deps.Associations.Members(ctxOf(c), id)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Consent {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

func (s *Server) handleAssistanceNew(c echo.Context) error {
	if applicant, _ := s.assistanceRoles(actorOf(c)); !applicant && len(s.deps.Associations.Associations(actorOf(c), "file")) == 0 {
		return domain.NotFound("page")
	}
	f := &Form{Values: map[string]string{"contact_name": actorOf(c).DisplayName, "place_kind": string(assistance.PlaceDomestic)}}
	p, err := s.assistanceNewPage(c, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "assistance_new", p)
}

// assistanceForm copies a form into Form.Values; repeated values (checkboxes)
// are joined with commas.
func assistanceForm(c echo.Context) *Form {
	f := &Form{Values: map[string]string{}}
	form, _ := c.FormParams()
	for k, v := range form {
		if k != "_csrf" && len(v) > 0 {
			f.Values[k] = strings.Join(v, ",")
		}
	}
	return f
}

// assistanceRights reads the right rows of a form, skipping blank ones but
// keeping each row's index for its field errors.
func assistanceRights(f *Form) ([]assistance.Right, []int) {
	var out []assistance.Right
	var rows []int
	for i := range assistanceRightRows {
		k := "rights[" + strconv.Itoa(i) + "]."
		r := assistance.Right{Kind: domain.RightKind(f.V(k + "kind")), Number: f.V(k + "number"), Title: f.V(k + "title"), Holder: f.V(k + "holder")}
		if strings.TrimSpace(r.Number+r.Title+r.Holder) == "" {
			continue
		}
		out = append(out, r)
		rows = append(rows, i)
	}
	return out, rows
}

// assistanceRemapRows renames rights[j].x of the j-th submitted row to the form's
// row index.
func assistanceRemapRows(err error, rows []int) error {
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		return err
	}
	out := *de
	out.Fields = slices.Clone(de.Fields)
	for i, fe := range out.Fields {
		for j, row := range rows {
			pre := "rights[" + strconv.Itoa(j) + "]."
			if strings.HasPrefix(fe.Field, pre) {
				out.Fields[i].Field = "rights[" + strconv.Itoa(row) + "]." + strings.TrimPrefix(fe.Field, pre)
			}
		}
	}
	return &out
}

func (s *Server) handleAssistanceCreate(c echo.Context) error {
	f := assistanceForm(c)
	rights, rows := assistanceRights(f)
	var help []assistance.Help
	for _, h := range c.Request().Form["help_wanted"] {
		help = append(help, assistance.Help(h))
	}
	in := assistance.ApplyInput{Rights: rights, Narrative: f.V("narrative"), RespondentName: f.V("respondent_name"),
		RespondentCreditCode: f.V("respondent_credit_code"), PlaceKind: assistance.PlaceKind(f.V("place_kind")), Place: f.V("place"),
		HelpWanted: help, ContactName: f.V("contact_name"), ContactPhone: f.V("contact_phone")}
	if v := f.V("applicant_org_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return domain.Invalid(domain.FieldError{Field: "applicant_org_id", Message: "validation.number"})
		}
		in.ApplicantOrgID = id
	}
	switch in.PlaceKind {
	case assistance.PlaceAbroad:
		in.Country = f.V("country")
	case assistance.PlaceExhibition:
		in.ExhibitionCode = f.V("exhibition_code")
	}
	app, err := s.deps.Assistance.Apply(ctxOf(c), in)
	if err != nil {
		p, perr := s.assistanceNewPage(c, f)
		if perr != nil {
			return perr
		}
		return s.formFailed(c, "assistance_new", p, assistanceRemapRows(err, rows))
	}
	s.flash(c, "ok", "assistance.flash.applied")
	return c.Redirect(http.StatusSeeOther, assistance.ApplicationLink(app.ID))
}

// assistanceShowPage is the application page with its forms.
type assistanceShowPage struct {
	Form
	View assistance.View
	// FailedForm names the form whose errors are shown (its details open).
	FailedForm   string
	Committees   []domain.Org
	DisputeTypes []domain.DisputeType
	Helps        []assistance.Help
	DocKinds     []string
	// EnforcementOrgs and CustomsOrgs receive the plan's referrals.
	EnforcementOrgs, CustomsOrgs []domain.Org
	// Recordations are the applicant's customs recordations in force,
	// which the customs referral picks from.
	Recordations []recordation.Option
}

// Can reports whether the viewer may take action now.
func (p *assistanceShowPage) Can(action string) bool {
	return slices.Contains(p.View.Allowed, assistance.Action(action))
}

// HasActions reports whether any step's form is for the viewer now (an
// upload alone has its form under the documents).
func (p *assistanceShowPage) HasActions() bool {
	for _, a := range p.View.Allowed {
		if a != assistance.ActionUpload {
			return true
		}
	}
	return false
}

// Badge is the colour of the application's status.
func (p *assistanceShowPage) Badge() string { return assistanceBadge(p.View.Status) }

// Planned reports whether the plan (or, before approval, the request)
// includes help h: the approve form starts from what the SME asked for.
func (p *assistanceShowPage) Planned(h assistance.Help) bool {
	if v := p.V("plan_help"); v != "" {
		return slices.Contains(strings.Split(v, ","), string(h))
	}
	if len(p.View.PlanHelp) > 0 {
		return slices.Contains(p.View.PlanHelp, h)
	}
	return slices.Contains(p.View.HelpWanted, h)
}

// Value returns the submitted value of a failed form, else def.
func (p *assistanceShowPage) Value(name, def string) string {
	if v, ok := p.Values[name]; ok {
		return v
	}
	return def
}

func (s *Server) renderAssistance(c echo.Context, status int, id int64, page *assistanceShowPage) error {
	v, err := s.deps.Assistance.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	if page == nil {
		page = &assistanceShowPage{}
	}
	if page.Values == nil {
		page.Values = map[string]string{}
	}
	page.View, page.DisputeTypes, page.Helps, page.DocKinds = v, domain.DisputeTypes, assistance.Helps, assistance.DocumentKinds
	if v.Officer {
		if page.Committees, err = s.committees(c); err != nil {
			return err
		}
		dir, err := s.deps.Orgs.Directory(ctxOf(c))
		if err != nil {
			return err
		}
		for _, o := range dir {
			switch {
			case !o.Active:
			case o.Type == domain.OrgEnforcement:
				page.EnforcementOrgs = append(page.EnforcementOrgs, o)
			case o.Type == domain.OrgCustoms:
				page.CustomsOrgs = append(page.CustomsOrgs, o)
			}
		}
		if page.Can(string(assistance.ActionSendReferrals)) {
			if page.Recordations, err = s.deps.Recordations.OptionsFor(ctxOf(c), nil, &id); err != nil {
				return err
			}
		}
	}
	return s.render(c, status, "assistance_show", page)
}

func (s *Server) handleAssistanceShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderAssistance(c, http.StatusOK, id, nil)
}

// assistanceActionFlash is the message each step leaves.
var assistanceActionFlash = map[assistance.Action]string{
	assistance.ActionRequestMaterials: "assistance.flash.requested",
	assistance.ActionAnswer:           "assistance.flash.answered",
	assistance.ActionApprove:          "assistance.flash.approved",
	assistance.ActionReject:           "assistance.flash.rejected",
	assistance.ActionOpenCase:         "assistance.flash.case_opened",
	assistance.ActionSendReferrals:    "assistance.flash.referrals",
}

func (s *Server) handleAssistanceAction(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	act := assistance.Action(c.Param("action"))
	if _, ok := assistanceActionFlash[act]; !ok {
		return domain.NotFound("page")
	}
	f := assistanceForm(c)
	version, _ := strconv.Atoi(f.V("version"))
	ctx := ctxOf(c)
	svc := s.deps.Assistance
	redirect := assistance.ApplicationLink(id)
	switch act {
	case assistance.ActionRequestMaterials:
		_, err = svc.RequestMaterials(ctx, id, assistance.RequestMaterialsInput{Version: version, Message: f.V("message")})
	case assistance.ActionAnswer:
		_, err = svc.Answer(ctx, id, assistance.AnswerInput{Version: version, Answer: f.V("answer")})
	case assistance.ActionApprove:
		var help []assistance.Help
		for _, h := range c.Request().Form["plan_help"] {
			help = append(help, assistance.Help(h))
		}
		resp, _ := strconv.ParseInt(f.V("responsible_user_id"), 10, 64)
		_, err = svc.Approve(ctx, id, assistance.ApproveInput{Version: version, Help: help, Note: f.V("plan_note"), ResponsibleUserID: resp})
	case assistance.ActionReject:
		_, err = svc.Reject(ctx, id, assistance.RejectInput{Version: version, Reason: f.V("reason")})
	case assistance.ActionOpenCase:
		org, _ := strconv.ParseInt(f.V("org_id"), 10, 64)
		var out assistance.OpenedCase
		out, err = svc.OpenCase(ctx, id, assistance.OpenCaseInput{Version: version, OrgID: org,
			DisputeType: domain.DisputeType(f.V("dispute_type")), RespondentName: f.V("respondent_name"),
			RespondentKind: domain.PartyKind(f.V("respondent_kind")), RespondentCreditCode: f.V("respondent_credit_code"),
			Summary: f.V("summary"), Claims: f.V("claims")})
		if err == nil {
			redirect = "/cases/" + itoa(out.Case.ID)
		}
	case assistance.ActionSendReferrals:
		in := assistance.SendReferralsInput{Version: version, Note: f.V("note")}
		if f.V("enforcement") != "" {
			org, _ := strconv.ParseInt(f.V("enforcement.receiver_org_id"), 10, 64)
			in.Enforcement = &assistance.EnforcementReferral{ReceiverOrgID: org, Grounds: f.V("enforcement.grounds"),
				Facts: f.V("enforcement.facts"), InfringerName: f.V("enforcement.infringer_name"),
				InfringerCreditCode: f.V("enforcement.infringer_credit_code")}
		}
		if f.V("customs") != "" {
			org, _ := strconv.ParseInt(f.V("customs.receiver_org_id"), 10, 64)
			in.Customs = &assistance.CustomsReferral{ReceiverOrgID: org, Mode: f.V("customs.mode"), Goods: f.V("customs.goods"),
				Port: f.V("customs.port"), RecordationNumber: f.V("customs.recordation_number")}
		}
		_, err = svc.SendReferrals(ctx, id, in)
	}
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderAssistance(c, http.StatusUnprocessableEntity, id, &assistanceShowPage{
				Form: Form{Values: f.Values, Errors: de.Fields}, FailedForm: string(act)})
		}
		return err
	}
	s.flash(c, "ok", assistanceActionFlash[act])
	return c.Redirect(http.StatusSeeOther, redirect)
}

func (s *Server) handleAssistanceUpload(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.applicationUpload(c, id); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderAssistance(c, http.StatusUnprocessableEntity, id, &assistanceShowPage{
				Form: Form{Errors: de.Fields}, FailedForm: string(assistance.ActionUpload)})
		}
		return err
	}
	s.flash(c, "ok", "assistance.flash.uploaded")
	return c.Redirect(http.StatusSeeOther, assistance.ApplicationLink(id))
}

func (s *Server) handleApplicationDocument(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, body, err := s.deps.Assistance.Download(ctxOf(c), id)
	if err != nil {
		return err
	}
	defer body.Close()
	document.ServeDownload(c.Response(), d, body)
	return nil
}

// exhibitionPage is the exhibition complaint form.
type exhibitionPage struct {
	Form
	Officer     bool
	Exhibitions []assistance.Exhibition
	Committees  []domain.Org
	Types       []domain.DisputeType
	Kinds       []domain.RightKind
	Rows        []int
}

func (s *Server) exhibitionPage(c echo.Context, f *Form) (*exhibitionPage, error) {
	_, officer := s.assistanceRoles(actorOf(c))
	exh, err := s.deps.Assistance.Exhibitions(ctxOf(c))
	if err != nil {
		return nil, err
	}
	comm, err := s.committees(c)
	if err != nil {
		return nil, err
	}
	p := &exhibitionPage{Form: *f, Officer: officer, Exhibitions: exh, Committees: comm, Types: domain.DisputeTypes, Kinds: domain.RightKinds}
	for i := range assistanceRightRows {
		p.Rows = append(p.Rows, i)
	}
	return p, nil
}

func (s *Server) handleExhibitionNew(c echo.Context) error {
	if applicant, officer := s.assistanceRoles(actorOf(c)); !applicant && !officer {
		return domain.NotFound("page")
	}
	p, err := s.exhibitionPage(c, &Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "assistance_exhibition", p)
}

func (s *Server) handleExhibitionCreate(c echo.Context) error {
	f := assistanceForm(c)
	rights, rows := assistanceRights(f)
	org, _ := strconv.ParseInt(f.V("org_id"), 10, 64)
	in := assistance.ComplaintInput{ExhibitionCode: f.V("exhibition_code"), Booth: f.V("booth"), OrgID: org,
		DisputeType: domain.DisputeType(f.V("dispute_type")), Summary: f.V("summary"), Claims: f.V("claims"),
		ComplainantName: f.V("complainant_name"), ComplainantCreditCode: f.V("complainant_credit_code"), ContactPhone: f.V("contact_phone"),
		RespondentName: f.V("respondent_name"), RespondentKind: domain.PartyKind(f.V("respondent_kind")),
		RespondentCreditCode: f.V("respondent_credit_code"), Rights: rights}
	got, err := s.deps.Assistance.LodgeComplaint(ctxOf(c), in)
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		p, perr := s.exhibitionPage(c, f)
		if perr != nil {
			return perr
		}
		return s.formFailed(c, "assistance_exhibition", p, assistanceRemapRows(err, rows))
	}
	s.flash(c, "ok", "assistance.flash.complaint")
	return c.Redirect(http.StatusSeeOther, "/cases/"+itoa(got.Case.ID))
}

// workAssistance is the assistance block of a /work section.
type workAssistance struct {
	Groups []assistanceGroup
}

// Badge is the colour of an application status.
func (workAssistance) Badge(st assistance.Status) string { return assistanceBadge(st) }

// addAssistanceWork adds the assistance links and queues to the /work
// section of membership m: an applicant's applications with their next
// step, an officer's queue.
func (s *Server) addAssistanceWork(c echo.Context, m domain.Membership, sec *workSection) {
	a := actorOf(c)
	var applicant, officer bool
	switch {
	case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachPartyTo) && s.deps.Authz.Can(a.UserID, m.OrgID, "assistance", "apply"):
		applicant = true
		sec.Links = append(sec.Links, workLink{Href: "/assistance/new", Label: "assistance.apply"},
			workLink{Href: "/assistance", Label: "assistance.mine"}, workLink{Href: "/assistance/exhibition", Label: "assistance.exhibition.title"})
	case m.Role.Reach(domain.ObjectApplication).Has(domain.ReachOrg) && s.deps.Authz.Can(a.UserID, m.OrgID, "assistance", "review"):
		officer = true
		sec.Links = append(sec.Links, workLink{Href: "/assistance", Label: "assistance.queue"},
			workLink{Href: "/assistance/exhibition", Label: "assistance.exhibition.title"})
	default:
		return
	}
	groups, err := s.assistanceGroups(c, applicant, officer, 10)
	if err != nil {
		s.log.WarnContext(ctxOf(c), "assistance work", "err", err)
		return
	}
	if officer {
		// The decided ones are history, not work.
		groups = slices.DeleteFunc(groups, func(g assistanceGroup) bool { return g.ID == "decided" })
	}
	sec.Assistance = &workAssistance{Groups: groups}
}
