package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Get returns a case with everything its page shows, filtered for the
// viewer (see CaseView): ENOTFOUND when the actor may not see it.
//
// It issues a fixed number of queries whatever the size of the case: the
// case, then one query per child table (parties, rights, mediators with
// their names, objections, sessions, agreement, sign-offs, documents,
// events, deadlines). A read that shows personal data unmasked is audited
// (case.read), as docs/design.md §12 requires of sensitive records.
func (s *Service) Get(ctx context.Context, id int64) (CaseView, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return CaseView{}, err
	}
	v := s.viewerOf(a)
	if v.blind() {
		return CaseView{}, domain.NotFound("case")
	}
	dl := s.deadlines
	db := s.db.WithContext(ctx)
	where, args := v.rowScope()
	var head struct {
		Case    caseRow `gorm:"embedded"`
		OrgName string
	}
	err = db.Table("cases").Select("cases.*, orgs.name_zh AS org_name").Joins("JOIN orgs ON orgs.id = cases.org_id").
		Where("cases.id = ?", id).Where(where, args...).Take(&head).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return CaseView{}, domain.NotFound("case")
	}
	if err != nil {
		return CaseView{}, fmt.Errorf("get case %d: %w", id, err)
	}
	st := &caseState{row: head.Case, now: s.clock(), actor: a}
	var (
		rights      []rightRow
		objections  []objectionRow
		sessions    []sessionRow
		agreements  []agreementRow
		documents   []documentRow
		events      []eventRow
		deadlines   []deadline.Deadline
		performance []domain.Performance
	)
	loads := []struct {
		what string
		run  func() error
	}{
		{"parties", func() error { return db.Where("case_id = ?", id).Order("position, id").Find(&st.parties).Error }},
		{"rights", func() error { return db.Where("case_id = ?", id).Order("position, id").Find(&rights).Error }},
		{"mediators", func() error {
			return db.Table("case_mediators").Select("case_mediators.*, users.display_name AS name").
				Joins("JOIN users ON users.id = case_mediators.user_id").
				Where("case_mediators.case_id = ?", id).Order("case_mediators.assigned_at, case_mediators.user_id").
				Find(&st.mediators).Error
		}},
		{"objections", func() error { return db.Where("case_id = ?", id).Order("id").Find(&objections).Error }},
		{"sessions", func() error { return db.Where("case_id = ?", id).Order("held_at, id").Find(&sessions).Error }},
		{"agreement", func() error {
			return db.Table("case_agreements").Select("case_agreements.*, users.display_name AS recorder_name").
				Joins("LEFT JOIN users ON users.id = COALESCE(case_agreements.revised_by, case_agreements.created_by)").
				Where("case_agreements.case_id = ?", id).Find(&agreements).Error
		}},
		{"sign-offs", func() error {
			return db.Where("agreement_id IN (SELECT id FROM case_agreements WHERE case_id = ?)", id).Order("id").Find(&st.signoffs).Error
		}},
		{"documents", func() error {
			return db.Table("documents").Select("id, kind, file_name, size_bytes, content_type, sha256, confidential, uploaded_by, uploaded_at").
				Where("case_id = ?", id).Order("id").Scan(&documents).Error
		}},
		{"events", func() error { return db.Where("case_id = ?", id).Order("id").Find(&events).Error }},
		{"deadlines", func() (err error) { deadlines, err = dl.ForCaseTx(ctx, db, id); return err }},
		{"performance", func() (err error) { performance, err = performanceOf(db, id); return err }},
	}
	for _, l := range loads {
		if err := l.run(); err != nil {
			return CaseView{}, fmt.Errorf("get case %d: load %s: %w", id, l.what, err)
		}
	}
	if len(agreements) > 0 {
		st.agreement = &agreements[0]
	}
	for _, o := range objections {
		if o.Status == "pending" {
			st.pendingObjections++
		}
	}
	st.resolve(v)
	if err := s.documentRights(ctx, db, v, st); err != nil {
		return CaseView{}, fmt.Errorf("get case %d: %w", id, err)
	}
	acc := st.access
	maskNames := st.oversightOnly(v)

	cv := CaseView{Case: st.row.toDomain(), OrgName: head.OrgName, Access: acc, Allowed: s.allowed(v, st), Deadlines: deadlines,
		JudicialConfirmationOffered: st.row.Source != string(domain.SourceCourtEntrusted)}
	persons := map[int64]bool{}
	for _, r := range st.parties {
		// An enterprise reads its own party record in clear (its own phone,
		// its agent's); the other parties stay masked to it.
		own := r.OrgID != nil && slices.Contains(st.partyOrgs, *r.OrgID)
		p, err := s.partyView(r, acc.SeesPersonalData || own, maskNames)
		if err != nil {
			return CaseView{}, fmt.Errorf("get case %d: %w", id, err)
		}
		persons[r.ID] = r.Kind == string(domain.PartyPerson)
		cv.Parties = append(cv.Parties, p)
	}
	for _, r := range rights {
		cv.Rights = append(cv.Rights, r.toDomain())
	}
	for _, m := range st.mediators {
		cv.Mediators = append(cv.Mediators, domain.Mediator{UserID: m.UserID, Name: m.Name, AssignedAt: m.AssignedAt,
			DeclaredAt: m.DeclaredAt, Declaration: m.Declaration, Removed: !m.active()})
	}
	for _, o := range objections {
		cv.Objections = append(cv.Objections, o.toDomain())
	}
	for _, r := range sessions {
		sv := r.toDomain()
		if !acc.SeesConfidential {
			sv.Minutes = ""
		}
		cv.Sessions = append(cv.Sessions, sv)
	}
	if ag := st.agreement; ag != nil {
		cv.Performance = performance
		cv.Agreement = &domain.Agreement{ID: ag.ID, Facts: ag.Facts, DisputedMatters: ag.DisputedMatters,
			Responsibilities: ag.Responsibilities, Terms: ag.Terms, PerformanceMethod: ag.PerformanceMethod,
			PerformanceDue: ag.PerformanceDue, AmountFen: ag.AmountFen, EffectiveAt: ag.EffectiveAt, CreatedAt: ag.CreatedAt,
			Oral: ag.Oral, Revision: ag.Revision, RevisedAt: ag.RevisedAt, RecorderName: ag.RecorderName}
		if r := ag.recorder(); r != nil {
			cv.Agreement.RecordedBy = *r
		}
		for _, so := range st.signoffs {
			name := so.SignerName
			if maskNames && so.PartyID != nil && persons[*so.PartyID] {
				name = domain.MaskName(name)
			}
			sv := domain.Signoff{ID: so.ID, SignerKind: so.SignerKind, PartyID: so.PartyID, UserID: so.UserID,
				SignerName: name, Method: so.Method, SignedAt: so.SignedAt, VoidedAt: so.VoidedAt, VoidReason: so.VoidReason,
				PhoneMasked: so.PhoneMasked, TextSHA256: so.TextSHA256}
			if so.RecordedBy != nil {
				sv.RecordedBy = *so.RecordedBy
			}
			if so.VoidedAt != nil {
				cv.Agreement.VoidedSignoffs = append(cv.Agreement.VoidedSignoffs, sv)
				continue
			}
			cv.Agreement.Signoffs = append(cv.Agreement.Signoffs, sv)
		}
	}
	for _, d := range documents {
		if documentVisible(a, acc, d) {
			cv.Documents = append(cv.Documents, d.toDocument())
		}
	}
	for _, e := range events {
		cv.Events = append(cv.Events, e.toDomain())
	}
	if err := s.restrictToDisclosure(ctx, v, st, documents, &cv); err != nil {
		return CaseView{}, fmt.Errorf("get case %d: %w", id, err)
	}
	if !acc.ReadsDocuments {
		withoutDocuments(&cv)
	}
	if !seesCreditFlag(a, st.row.OrgID) {
		withoutCreditFlag(&cv)
	}

	if acc.SeesPersonalData && len(st.parties) > 0 {
		org := st.row.OrgID
		if err := s.audit.Append(ctx, s.db, audit.Entry{OrgID: &org, Action: "case.read", ObjectType: "case",
			ObjectID: strconv.FormatInt(id, 10), Detail: map[string]any{"number": st.row.Number, "personal_data": true}}); err != nil {
			return CaseView{}, fmt.Errorf("get case %d: %w", id, err)
		}
	}
	return cv, nil
}

