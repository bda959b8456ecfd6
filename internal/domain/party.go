package domain

import (
	"context"
	"strconv"
)

// PartyActor is a party of one case, or its agent, acting through its
// personal access link without an account: it reaches that case only,
// and only as that party.
type PartyActor struct {
	AccessID int64  // the party_access row the party signed in through
	CaseID   int64  // the case it reaches
	PartyID  int64  // its case_parties row
	Name     string // the party's (or agent's) name, for timelines and audit
	Agent    bool   // the access is the agent's
}

type partyKey struct{}

// WithParty returns ctx carrying the party actor p.
func WithParty(ctx context.Context, p *PartyActor) context.Context {
	return context.WithValue(ctx, partyKey{}, p)
}

// PartyFrom returns the party actor ctx carries, if any.
func PartyFrom(ctx context.Context) (*PartyActor, bool) {
	p, ok := ctx.Value(partyKey{}).(*PartyActor)
	return p, ok && p != nil
}

// AuditName is how the audit log names the party: "party:<case_parties id>".
func (p *PartyActor) AuditName() string { return "party:" + strconv.FormatInt(p.PartyID, 10) }
