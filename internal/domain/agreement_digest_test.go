package domain

import (
	"regexp"
	"testing"
	"time"
)

func TestAgreementDigest_ChangesWithEveryField(t *testing.T) {
	due := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	base := AgreementText{CaseID: 7, Revision: 1, Facts: "事实", DisputedMatters: "争议", Responsibilities: "责任",
		Terms: "条款", PerformanceMethod: "转账", PerformanceDue: &due, AmountFen: 100}
	d := base.Digest()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(d) {
		t.Fatalf("digest %q is not lower-case hex SHA-256", d)
	}
	if again := base.Digest(); again != d {
		t.Fatalf("digest not stable: %s then %s", d, again)
	}
	other := due.AddDate(0, 0, 1)
	variants := map[string]func(*AgreementText){
		"case":     func(a *AgreementText) { a.CaseID++ },
		"revision": func(a *AgreementText) { a.Revision++ },
		"facts":    func(a *AgreementText) { a.Facts += "。" },
		"matters":  func(a *AgreementText) { a.DisputedMatters = "" },
		"resp":     func(a *AgreementText) { a.Responsibilities += " " },
		"terms":    func(a *AgreementText) { a.Terms = "条款二" },
		"method":   func(a *AgreementText) { a.PerformanceMethod = "现金" },
		"due":      func(a *AgreementText) { a.PerformanceDue = &other },
		"no due":   func(a *AgreementText) { a.PerformanceDue = nil },
		"amount":   func(a *AgreementText) { a.AmountFen = 101 },
		// Moving text between fields must not collide.
		"shift": func(a *AgreementText) { a.Facts, a.DisputedMatters = "事实争议", "" },
	}
	for name, change := range variants {
		v := base
		change(&v)
		if v.Digest() == d {
			t.Errorf("%s: digest did not change", name)
		}
	}
}
