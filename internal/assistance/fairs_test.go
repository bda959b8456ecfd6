package assistance_test

import (
	"slices"
	"testing"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestFairs_ManagedByTheCentreAndTheOffice: the assistance centre and the
// IP office list every fair (the work plan's five named ones among them),
// add one and change it; a bad field is named and changes nothing, a
// stale version is refused, an inactive fair leaves the complaint form's
// list; an enterprise manages none. Each change is audited.
func TestFairs_ManagedByTheCentreAndTheOffice(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	centre, office := fx.as("assistance.fz"), fx.as("enforcement.fz-amr")
	fairs, err := fx.svc.Fairs(centre)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fairs {
		names = append(names, f.NameZH)
	}
	for _, want := range []string{"5·18 海峡两岸经贸交易会（海交会）", "6·18 中国·海峡项目成果交易会", "体育博览会（体博会）", "丝绸之路国际电影节",
		"全国糖酒商品交易会（糖酒会）"} {
		if !slices.Contains(names, want) {
			t.Errorf("the work plan's fair %s is missing: %v", want, names)
		}
	}
	if _, err := fx.svc.Fairs(fx.as("sme1")); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("an enterprise lists the fairs to manage: %v", err)
	}
	if _, err := fx.svc.SaveFair(fx.as("sme1"), assistance.FairInput{Code: "x", NameZH: "x"}, true); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("an enterprise adds a fair: %v", err)
	}

	before := fx.count("SELECT count(*) FROM exhibitions")
	for _, c := range []struct {
		in    assistance.FairInput
		field string
	}{
		{assistance.FairInput{Code: "Bad Code", NameZH: "某展会"}, "code"},
		{assistance.FairInput{Code: "fair-518", NameZH: "某展会"}, "code"},
		{assistance.FairInput{Code: "ceramics", NameZH: ""}, "name_zh"},
		{assistance.FairInput{Code: "ceramics", NameZH: "某展会", StartsOn: "2027-05-20", EndsOn: "2027-05-18"}, "ends_on"},
		{assistance.FairInput{Code: "ceramics", NameZH: "某展会", StartsOn: "20 May"}, "starts_on"},
	} {
		_, err := fx.svc.SaveFair(centre, c.in, true)
		if !slices.Contains(fields(err), c.field) {
			t.Errorf("%+v: %v, want the field %s", c.in, err, c.field)
		}
	}
	if fx.count("SELECT count(*) FROM exhibitions") != before {
		t.Fatal("a refused fair was written")
	}

	f, err := fx.svc.SaveFair(centre, assistance.FairInput{Code: "fz-ceramics", NameZH: "福州陶瓷博览会", Organiser: "福州市贸促会",
		Venue: "海峡国际会展中心", StartsOn: "2027-04-08", EndsOn: "2027-04-11", Active: true}, true)
	if err != nil || f.Version != 1 || f.StartsOn == nil || f.StartsOn.String() != "2027-04-08" || !f.Active {
		t.Fatalf("added: %+v %v", f, err)
	}
	if ex, _ := fx.svc.Exhibitions(centre); !slices.ContainsFunc(ex, func(e assistance.Exhibition) bool { return e.Code == "fz-ceramics" }) {
		t.Error("an active fair is not offered to complaints")
	}
	if _, err := fx.svc.SaveFair(office, assistance.FairInput{Code: "fz-ceramics", NameZH: "福州陶瓷博览会", Version: 7}, false); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a stale change: %v", err)
	}
	f, err = fx.svc.SaveFair(office, assistance.FairInput{Code: "fz-ceramics", NameZH: "福州国际陶瓷博览会", Venue: "海峡国际会展中心",
		Version: f.Version, Active: false}, false)
	if err != nil || f.Version != 2 || f.Active || f.NameZH != "福州国际陶瓷博览会" || f.StartsOn != nil {
		t.Fatalf("changed: %+v %v", f, err)
	}
	if ex, _ := fx.svc.Exhibitions(centre); slices.ContainsFunc(ex, func(e assistance.Exhibition) bool { return e.Code == "fz-ceramics" }) {
		t.Error("an inactive fair is still offered to complaints")
	}
	if n := fx.count(`SELECT count(*) FROM audit_log WHERE object_type = 'exhibition' AND object_id = 'fz-ceramics'
AND action IN ('exhibition.create', 'exhibition.update')`); n != 2 {
		t.Errorf("%d audit rows, want 2", n)
	}
	if _, err := fx.svc.SaveFair(office, assistance.FairInput{Code: "nowhere", NameZH: "x", Version: 1}, false); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a change of an unknown fair: %v", err)
	}
}
