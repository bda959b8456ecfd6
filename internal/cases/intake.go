package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// filerKind is the capacity in which a case is filed; it decides which
// committees and sources are open and who the applicant enterprise is.
type filerKind int

const (
	// filerSystem: another capability's flow (court docking, assistance)
	// through SubmitInternal, which has done its own checks.
	filerSystem filerKind = iota
	// filerClerk registers a dispute for their own committee.
	filerClerk
	// filerReferrer is a court liaison or an assistance officer passing
	// a dispute to any committee.
	filerReferrer
	// filerApplicant is an SME filing online for itself.
	filerApplicant
)

type filer struct {
	kind filerKind
	// enterprises are the applicant's enterprise organisations.
	enterprises []enterprise
}

type enterprise struct {
	ID         int64
	CreditCode string
}

// applicantSources are the sources an SME may name when filing online; the
// court and referral sources are declared by the referring body, a clerk
// may record any.
var applicantSources = []domain.CaseSource{domain.SourceDirect, domain.SourceExhibition, domain.SourceAssociation}

// committeeTypes are the organisations that handle cases.
var committeeTypes = []string{string(domain.OrgMediationCommittee), string(domain.OrgSocialMediation)}

// Submit files a new case (docs/design.md §4 intake): a clerk for their own
// committee, an SME for itself with any active committee, a court liaison
// or an assistance officer with any committee. It validates every field
// (EINVALID naming parties[i].field, rights[i].field …), numbers the case
// gaplessly per committee and year, encrypts personal data, flags repeat
// infringers among the respondents, and records the timeline event and the
// audit row, all in one transaction. ENOTFOUND when the committee is not
// one the actor may file with; EFORBIDDEN when the actor may not file.
func (s *Service) Submit(ctx context.Context, in IntakeInput) (domain.Case, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return domain.Case{}, err
	}
	fl, err := s.filerOf(ctx, a, in.OrgID)
	if err != nil {
		return domain.Case{}, err
	}
	var out domain.Case
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		out, err = s.intake(ctx, tx, in, fl)
		return err
	})
	if err != nil {
		return domain.Case{}, fmt.Errorf("submit case: %w", err)
	}
	return out, nil
}

// SubmitInternal files a case inside the caller's transaction tx, for the
// flows of other capabilities (court delegation and entrustment,
// assistance referrals) that have already decided the case may be filed:
// it checks no permission and allows every source. The context's actor,
// if any, is recorded as the submitter; without one the system is. The
// input is validated as in Submit.
func (s *Service) SubmitInternal(ctx context.Context, tx *gorm.DB, in IntakeInput) (domain.Case, error) {
	c, err := s.intake(ctx, tx, in, filer{kind: filerSystem})
	if err != nil {
		return domain.Case{}, fmt.Errorf("submit case: %w", err)
	}
	return c, nil
}

// filerOf decides in which capacity the actor files with committee orgID.
func (s *Service) filerOf(ctx context.Context, a *domain.Actor, orgID int64) (filer, error) {
	var creates []domain.Membership
	for _, m := range a.Memberships {
		if s.authz.Can(a.UserID, m.OrgID, "case", "create") {
			creates = append(creates, m)
		}
	}
	if len(creates) == 0 {
		return filer{}, domain.Errorf(domain.EFORBIDDEN, "you may not file cases")
	}
	if orgID <= 0 {
		return filer{}, domain.Invalid(domain.FieldError{Field: "org_id", Message: "validation.required"})
	}
	var (
		enterprises    []int64
		referrer       bool
		clerkElsewhere bool
	)
	for _, m := range creates {
		// The capacity follows from what the role reaches on cases: the
		// committee's staff file into its docket, a court or centre
		// files cases it then reads as filed, an enterprise files as a
		// party.
		r := m.Role.Reach(domain.ObjectCase)
		switch {
		case r.Has(domain.ReachOrg):
			if m.OrgID == orgID {
				return filer{kind: filerClerk}, nil
			}
			clerkElsewhere = true
		case r.Has(domain.ReachFiled):
			referrer = true
		case r.Has(domain.ReachPartyTo):
			enterprises = append(enterprises, m.OrgID)
		}
	}
	if referrer {
		return filer{kind: filerReferrer}, nil
	}
	if len(enterprises) > 0 {
		var ents []enterprise
		if err := s.db.WithContext(ctx).Table("orgs").Select("id, coalesce(credit_code, '') AS credit_code").
			Where("id IN ? AND type = ? AND active", enterprises, domain.OrgEnterprise).Order("id").Scan(&ents).Error; err != nil {
			return filer{}, fmt.Errorf("load applicant enterprises: %w", err)
		}
		if len(ents) > 0 {
			return filer{kind: filerApplicant, enterprises: ents}, nil
		}
	}
	if clerkElsewhere {
		// A clerk files only with their own committee; any other one is
		// not theirs to see.
		return filer{}, domain.NotFound("organisation")
	}
	return filer{}, domain.Errorf(domain.EFORBIDDEN, "you may not file cases")
}

