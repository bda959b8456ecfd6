package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// The referral pages: the inbox (/referrals: overdue and new first), one
// referral with the receiver's forms (/referrals/{id}), and the form that
// sends a referral of one kind (/referrals/new?kind=…&case_id=…), offered
// from the case page and the work page.

func (s *Server) referralRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/referrals", s.handleReferralInbox, in)
	g.GET("/referrals/new", s.handleReferralNew, in)
	g.POST("/referrals", s.handleReferralCreate, in)
	g.GET("/referrals/:id", s.handleReferralShow, in)
	g.POST("/referrals/:id/documents", s.handleReferralDocumentUpload, s.uploadLimit, in)
	g.POST("/referrals/:id/:action", s.handleReferralAction, in)
}

type referralsPage struct {
	Inbox referral.Inbox
	// Filtered: a flat list (by case, kind, box) instead of the inbox.
	Filtered bool
	// All: the reader of every referral, who has no inbox (the
	// leadership office).
	All   bool
	Items []referral.Referral
	Next  string
	Query url.Values
	// SendKinds are the kinds the viewer may start here (those that need
	// no case: court delegation and entrustment, criminal transfer …).
	SendKinds []referral.Kind
	Now       time.Time
}

// referralTable is what the referral-table template draws: the page (for
// its language and clock) and the rows.
type referralTable struct {
	P     *Page
	Items []referral.Referral
}

// Table pairs the page with a list for the referral-table template.
func (p *referralsPage) Table(pg *Page, items []referral.Referral) referralTable {
	return referralTable{P: pg, Items: items}
}

// HasFilters reports whether the list is filtered (the filter line).
func (p *referralsPage) HasFilters() bool { return hasAny(p.Query, referralListParams) }

// hasAny reports whether q has a value for one of names.
func hasAny(q url.Values, names []string) bool {
	return slices.ContainsFunc(names, func(k string) bool { return q.Get(k) != "" })
}

// NextQuery is the link to the next page with the same filters.
func (p *referralsPage) NextQuery() string {
	q := url.Values{}
	for k, v := range p.Query {
		if k != "cursor" {
			q[k] = v
		}
	}
	q.Set("cursor", p.Next)
	return q.Encode()
}

// referralListParams are the query parameters that turn the inbox into
// a flat list so filtered (referralFilter).
var referralListParams = []string{"box", "kind", "case_id", "application_id", "status", "result", "cursor",
	"sent_from", "sent_to", "completed_from", "completed_to", "decided_from", "decided_to"}

func (s *Server) handleReferralInbox(c echo.Context) error {
	ctx, a := ctxOf(c), actorOf(c)
	page := &referralsPage{Query: c.QueryParams(), Now: s.now()}
	for _, k := range referral.InboxKinds(a) {
		if s.deps.Referrals.CanSend(a, k) {
			page.SendKinds = append(page.SendKinds, k)
		}
	}
	q := c.QueryParams()
	// The leadership office reads every referral and has no inbox: it
	// gets the one list of them all, filtered as the statistics link it.
	page.All = !s.deps.Referrals.HasInbox(a)
	if page.All || hasAny(q, referralListParams) {
		f, err := referralFilter(c)
		if err != nil {
			return err
		}
		page.Filtered = true
		if page.Items, page.Next, err = s.deps.Referrals.List(ctx, f); err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "referrals", page)
	}
	in, err := s.deps.Referrals.Inbox(ctx)
	if err != nil {
		return err
	}
	page.Inbox = in
	return s.render(c, http.StatusOK, "referrals", page)
}

// referralNewPage is the send form of one kind.
type referralNewPage struct {
	Form
	Kind      referral.Kind
	Receivers []domain.Org
	// Case is the case referred, as the sender sees it (nil without one).
	Case *cases.CaseView
	// Respondents of the case, for the enforcement form.
	Respondents []domain.Party
	// Recordations are the customs recordations the customs form picks
	// from (the case's right holders' in force; docs/design.md §5).
	Recordations []recordation.Option
}

// PicksRecordation reports whether field key is the customs form's
// recordation, chosen from the register.
func (p *referralNewPage) PicksRecordation(key string) bool {
	return p.Kind == referral.KindCustoms && key == "recordation_number"
}