// partyView decrypts a party and masks what the viewer may not see:
// identity numbers, phones and addresses unless personalData; a natural
// person's name too when maskNames (oversight reading).
func (s *Service) partyView(r partyRow, personalData, maskNames bool) (domain.Party, error) {
	p := domain.Party{ID: r.ID, Role: domain.PartyRole(r.Role), Kind: domain.PartyKind(r.Kind), Name: r.Name,
		CreditCode: r.CreditCode, IsSME: r.IsSME, OrgID: r.OrgID, AgentName: r.AgentName, AgentLicense: r.AgentLicense,
		AgentPOADoc: r.AgentPOADocID, RepeatInfringer: r.RepeatInfringer,
		Gender: domain.Gender(r.Gender), Ethnicity: r.Ethnicity, Occupation: r.Occupation,
		RepresentativeRole: domain.RepresentativeRole(r.RepresentativeRole), RepresentativeName: r.RepresentativeName,
		RepresentativeTitle: r.RepresentativeTitle}
	if r.Age != nil {
		p.Age = *r.Age
	}
	var born string
	for _, e := range []struct {
		dst *string
		src string
	}{{&p.IDNumber, r.IDNumberEnc}, {&p.Phone, r.PhoneEnc}, {&p.Address, r.AddressEnc}, {&p.AgentPhone, r.AgentPhoneEnc},
		{&born, r.BirthDateEnc}, {&p.Email, r.EmailEnc}, {&p.AgentEmail, r.AgentEmailEnc}} {
		plain, err := s.pii.Decrypt(e.src)
		if err != nil {
			return domain.Party{}, fmt.Errorf("decrypt party %d: %w", r.ID, err)
		}
		*e.dst = plain
	}
	if !personalData {
		p.IDNumber = domain.MaskResidentID(p.IDNumber)
		p.Phone = domain.MaskMobile(p.Phone)
		p.Address = domain.MaskAddress(p.Address)
		p.AgentPhone = domain.MaskMobile(p.AgentPhone)
		p.Email, p.AgentEmail = maskEmail(p.Email), maskEmail(p.AgentEmail)
		born = "" // the date of birth is shown whole or not at all
	}
	p.BirthDate = birthDate(born)
	if maskNames && p.Kind == domain.PartyPerson {
		p.Name = domain.MaskName(p.Name)
	}
	return p, nil
}

