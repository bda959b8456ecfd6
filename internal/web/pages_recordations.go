package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
)

// The customs recordation register's pages (docs/design.md §5): the list
// with its filters, the recording form, and a recordation with its
// validity, where its holder or the assistance centre corrects it,
// records a renewal, a withdrawal or an early lapse.

// recordationRoutes registers the register's pages.
func (s *Server) recordationRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/recordations", s.handleRecordations, in)
	g.GET("/recordations/new", s.handleRecordationNew, in)
	g.POST("/recordations", s.handleRecordationCreate, in)
	g.GET("/recordations/:id", s.handleRecordationShow, in)
	g.POST("/recordations/:id/:action", s.handleRecordationChange, in)
}

// apiRecordationRoutes registers the register's API.
func (s *Server) apiRecordationRoutes(g *echo.Group, in echo.MiddlewareFunc) {
	g.GET("/recordations", s.apiRecordationList, in)
	g.POST("/recordations", createRoute(s.deps.Recordations.Create), in)
	g.GET("/recordations/:id", getRoute(s.deps.Recordations.Get), in)
	g.PATCH("/recordations/:id", s.apiRecordationPatch, in)
}

// recordationFilter reads a list's filters; field errors name the
// parameter.
func recordationFilter(c echo.Context) (recordation.ListFilter, error) {
	q := c.QueryParams()
	var fe domain.Fields
	f := recordation.ListFilter{Status: recordation.Status(q.Get("status")), Q: q.Get("q"), Expiring: q.Get("expiring") == "1"}
	if h := q.Get("holder_org_id"); h != "" {
		id, err := strconv.ParseInt(h, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("holder_org_id", "validation.number")
		}
		f.HolderOrgID = id
	}
	return f, fe.Err()
}

type recordationsPage struct {
	Items    []recordation.Recordation
	Query    url.Values
	Manage   bool // the new-recordation button
	All      bool // the reader reads every enterprise's
	Statuses []recordation.Status
}

// Badge is the colour of a status.
func (recordationsPage) Badge(st recordation.Status) string { return recordationBadge(st) }

func recordationBadge(st recordation.Status) string {
	switch st {
	case recordation.StatusValid, recordation.StatusRenewed:
		return "ok"
	case recordation.StatusLapsed:
		return "bad"
	}
	return ""
}

func (s *Server) handleRecordations(c echo.Context) error {
	a := actorOf(c)
	if !s.deps.Recordations.CanRead(a) {
		return domain.Errorf(domain.EFORBIDDEN, "you may not read customs recordations")
	}
	f, err := recordationFilter(c)
	if err != nil {
		return err
	}
	page := &recordationsPage{Query: c.QueryParams(), Manage: s.deps.Recordations.CanManage(a),
		All: s.deps.Recordations.ManagesAll(a) || !s.deps.Recordations.CanManage(a), Statuses: recordation.Statuses}
	if page.Items, err = s.deps.Recordations.List(ctxOf(c), f); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "recordations", page)
}

type recordationNewPage struct {
	Form
	Holders    []recordation.Holder
	RightKinds []domain.RightKind
}

func (s *Server) recordationNewPage(c echo.Context, f *Form) (*recordationNewPage, error) {
	holders, err := s.deps.Recordations.Holders(ctxOf(c))
	if err != nil {
		return nil, err
	}
	return &recordationNewPage{Form: *f, Holders: holders, RightKinds: recordation.RightKinds}, nil
}

func (s *Server) handleRecordationNew(c echo.Context) error {
	if !s.deps.Recordations.CanManage(actorOf(c)) {
		return domain.NotFound("page")
	}
	p, err := s.recordationNewPage(c, &Form{Values: map[string]string{"right_kind": string(domain.RightTrademark)}})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "recordation_new", p)
}

func (s *Server) handleRecordationCreate(c echo.Context) error {
	f := assistanceForm(c)
	holder, _ := strconv.ParseInt(f.V("holder_org_id"), 10, 64)
	r, err := s.deps.Recordations.Create(ctxOf(c), recordation.Input{HolderOrgID: holder, Number: f.V("number"),
		RightKind: domain.RightKind(f.V("right_kind")), RightNumber: f.V("right_number"), RightName: f.V("right_name"),
		ValidFrom: f.V("valid_from"), ValidUntil: f.V("valid_until"), Note: f.V("note")})
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			p, perr := s.recordationNewPage(c, &Form{Values: f.Values, Errors: de.Fields})
			if perr != nil {
				return perr
			}
			return s.render(c, http.StatusUnprocessableEntity, "recordation_new", p)
		}
		return err
	}
	s.flash(c, "ok", "recordation.flash.created")
	return c.Redirect(http.StatusSeeOther, recordation.Link(r.ID))
}