// DisclosureDefault reports whether a part is disclosed by default for
// the kind (checked in the form).
func (p *referralNewPage) DisclosureDefault(part string) bool {
	if p.Values != nil && p.Values["_posted"] == "1" {
		return p.Values["disclosure."+part] == "on"
	}
	d := referral.DefaultDisclosure(p.Kind)
	switch part {
	case "summary":
		return d.Summary
	case "parties":
		return d.Parties
	case "rights":
		return d.Rights
	case "agreement":
		return d.Agreement
	}
	return false
}

// PartyRows are the party rows of the court's form, by role.
func (p *referralNewPage) PartyRows() []domain.PartyRole {
	return []domain.PartyRole{domain.PartyApplicant, domain.PartyRespondent, domain.PartyThird}
}

// RightKinds lists the IP right kinds for the court's form.
func (p *referralNewPage) RightKinds() []domain.RightKind { return domain.RightKinds }

// Parts are the parts of a case a disclosure names.
func (p *referralNewPage) Parts() []string {
	return []string{"summary", "parties", "rights", "agreement"}
}

// DocChecked reports whether document id was chosen in a re-shown form.
func (p *referralNewPage) DocChecked(id int64) bool {
	return p.Values != nil && p.Values["disclosure.documents."+strconv.FormatInt(id, 10)] == "on"
}

func (s *Server) newReferralPage(c echo.Context, k referral.Kind, caseID int64, f *Form) (*referralNewPage, error) {
	a := actorOf(c)
	if !k.Valid() || !s.deps.Referrals.CanSend(a, k) {
		return nil, domain.NotFound("page")
	}
	p := &referralNewPage{Kind: k}
	if f != nil {
		p.Form = *f
	}
	dir, err := s.deps.Orgs.Directory(ctxOf(c))
	if err != nil {
		return nil, err
	}
	for _, o := range dir {
		if o.Active && slices.Contains(k.ReceiverTypes(), o.Type) && !a.IsMember(o.ID) {
			p.Receivers = append(p.Receivers, o)
		}
	}
	if caseID > 0 {
		v, err := s.deps.Cases.Get(ctxOf(c), caseID)
		if err != nil {
			return nil, err
		}
		p.Case = &v
		for _, x := range v.Parties {
			if x.Role == domain.PartyRespondent {
				p.Respondents = append(p.Respondents, x)
			}
		}
	}
	if k == referral.KindCustoms {
		var ref *int64
		if caseID > 0 {
			ref = &caseID
		}
		if p.Recordations, err = s.deps.Recordations.OptionsFor(ctxOf(c), ref, nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) handleReferralNew(c echo.Context) error {
	caseID, err := int64Value(c.QueryParam("case_id"), "case_id")
	if err != nil {
		return domain.NotFound("page")
	}
	p, err := s.newReferralPage(c, referral.Kind(c.QueryParam("kind")), caseID, &Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "referral_new", p)
}

// formTimeValue turns a datetime-local value into RFC 3339 (Beijing time),
// leaving anything it cannot read for the service to refuse.
func formTimeValue(v string) any {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, calendar.Beijing); err == nil {
			return t.Format(time.RFC3339)
		}
	}
	return v
}

// prefixed collects the form values named prefix+key into a JSON object:
// "on" checkboxes become true, amounts in yuan (…_amount) become fen,
// *_at values times, party_id a number; infringer.* a nested object.
func prefixed(form url.Values, prefix string, pre *domain.Fields) map[string]any {
	out := map[string]any{}
	for name, vs := range form {
		key, ok := strings.CutPrefix(name, prefix)
		if !ok || len(vs) == 0 {
			continue
		}
		v := strings.TrimSpace(vs[0])
		if v == "" {
			continue
		}
		switch {
		case v == "on":
			out[key] = true
		case strings.HasSuffix(key, "_amount"):
			fen, ok := parseYuan(v)
			if !ok {
				pre.Add(prefix+key, "validation.amount")
				continue
			}
			out[strings.TrimSuffix(key, "_amount")+"_amount_fen"] = fen
		case strings.HasSuffix(key, "_at"):
			out[key] = formTimeValue(v)
		case key == "party_id":
			out[key] = formInt(v)
		case strings.HasPrefix(key, "infringer."):
			inf, _ := out["infringer"].(map[string]any)
			if inf == nil {
				inf = map[string]any{}
				out["infringer"] = inf
			}
			inf[strings.TrimPrefix(key, "infringer.")] = v
		default:
			out[key] = v
		}
	}
	return out
}

