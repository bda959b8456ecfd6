package cases_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func ids(items []cases.ListItem) []int64 {
	out := []int64{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestCaseService_List(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou, cangshan := fx.org("gulou"), fx.org("cangshan")
	director := fx.as("director.gulou")
	m1 := fx.userID("mediator1.gulou")

	var made []domain.Case
	for i := range 7 {
		in := intake(gulou)
		if i%2 == 1 {
			in.DisputeType = domain.DisputeTrademark
			in.Rights = []cases.RightInput{{Kind: domain.RightTrademark, Number: "第12345678号"}}
			in.Parties[1].Name = "陈大文"
		}
		made = append(made, fx.submit("clerk.gulou", in))
	}
	cityIn := intake(cangshan)
	cityIn.Source = domain.SourceExhibition
	other := fx.submit("sme1", cityIn)
	accepted, err := fx.svc.Accept(director, made[0].ID, cases.AcceptInput{Version: 1, ConsentAt: hourAgo()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Assign(director, accepted.ID, cases.AssignInput{Version: accepted.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	rev := func(cs ...domain.Case) []int64 {
		out := []int64{}
		for i := len(cs) - 1; i >= 0; i-- {
			out = append(out, cs[i].ID)
		}
		return out
	}

	t.Run("pages by keyset", func(t *testing.T) {
		fx := fx.with(t)
		var got []int64
		cursor := ""
		pages := 0
		for {
			items, next, err := fx.svc.List(director, cases.ListFilter{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, ids(items)...)
			if next == "" {
				break
			}
			cursor = next
		}
		if pages != 3 || !slices.Equal(got, rev(made...)) {
			t.Errorf("%d pages: %v, want %v", pages, got, rev(made...))
		}
	})
	t.Run("bad cursor", func(t *testing.T) {
		fx := fx.with(t)
		_, _, err := fx.svc.List(director, cases.ListFilter{Cursor: "not-a-cursor"})
		wantCode(t, err, domain.EINVALID)
		if got := fieldNames(err); !slices.Equal(got, []string{"cursor"}) {
			t.Errorf("fields = %v", got)
		}
	})
	t.Run("row content", func(t *testing.T) {
		fx := fx.with(t)
		items, _, err := fx.svc.List(director, cases.ListFilter{Limit: 1, Statuses: []domain.CaseStatus{domain.StatusMediating}})
		if err != nil || len(items) != 1 {
			t.Fatalf("%v %v", items, err)
		}
		it := items[0]
		if it.ID != made[0].ID || it.Number != accepted.Number || it.Number == "" || it.RegistrationNumber != made[0].RegistrationNumber || it.OrgName != "鼓楼区知识产权纠纷调解委员会" ||
			it.Applicant != "福州闽光软件科技有限公司" || it.Respondent != "张小三" || it.MediationDueAt == nil || it.Version != 3 {
			t.Errorf("item = %+v", it)
		}
		items, _, err = fx.svc.List(fx.as("leader"), cases.ListFilter{Limit: 1, Statuses: []domain.CaseStatus{domain.StatusMediating}})
		if err != nil || len(items) != 1 || items[0].Respondent != "张**" || items[0].Applicant != "福州闽光软件科技有限公司" {
			t.Errorf("leader's item = %+v %v", items, err)
		}
	})

	tests := []struct {
		desc string
		who  string
		f    cases.ListFilter
		want []int64
	}{
		{"status", "director.gulou", cases.ListFilter{Statuses: []domain.CaseStatus{domain.StatusMediating, domain.StatusAccepted}}, rev(made[0])},
		{"dispute type", "director.gulou", cases.ListFilter{DisputeType: domain.DisputeTrademark}, rev(made[1], made[3], made[5])},
		{"source", "director.city", cases.ListFilter{Source: domain.SourceExhibition}, rev(other)},
		{"region", "leader", cases.ListFilter{RegionCode: "350104"}, rev(other)},
		{"org", "director.city", cases.ListFilter{OrgID: cangshan}, rev(other)},
		{"org outside the scope", "director.gulou", cases.ListFilter{OrgID: cangshan}, rev()},
		{"mine", "mediator1.gulou", cases.ListFilter{Mine: true}, rev(made[0])},
		{"mine for a director", "director.gulou", cases.ListFilter{Mine: true}, rev()},
		{"by mediator", "director.gulou", cases.ListFilter{MediatorID: m1}, rev(made[0])},
		{"created range", "director.gulou", cases.ListFilter{From: caseClock.Now().Add(-time.Hour), To: caseClock.Now().Add(time.Hour)}, rev(made...)},
		{"created before", "director.gulou", cases.ListFilter{To: caseClock.Now().Add(-time.Hour)}, rev()},
		{"number exact", "director.gulou", cases.ListFilter{Q: accepted.Number}, rev(made[0])},
		{"registration number exact", "director.gulou", cases.ListFilter{Q: made[2].RegistrationNumber}, rev(made[2])},
		{"registration number prefix", "director.city", cases.ListFilter{Q: made[2].RegistrationNumber[:len(made[2].RegistrationNumber)-len("0003号")]}, rev(made...)},
		{"party name", "director.gulou", cases.ListFilter{Q: "大文"}, rev(made[1], made[3], made[5])},
		{"party name, other scope", "director.cangshan", cases.ListFilter{Q: "大文"}, rev()},
		{"patent number as printed", "leader", cases.ListFilter{Q: "ZL 201710601862.3", DisputeType: domain.DisputePatent}, rev(made[0], made[2], made[4], made[6], other)},
		{"trademark number as printed", "director.gulou", cases.ListFilter{Q: "第12345678号"}, rev(made[1], made[3], made[5])},
		{"wildcards are literal", "director.gulou", cases.ListFilter{Q: "%"}, rev()},
		{"applicant", "sme1", cases.ListFilter{}, rev(other)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			fx := fx.with(t)
			items, _, err := fx.svc.List(fx.as(tt.who), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(items); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}
