package cases_test

import (
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func TestCaseService_Submit(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")

	c := fx.submit("clerk.gulou", intake(gulou))
	year := caseClock.Now().In(time.FixedZone("CST", 8*3600)).Year()
	// An application is registered: a registration number, no case
	// number before acceptance (numbers_accept_test.go).
	if want := fmt.Sprintf("（%d）鼓知调登字第0001号", year); c.RegistrationNumber != want || c.Number != "" {
		t.Errorf("number = %q, registration number %q, want %q", c.Number, c.RegistrationNumber, want)
	}
	if c.Status != domain.StatusSubmitted || c.Version != 1 || c.OrgID != gulou || c.RegionCode != "350102" ||
		c.Seq != 1 || c.Year != year || c.SubmittedBy != fx.userID("clerk.gulou") || c.ApplicantOrgID != nil {
		t.Errorf("case = %+v", c)
	}
	if got := fx.eventActions(c.ID); !slices.Equal(got, []string{"submit"}) {
		t.Errorf("events = %v", got)
	}
	if got := fx.auditActions(c.ID); !slices.Equal(got, []string{"case.submit"}) {
		t.Errorf("audit = %v", got)
	}
	if n := fx.count("SELECT count(*) FROM case_rights WHERE case_id = ? AND number = '201710601862.3'", c.ID); n != 1 {
		t.Errorf("rights stored: %d", n)
	}
	c2 := fx.submit("clerk.gulou", intake(gulou))
	if want := fmt.Sprintf("（%d）鼓知调登字第0002号", year); c2.RegistrationNumber != want {
		t.Errorf("second number = %q, want %q", c2.RegistrationNumber, want)
	}
	// Numbering is per committee.
	c3 := fx.submit("clerk.cangshan", intake(fx.org("cangshan")))
	if want := fmt.Sprintf("（%d）仓知调登字第0001号", year); c3.RegistrationNumber != want {
		t.Errorf("cangshan number = %q, want %q", c3.RegistrationNumber, want)
	}

	t.Run("the year is Beijing's", func(t *testing.T) {
		fx := fx.with(t)
		// 16:30 UTC on 31 December is already 1 January in Beijing.
		at := time.Date(2031, 12, 31, 16, 30, 0, 0, time.UTC)
		svc := fx.app.CapabilitiesAt(func() time.Time { return at }).Cases
		c, err := svc.Submit(fx.as("clerk.gulou"), intake(gulou))
		if err != nil {
			t.Fatal(err)
		}
		if c.RegistrationNumber != "（2032）鼓知调登字第0001号" || c.Year != 2032 {
			t.Errorf("number = %q year %d", c.RegistrationNumber, c.Year)
		}
	})

	t.Run("more than four digits", func(t *testing.T) {
		fx := fx.with(t)
		fx.exec("UPDATE registration_counters SET last_no = 9999 WHERE org_id = ? AND year = ?", gulou, year)
		c := fx.submit("clerk.gulou", intake(gulou))
		if want := fmt.Sprintf("（%d）鼓知调登字第10000号", year); c.RegistrationNumber != want {
			t.Errorf("number = %q, want %q", c.RegistrationNumber, want)
		}
	})
}

func TestCaseService_SubmitWhoMayFile(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")

	t.Run("an SME files for itself and is linked", func(t *testing.T) {
		fx := fx.with(t)
		c := fx.submit("sme1", intake(gulou))
		ent := fx.org("ent-sme1")
		if c.ApplicantOrgID == nil || *c.ApplicantOrgID != ent {
			t.Fatalf("applicant org = %v, want %d", c.ApplicantOrgID, ent)
		}
		if n := fx.count("SELECT count(*) FROM case_parties WHERE case_id = ? AND org_id = ? AND role = 'applicant'", c.ID, ent); n != 1 {
			t.Errorf("applicant party linked: %d", n)
		}
		if n := fx.count("SELECT count(*) FROM case_parties WHERE case_id = ? AND org_id IS NOT NULL", c.ID); n != 1 {
			t.Errorf("only the applicant is linked: %d", n)
		}
	})
	t.Run("an SME may not claim a court source", func(t *testing.T) {
		fx := fx.with(t)
		in := intake(gulou)
		in.Source = domain.SourceCourtDelegated
		_, err := fx.svc.Submit(fx.as("sme1"), in)
		wantCode(t, err, domain.EINVALID)
		if m := fieldMessage(err, "source"); m != "validation.case_source_not_allowed" {
			t.Errorf("source message = %q", m)
		}
	})
	t.Run("a court liaison files with any committee", func(t *testing.T) {
		fx := fx.with(t)
		in := intake(fx.org("mawei"))
		in.Source = domain.SourceCourtEntrusted
		in.CourtProcedure = domain.ProcedureOrdinary
		in.ExternalRef = "（2026）闽0102民初1234号"
		c, err := fx.svc.Submit(fx.as("liaison.gulou-court"), in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Source != domain.SourceCourtEntrusted || c.ExternalRef != in.ExternalRef {
			t.Errorf("case = %+v", c)
		}
	})
	t.Run("a clerk files only with their own committee", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Submit(fx.as("clerk.cangshan"), intake(gulou))
		wantCode(t, err, domain.ENOTFOUND)
	})
	for _, who := range []string{"mediator1.gulou", "director.gulou", "leader", "admin", "customs.fz"} {
		t.Run(who+" may not file", func(t *testing.T) {
			fx := fx.with(t)
			_, err := fx.svc.Submit(fx.as(who), intake(gulou))
			wantCode(t, err, domain.EFORBIDDEN)
		})
	}
	t.Run("not a committee", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Submit(fx.as("sme1"), intake(fx.org("fz-customs")))
		wantCode(t, err, domain.ENOTFOUND)
	})
	t.Run("a committee without a short code", func(t *testing.T) {
		fx := fx.with(t)
		fx.exec("UPDATE orgs SET short_code = '' WHERE code = 'minhou'")
		_, err := fx.svc.Submit(fx.as("sme1"), intake(fx.org("minhou")))
		wantCode(t, err, domain.EINVALID)
		if m := fieldMessage(err, "org_id"); m != "validation.org_short_code" {
			t.Errorf("org_id message = %q", m)
		}
	})
	t.Run("internal submission by the system", func(t *testing.T) {
		fx := fx.with(t)
		in := intake(gulou)
		in.Source = domain.SourceAssistance
		var c domain.Case
		var err error
		terr := fx.db.Transaction(func(tx *gorm.DB) error {
			c, err = fx.svc.SubmitInternal(t.Context(), tx, in)
			return err
		})
		if terr != nil {
			t.Fatal(terr)
		}
		if c.SubmittedBy != 0 || c.Status != domain.StatusSubmitted {
			t.Errorf("case = %+v", c)
		}
		if got := fx.eventActions(c.ID); !slices.Equal(got, []string{"submit"}) {
			t.Errorf("events = %v", got)
		}
	})
}

