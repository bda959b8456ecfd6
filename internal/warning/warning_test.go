package warning_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/warning"
)

type fixture struct {
	t   *testing.T
	app *app.App
	svc *warning.Service
}

func newFixture(t *testing.T, st warning.Settings) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	svc := warning.NewService(warning.Deps{DB: a.DB, Authz: a.Authz, Audit: a.Audit, Notify: a.Notify, Now: a.Clock.Now,
		Settings: st})
	return &fixture{t: t, app: a, svc: svc}
}

func (fx *fixture) as(username string) context.Context { return apptest.As(fx.t, fx.app, username) }

func (fx *fixture) scalar(q string, args ...any) int64 {
	return apptest.Scalar[int64](fx.t, fx.app, q, args...)
}

func (fx *fixture) org(code string) int64 {
	return fx.scalar("SELECT id FROM orgs WHERE code = ?", code)
}

// told counts the notices of kind queued for username, leading to link.
func (fx *fixture) told(username, kind, link string) int64 {
	return apptest.Told(fx.t, fx.app, username, kind, link)
}

func (fx *fixture) industries(username, org string, codes ...string) {
	fx.t.Helper()
	if _, err := fx.svc.SetOwnIndustries(fx.as(username), fx.org(org), codes); err != nil {
		fx.t.Fatalf("industries of %s: %v", org, err)
	}
}

func fieldsOf(err error) []string { return domain.InvalidFields(err) }

func input() warning.Input {
	return warning.Input{Title: "海外商标抢注风险提示", Situation: "近期多家我市软件企业的商标在东南亚被抢注。",
		Rights: "注册商标", Advice: "尽快在目标市场申请注册；保留在先使用证据。",
		Links: []string{"https://www.cnipa.gov.cn/"}, Industries: []string{"software"}}
}

// TestWarning_ReachesExactlyItsIndustriesOnce: a warning to the software
// industry reaches the enterprise that chose it and not the one that
// chose tea, once, however often publishing is tried; the reader's
// opening shows among its issuer's recipients; nobody else reads it, and
// only its issuer changes it.
func TestWarning_ReachesExactlyItsIndustriesOnce(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, warning.Settings{})
	centre := fx.as("assistance.fz")
	fx.industries("sme1", "ent-sme1", "software", "electronics")
	fx.industries("sme2", "ent-sme2", "tea")

	// Bad input names its fields and writes nothing.
	bad := input()
	bad.Title, bad.Situation, bad.Links, bad.Industries = " ", "", []string{"javascript:alert(1)"}, []string{"steel"}
	_, err := fx.svc.Create(centre, bad)
	if got := fieldsOf(err); !slices.Equal(got, []string{"industries", "links", "situation", "title"}) {
		t.Fatalf("bad input: fields %v (%v)", got, err)
	}
	if n := fx.scalar("SELECT count(*) FROM risk_warnings"); n != 0 {
		t.Fatalf("bad input wrote %d warnings", n)
	}
	// An enterprise does not issue warnings.
	if _, err := fx.svc.Create(fx.as("sme1"), input()); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("enterprise create: %v", err)
	}

	w, err := fx.svc.Create(centre, input())
	if err != nil {
		t.Fatal(err)
	}
	if w.Status != warning.StatusDraft || w.Reached != 0 {
		t.Fatalf("draft %+v", w)
	}
	// A draft reaches nobody and is not the enterprise's to read.
	if _, err := fx.svc.Get(fx.as("sme1"), w.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("enterprise reads a draft: %v", err)
	}
	// The office reads it but does not publish it.
	if _, err := fx.svc.Publish(fx.as("leader"), w.ID, w.Version); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("office publishes: %v", err)
	}
	if _, err := fx.svc.Publish(centre, w.ID, w.Version+5); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("stale publish: %v", err)
	}

	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = fx.svc.Publish(centre, w.ID, w.Version)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch domain.ErrorCode(err) {
		case "":
			ok++
		case domain.ECONFLICT:
		default:
			t.Fatalf("publish: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of three concurrent publications succeeded, want 1", ok)
	}
	link := warning.Link(w.ID)
	if got := fx.scalar("SELECT count(*) FROM risk_warning_recipients WHERE warning_id = ?", w.ID); got != 1 {
		t.Fatalf("reached %d enterprises, want 1", got)
	}
	if got := fx.scalar("SELECT org_id FROM risk_warning_recipients WHERE warning_id = ?", w.ID); got != fx.org("ent-sme1") {
		t.Fatalf("reached org %d, want ent-sme1", got)
	}
	if n := fx.told("sme1", warning.NoticePublished, link); n != 1 {
		t.Fatalf("sme1 told %d times", n)
	}
	if n := fx.told("sme2", warning.NoticePublished, link); n != 0 {
		t.Fatalf("sme2 (tea) told %d times", n)
	}
	if n := fx.scalar("SELECT count(*) FROM audit_log WHERE action = 'warning.publish' AND object_id = ?", fmt.Sprint(w.ID)); n != 1 {
		t.Fatalf("%d publish audit rows", n)
	}

	// sme2 never reads it; sme1 reads it, which its issuer sees.
	if _, err := fx.svc.Get(fx.as("sme2"), w.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("sme2 reads: %v", err)
	}
	rs, err := fx.svc.Recipients(centre, w.ID)
	if err != nil || len(rs) != 1 || rs[0].ReadAt != nil {
		t.Fatalf("recipients before reading %+v, %v", rs, err)
	}
	got, err := fx.svc.Get(fx.as("sme1"), w.ID)
	if err != nil || got.ReadAt == nil || got.Title != input().Title {
		t.Fatalf("sme1 reads %+v, %v", got, err)
	}
	if rs, _ = fx.svc.Recipients(centre, w.ID); len(rs) != 1 || rs[0].ReadAt == nil {
		t.Fatalf("recipients after reading %+v", rs)
	}
	if _, err := fx.svc.Recipients(fx.as("sme1"), w.ID); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("a recipient sees the others: %v", err)
	}
	list, err := fx.svc.List(fx.as("sme1"), warning.Filter{})
	if err != nil || len(list) != 1 || list[0].ID != w.ID {
		t.Fatalf("sme1's list %+v, %v", list, err)
	}
	if list, _ := fx.svc.List(fx.as("sme2"), warning.Filter{}); len(list) != 0 {
		t.Fatalf("sme2's list %+v", list)
	}
	if list, _ := fx.svc.List(fx.as("leader"), warning.Filter{}); len(list) != 1 {
		t.Fatalf("office's list %+v", list)
	}
	// Published, it no longer changes.
	in := input()
	in.Version = w.Version + 1
	if _, err := fx.svc.Update(centre, w.ID, in); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("update after publishing: %v", err)
	}
	// Another body neither reads nor changes the centre's warning.
	if _, err := fx.svc.Get(fx.as("enforcement.fz-amr"), w.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("another issuer reads: %v", err)
	}
}

