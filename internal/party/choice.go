package party

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// A party's choice of mediator (People's Mediation Law art. 23: the
// parties may choose one or more mediators, or accept the mediator the
// committee designates; docs/law.md §10). The party chooses from its
// online view, before the case is assigned; the director who assigns
// another mediator gives a reason (cases.Service.Assign).

// The inbox notices and timeline events of the choice and of the
// attendance answers (texts notify.<kind>.*, event.<kind>).
const (
	NoticeMediatorChoice = "party_mediator_choice"
	NoticeAttends        = "party_attends"
	NoticeAbsent         = "party_absent"
)

func init() {
	CaseEvents = append(CaseEvents, NoticeMediatorChoice, NoticeAttends, NoticeAbsent)
}

// MediatorChoiceInput is a party's choice: MediatorID 0 leaves it to the
// committee; Note is optional.
type MediatorChoiceInput struct {
	MediatorID int64
	Note       string
}

// MediatorChoice is one recorded choice of a party. MediatorID nil is
// "leave it to the committee".
type MediatorChoice struct {
	ID           int64
	CaseID       int64
	PartyID      int64
	AccessID     int64
	MediatorID   *int64
	MediatorName string
	Note         string
	At           time.Time `gorm:"column:created_at"`
}

// CurrentChoice is a choice with the party named, for the staff.
type CurrentChoice struct {
	PartyRole string
	PartyName string
	MediatorChoice
}

// MediatorOption is a mediator of the case's committee as the party
// sees it: name, specialties and qualifications (codes the page puts in
// words), never a phone or username.
type MediatorOption struct {
	ID                 int64
	Name               string
	Specialties        []string
	Qualifications     []string
	QualificationOther string
	TechnicalField     string
}

// TakesMediatorChoice reports whether a case in status st still takes
// the parties' choices of mediator: until it is assigned.
func TakesMediatorChoice(st domain.CaseStatus) bool {
	return st == domain.StatusSubmitted || st == domain.StatusAccepted
}