// committee is the handling organisation as intake needs it.
type committee struct {
	ID         int64
	ShortCode  string
	RegionCode string
}

// intake validates and writes a new case in tx, in two statements
// (intake_write.go): one reserves what the case needs from the database,
// the other writes it.
func (s *Service) intake(ctx context.Context, tx *gorm.DB, in IntakeInput, fl filer) (domain.Case, error) {
	a := domain.ActorFrom(ctx)
	if in.OrgID <= 0 {
		return domain.Case{}, domain.Invalid(domain.FieldError{Field: "org_id", Message: "validation.required"})
	}
	db := tx.WithContext(ctx)
	var f domain.Fields
	nc := validateIntake(&f, in, fl)
	checkBirthDates(&f, nc.parties, s.clock())
	if f.Err() != nil {
		return domain.Case{}, refuseIntake(db, in.OrgID, &f)
	}

	now := s.clock()
	var applicantOrg *int64
	switch {
	case fl.kind == filerApplicant:
		e := pickEnterprise(fl.enterprises, nc.parties)
		applicantOrg = &e.ID
		for i := range nc.parties {
			p := &nc.parties[i]
			if p.Role == domain.PartyApplicant && p.Kind == domain.PartyOrganisation && p.CreditCode != "" && p.CreditCode == e.CreditCode {
				p.OrgID = &e.ID
				break
			}
		}
	case fl.kind == filerSystem && in.ApplicantOrgID != nil:
		id := *in.ApplicantOrgID
		applicantOrg = &id
		if len(nc.parties) > 0 && nc.parties[0].Role == domain.PartyApplicant {
			nc.parties[0].OrgID = &id
		}
	}

	parties, err := s.partyRows(nc.parties)
	if err != nil {
		return domain.Case{}, err
	}
	// An application is registered, not yet accepted: it takes a
	// registration number; the case number comes with acceptance
	// (workflow.go). The counter row stays locked until commit, which
	// serialises intakes of one committee and year and so keeps the
	// numbers gapless; everything that can be done before it has been.
	year := caseYear(now)
	orgID := in.OrgID
	rs, err := reserveIntake(db, orgID, year, parties, calendar.DateOf(s.now()))
	if err != nil {
		return domain.Case{}, err
	}
	if rs == nil {
		return domain.Case{}, refuseIntake(db, orgID, &f)
	}
	hits := rs.repeatInfringers(parties)
	row := caseRow{
		ID: rs.CaseID, OrgID: orgID, RegistrationNumber: registrationNumber(year, rs.ShortCode, rs.Seq), Year: year, Seq: rs.Seq,
		RegionCode: rs.RegionCode, Source: string(nc.source), DisputeType: string(nc.disputeType), Summary: nc.summary,
		Claims: nc.claims, ClaimAmountFen: in.ClaimAmountFen, Status: string(domain.StatusSubmitted), RepeatInfringer: len(hits) > 0,
		SubmittedBy: a.UserIDRef(), ApplicantOrgID: applicantOrg, ExternalRef: nc.externalRef, Version: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	if nc.courtProcedure != "" {
		p := string(nc.courtProcedure)
		row.CourtProcedure = &p
	}
	if in.MaterialsReceivedAt != nil && (nc.source == domain.SourceCourtDelegated || nc.source == domain.SourceCourtEntrusted) {
		at := in.MaterialsReceivedAt.UTC().Truncate(time.Microsecond)
		row.MaterialsReceivedAt = &at
	}
	// The statistics' derived columns (migration 0022) are set here, from
	// the parties and rights about to be written, so that their triggers
	// find nothing to change and the case row is written once.
	ins := caseInsert{Row: row, RightKinds: rightKinds(nc.rights)}
	for i := range parties {
		p := &parties[i]
		ins.SMEApplicant = ins.SMEApplicant || (p.Role == string(domain.PartyApplicant) && p.IsSME)
		p.ID, p.CaseID = rs.partyIDs[i], row.ID
		_, p.RepeatInfringer = hits[i]
	}
	for i := range nc.rights {
		nc.rights[i].CaseID = row.ID
	}

	submitted := domain.StatusSubmitted
	after := map[string]any{"status": string(submitted), "registration_number": row.RegistrationNumber, "source": row.Source,
		"dispute_type": row.DisputeType, "claim_amount_fen": row.ClaimAmountFen}
	if nc.courtProcedure != "" {
		after["court_procedure"] = string(nc.courtProcedure)
	}
	ev, err := newEvent(row.ID, a, string(domain.ActionSubmit), "", submitted, map[string]any{
		"after":   after,
		"parties": len(parties), "rights": len(nc.rights),
	}, now)
	if err != nil {
		return domain.Case{}, err
	}
	ev.ID = rs.EventID
	w := intakeWrite{c: ins, parties: parties, rights: nc.rights, events: []eventRow{ev}}
	if len(hits) > 0 {
		var flagged []map[string]any
		for i, p := range parties {
			if ids, ok := hits[i]; ok {
				flagged = append(flagged, map[string]any{"party_id": p.ID, "position": p.Position, "credit_records": ids})
			}
		}
		ev, err := newEvent(row.ID, a, "repeat_infringer", submitted, submitted, map[string]any{"parties": flagged}, now)
		if err != nil {
			return domain.Case{}, err
		}
		w.events = append(w.events, ev)
	}
	// Whoever decides on it or prepares it at the committee is told.
	for _, m := range s.caseNotices(a, row, NoticeCaseFiled, s.holding(rs.members, orgID, "accept", "create"), nil) {
		o, err := s.notices.OutboxRow(m)
		if err != nil {
			return domain.Case{}, err
		}
		w.outbox = append(w.outbox, o)
	}
	// The chain's head was locked by the reservation, so the entry's
	// time is read after the lock, as Append does.
	w.audit, err = s.audit.Link(ctx, rs.head(), audit.Entry{OrgID: &row.OrgID, Action: "case.submit", ObjectType: "case",
		ObjectID: strconv.FormatInt(row.ID, 10), Detail: map[string]any{
			"registration_number": row.RegistrationNumber, "source": row.Source, "dispute_type": row.DisputeType,
			"repeat_infringer": row.RepeatInfringer, "event_id": ev.ID,
		}})
	if err != nil {
		return domain.Case{}, err
	}
	if err := w.exec(db); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return domain.Case{}, domain.Errorf(domain.ECONFLICT,
				"registration number %s is taken: another committee uses the short code %s", row.RegistrationNumber, rs.ShortCode)
		}
		return domain.Case{}, err
	}
	out := row.toDomain()
	out.RepeatInfringer = out.RepeatInfringer && seesCreditFlag(a, row.OrgID)
	return out, nil
}

