package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Perm is a permission the code asks for: "<resource>:<action>".
type Perm struct{ Resource, Action string }

func (p Perm) String() string { return p.Resource + ":" + p.Action }

// known is every permission the code asks the enforcer about, with
// whether only the system administrator holds it (through the "*" rule;
// no policy row names it). configs/policy.csv may name no other
// permission, and must grant every one that is not sysadmin-only to some
// role: a typo on either side stops the start, naming it.
//
// The case actions' permissions are domain.CaseAction.Permission()
// (case:<action>); the referral actions' are referral:<action>
// (internal/referral). A test holds both, and every literal permission in
// the source and the templates, to this table.
var known = map[Perm]bool{
	// Identity and the system (docs/design.md §3).
	{"user", "read"}:    false,
	{"user", "manage"}:  false,
	{"role", "grant"}:   false,
	{"org", "manage"}:   true,
	{"audit", "read"}:   true,
	{"queue", "admin"}:  true,
	{"clock", "travel"}: true,
	// Cases (§4).
	{"case", "read"}:             false,
	{"case", "create"}:           false,
	{"case", "accept"}:           false,
	{"case", "reject"}:           false,
	{"case", "assign"}:           false,
	{"case", "reassign"}:         false,
	{"case", "declare_conflict"}: false,
	{"case", "object"}:           false,
	{"case", "decide_objection"}: false,
	{"case", "log_session"}:      false,
	{"case", "extend"}:           false,
	{"case", "settle"}:           false,
	{"case", "signoff"}:          false,
	{"case", "fail"}:             false,
	{"case", "withdraw"}:         false,
	{"case", "close"}:            false,
	{"case", "performance"}:      false,
	{"document", "read"}:         false,
	{"document", "upload"}:       false,
	// The dossier of an archived case (§4 "The dossier").
	{"dossier", "archive"}: false,
	{"dossier", "read"}:    false,
	// Service of documents (§4): serve a notice, record service by other
	// means, upload the committee's seal, open what was served on one's
	// enterprise.
	{"service", "serve"}:  false,
	{"service", "record"}: false,
	{"service", "seal"}:   false,
	{"service", "open"}:   false,
	// Referrals (§5).
	{"referral", "read"}:     false,
	{"referral", "send"}:     false,
	{"referral", "receive"}:  false,
	{"referral", "accept"}:   false,
	{"referral", "decline"}:  false,
	{"referral", "complete"}: false,
	// Assistance (§8).
	{"assistance", "apply"}:  false,
	{"assistance", "read"}:   false,
	{"assistance", "review"}: false,
	// The named fairs of the exhibition fast track.
	{"exhibition", "manage"}: false,
	// A fair's complaint station (narrowed by the service to the fairs
	// whose station the user is on).
	{"exhibition", "complaint"}: false,
	// Credit records (§9).
	{"credit", "read"}:    false,
	{"credit", "record"}:  false,
	{"credit", "respond"}: false,
	// Industry risk warnings (§10).
	{"warning", "read"}:  false,
	{"warning", "issue"}: false,
	// Customs recordations (§5).
	{"recordation", "read"}:   false,
	{"recordation", "manage"}: false,
	// Industry associations and their members (§15).
	{"association", "manage"}:  false,
	{"association", "file"}:    false,
	{"association", "consent"}: false,
	// Parties online (§16): issuing and revoking a party's personal
	// access link (narrowed by the service to the staff who work the case).
	{"party_access", "issue"}: false,
	// The mediator register, experts, feedback and complaints (§17).
	{"register", "read"}:     false,
	{"register", "manage"}:   false,
	{"register", "invite"}:   false,
	{"register", "feedback"}: false,
	// Deadlines, statistics, reports.
	{"deadline", "read"}: false,
	{"stats", "read"}:    false,
	{"report", "submit"}: false,
	{"report", "review"}: false,
}

// Known reports whether the code knows resource:action.
func Known(resource, action string) bool {
	_, ok := known[Perm{resource, action}]
	return ok
}

// KnownPerms are the permissions the code asks for, sorted.
func KnownPerms() []Perm {
	out := make([]Perm, 0, len(known))
	for p := range known {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Perm) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// checkKnown holds a parsed policy to the table: every row names a known
// permission that is not sysadmin-only (the wildcard row aside), and every
// permission that is not sysadmin-only is granted to some role.
func checkKnown(rules []rule) error {
	granted := map[Perm]bool{}
	for _, r := range rules {
		if r.role == domain.RoleSysadmin {
			continue
		}
		p := Perm{r.resource, r.action}
		sysOnly, ok := known[p]
		switch {
		case !ok:
			return fmt.Errorf("policy.csv line %d: %s is not a permission the code asks for (internal/authz/perms.go)", r.line, p)
		case sysOnly:
			return fmt.Errorf("policy.csv line %d: %s is the system administrator's alone", r.line, p)
		}
		granted[p] = true
	}
	for _, p := range KnownPerms() {
		if !known[p] && !granted[p] {
			return fmt.Errorf("policy.csv: no role is granted %s, which the code asks for", p)
		}
	}
	return nil
}

// reachPerms pair each object of the role table (domain.Role.Reach) with
// the permission that reads it.
var reachPerms = map[domain.Object]Perm{
	domain.ObjectCase:        {"case", "read"},
	domain.ObjectDeadline:    {"deadline", "read"},
	domain.ObjectStats:       {"stats", "read"},
	domain.ObjectApplication: {"assistance", "read"},
	domain.ObjectReferral:    {"referral", "read"},
	domain.ObjectCredit:      {"credit", "read"},
	domain.ObjectWarning:     {"warning", "read"},
	domain.ObjectRecordation: {"recordation", "read"},
	domain.ObjectRegister:    {"register", "read"},
}

// checkReach holds a parsed policy to the role table: a role that reaches
// rows of an object holds the permission that reads them, and a role
// granted case:read, stats:read or assistance:read reaches some rows of
// that object (else the row would grant nothing). deadline:read alone
// reaches the deadlines the user is responsible for, so it needs no reach.
func checkReach(rules []rule) error {
	granted := map[domain.Role]map[Perm]int{}
	for _, r := range rules {
		if granted[r.role] == nil {
			granted[r.role] = map[Perm]int{}
		}
		granted[r.role][Perm{r.resource, r.action}] = r.line
	}
	for _, role := range domain.Roles {
		if role == domain.RoleSysadmin {
			continue
		}
		for _, o := range domain.Objects {
			p, ok := reachPerms[o]
			if !ok {
				return fmt.Errorf("object %q of the role table has no read permission in internal/authz/perms.go", o)
			}
			line, has := granted[role][p]
			reach := role.Reach(o)
			switch {
			case reach != 0 && !has:
				return fmt.Errorf("policy.csv: %s reaches %s rows in the role table (internal/domain/role.go) but is not granted %s", role, o, p)
			case reach == 0 && has && o != domain.ObjectDeadline:
				return fmt.Errorf("policy.csv line %d: %s is granted %s but reaches no %s rows in the role table (internal/domain/role.go)", line, role, p, o)
			}
		}
	}
	return nil
}
