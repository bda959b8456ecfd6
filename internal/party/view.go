package party

import (
	"context"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// View is the case as its party sees it (/p/case): no minutes, no
// confidential documents, and of the other parties their names only
// (a natural person's name masked), never an identity number or phone.
type View struct {
	CaseID      int64
	Number      string
	Status      domain.CaseStatus
	DisputeType string
	// Committee is the handling committee's name (CommitteeEN in English,
	// when it has one).
	Committee   string
	CommitteeEN string
	Rights      []ViewRight
	Parties     []ViewParty
	// Sessions are the mediation sessions held (time, mode, place) and
	// the next one scheduled, if any; never their minutes or attendees.
	Sessions []ViewSession
	// Me is the signed-in party (or its agent).
	Me    ViewParty
	Agent bool
	Name  string // the signed-in person's name
}

// CommitteeIn is the committee's name in lang.
func (v View) CommitteeIn(lang string) string {
	if lang == "en" && v.CommitteeEN != "" {
		return v.CommitteeEN
	}
	return v.Committee
}

// ViewRight is a right in dispute.
type ViewRight struct {
	Kind, Number, Title string
}

// ViewParty is a party as the other parties see it.
type ViewParty struct {
	ID   int64
	Role string
	Name string
	You  bool
}

// ViewSession is a session on the schedule.
type ViewSession struct {
	At    time.Time
	Mode  string
	Place string
	// Planned: the next session the mediator scheduled (not yet held).
	Planned bool
}

// View returns the signed-in party's view of its case; each view is
// audited (party.view). Every query is bound to the session's case.
func (s *Service) View(ctx context.Context) (View, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return View{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	db := s.d.DB.WithContext(ctx)
	rv, err := s.byActor(ctx, s.d.DB, p, false)
	if err != nil {
		return View{}, err
	}
	var c struct {
		Status      string
		DisputeType string
		NameZh      string
		NameEn      string
	}
	if err := db.Raw(`SELECT c.status, c.dispute_type, o.name_zh, o.name_en FROM cases c JOIN orgs o ON o.id = c.org_id
		WHERE c.id = ?`, p.CaseID).Scan(&c).Error; err != nil {
		return View{}, fmtErr("view", err)
	}
	v := View{CaseID: p.CaseID, Number: rv.number, Status: domain.CaseStatus(c.Status), DisputeType: c.DisputeType, Committee: c.NameZh, CommitteeEN: c.NameEn,
		Agent: p.Agent, Name: p.Name}
	if err := db.Raw("SELECT kind, number, title FROM case_rights WHERE case_id = ? ORDER BY position, id", p.CaseID).
		Scan(&v.Rights).Error; err != nil {
		return View{}, fmtErr("view rights", err)
	}
	var ps []partyRow
	if err := db.Where("case_id = ?", p.CaseID).Order("position, id").Find(&ps).Error; err != nil {
		return View{}, fmtErr("view parties", err)
	}
	for _, x := range ps {
		vp := ViewParty{ID: x.ID, Role: x.Role, Name: x.Name, You: x.ID == p.PartyID}
		if !vp.You && x.Kind == "person" {
			vp.Name = domain.MaskName(x.Name)
		}
		if vp.You {
			v.Me = vp
		}
		v.Parties = append(v.Parties, vp)
	}
	var sessions []struct {
		HeldAt        time.Time
		Mode          string
		Place         string
		NextSessionAt *time.Time
	}
	if err := db.Raw("SELECT held_at, mode, place, next_session_at FROM case_sessions WHERE case_id = ? ORDER BY held_at, id",
		p.CaseID).Scan(&sessions).Error; err != nil {
		return View{}, fmtErr("view sessions", err)
	}
	for i, x := range sessions {
		v.Sessions = append(v.Sessions, ViewSession{At: x.HeldAt, Mode: x.Mode, Place: x.Place})
		if i == len(sessions)-1 && x.NextSessionAt != nil && x.NextSessionAt.After(s.clock()) {
			v.Sessions = append(v.Sessions, ViewSession{At: *x.NextSessionAt, Planned: true})
		}
	}
	if err := s.d.Audit.Append(ctx, nil, rv.entry("party.view", nil)); err != nil {
		return View{}, err
	}
	return v, nil
}