// TestWarning_AssociationWarnsItsOwnIndustries: an association that chose
// its industries warns only those.
func TestWarning_AssociationWarnsItsOwnIndustries(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, warning.Settings{})
	assoc := fx.as("association.fz-software")
	fx.industries("association.fz-software", "fz-software", "software")
	in := input()
	in.Industries = []string{"tea"}
	if _, err := fx.svc.Create(assoc, in); !slices.Equal(fieldsOf(err), []string{"industries"}) {
		t.Fatalf("association warns another industry: %v", err)
	}
	w, err := fx.svc.Create(assoc, input())
	if err != nil {
		t.Fatal(err)
	}
	// Publishing a draft without an industry is refused, naming it.
	in = input()
	in.Industries, in.Version = nil, w.Version
	if w, err = fx.svc.Update(assoc, w.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Publish(assoc, w.ID, w.Version); !slices.Equal(fieldsOf(err), []string{"industries"}) {
		t.Fatalf("publish without industries: %v", err)
	}
	// An enterprise sets its industries, not another's.
	if _, err := fx.svc.SetOwnIndustries(fx.as("sme1"), fx.org("ent-sme2"), []string{"tea"}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("sets another's industries: %v", err)
	}
	if _, err := fx.svc.SetOwnIndustries(fx.as("sme1"), fx.org("ent-sme1"), []string{"steel"}); !slices.Equal(fieldsOf(err), []string{"industries"}) {
		t.Fatalf("unknown industry: %v", err)
	}
}

