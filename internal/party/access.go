package party

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// accessRow is a party_access row.
type accessRow struct {
	ID         int64
	CaseID     int64
	PartyID    int64
	Agent      bool
	TokenHash  string
	CreatedBy  *int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	RevokedBy  *int64
	LastUsedAt *time.Time
	// AccountID is the account whose person opened this link itself
	// (account.go); nil for a link the staff issued.
	AccountID *int64
}

func (accessRow) TableName() string { return "party_access" }

// live reports whether the link works at now.
func (r accessRow) live(now time.Time) bool { return r.RevokedAt == nil && now.Before(r.ExpiresAt) }

// partyRow is what this package reads of a case_parties row.
type partyRow struct {
	ID            int64
	CaseID        int64
	Role          string
	Kind          string
	Name          string
	PhoneEnc      string
	AgentName     string
	AgentPhoneEnc string
	EmailEnc      string
	AgentEmailEnc string
}

func (partyRow) TableName() string { return "case_parties" }

// person is who holds the access: the party or its agent.
func (p partyRow) person(agent bool) (name, phoneEnc string) {
	if agent {
		return p.AgentName, p.AgentPhoneEnc
	}
	return p.Name, p.PhoneEnc
}

// emailEnc is the encrypted e-mail address of who holds the access.
func (p partyRow) emailEnc(agent bool) string {
	if agent {
		return p.AgentEmailEnc
	}
	return p.EmailEnc
}

// mail e-mails msg to the holder of an access when it has an address
// and a mail server is configured, reporting whether the server took it.
// A failure is logged without the message, which holds a link.
func (s *Service) mail(ctx context.Context, p partyRow, agent bool, msg notify.Rendered, what string, id int64) bool {
	if s.d.Mail == nil {
		return false
	}
	to, err := s.phone(p.emailEnc(agent))
	if err != nil || to == "" {
		return false
	}
	if err := s.d.Mail.Send(ctx, to, msg); err != nil {
		s.d.Log.WarnContext(ctx, what+" e-mail not sent", "id", id)
		return false
	}
	return true
}