func jsonOf(m map[string]any) []byte {
	b, _ := json.Marshal(m)
	return b
}

// handleReferralCreate reads the send form and redirects to the new
// referral; field errors show the form again.
func (s *Server) handleReferralCreate(c echo.Context) error {
	form, _ := c.FormParams()
	values := map[string]string{"_posted": "1"}
	for k, v := range form {
		if k != "_csrf" && len(v) > 0 {
			values[k] = v[0]
		}
	}
	f := &Form{Values: values}
	k := referral.Kind(f.V("kind"))
	var pre domain.Fields
	caseID := formInt(f.V("case_id"))
	in := referral.SendInput{Kind: k, ReceiverOrgID: formInt(f.V("receiver_org_id")), Title: f.V("title"), Note: f.V("note")}
	if caseID > 0 {
		in.CaseID = &caseID
		d := cases.Disclosure{Summary: f.V("disclosure.summary") == "on", Parties: f.V("disclosure.parties") == "on",
			Rights: f.V("disclosure.rights") == "on", Agreement: f.V("disclosure.agreement") == "on", Documents: []int64{}}
		for name := range form {
			if id, ok := strings.CutPrefix(name, "disclosure.documents."); ok && f.V(name) == "on" {
				d.Documents = append(d.Documents, formInt(id))
			}
		}
		slices.Sort(d.Documents)
		in.Disclosure = &d
	}
	if app := formInt(f.V("application_id")); app > 0 {
		in.ApplicationID = &app
	}
	in.Fields = jsonOf(prefixed(form, "fields.", &pre))
	if k.Automatic() {
		in.Case = intakeFromForm(form, &pre)
	}
	p, err := s.newReferralPage(c, k, caseID, f)
	if err != nil {
		return err
	}
	if len(pre) > 0 {
		p.Errors = pre
		return s.render(c, http.StatusUnprocessableEntity, "referral_new", p)
	}
	r, err := s.deps.Referrals.Send(ctxOf(c), in)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			p.Errors = de.Fields
			return s.render(c, http.StatusUnprocessableEntity, "referral_new", p)
		}
		return err
	}
	s.flash(c, "ok", "referral.flash.sent")
	return c.Redirect(http.StatusSeeOther, "/referrals/"+itoa(r.ID))
}

// formReferralParties is the number of party rows of the court's form:
// the applicant, the respondent and an optional third.
const formReferralParties = 3

// intakeFromForm reads the dispute a court sends (case.* fields). The
// first two party rows are always sent, so that their errors name them.
func intakeFromForm(form url.Values, pre *domain.Fields) *cases.IntakeInput {
	v := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	in := &cases.IntakeInput{DisputeType: domain.DisputeType(v("case.dispute_type")), Summary: v("case.summary"), Claims: v("case.claims")}
	if fen, ok := parseYuan(v("case.claim_amount")); ok {
		in.ClaimAmountFen = fen
	} else {
		pre.Add("case.claim_amount", "validation.amount")
	}
	for i := 0; i < formReferralParties; i++ {
		k := fmt.Sprintf("case.parties[%d].", i)
		if i >= 2 && v(k+"name") == "" {
			continue
		}
		in.Parties = append(in.Parties, cases.PartyInput{Role: domain.PartyRole(v(k + "role")), Kind: domain.PartyKind(v(k + "kind")),
			Name: v(k + "name"), IDNumber: v(k + "id_number"), CreditCode: v(k + "credit_code"), Phone: v(k + "phone"),
			Address: v(k + "address"), IsSME: v(k+"is_sme") == "on"})
	}
	if v("case.rights[0].number") != "" || v("case.rights[0].title") != "" {
		in.Rights = append(in.Rights, cases.RightInput{Kind: domain.RightKind(v("case.rights[0].kind")), Number: v("case.rights[0].number"),
			Title: v("case.rights[0].title")})
	}
	return in
}

// referralFieldView is one field of a kind as the referral-field
// template draws it: the page (language, errors), the field, the input's
// name (KeyName: the field's name in the service's errors), the value to
// show again, its label, help and options as message ids, and whether the
// browser asks for it.
type referralFieldView struct {
	P             *Page
	F             referral.Field
	Name, KeyName string
	Value         string
	Label, Help   string
	Options       []fieldOption
	Required      bool
}

// fieldOption is one choice of a coded field: its code and message id.
type fieldOption struct {
	Value, Label string
	Selected     bool
}