// refuseIntake is the error of an intake that cannot be filed with
// committee orgID: ENOTFOUND when it is no active committee, else the
// field errors in f, with org_id's when the committee has no short code
// to number with.
func refuseIntake(db *gorm.DB, orgID int64, f *domain.Fields) error {
	var org committee
	err := db.Table("orgs").Select("id, short_code, region_code").
		Where("id = ? AND active AND type IN ?", orgID, committeeTypes).Take(&org).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.NotFound("organisation")
	}
	if err != nil {
		return fmt.Errorf("load committee: %w", err)
	}
	if org.ShortCode == "" {
		f.Add("org_id", "validation.org_short_code")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return fmt.Errorf("committee %d: reserved nothing, yet it files", orgID)
}

// caseNumber formats （2026）榕知调字第0001号: the year in full-width
// parentheses, the committee's short code, 字第, the sequence number with
// at least four digits, 号.
func caseNumber(year int, shortCode string, seq int) string {
	return fmt.Sprintf("（%d）%s字第%04d号", year, shortCode, seq)
}

// registrationNumber formats the registration number of an application,
// （2026）榕知调登字第0001号: the case number's pattern with 登 (登记)
// before 字, so that the two are never confused and a search for either
// finds the case.
func registrationNumber(year int, shortCode string, seq int) string {
	return fmt.Sprintf("（%d）%s登字第%04d号", year, shortCode, seq)
}

// The counters of gapless numbers per committee and year.
const (
	caseCounters         = "case_counters"         // case numbers, at acceptance
	registrationCounters = "registration_counters" // registration numbers, at filing
)

// nextNumber takes the next number of a committee and year from counter
// (caseCounters, registrationCounters). The counter row stays locked until
// the transaction ends, which serialises the callers of one committee and
// year: a number is given back when the transaction rolls back, so the
// numbers stay gapless.
func nextNumber(ctx context.Context, tx *gorm.DB, counter string, orgID int64, year int) (int, error) {
	var seq int
	if err := tx.WithContext(ctx).Raw(`INSERT INTO `+counter+` AS c (org_id, year, last_no) VALUES (?, ?, 1)
ON CONFLICT (org_id, year) DO UPDATE SET last_no = c.last_no + 1
RETURNING last_no`, orgID, year).Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("next number of %s: %w", counter, err)
	}
	return seq, nil
}