// Access is a link as the case's staff see it: never its token, and the
// phone masked.
type Access struct {
	ID          int64      `json:"id"`
	PartyID     int64      `json:"party_id"`
	PartyName   string     `json:"party_name"`
	PartyRole   string     `json:"party_role"`
	Agent       bool       `json:"agent"`
	Holder      string     `json:"holder"`
	MaskedPhone string     `json:"masked_phone"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
	// Live: neither revoked nor expired.
	Live bool `json:"live"`
	// ByAccount: the party opened this link itself from its account
	// (signed in by phone); the staff did not issue it.
	ByAccount bool `json:"by_account"`
}

// IssueInput names who gets a link: a party of the case, or its agent.
type IssueInput struct {
	PartyID int64 `json:"party_id"`
	Agent   bool  `json:"agent"`
}

// Issued is a new link. Link is shown once to the staff member who
// issued it (to hand over when the SMS could not be sent) and stored
// nowhere.
type Issued struct {
	Access Access
	Link   string
	// Sent: the SMS with the link was accepted by the gateway.
	Sent bool
	// Mailed: the e-mail with the link was accepted by the mail server
	// (the holder has an address and a server is configured).
	Mailed bool
}

// staff checks that the actor works case id (its director, clerk or an
// assigned mediator of the handling committee) and holds
// party_access:issue there; anyone else gets ENOTFOUND if they cannot
// see the case, else EFORBIDDEN.
func (s *Service) staff(ctx context.Context, caseID int64) (*domain.Actor, domain.CaseAccess, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, domain.CaseAccess{}, err
	}
	acc, err := s.d.Cases.Access(ctx, caseID)
	if err != nil {
		return nil, acc, err
	}
	if !acc.Works || !a.IsMember(acc.OrgID) || !s.d.Authz.Can(a.UserID, acc.OrgID, "party_access", "issue") {
		return nil, acc, domain.Errorf(domain.EFORBIDDEN, "only the staff who work the case issue and revoke the parties' links")
	}
	return a, acc, nil
}

// CanIssue reports whether the actor issues links for case id.
func (s *Service) CanIssue(ctx context.Context, caseID int64) bool {
	_, _, err := s.staff(ctx, caseID)
	return err == nil
}

// Parties lists the case's parties, for the issue form.
func (s *Service) Parties(ctx context.Context, caseID int64) ([]partyRow, error) {
	if _, _, err := s.staff(ctx, caseID); err != nil {
		return nil, err
	}
	var ps []partyRow
	if err := s.d.DB.WithContext(ctx).Where("case_id = ?", caseID).Order("position, id").Find(&ps).Error; err != nil {
		return nil, fmtErr("parties", err)
	}
	return ps, nil
}

// PartyChoice is a party of the case as the issue form offers it.
type PartyChoice struct {
	ID       int64
	Name     string
	Role     string
	HasPhone bool
	Agent    string // the agent's name, "" without an agent
	AgentHas bool   // the agent has a phone
}

// Choices lists the parties (and agents) a link can be issued to.
func (s *Service) Choices(ctx context.Context, caseID int64) ([]PartyChoice, error) {
	ps, err := s.Parties(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]PartyChoice, 0, len(ps))
	for _, p := range ps {
		out = append(out, PartyChoice{ID: p.ID, Name: p.Name, Role: p.Role, HasPhone: p.PhoneEnc != "",
			Agent: p.AgentName, AgentHas: p.AgentPhoneEnc != ""})
	}
	return out, nil
}

// Issue issues a personal access link to a party of the case (or its
// agent) and sends it by SMS to that person's phone. The link row and
// its audit row commit together; the SMS is sent after the commit, and
// when it fails (or no gateway is configured) the issuer is shown the
// link once to hand over. A party (or agent) without a phone is refused
// naming the field party_id: the codes could never reach it.
func (s *Service) Issue(ctx context.Context, caseID int64, in IssueInput) (Issued, error) {
	a, acc, err := s.staff(ctx, caseID)
	if err != nil {
		return Issued{}, err
	}
	var p partyRow
	err = s.d.DB.WithContext(ctx).Where("id = ? AND case_id = ?", in.PartyID, caseID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Issued{}, domain.Invalid(domain.FieldError{Field: "party_id", Message: "validation.party_unknown"})
	}
	if err != nil {
		return Issued{}, fmtErr("issue", err)
	}
	name, phoneEnc := p.person(in.Agent)
	if in.Agent && name == "" {
		return Issued{}, domain.Invalid(domain.FieldError{Field: "party_id", Message: "validation.party_no_agent"})
	}
	phone, err := s.phone(phoneEnc)
	if err != nil {
		return Issued{}, err
	}
	if phone == "" {
		return Issued{}, domain.Invalid(domain.FieldError{Field: "party_id", Message: "validation.party_no_phone"})
	}
	token, hash, err := newToken()
	if err != nil {
		return Issued{}, err
	}
	now := s.clock()
	uid := a.UserID
	row := accessRow{CaseID: caseID, PartyID: p.ID, Agent: in.Agent, TokenHash: hash, CreatedBy: &uid,
		CreatedAt: now, ExpiresAt: now.Add(s.d.Settings.LinkTTL)}
	org := acc.OrgID
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return fmtErr("issue", err)
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "party_access.issue", ObjectType: "party_access",
			ObjectID: strconv.FormatInt(row.ID, 10), Detail: map[string]any{"case_id": caseID, "party_id": p.ID,
				"agent": in.Agent, "access_id": row.ID, "expires_at": row.ExpiresAt.Format(time.RFC3339)}})
	})
	if err != nil {
		return Issued{}, err
	}
	out := Issued{Access: s.toAccess(row, p), Link: s.Link(token)}
	msg := notify.Rendered{ID: "party-link-" + strconv.FormatInt(row.ID, 10), Title: s.d.Texts.T("zh-CN", "party.sms.title", nil),
		Body: s.d.Texts.T("zh-CN", "party.sms.link", map[string]any{"Name": name, "Days": int(s.d.Settings.LinkTTL.Hours() / 24)}),
		URL:  out.Link}
	out.Mailed = s.mail(ctx, p, in.Agent, msg, "party link", row.ID)
	if s.d.SMS != nil {
		if err := s.d.SMS.Send(ctx, phone, msg); err != nil {
			s.d.Log.WarnContext(ctx, "party link SMS not sent", "access_id", row.ID, "err", err)
		} else {
			out.Sent = true
		}
	}
	return out, nil
}

// phone decrypts a stored phone.
func (s *Service) phone(enc string) (string, error) {
	if enc == "" {
		return "", nil
	}
	p, err := s.d.PII.Decrypt(enc)
	if err != nil {
		return "", fmtErr("decrypt phone", err)
	}
	return p, nil
}

func (s *Service) toAccess(r accessRow, p partyRow) Access {
	holder, enc := p.person(r.Agent)
	masked := ""
	if ph, err := s.phone(enc); err == nil {
		masked = domain.MaskMobile(ph)
	}
	return Access{ID: r.ID, PartyID: p.ID, PartyName: p.Name, PartyRole: p.Role, Agent: r.Agent, Holder: holder,
		MaskedPhone: masked, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt,
		LastUsedAt: r.LastUsedAt, Live: r.live(s.clock()), ByAccount: r.AccountID != nil}
}

// List lists the case's links, newest first, for the staff who work it.
func (s *Service) List(ctx context.Context, caseID int64) ([]Access, error) {
	if _, _, err := s.staff(ctx, caseID); err != nil {
		return nil, err
	}
	var rows []accessRow
	if err := s.d.DB.WithContext(ctx).Where("case_id = ?", caseID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmtErr("list", err)
	}
	var ps []partyRow
	if err := s.d.DB.WithContext(ctx).Where("case_id = ?", caseID).Find(&ps).Error; err != nil {
		return nil, fmtErr("list", err)
	}
	byID := map[int64]partyRow{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	out := make([]Access, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.toAccess(r, byID[r.PartyID]))
	}
	return out, nil
}

// Revoke ends a link of the case at once, with every party session
// opened through it. Revoking a revoked link is ECONFLICT.
func (s *Service) Revoke(ctx context.Context, caseID, accessID int64) error {
	a, acc, err := s.staff(ctx, caseID)
	if err != nil {
		return err
	}
	now := s.clock()
	org := acc.OrgID
	return s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r accessRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND case_id = ?", accessID, caseID).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.NotFound("party access link")
		}
		if err != nil {
			return fmtErr("revoke", err)
		}
		if r.RevokedAt != nil {
			return &domain.Error{Code: domain.ECONFLICT, ID: "party.error.revoked", Message: "the link is already revoked"}
		}
		if err := tx.Model(&accessRow{}).Where("id = ?", r.ID).
			Updates(map[string]any{"revoked_at": now, "revoked_by": a.UserID}).Error; err != nil {
			return fmtErr("revoke", err)
		}
		if err := tx.Exec("UPDATE party_sessions SET ended_at = ? WHERE access_id = ? AND ended_at IS NULL", now, r.ID).Error; err != nil {
			return fmtErr("revoke", err)
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "party_access.revoke", ObjectType: "party_access",
			ObjectID: strconv.FormatInt(r.ID, 10), Detail: map[string]any{"case_id": caseID, "party_id": r.PartyID, "access_id": r.ID}})
	})
}
