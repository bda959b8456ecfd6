package party

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Signer records a party's own signature on its case's agreement in the
// caller's transaction (cases.Service.SignAsPartyTx).
type Signer interface {
	SignAsPartyTx(ctx context.Context, tx *gorm.DB, in domain.PartySignature) (domain.Case, error)
}

// NoticeSigned is the inbox notice to the case's director(s) and assigned
// mediators that a party signed the agreement online (texts
// notify.party_signed.*).
const NoticeSigned = "party_signed"

// Agreement is the draft agreement as the signed-in party reads it
// before signing: its terms, the digest its signature binds to, and who
// has signed so far (names of natural persons other than the party
// masked).
type Agreement struct {
	domain.AgreementText
	Digest string
	// Signed lists the signatures that count (not voided), in order.
	Signed []AgreementSigner
	// Mine is the party's own signature, if it has signed.
	Mine *AgreementSigner
	// Open: the case awaits signatures (agreement_draft), so the party
	// may sign.
	Open bool
	// MaskedPhone is where a signing code goes.
	MaskedPhone string
}

// AgreementSigner is one signature as the party sees it.
type AgreementSigner struct {
	Kind     string // party, mediator, seal
	Name     string
	Method   string
	SignedAt time.Time
}

// AgreementToSign is the agreement of the signed-in party's case, or ok
// false when the case has none (or only an oral one, which is not signed
// here).
func (s *Service) AgreementToSign(ctx context.Context) (Agreement, bool, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return Agreement{}, false, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	rv, err := s.byActor(ctx, s.d.DB, p, false)
	if err != nil {
		return Agreement{}, false, err
	}
	db := s.d.DB.WithContext(ctx)
	var ag struct {
		ID int64
		domain.AgreementText
		Oral   bool
		Status string
	}
	err = db.Raw(`SELECT a.id, a.case_id, a.revision, a.facts, a.disputed_matters, a.responsibilities, a.terms,
  a.performance_method, a.performance_due, a.amount_fen, a.oral, c.status
FROM case_agreements a JOIN cases c ON c.id = a.case_id WHERE a.case_id = ?`, p.CaseID).Scan(&ag).Error
	if err != nil {
		return Agreement{}, false, fmtErr("agreement", err)
	}
	if ag.ID == 0 || ag.Oral {
		return Agreement{}, false, nil
	}
	out := Agreement{AgreementText: ag.AgreementText, Digest: ag.Digest(), Open: ag.Status == string(domain.StatusAgreementDraft)}
	var rows []struct {
		SignerKind string
		PartyID    *int64
		SignerName string
		Method     string
		SignedAt   time.Time
		Kind       string // the party's kind (person, org)
	}
	if err := db.Raw(`SELECT s.signer_kind, s.party_id, s.signer_name, s.method, s.signed_at, COALESCE(cp.kind, '') AS kind
FROM agreement_signoffs s LEFT JOIN case_parties cp ON cp.id = s.party_id
WHERE s.agreement_id = ? AND s.voided_at IS NULL ORDER BY s.id`, ag.ID).Scan(&rows).Error; err != nil {
		return Agreement{}, false, fmtErr("agreement signatures", err)
	}
	for _, r := range rows {
		sg := AgreementSigner{Kind: r.SignerKind, Name: r.SignerName, Method: r.Method, SignedAt: r.SignedAt}
		mine := r.PartyID != nil && *r.PartyID == p.PartyID
		if !mine && r.Kind == "person" {
			sg.Name = domain.MaskName(sg.Name)
		}
		out.Signed = append(out.Signed, sg)
		if mine {
			out.Mine = &out.Signed[len(out.Signed)-1]
		}
	}
	_, enc := rv.party.person(rv.access.Agent)
	ph, err := s.phone(enc)
	if err != nil {
		return Agreement{}, false, err
	}
	out.MaskedPhone = domain.MaskMobile(ph)
	return out, true, nil
}

// SignInput is a party's signature: the one-time code sent for it, the
// digest of the text it read, and the request's address.
type SignInput struct {
	Code       string
	TextSHA256 string
	IP         string
}

// Sign records the signed-in party's electronic signature of its case's
// agreement, confirmed by the fresh code SendSignCode sent to its link's
// phone. In one transaction it checks the code (a wrong, used or expired
// one counts an attempt, is audited party.sign_failed and is EINVALID
// naming the field code, with nothing signed), records the signature
// through Signer (the digest must be the current text's: a revised text
// is EINVALID naming text_sha256), tells the director(s) and the
// assigned mediators, and audits party.sign. A signature by an agent is
// the party's, made by its agent (docs/law.md §10).
func (s *Service) Sign(ctx context.Context, in SignInput) (domain.Case, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return domain.Case{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	if s.d.Signer == nil || s.d.Notify == nil {
		return domain.Case{}, domain.Errorf(domain.EINTERNAL, "party: signing needs the case service and the inbox")
	}
	in.Code, in.TextSHA256 = strings.TrimSpace(in.Code), strings.TrimSpace(in.TextSHA256)
	var out domain.Case
	codeOK := false
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rv, err := s.byActor(ctx, tx, p, true)
		if err != nil {
			return err
		}
		if codeOK, err = s.checkCode(tx, rv, PurposeSign, in.Code); err != nil {
			return err
		}
		if !codeOK {
			// The attempt must stay counted: commit, and refuse after.
			return s.d.Audit.Append(ctx, tx, rv.entry("party.sign_failed", nil))
		}
		_, enc := rv.party.person(rv.access.Agent)
		ph, err := s.phone(enc)
		if err != nil {
			return err
		}
		if out, err = s.d.Signer.SignAsPartyTx(ctx, tx, domain.PartySignature{TextSHA256: in.TextSHA256,
			PhoneMasked: domain.MaskMobile(ph), IP: in.IP}); err != nil {
			return err
		}
		tell, err := s.caseStaff(ctx, tx, rv)
		if err != nil {
			return err
		}
		for _, u := range tell {
			if err := s.d.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeSigned, Link: "/cases/" + strconv.FormatInt(p.CaseID, 10),
				Params: map[string]any{"Number": rv.number, "Party": rv.party.Name}}); err != nil {
				return err
			}
		}
		return s.d.Audit.Append(ctx, tx, rv.entry("party.sign", map[string]any{"text_sha256": in.TextSHA256, "status": string(out.Status)}))
	})
	if err != nil {
		return domain.Case{}, err
	}
	if !codeOK {
		return domain.Case{}, errBadCode()
	}
	return out, nil
}

// caseStaff are the users told of a party's step on the agreement: the
// committee's director(s) and the case's assigned mediators.
func (s *Service) caseStaff(ctx context.Context, tx *gorm.DB, rv resolved) ([]int64, error) {
	ids, err := notify.MembersTx(ctx, tx, rv.orgID, domain.RolesWhere(domain.Role.Head))
	if err != nil {
		return nil, err
	}
	var mediators []int64
	if err := tx.WithContext(ctx).Raw(`SELECT user_id FROM case_mediators WHERE case_id = ? AND removed_at IS NULL ORDER BY user_id`,
		rv.access.CaseID).Scan(&mediators).Error; err != nil {
		return nil, fmtErr("case mediators", err)
	}
	for _, m := range mediators {
		dup := false
		for _, d := range ids {
			dup = dup || d == m
		}
		if !dup {
			ids = append(ids, m)
		}
	}
	return ids, nil
}