// FieldView is field fd of a form under prefix ("fields.", "result."),
// for the referral-field template.
func (f *Form) FieldView(p *Page, fd referral.Field, prefix string) referralFieldView {
	name := fd.Name(prefix)
	v := referralFieldView{P: p, F: fd, Name: name, KeyName: prefix + fd.Key, Value: f.V(name), Label: fd.Label(), Help: fd.Help,
		Required: fd.WhenKey != "" || (fd.Required && (fd.Type == referral.FieldText || fd.Type == referral.FieldTime))}
	for _, o := range fd.Options {
		v.Options = append(v.Options, fieldOption{Value: o, Label: fd.Values + o, Selected: o == v.Value})
	}
	return v
}

// referralPage is one referral with the receiver's forms.
type referralPage struct {
	Form
	V          referral.View
	FailedForm string
	Conflict   string
	Now        time.Time
	// Documents are the files attached to the referral (both ends read
	// and add them).
	Documents []document.Document
}

// Row is one line of a referral's fields or result as the page shows it:
// Label and ValueKey are message ids (ValueKey empty: Value is shown as
// it is).
type Row struct {
	Label, Value, ValueKey string
	// Parts, when set, are the value as words and message ids (a list
	// of parties or rights: their roles and kinds are codes).
	Parts []RowPart
}

// RowPart is a piece of a row's value: Key a message id, else Text.
type RowPart struct{ Text, Key string }

// enumKeys say which values are codes shown through a message id (the
// kinds' coded fields).
var enumKeys = referral.ValueKeys()

// rows renders a JSON object as rows, in a stable order.
func rows(m map[string]any) []Row {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Row
	for _, k := range keys {
		switch k {
		case "key":
			continue // the rule's idempotency key: internal
		case "rule":
			if x, ok := m[k].(string); ok && x != "" {
				out = append(out, Row{Label: "referral.field.rule", ValueKey: "assistance.rule." + x})
				continue
			}
		}
		out = append(out, valueRows("referral.field."+k, k, m[k])...)
	}
	return out
}

// listPart is one field of a listed party or right: its role and kind
// are codes shown through their words.
func listPart(field, v string) RowPart {
	switch {
	case field == "role" && slices.Contains([]domain.PartyRole{domain.PartyApplicant, domain.PartyRespondent, domain.PartyThird}, domain.PartyRole(v)):
		return RowPart{Key: "party." + v}
	case field == "kind" && slices.Contains(domain.RightKinds, domain.RightKind(v)):
		return RowPart{Key: "right." + v}
	case field == "kind" && (v == string(domain.PartyPerson) || v == string(domain.PartyOrganisation)):
		return RowPart{Key: "referral.value." + v}
	}
	return RowPart{Text: v}
}

func valueRows(label, key string, v any) []Row {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return []Row{{Label: label, ValueKey: "referral.value." + strconv.FormatBool(x)}}
	case float64:
		if strings.HasSuffix(key, "_fen") {
			return []Row{{Label: label, Value: yuanText(int64(x))}}
		}
		return []Row{{Label: label, Value: strconv.FormatFloat(x, 'f', -1, 64)}}
	case string:
		if strings.HasSuffix(key, "_at") {
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				return []Row{{Label: label, Value: t.In(calendar.Beijing).Format("2006-01-02 15:04")}}
			}
		}
		if p, ok := enumKeys[key]; ok && x != "" {
			return []Row{{Label: label, ValueKey: p + x}}
		}
		return []Row{{Label: label, Value: x}}
	case []any:
		var parts []RowPart
		for i, e := range x {
			if i > 0 {
				parts = append(parts, RowPart{Text: "；"})
			}
			switch y := e.(type) {
			case map[string]any:
				n := 0
				for _, k := range []string{"role", "name", "credit_code", "kind", "number", "title"} {
					if s, ok := y[k].(string); ok && s != "" {
						if n > 0 {
							parts = append(parts, RowPart{Text: " "})
						}
						parts = append(parts, listPart(k, s))
						n++
					}
				}
			default:
				parts = append(parts, RowPart{Text: fmt.Sprint(y)})
			}
		}
		return []Row{{Label: label, Parts: parts}}
	case map[string]any:
		var out []Row
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, valueRows("referral.field."+k, k, x[k])...)
		}
		return out
	}
	return []Row{{Label: label, Value: fmt.Sprint(v)}}
}