func TestCaseService_SubmitConcurrentNumbersAreGapless(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	ctx := fx.as("clerk.gulou")
	const n = 60
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		numbers []string
		seqs    []int
	)
	for range n {
		wg.Go(func() {
			c, err := fx.svc.Submit(ctx, intake(gulou))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			numbers = append(numbers, c.RegistrationNumber)
			seqs = append(seqs, c.Seq)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("sequence numbers are not 1..%d: %v", n, seqs)
		}
	}
	slices.Sort(numbers)
	if len(slices.Compact(numbers)) != n {
		t.Errorf("duplicate numbers: %v", numbers)
	}
	re := regexp.MustCompile(`^（\d{4}）鼓知调登字第\d{4}号$`)
	for _, num := range numbers {
		if !re.MatchString(num) {
			t.Errorf("number %q has the wrong format", num)
		}
	}
	if got := fx.count("SELECT last_no FROM registration_counters WHERE org_id = ?", gulou); got != n {
		t.Errorf("counter = %d, want %d", got, n)
	}
	if got := fx.count("SELECT count(*) FROM cases WHERE org_id = ?", gulou); got != n {
		t.Errorf("cases = %d", got)
	}
}

func TestCaseService_SubmitBadInput(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	fx.submit("clerk.gulou", intake(gulou)) // so that the counter row exists

	tests := []struct {
		desc   string
		edit   func(in *cases.IntakeInput)
		fields []string
		msg    map[string]string
	}{
		{desc: "patent check character", edit: func(in *cases.IntakeInput) { in.Rights[0].Number = "201710601862.4" },
			fields: []string{"rights[0].number"}, msg: map[string]string{"rights[0].number": "validation.patent_number"}},
		{desc: "no parties", edit: func(in *cases.IntakeInput) { in.Parties = nil },
			fields: []string{"parties"}, msg: map[string]string{"parties": "validation.parties_required"}},
		{desc: "no respondent", edit: func(in *cases.IntakeInput) { in.Parties = in.Parties[:1] },
			fields: []string{"parties"}, msg: map[string]string{"parties": "validation.parties_required"}},
		{desc: "negative amount", edit: func(in *cases.IntakeInput) { in.ClaimAmountFen = -1 },
			fields: []string{"claim_amount_fen"}, msg: map[string]string{"claim_amount_fen": "validation.non_negative"}},
		{desc: "identity number check digit", edit: func(in *cases.IntakeInput) { in.Parties[1].IDNumber = "350102199001011230" },
			fields: []string{"parties[1].id_number"}, msg: map[string]string{"parties[1].id_number": "validation.resident_id"}},
		{desc: "several at once", edit: func(in *cases.IntakeInput) {
			in.Summary = " "
			in.Source = "fax"
			in.DisputeType = "quarrel"
			in.Parties[0].CreditCode = "91350100MA34A1B2CV"
			in.Parties[0].Phone = "12345"
			in.Parties[1].Name = ""
			in.Parties[1].Role = "witness"
			in.Rights = append(in.Rights, cases.RightInput{Kind: domain.RightTrademark, Number: "0123"},
				cases.RightInput{Kind: "recipe", ValidFrom: "2020-02-30"},
				cases.RightInput{Kind: domain.RightTradeSecret, ValidFrom: "2021-01-02", ValidTo: "2020-01-01"})
		}, fields: []string{"dispute_type", "parties", "parties[0].credit_code", "parties[0].phone", "parties[1].name",
			"parties[1].role", "rights[1].number", "rights[2].kind", "rights[2].valid_from", "rights[3].valid_to", "source", "summary"},
			msg: map[string]string{"rights[1].number": "validation.trademark_number", "rights[3].valid_to": "validation.date_order",
				"summary": "validation.required", "parties[0].phone": "validation.mobile"}},
		{desc: "identity number on an organisation", edit: func(in *cases.IntakeInput) { in.Parties[0].IDNumber = respondentID },
			fields: []string{"parties[0].id_number"}},
		{desc: "patent without number", edit: func(in *cases.IntakeInput) { in.Rights[0].Number = "" },
			fields: []string{"rights[0].number"}, msg: map[string]string{"rights[0].number": "validation.required"}},
	}
	counts := func() [3]int64 {
		return [3]int64{fx.count("SELECT count(*) FROM cases"), fx.count("SELECT count(*) FROM case_parties"),
			fx.count("SELECT coalesce(sum(last_no), 0) FROM case_counters")}
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			fx := fx.with(t)
			in := intake(gulou)
			tt.edit(&in)
			before := counts()
			_, err := fx.svc.Submit(fx.as("clerk.gulou"), in)
			wantCode(t, err, domain.EINVALID)
			if got := fieldNames(err); !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
			for f, m := range tt.msg {
				if got := fieldMessage(err, f); got != m {
					t.Errorf("%s message = %q, want %q", f, got, m)
				}
			}
			if after := counts(); after != before {
				t.Errorf("rows written: before %v, after %v", before, after)
			}
		})
	}
}