// committeeMediators are the active mediators of committee org, with
// their register entries (ids only when onlyID > 0 names one).
func committeeMediators(ctx context.Context, db *gorm.DB, org, onlyID int64) ([]MediatorOption, error) {
	var rows []struct {
		ID                 int64
		Name               string
		Specialties        string
		Qualifications     string
		QualificationOther string
		TechnicalField     string
	}
	if err := db.WithContext(ctx).Raw(`SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.username) AS name,
  array_to_string(COALESCE(p.specialties, '{}'), ',') AS specialties,
  array_to_string(COALESCE(p.qualifications, '{}'), ',') AS qualifications,
  COALESCE(p.qualification_other, '') AS qualification_other, COALESCE(p.technical_field, '') AS technical_field
FROM users u LEFT JOIN mediator_profiles p ON p.org_id = ? AND p.user_id = u.id
WHERE u.active AND u.id IN (SELECT m.user_id FROM memberships m WHERE m.org_id = ? AND m.role IN ?)
  AND (? = 0 OR u.id = ?)
ORDER BY name, u.id`, org, org, domain.RolesWhere(domain.Role.Assignable), onlyID, onlyID).Scan(&rows).Error; err != nil {
		return nil, fmtErr("committee mediators", err)
	}
	out := make([]MediatorOption, len(rows))
	for i, r := range rows {
		out[i] = MediatorOption{ID: r.ID, Name: r.Name, Specialties: splitList(r.Specialties), Qualifications: splitList(r.Qualifications),
			QualificationOther: r.QualificationOther, TechnicalField: r.TechnicalField}
	}
	return out, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// CommitteeMediators lists, for the signed-in party, the active
// mediators of its case's committee it may choose from.
func (s *Service) CommitteeMediators(ctx context.Context) ([]MediatorOption, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	rv, err := s.byActor(ctx, s.d.DB, p, false)
	if err != nil {
		return nil, err
	}
	return committeeMediators(ctx, s.d.DB, rv.orgID, 0)
}

// ChooseMediator records the signed-in party's choice of a mediator of
// its case's committee, or that it leaves the choice to the committee
// (MediatorID 0), with an optional note. A change of mind is a new row;
// the latest counts. It writes the timeline event party_mediator_choice,
// tells the committee's director(s) in their inbox and is audited
// (party.mediator_choice) in the same transaction. A mediator who is not
// an active mediator of the committee, or an over-long note, is EINVALID
// naming the field; a case already assigned (or ended) is ECONFLICT.
func (s *Service) ChooseMediator(ctx context.Context, in MediatorChoiceInput) (MediatorChoice, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return MediatorChoice{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.MediatorID < 0 {
		return MediatorChoice{}, domain.Invalid(domain.FieldError{Field: "mediator_id", Message: "validation.party_mediator"})
	}
	if utf8.RuneCountInString(in.Note) > maxConsentNote {
		return MediatorChoice{}, domain.Invalid(domain.FieldError{Field: "note", Message: "validation.too_long", Params: map[string]any{"Max": maxConsentNote}})
	}
	if s.d.Timeline == nil || s.d.Notify == nil {
		return MediatorChoice{}, domain.Errorf(domain.EINTERNAL, "party: a choice needs the timeline and the inbox")
	}
	now := s.clock()
	out := MediatorChoice{CaseID: p.CaseID, PartyID: p.PartyID, AccessID: p.AccessID, Note: in.Note, At: now}
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rv, err := s.byActor(ctx, tx, p, true)
		if err != nil {
			return err
		}
		var status string
		if err := tx.Raw("SELECT status FROM cases WHERE id = ? FOR UPDATE", p.CaseID).Scan(&status).Error; err != nil {
			return fmtErr("choice case", err)
		}
		if !TakesMediatorChoice(domain.CaseStatus(status)) {
			return &domain.Error{Code: domain.ECONFLICT, ID: "party.error.choice_closed", Message: "the case is already assigned"}
		}
		var mediatorRef *int64
		if in.MediatorID > 0 {
			ms, err := committeeMediators(ctx, tx, rv.orgID, in.MediatorID)
			if err != nil {
				return err
			}
			if len(ms) != 1 {
				return domain.Invalid(domain.FieldError{Field: "mediator_id", Message: "validation.party_mediator"})
			}
			id := in.MediatorID
			mediatorRef, out.MediatorID, out.MediatorName = &id, &id, ms[0].Name
		}
		if err := tx.Raw(`INSERT INTO party_mediator_choices (case_id, party_id, access_id, mediator_id, note, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, p.CaseID, p.PartyID, p.AccessID, mediatorRef, in.Note, now).Scan(&out.ID).Error; err != nil {
			return fmtErr("record choice", err)
		}
		// The timeline names the party and the mediator chosen; the note
		// stays out of it (it may carry personal data).
		detail := map[string]any{"party": rv.party.Name, "choice_id": out.ID}
		if mediatorRef != nil {
			detail["mediator_id"], detail["mediator"] = *mediatorRef, out.MediatorName
		}
		if err := s.d.Timeline.AddEventTx(ctx, tx, p.CaseID, &domain.Actor{DisplayName: p.Name}, NoticeMediatorChoice, detail, now); err != nil {
			return err
		}
		directors, err := notify.MembersTx(ctx, tx, rv.orgID, domain.RolesWhere(domain.Role.Head))
		if err != nil {
			return err
		}
		for _, u := range directors {
			if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeMediatorChoice, Link: "/cases/" + strconv.FormatInt(p.CaseID, 10),
				Params: map[string]any{"Number": rv.number, "Party": rv.party.Name}}); err != nil {
				return err
			}
		}
		ad := map[string]any{"choice_id": out.ID}
		if mediatorRef != nil {
			ad["mediator_id"] = *mediatorRef
		}
		return s.d.Audit.Append(ctx, tx, rv.entry("party.mediator_choice", ad))
	})
	if err != nil {
		return MediatorChoice{}, err
	}
	return out, nil
}

const choiceColumns = `pc.id, pc.case_id, pc.party_id, pc.access_id, pc.mediator_id,
  COALESCE(NULLIF(u.display_name, ''), u.username, '') AS mediator_name, pc.note, pc.created_at`

// MyMediatorChoices is the signed-in party's choices, latest first (the
// first is the one that counts).
func (s *Service) MyMediatorChoices(ctx context.Context) ([]MediatorChoice, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	var out []MediatorChoice
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT `+choiceColumns+` FROM party_mediator_choices pc LEFT JOIN users u ON u.id = pc.mediator_id
WHERE pc.case_id = ? AND pc.party_id = ? ORDER BY pc.created_at DESC, pc.id DESC`, p.CaseID, p.PartyID).Scan(&out).Error; err != nil {
		return nil, fmtErr("my choices", err)
	}
	return out, nil
}

// MyMediatorChoice is the signed-in party's current choice, or nil when
// it has made none.
func (s *Service) MyMediatorChoice(ctx context.Context) (*MediatorChoice, error) {
	all, err := s.MyMediatorChoices(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// MediatorChoices is every party's choices on case id, latest first, for
// the staff who may read the case (cases.Service.Access decides).
func (s *Service) MediatorChoices(ctx context.Context, caseID int64) ([]CurrentChoice, error) {
	if _, err := s.d.Cases.Access(ctx, caseID); err != nil {
		return nil, err
	}
	return caseChoices(s.d.DB.WithContext(ctx), caseID, "DESC")
}

// caseChoices are every choice on case caseID with the party named, in
// the order of their recording (dir "DESC": latest first, "ASC").
func caseChoices(db *gorm.DB, caseID int64, dir string) ([]CurrentChoice, error) {
	var out []CurrentChoice
	if err := db.Raw(`SELECT `+choiceColumns+`, cp.role AS party_role, cp.name AS party_name
FROM party_mediator_choices pc JOIN case_parties cp ON cp.id = pc.party_id LEFT JOIN users u ON u.id = pc.mediator_id
WHERE pc.case_id = ? ORDER BY pc.created_at `+dir+`, pc.id `+dir, caseID).Scan(&out).Error; err != nil {
		return nil, fmtErr("choices", err)
	}
	return out, nil
}

// LatestChoices keeps, of choices listed latest first, each party's latest.
func LatestChoices(all []CurrentChoice) []CurrentChoice {
	seen := map[int64]bool{}
	var out []CurrentChoice
	for _, c := range all {
		if !seen[c.PartyID] {
			seen[c.PartyID] = true
			out = append(out, c)
		}
	}
	return out
}

// ChoiceState is the choice of mediator as the signed-in party's view
// shows it: whether the case still takes a choice, the mediators to
// choose from (while it does) and the party's choices, latest first.
type ChoiceState struct {
	Open      bool
	Mediators []MediatorOption
	Choices   []MediatorChoice
}

// MediatorChoiceState reads the signed-in party's ChoiceState.
func (s *Service) MediatorChoiceState(ctx context.Context) (ChoiceState, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return ChoiceState{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	rv, err := s.byActor(ctx, s.d.DB, p, false)
	if err != nil {
		return ChoiceState{}, err
	}
	var status string
	if err := s.d.DB.WithContext(ctx).Raw("SELECT status FROM cases WHERE id = ?", p.CaseID).Scan(&status).Error; err != nil {
		return ChoiceState{}, fmtErr("choice state", err)
	}
	var st ChoiceState
	st.Open = TakesMediatorChoice(domain.CaseStatus(status))
	if st.Open {
		if st.Mediators, err = committeeMediators(ctx, s.d.DB, rv.orgID, 0); err != nil {
			return ChoiceState{}, err
		}
	}
	if st.Choices, err = s.MyMediatorChoices(ctx); err != nil {
		return ChoiceState{}, err
	}
	return st, nil
}