// FieldRows and ResultRows are the referral's fields and result.
func (p *referralPage) FieldRows() []Row  { return rows(p.V.Fields) }
func (p *referralPage) ResultRows() []Row { return rows(p.V.Result) }

// Can reports whether the viewer may take step a now.
func (p *referralPage) Can(a string) bool { return p.V.Can(referral.Action(a)) }

// Asks reports whether the accept form asks for field f of this
// referral (a field asked only with some value of a sent field).
func (p *referralPage) Asks(f referral.Field) bool {
	return f.WhenKey == "" || p.V.Fields[f.WhenKey] == f.WhenValue
}

func (s *Server) renderReferral(c echo.Context, status int, id int64, page *referralPage) error {
	v, err := s.deps.Referrals.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	if page == nil {
		page = &referralPage{}
	}
	page.V, page.Now = v, s.now()
	// The documents are the two ends' correspondence: the office that
	// reads every referral reads none of them.
	if v.Sender || v.Receiver {
		if page.Documents, err = s.deps.Documents.ListForReferral(ctxOf(c), id); err != nil {
			return err
		}
	}
	return s.render(c, status, "referral", page)
}

func (s *Server) handleReferralShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderReferral(c, http.StatusOK, id, nil)
}

// handleReferralAction runs one step form and redirects back; errors show
// the page again with the form's messages.
func (s *Server) handleReferralAction(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	action := referral.Action(c.Param("action"))
	ctx := ctxOf(c)
	form, _ := c.FormParams()
	version := int(formInt(c.FormValue("version")))
	var pre domain.Fields
	var run func() (referral.Referral, error)
	svc := s.deps.Referrals
	switch action {
	case referral.ActionReceive:
		run = func() (referral.Referral, error) {
			return svc.Receive(ctx, id, referral.ReceiveInput{Version: version})
		}
	case referral.ActionAccept:
		in := referral.AcceptInput{Version: version, Note: c.FormValue("note"), Fields: jsonOf(prefixed(form, "fields.", &pre))}
		run = func() (referral.Referral, error) { return svc.Accept(ctx, id, in) }
	case referral.ActionDecline:
		in := referral.DeclineInput{Version: version, Reason: c.FormValue("reason")}
		run = func() (referral.Referral, error) { return svc.Decline(ctx, id, in) }
	case referral.ActionComplete:
		result := prefixed(form, "result.", &pre)
		for _, k := range referral.ResultCheckKeys() {
			if _, ok := result[k]; !ok && form.Has("result."+k+"_present") {
				result[k] = false
			}
		}
		in := referral.CompleteInput{Version: version, Result: jsonOf(result)}
		run = func() (referral.Referral, error) { return svc.Complete(ctx, id, in) }
	default:
		return domain.NotFound("action")
	}
	page := &referralPage{Form: Form{Values: formValues(form)}, FailedForm: string(action)}
	return s.finishAction(c, pre, func() error { _, err := run(); return err }, &page.Form, &page.Conflict,
		func(status int) error { return s.renderReferral(c, status, id, page) }, "referral.flash."+string(action), "/referrals/"+itoa(id))
}

// ReferralKinds are the kinds the case page offers the handling
// committee to send, by the case's state (referral.OfferedOn).
func (p *casePage) ReferralKinds() []string {
	v := p.V
	if !v.Access.Handling {
		return nil
	}
	var out []string
	for _, k := range referral.OfferedOn(referral.CaseState{Status: v.Status, DisputeType: v.DisputeType,
		AgreementInEffect: v.Agreement != nil && v.Agreement.EffectiveAt != nil, RouteSuggested: v.SuggestedRoute != ""}) {
		out = append(out, string(k))
	}
	return out
}

// RecentResults are the latest finished referrals on the work page.
func (p *workPage) RecentResults() []referral.Referral {
	if p.Referrals == nil {
		return nil
	}
	return p.Referrals.Done[:min(5, len(p.Referrals.Done))]
}

// workReferrals is the referral part of the work page: the inbox of a user
// whose role reads referrals, nil for anyone else.
func (s *Server) workReferrals(c echo.Context) *referral.Inbox {
	if !s.deps.Referrals.HasInbox(actorOf(c)) {
		return nil
	}
	in, err := s.deps.Referrals.Inbox(ctxOf(c))
	if err != nil {
		s.log.WarnContext(c.Request().Context(), "work page referrals", "err", err)
		return nil
	}
	return &in
}