func TestCaseService_SubmitEncryptsPersonalData(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.submit("sme1", intake(fx.org("gulou")))
	for _, raw := range []string{respondentID, "13900002222", "13812345678", "13700001111", "金山大道"} {
		if n := fx.count("SELECT count(*) FROM case_parties p WHERE p::text LIKE '%' || ? || '%'", raw); n != 0 {
			t.Errorf("%s stored in clear", raw)
		}
		if n := fx.count("SELECT count(*) FROM case_events e WHERE e::text LIKE '%' || ? || '%'", raw); n != 0 {
			t.Errorf("%s in the timeline", raw)
		}
		if n := fx.count("SELECT count(*) FROM audit_log a WHERE a::text LIKE '%' || ? || '%'", raw); n != 0 {
			t.Errorf("%s in the audit log", raw)
		}
	}
	if n := fx.count("SELECT count(*) FROM case_parties WHERE case_id = ? AND id_number_hash = ?", c.ID, fx.app.PII.Hash(respondentID)); n != 1 {
		t.Errorf("identity number hash not stored")
	}

	t.Run("whole for the handling director", func(t *testing.T) {
		fx := fx.with(t)
		v, err := fx.svc.Get(fx.as("director.gulou"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := v.Parties[1]
		if p.IDNumber != respondentID || p.Phone != "13900002222" || p.Name != "张小三" || p.Address != "福建省福州市仓山区金山大道8号" {
			t.Errorf("party = %+v", p)
		}
		if v.Parties[0].AgentPhone != "13700001111" {
			t.Errorf("agent phone = %q", v.Parties[0].AgentPhone)
		}
		if !v.Access.SeesPersonalData || !v.Access.Handling {
			t.Errorf("access = %+v", v.Access)
		}
	})
	t.Run("masked for the leader", func(t *testing.T) {
		fx := fx.with(t)
		v, err := fx.svc.Get(fx.as("leader"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := v.Parties[1]
		if p.IDNumber != domain.MaskResidentID(respondentID) || p.Phone != "139****2222" || p.Name != "张**" ||
			p.Address != "福建省福州市****" {
			t.Errorf("party = %+v", p)
		}
		if v.Parties[0].Name != "福州闽光软件科技有限公司" || v.Parties[0].AgentPhone != "137****1111" {
			t.Errorf("organisation party = %+v", v.Parties[0])
		}
		if v.Access.Handling || v.Access.Party || v.Access.SeesPersonalData || v.Access.SeesConfidential || len(v.Allowed) != 0 {
			t.Errorf("access = %+v allowed %v", v.Access, v.Allowed)
		}
	})
	t.Run("masked but named for the applicant", func(t *testing.T) {
		fx := fx.with(t)
		v, err := fx.svc.Get(fx.as("sme1"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := v.Parties[1]
		if p.IDNumber != "3501**********123"+respondentID[17:] || p.Name != "张小三" || p.Phone != "139****2222" {
			t.Errorf("party = %+v", p)
		}
		// Its own record is not masked to itself.
		if own := v.Parties[0]; own.Phone != "13812345678" || own.AgentPhone != "13700001111" {
			t.Errorf("the enterprise's own party record is masked to it: %+v", own)
		}
		if !v.Access.Party || v.Access.SeesPersonalData || !v.Access.SeesConfidential {
			t.Errorf("access = %+v", v.Access)
		}
	})
	t.Run("a personal-data read is audited", func(t *testing.T) {
		fx := fx.with(t)
		if n := fx.count("SELECT count(*) FROM audit_log WHERE action = 'case.read' AND object_id = ?", fmt.Sprint(c.ID)); n != 1 {
			t.Errorf("case.read rows = %d, want 1 (the director's read only)", n)
		}
	})
}

func TestCaseService_SubmitFlagsRepeatInfringers(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")

	t.Run("none", func(t *testing.T) {
		fx := fx.with(t)
		c := fx.submit("clerk.gulou", intake(gulou))
		if c.RepeatInfringer {
			t.Error("flagged without a record")
		}
	})
	t.Run("by identity number hash", func(t *testing.T) {
		fx := fx.with(t)
		fx.exec(`INSERT INTO credit_records (subject_kind, name, id_number_hash, finding, source, decided_on, display_until)
VALUES ('person', '张小三', ?, '故意侵犯专利权', 'court', '2024-05-01', DATE '2099-12-31')`, fx.app.PII.Hash(respondentID))
		c := fx.submit("clerk.gulou", intake(gulou))
		if !c.RepeatInfringer {
			t.Fatal("case not flagged")
		}
		if n := fx.count("SELECT count(*) FROM case_parties WHERE case_id = ? AND repeat_infringer", c.ID); n != 1 {
			t.Errorf("flagged parties = %d", n)
		}
		if got := fx.eventActions(c.ID); !slices.Equal(got, []string{"submit", "repeat_infringer"}) {
			t.Errorf("events = %v", got)
		}
		v, err := fx.svc.Get(fx.as("director.gulou"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Parties[1].RepeatInfringer || v.Parties[0].RepeatInfringer {
			t.Errorf("parties = %+v", v.Parties)
		}
	})
	t.Run("by credit code", func(t *testing.T) {
		fx := fx.with(t)
		fx.exec(`INSERT INTO credit_records (subject_kind, name, credit_code, finding, source, decided_on, display_until)
VALUES ('organisation', '某侵权公司', ?, '重复侵权', 'enforcement', '2025-01-10', DATE '2099-12-31')`, respondentCredit)
		in := intake(gulou)
		in.Parties[1] = cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: "某侵权公司",
			CreditCode: respondentCredit}
		c := fx.submit("clerk.gulou", in)
		if !c.RepeatInfringer {
			t.Fatal("case not flagged")
		}
		// The same code on the applicant's side is no finding against it.
		in = intake(gulou)
		in.Parties[0].CreditCode = respondentCredit
		in.Parties[1].IDNumber = residentID("35010219850505002")
		if c := fx.submit("clerk.gulou", in); c.RepeatInfringer {
			t.Error("applicant flagged")
		}
	})
	t.Run("repaired records do not count", func(t *testing.T) {
		fx := fx.with(t)
		other := residentID("35010219800808001")
		fx.exec(`INSERT INTO credit_records (subject_kind, name, id_number_hash, finding, source, decided_on, status, display_until)
VALUES ('person', '李四', ?, '侵权', 'court', '2020-01-01', 'repaired', DATE '2099-12-31')`, fx.app.PII.Hash(other))
		in := intake(gulou)
		in.Parties[1].IDNumber = other
		if c := fx.submit("clerk.gulou", in); c.RepeatInfringer {
			t.Error("flagged on a repaired record")
		}
	})
	// Only a record in effect within its display period flags: not one
	// whose subject may still object, nor one whose display has ended.
	for _, tc := range []struct{ name, status, until string }{
		{"records in their objection period do not count", "objection", "2099-12-31"},
		{"records past their display do not count", "in_effect", "2001-01-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := fx.with(t)
			other := residentID("35010219800808001")
			fx.exec(`INSERT INTO credit_records (subject_kind, name, id_number_hash, finding, source, decided_on, status, display_until)
VALUES ('person', '李四', ?, '侵权', 'court', '2000-01-01', ?, ?::date)`, fx.app.PII.Hash(other), tc.status, tc.until)
			in := intake(gulou)
			in.Parties[1].IDNumber = other
			if c := fx.submit("clerk.gulou", in); c.RepeatInfringer {
				t.Error("flagged")
			}
		})
	}
}