// pickEnterprise chooses which of the applicant's enterprises files: the
// one that appears as an applicant party (by credit code), else the first.
func pickEnterprise(ents []enterprise, parties []partyInput) enterprise {
	for _, e := range ents {
		for _, p := range parties {
			if p.Role == domain.PartyApplicant && p.CreditCode != "" && p.CreditCode == e.CreditCode {
				return e
			}
		}
	}
	return ents[0]
}

// normalizedIntake is IntakeInput after validation: trimmed, identifiers
// in canonical spelling.
type normalizedIntake struct {
	source         domain.CaseSource
	courtProcedure domain.CourtProcedure
	disputeType    domain.DisputeType
	summary        string
	claims         string
	externalRef    string
	parties        []partyInput
	rights         []rightRow
}

// partyInput is a validated party, still in plaintext.
type partyInput struct {
	PartyInput
	OrgID *int64
}

// validateIntake checks every field of a new case and returns it
// normalised.
func validateIntake(f *domain.Fields, in IntakeInput, fl filer) normalizedIntake {
	nc := normalizedIntake{source: in.Source, disputeType: in.DisputeType}
	switch {
	case !validSource(in.Source):
		f.Add("source", "validation.case_source")
	case fl.kind == filerApplicant && !slices.Contains(applicantSources, in.Source):
		f.Add("source", "validation.case_source_not_allowed")
	}
	switch {
	case in.Source == domain.SourceCourtEntrusted && in.CourtProcedure == "":
		f.Add("court_procedure", "validation.required")
	case in.Source == domain.SourceCourtEntrusted && !containsValue(domain.CourtProcedures, in.CourtProcedure):
		f.Add("court_procedure", "validation.court_procedure")
	case in.Source != domain.SourceCourtEntrusted && in.CourtProcedure != "":
		f.Add("court_procedure", "validation.not_applicable")
	default:
		nc.courtProcedure = in.CourtProcedure
	}
	if !validDisputeType(in.DisputeType) {
		f.Add("dispute_type", "validation.dispute_type")
	}
	nc.summary = text(f, "summary", in.Summary, true, maxText)
	nc.claims = text(f, "claims", in.Claims, false, maxText)
	nc.externalRef = text(f, "external_ref", in.ExternalRef, false, maxName)
	f.Amount("claim_amount_fen", in.ClaimAmountFen)

	if len(in.Parties) > maxParties {
		f.Add("parties", "validation.too_many", "Max", maxParties)
	}
	applicants, respondents := 0, 0
	for i, p := range in.Parties {
		nc.parties = append(nc.parties, partyInput{PartyInput: validateParty(f, i, p)})
		switch p.Role {
		case domain.PartyApplicant:
			applicants++
		case domain.PartyRespondent:
			respondents++
		}
	}
	if applicants == 0 || respondents == 0 {
		f.Add("parties", "validation.parties_required")
	}

	if len(in.Rights) > maxRights {
		f.Add("rights", "validation.too_many", "Max", maxRights)
	}
	for i, r := range in.Rights {
		nc.rights = append(nc.rights, validateRight(f, i, r))
	}
	return nc
}

// validateParty checks and normalises parties[i].
func validateParty(f *domain.Fields, i int, p PartyInput) PartyInput {
	field := func(name string) string { return "parties[" + strconv.Itoa(i) + "]." + name }
	if !validPartyRole(p.Role) {
		f.Add(field("role"), "validation.party_role")
	}
	if !validPartyKind(p.Kind) {
		f.Add(field("kind"), "validation.party_kind")
	}
	p.Name = text(f, field("name"), p.Name, true, maxName)
	p.IDNumber = domain.NormalizeResidentID(p.IDNumber)
	switch {
	case p.IDNumber == "":
	case p.Kind == domain.PartyOrganisation:
		f.Add(field("id_number"), "validation.not_applicable")
	case !domain.ValidResidentID(p.IDNumber):
		f.Add(field("id_number"), "validation.resident_id")
	}
	// A natural person may carry a credit code too (an individual
	// business, 个体工商户), so it is checked whatever the kind.
	p.CreditCode = domain.NormalizeCreditCode(p.CreditCode)
	if p.CreditCode != "" && !domain.ValidCreditCode(p.CreditCode) {
		f.Add(field("credit_code"), "validation.credit_code")
	}
	p.Phone = mobile(f, field("phone"), p.Phone)
	p.Address = text(f, field("address"), p.Address, false, maxShort)
	p.AgentName = text(f, field("agent_name"), p.AgentName, false, maxName)
	p.AgentPhone = mobile(f, field("agent_phone"), p.AgentPhone)
	p.Email = email(f, field("email"), p.Email)
	p.AgentEmail = email(f, field("agent_email"), p.AgentEmail)
	p.AgentLicense = text(f, field("agent_license"), p.AgentLicense, false, maxName)
	validatePartyDetails(f, field, &p)
	return p
}