// withoutDocuments cuts a case page down for a viewer whose role may not
// read the case's documents (casbin's document:read; the leadership
// office oversees numbers, not files): no documents are listed, and the
// timeline says that a document was added, its kind and size, as it does
// for a confidential one, but names neither the file nor its hash.
func withoutDocuments(cv *CaseView) {
	cv.Documents = nil
	for i, e := range cv.Events {
		if e.Action != "document_upload" {
			continue
		}
		detail := make(map[string]any, len(e.Detail))
		for k, val := range e.Detail {
			if k != "file_name" && k != "sha256" {
				detail[k] = val
			}
		}
		cv.Events[i].Detail = detail
	}
}

// documentVisible applies the document rules of internal/document, so
// that the case page lists exactly what the download would serve: none
// without ReadsDocuments; confidential documents and mediation minutes
// need SeesConfidential; identity documents, which show identity numbers
// whole, need SeesPersonalData unless the viewer uploaded them.
func documentVisible(a *domain.Actor, acc domain.CaseAccess, d documentRow) bool {
	if !acc.ReadsDocuments {
		return false
	}
	if (d.Confidential || d.Kind == "minutes") && !acc.SeesConfidential {
		return false
	}
	if d.Kind == "identity" && !acc.SeesPersonalData && (d.UploadedBy == nil || *d.UploadedBy != a.UserID) {
		return false
	}
	return true
}

// maskEmail masks an address, leaving an absent one empty.
func maskEmail(s string) string {
	if s == "" {
		return ""
	}
	return domain.MaskEmail(s)
}