type recordationShowPage struct {
	Form
	Rec recordation.Recordation
	// FailedForm is the action whose form is shown again with errors.
	FailedForm string
	RightKinds []domain.RightKind
}

// Badge is the colour of a status.
func (recordationShowPage) Badge(st recordation.Status) string { return recordationBadge(st) }

// Allows reports whether the reader may take act now.
func (p *recordationShowPage) Allows(act string) bool {
	if !p.Rec.Manage || !p.Rec.Open {
		return false
	}
	if act == string(recordation.ActionRenew) {
		// From the window's first day on, past the end too: a renewal
		// granted in time may be recorded late.
		return p.Rec.RenewalOpen || p.Rec.Status == recordation.StatusLapsed
	}
	return true
}

// Steps are the changes with a reason.
func (recordationShowPage) Steps() []string {
	return []string{string(recordation.ActionWithdraw), string(recordation.ActionLapse)}
}

func (s *Server) renderRecordation(c echo.Context, status int, id int64, p *recordationShowPage) error {
	r, err := s.deps.Recordations.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	p.Rec, p.RightKinds = r, recordation.RightKinds
	// A form shown again keeps what was sent; the other forms show the
	// recordation.
	if p.Values == nil {
		p.Values = map[string]string{}
	}
	for k, v := range recordationValues(r) {
		if _, sent := p.Values[k]; !sent {
			p.Values[k] = v
		}
	}
	return s.render(c, status, "recordation_show", p)
}

// recordationValues fills the correction form from a recordation.
func recordationValues(r recordation.Recordation) map[string]string {
	return map[string]string{"number": r.Number, "right_kind": string(r.RightKind), "right_number": r.RightNumber,
		"right_name": r.RightName, "valid_from": r.ValidFrom.String(), "valid_until": r.ValidUntil.String(), "note": r.Note,
		"new_valid_until": r.ValidUntil.AddMonths(recordation.ValidityMonths).String()}
}

func (s *Server) handleRecordationShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return s.renderRecordation(c, http.StatusOK, id, &recordationShowPage{})
}

func (s *Server) handleRecordationChange(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	act := recordation.Action(c.Param("action"))
	if !slices.Contains(recordation.Actions, act) {
		return domain.NotFound("action")
	}
	f := assistanceForm(c)
	version, _ := strconv.Atoi(f.V("version"))
	in := recordation.ChangeInput{Action: act, Version: version, Number: f.V("number"), RightKind: domain.RightKind(f.V("right_kind")),
		RightNumber: f.V("right_number"), RightName: f.V("right_name"), ValidFrom: f.V("valid_from"), ValidUntil: f.V("valid_until"),
		Note: f.V("note"), RenewedOn: f.V("renewed_on"), Reason: f.V("reason")}
	if act == recordation.ActionRenew {
		in.ValidUntil = f.V("new_valid_until")
	}
	if _, err := s.deps.Recordations.Change(ctxOf(c), id, in); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EINVALID {
			return s.renderRecordation(c, http.StatusUnprocessableEntity, id, &recordationShowPage{
				Form: Form{Values: f.Values, Errors: de.Fields}, FailedForm: string(act)})
		}
		return err
	}
	s.flash(c, "ok", "recordation.flash."+string(act))
	return c.Redirect(http.StatusSeeOther, recordation.Link(id))
}

func (s *Server) apiRecordationList(c echo.Context) error {
	f, err := recordationFilter(c)
	if err != nil {
		return err
	}
	items, err := s.deps.Recordations.List(ctxOf(c), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []recordation.Recordation{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// apiRecordationPatch changes a recordation: the members not sent keep
// the recordation's values.
func (s *Server) apiRecordationPatch(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cur, err := s.deps.Recordations.Get(ctxOf(c), id)
	if err != nil {
		return err
	}
	in := recordation.ChangeInput{Number: cur.Number, RightKind: cur.RightKind, RightNumber: cur.RightNumber, RightName: cur.RightName,
		ValidFrom: cur.ValidFrom.String(), ValidUntil: cur.ValidUntil.String(), Note: cur.Note}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Action == recordation.ActionRenew && in.ValidUntil == cur.ValidUntil.String() {
		in.ValidUntil = "" // ten years on unless another end is sent
	}
	r, err := s.deps.Recordations.Change(ctxOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