// TestWarning_DraftRuleFiresOncePerPattern: three cases against one
// respondent from a software enterprise make one respondent draft and one
// industry draft (thresholds 3), naming the three cases, however many
// workers run the rule at once and however often; the reviewing centre is
// told once of each; a draft is discarded with a reason or published.
func TestWarning_DraftRuleFiresOncePerPattern(t *testing.T) {
	t.Parallel()
	st := warning.Settings{RespondentMatters: 3, RespondentDays: 90, IndustryCases: 3, IndustryDays: 30}
	fx := newFixture(t, st)
	fx.industries("sme1", "ent-sme1", "software")
	cs := fx.app.CapabilitiesAt(fx.app.Clock.Now).Cases
	clerk := fx.as("clerk.gulou")
	var credit string
	if err := fx.app.DB.Raw("SELECT credit_code FROM orgs WHERE code = 'ent-sme1'").Scan(&credit).Error; err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for i := range 3 {
		c, err := cs.Submit(clerk, cases.IntakeInput{OrgID: fx.org("gulou"), Source: domain.SourceDirect,
			DisputeType: domain.DisputeTrademark, Summary: fmt.Sprintf("被申请人在电商平台销售假冒商标的商品（第%d起）。", i+1),
			Claims: "停止侵权。",
			Parties: []cases.PartyInput{
				{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: credit,
					Phone: "13812345678", IsSME: true},
				{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: " 厦门某某贸易有限公司 ", Phone: "13900002222"},
			}})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		numbers = append(numbers, c.Number)
	}

	var wg sync.WaitGroup
	made := make([]int, 3)
	errs := make([]error, 3)
	for i := range made {
		wg.Add(1)
		go func() {
			defer wg.Done()
			made[i], errs[i] = fx.svc.Draft(context.Background())
		}()
	}
	wg.Wait()
	total := 0
	for i := range made {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		total += made[i]
	}
	if total != 2 {
		t.Fatalf("three workers drafted %d warnings, want 2", total)
	}
	if n, err := fx.svc.Draft(context.Background()); err != nil || n != 0 {
		t.Fatalf("a second run drafted %d (%v)", n, err)
	}

	centre := fx.as("assistance.fz")
	drafts, err := fx.svc.List(centre, warning.Filter{Status: warning.StatusDraft})
	if err != nil || len(drafts) != 2 {
		t.Fatalf("drafts %+v, %v", drafts, err)
	}
	rules := map[warning.Rule]warning.Warning{}
	for _, d := range drafts {
		rules[d.Rule] = d
		var got []string
		for _, s := range d.Sources {
			got = append(got, s.Number)
		}
		if !slices.Equal(got, numbers) {
			t.Errorf("%s draft names %v, want %v", d.Rule, got, numbers)
		}
		if !slices.Equal(d.Industries, []string{"software"}) {
			t.Errorf("%s draft industries %v", d.Rule, d.Industries)
		}
		if n := fx.told("assistance.fz", warning.NoticeDrafted, warning.Link(d.ID)); n != 1 {
			t.Errorf("%s draft: centre told %d times", d.Rule, n)
		}
	}
	resp, ind := rules[warning.RuleRespondent], rules[warning.RuleIndustry]
	if !strings.Contains(resp.Title, "厦门某某贸易有限公司") || !strings.Contains(ind.Title, "商标侵权") {
		t.Fatalf("titles %q, %q", resp.Title, ind.Title)
	}
	// The enforcement body is not the reviewing body: it reads no draft.
	if list, _ := fx.svc.List(fx.as("enforcement.fz-amr"), warning.Filter{}); len(list) != 0 {
		t.Fatalf("enforcement reads the centre's drafts: %+v", list)
	}

	if _, err := fx.svc.Discard(centre, ind.ID, ind.Version, " "); !slices.Equal(fieldsOf(err), []string{"reason"}) {
		t.Fatalf("discard without reason: %v", err)
	}
	if d, err := fx.svc.Discard(centre, ind.ID, ind.Version, "已由协会另行提示"); err != nil || d.Status != warning.StatusDiscarded {
		t.Fatalf("discard %+v, %v", d, err)
	}
	// A discarded draft does not come back in the same window.
	if n, _ := fx.svc.Draft(context.Background()); n != 0 {
		t.Fatalf("rule redrafted %d after a discard", n)
	}
	p, err := fx.svc.Publish(centre, resp.ID, resp.Version)
	if err != nil || p.Reached != 1 {
		t.Fatalf("publish the respondent draft %+v, %v", p, err)
	}
	if n := fx.told("sme1", warning.NoticePublished, warning.Link(resp.ID)); n != 1 {
		t.Fatalf("sme1 told %d times", n)
	}
}
