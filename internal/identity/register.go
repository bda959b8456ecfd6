package identity

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// errUsernameUnavailable answers a registration whose username is in use,
// in words that do not confirm an account exists.
func errUsernameUnavailable() error {
	return domain.Invalid(domain.FieldError{Field: "username", Message: "validation.username_unavailable"})
}

// Registration is an SME's self-registration: the enterprise and its first
// user, who becomes its applicant.
type Registration struct {
	EnterpriseName string
	CreditCode     string // unified social credit code, GB 32100
	ContactName    string
	Phone          string
	Email          string
	Username       string
	Password       string
	// Industries are the codes of the industries the enterprise chooses
	// (internal/warning): risk warnings to them reach it. Optional.
	Industries []string
}

// RegisterSME creates an enterprise organisation and its applicant user
// in one transaction. EINVALID names each bad field, including a credit
// code that fails its check character or is already registered.
//
// Registration is open to anyone, so it must not become a way to find out
// which usernames exist: attempts are throttled per client address
// (ETOOMANY, audited), and whether the username is free is checked only
// once everything else is valid, and then answered with a neutral
// "cannot be used" (validation.username_unavailable) rather than "taken".
func (s *Service) RegisterSME(ctx context.Context, in Registration) (domain.User, domain.Org, error) {
	if !s.register.Allow(ctx, domain.RequestMetaFrom(ctx).IP) {
		s.auditRefusal(ctx, audit.Entry{Action: "auth.register_throttled", Detail: map[string]any{"username": domain.NormalizeUsername(in.Username)}})
		return domain.User{}, domain.Org{}, domain.Errorf(domain.ETOOMANY, "too many registrations from this address; try again later")
	}
	in.EnterpriseName = strings.TrimSpace(in.EnterpriseName)
	in.CreditCode = domain.NormalizeCreditCode(in.CreditCode)
	in.ContactName = strings.TrimSpace(in.ContactName)
	var user domain.User
	var org domain.Org
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var f domain.Fields
		f.Text("enterprise_name", in.EnterpriseName, true, maxEnterpriseName)
		switch {
		case in.CreditCode == "":
			f.Add("credit_code", "validation.required")
		case !domain.ValidCreditCode(in.CreditCode):
			f.Add("credit_code", "validation.credit_code")
		default:
			var n int64
			if err := tx.Table("orgs").Where("credit_code = ?", in.CreditCode).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				f.Add("credit_code", "validation.credit_code_taken")
			}
		}
		f.Text("contact_name", in.ContactName, true, maxDisplayName)
		industries, err := s.orgs.CheckIndustriesTx(ctx, tx, "industries", in.Industries)
		if fe := domain.InvalidFields(err); len(fe) > 0 {
			f.Add("industries", "validation.one_of", "Values", "")
		} else if err != nil {
			return err
		}
		if strings.TrimSpace(in.Phone) == "" {
			f.Add("phone", "validation.required")
		}
		nu := NewUser{Username: in.Username, DisplayName: in.ContactName, Email: in.Email, Phone: in.Phone, Password: in.Password}
		var uf domain.Fields
		s.validateNewUser(ctx, tx, &nu, &uf, false)
		for _, e := range uf {
			if e.Field != "display_name" { // reported as contact_name above
				f = append(f, e)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		// Last, and only for an otherwise valid registration: is the
		// username free? The answer does not say that it belongs to
		// someone.
		if s.usernameTaken(ctx, tx, nu.Username) {
			return errUsernameUnavailable()
		}
		now := s.now()
		ent, err := s.orgs.CreateEnterpriseTx(ctx, tx, in.EnterpriseName, in.CreditCode, now)
		if err != nil {
			return err
		}
		orgID := ent.ID
		if err := s.orgs.SetIndustriesTx(ctx, tx, orgID, industries); err != nil {
			return err
		}
		r, err := s.insertUser(ctx, tx, nu)
		if domain.ErrorCode(err) == domain.EINVALID { // a registration of the same name at the same moment
			return errUsernameUnavailable()
		}
		if err != nil {
			return err
		}
		ctx := domain.WithActor(ctx, &domain.Actor{UserID: r.ID, Username: r.Username})
		if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: &orgID, Action: "enterprise.register", ObjectType: "org",
			ObjectID: fmt.Sprint(orgID), Detail: map[string]any{"name": in.EnterpriseName, "credit_code": in.CreditCode, "username": r.Username,
				"industries": industries}}); err != nil {
			return err
		}
		if err := s.grantTx(ctx, tx, r.ID, orgID, domain.RoleApplicant); err != nil {
			return err
		}
		user = s.toUser(r)
		org = ent
		return nil
	})
	if err != nil {
		return domain.User{}, domain.Org{}, err
	}
	s.reload(ctx)
	return user, org, nil
}
