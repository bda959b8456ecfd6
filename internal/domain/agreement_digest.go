package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// AgreementText is the content of a mediation agreement a party reads
// and signs: the terms and the revision they belong to. Its Digest is
// what a party's electronic signature binds to (docs/design.md §16).
type AgreementText struct {
	CaseID            int64
	Revision          int
	Facts             string
	DisputedMatters   string
	Responsibilities  string
	Terms             string
	PerformanceMethod string
	PerformanceDue    *time.Time
	AmountFen         int64
}

// agreementCanon is the canonical form hashed: fixed field names and
// order (encoding/json writes struct fields in declaration order), the
// due date as YYYY-MM-DD. Changing it changes every digest: a new form
// must get a new Form value.
type agreementCanon struct {
	Form              string `json:"form"`
	CaseID            int64  `json:"case_id"`
	Revision          int    `json:"revision"`
	Facts             string `json:"facts"`
	DisputedMatters   string `json:"disputed_matters"`
	Responsibilities  string `json:"responsibilities"`
	Terms             string `json:"terms"`
	PerformanceMethod string `json:"performance_method"`
	PerformanceDue    string `json:"performance_due"`
	AmountFen         int64  `json:"amount_fen"`
}

// Digest is the SHA-256, in lower-case hex, of the agreement's canonical
// text: equal for equal content, different as soon as any term, the
// revision or the case differs.
func (t AgreementText) Digest() string {
	c := agreementCanon{Form: "ipmediate.agreement.v1", CaseID: t.CaseID, Revision: t.Revision, Facts: t.Facts,
		DisputedMatters: t.DisputedMatters, Responsibilities: t.Responsibilities, Terms: t.Terms,
		PerformanceMethod: t.PerformanceMethod, AmountFen: t.AmountFen}
	if t.PerformanceDue != nil {
		c.PerformanceDue = t.PerformanceDue.Format(time.DateOnly)
	}
	b, err := json.Marshal(c)
	if err != nil {
		// A struct of strings and integers always encodes.
		panic("agreement digest: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PartySignature is the evidence of a party's electronic signature of
// its case's agreement, made in its online view after a one-time code:
// the case version it read is not needed, the digest of the text it
// read is (a revised text is refused).
type PartySignature struct {
	// TextSHA256 is AgreementText.Digest of the text the party read.
	TextSHA256 string
	// PhoneMasked is the phone the code went to, as shown to the party.
	PhoneMasked string
	// IP is the request's address.
	IP string
}