// mobile normalises an optional mobile number and checks it.
// email normalizes an optional e-mail address, naming field when it is
// not one.
func email(f *domain.Fields, field, s string) string {
	s = domain.NormalizeEmail(s)
	switch {
	case s == "":
	case len(s) > domain.MaxEmail:
		f.Add(field, "validation.too_long", "Max", domain.MaxEmail)
	case !domain.ValidEmail(s):
		f.Add(field, "validation.email")
	}
	return s
}

func mobile(f *domain.Fields, field, s string) string {
	s = domain.NormalizeMobile(s)
	if s != "" && !domain.ValidMobile(s) {
		f.Add(field, "validation.mobile")
	}
	return s
}

// numberedRights are the kinds whose numbers have a format to check; the
// others (trade secrets, geographical indications …) carry free text.
var numberedRights = []domain.RightKind{domain.RightInvention, domain.RightUtilityModel, domain.RightDesign,
	domain.RightTrademark, domain.RightCopyright, domain.RightSoftwareCopyr}

// validateRight checks and normalises rights[i].
func validateRight(f *domain.Fields, i int, r RightInput) rightRow {
	field := func(name string) string { return "rights[" + strconv.Itoa(i) + "]." + name }
	ip := domain.IPRight{Kind: r.Kind, Number: strings.TrimSpace(r.Number)}
	switch {
	case !validRightKind(r.Kind):
		f.Add(field("kind"), "validation.right_kind")
	case !slices.Contains(numberedRights, r.Kind):
		ip.Number = text(f, field("number"), ip.Number, false, maxName)
	case ip.Number == "":
		f.Add(field("number"), "validation.required")
	default:
		ip.ValidateNumber(f, field("number"))
	}
	row := rightRow{Position: i, Kind: string(r.Kind), Number: ip.Number,
		Title: text(f, field("title"), r.Title, false, maxShort), Holder: text(f, field("holder"), r.Holder, false, maxName),
		ValidFrom: rightDate(f, field("valid_from"), r.ValidFrom), ValidTo: rightDate(f, field("valid_to"), r.ValidTo)}
	if row.ValidFrom != nil && row.ValidTo != nil && row.ValidTo.Before(*row.ValidFrom) {
		f.Add(field("valid_to"), "validation.date_order")
	}
	return row
}

// partyRows encrypts the parties' personal data for storage.
func (s *Service) partyRows(in []partyInput) ([]partyRow, error) {
	out := make([]partyRow, len(in))
	for i, p := range in {
		r := partyRow{Position: i, Role: string(p.Role), Kind: string(p.Kind), Name: p.Name, CreditCode: p.CreditCode,
			IsSME: p.IsSME, OrgID: p.OrgID, AgentName: p.AgentName, AgentLicense: p.AgentLicense,
			IDNumberHash: s.pii.Hash(p.IDNumber),
			PhoneHash:    s.pii.Hash(domain.MobileIndexKey(p.Phone)), AgentPhoneHash: s.pii.Hash(domain.MobileIndexKey(p.AgentPhone)),
			PhonesHashed: true,
			Gender:       string(p.Gender), Ethnicity: p.Ethnicity, Occupation: p.Occupation,
			RepresentativeRole: string(p.RepresentativeRole), RepresentativeName: p.RepresentativeName,
			RepresentativeTitle: p.RepresentativeTitle}
		if p.Age > 0 {
			age := p.Age
			r.Age = &age
		}
		for _, e := range []struct {
			dst *string
			src string
		}{{&r.IDNumberEnc, p.IDNumber}, {&r.PhoneEnc, p.Phone}, {&r.AddressEnc, p.Address}, {&r.AgentPhoneEnc, p.AgentPhone},
			{&r.BirthDateEnc, p.BirthDate}, {&r.EmailEnc, p.Email}, {&r.AgentEmailEnc, p.AgentEmail}} {
			enc, err := s.pii.Encrypt(e.src)
			if err != nil {
				return nil, fmt.Errorf("encrypt party data: %w", err)
			}
			*e.dst = enc
		}
		out[i] = r
	}
	return out, nil
}
