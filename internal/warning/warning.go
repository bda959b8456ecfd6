// Package warning is industry risk warnings (风险预警, docs/design.md §10).
//
// The assistance centre, an enforcement body (the IP office) or an
// industry association issues a warning to one or more industries: what
// is happening (a wave of trademark squatting abroad, a respondent suing
// many enterprises …), the rights concerned, advice, and links to the
// public facts. Enterprises choose their industries at registration and
// on their profile (org_industries). Publishing a warning reaches every
// active enterprise of its industries, once: a recipient row per
// enterprise and a notice to each of its users (in the inbox, and by
// e-mail and SMS where the channels are configured). The issuer sees
// which enterprises have opened it.
//
// The drafting rule (Draft, the worker's warning-draft job) looks for two
// patterns and writes a draft for the issuer to review:
//
//   - the same respondent in N cases or assistance applications filed
//     within M days (rule respondent);
//   - N cases of one dispute type brought by enterprises of one industry
//     within M days (rule industry).
//
// A pattern drafts once per window of M days (days since the epoch
// divided by M): the unique index on (rule, rule_key, rule_window) makes
// that hold with any number of workers. The draft names the matters it
// came from; the issuer edits and publishes it, or discards it.
//
// Who sees what (the role table's object warning): an issuing body reads
// and manages its own warnings; an enterprise reads the warnings that
// reached it; the leadership office reads every warning, read-only.
// Every change is one transaction with its audit row.
package warning

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Status is where a warning stands.
type Status string

// The statuses of a warning.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusDiscarded Status = "discarded"
)

// Statuses lists every status.
var Statuses = []Status{StatusDraft, StatusPublished, StatusDiscarded}

// Rule names the drafting rule's patterns ("" for a warning a person
// wrote).
type Rule string

// The drafting rule's patterns.
const (
	RuleNone       Rule = ""
	RuleRespondent Rule = "respondent"
	RuleIndustry   Rule = "industry"
)

// Notification kinds (texts: web/i18n/warning.*.yaml, notify.<kind>.*).
// Each names the warning by its title.
const (
	NoticePublished = "risk_warning"       // to an enterprise's users: a warning reached it
	NoticeDrafted   = "risk_warning_draft" // to the issuing body: a draft to review
)

// Link is the page of warning id.
func Link(id int64) string { return "/warnings/" + strconv.FormatInt(id, 10) }

// Settings are the drafting rule's thresholds (config warnings.*).
type Settings struct {
	// RespondentMatters and RespondentDays: the same respondent in at
	// least RespondentMatters cases or applications within RespondentDays.
	RespondentMatters int
	RespondentDays    int
	// IndustryCases and IndustryDays: at least IndustryCases cases of one
	// dispute type from one industry within IndustryDays.
	IndustryCases int
	IndustryDays  int
	// DraftOrg is the code of the organisation that reviews the drafts;
	// "" picks the first active assistance centre.
	DraftOrg string
}

// DefaultSettings are the thresholds when none are configured.
var DefaultSettings = Settings{RespondentMatters: 3, RespondentDays: 90, IndustryCases: 5, IndustryDays: 30}

// withDefaults fills zero thresholds.
func (st Settings) withDefaults() Settings {
	d := DefaultSettings
	if st.RespondentMatters <= 0 {
		st.RespondentMatters = d.RespondentMatters
	}
	if st.RespondentDays <= 0 {
		st.RespondentDays = d.RespondentDays
	}
	if st.IndustryCases <= 0 {
		st.IndustryCases = d.IndustryCases
	}
	if st.IndustryDays <= 0 {
		st.IndustryDays = d.IndustryDays
	}
	return st
}

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Notifier queues a message to a user inside the caller's transaction
// (notify.Service).
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// Deps are the service's collaborators; DB, Authz, Audit and Notify are
// required.
type Deps struct {
	DB       *gorm.DB
	Authz    Authorizer
	Audit    Auditor
	Notify   Notifier
	Settings Settings
	// Now is the clock (default: the wall clock).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the risk warning service.
type Service struct{ d Deps }

// NewService builds the service; it panics naming a missing collaborator.
func NewService(d Deps) *Service {
	domain.RequireDeps("warning.NewService", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil,
		"Audit": d.Audit == nil, "Notify": d.Notify == nil})
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.Settings = d.Settings.withDefaults()
	return &Service{d: d}
}

// Settings are the thresholds in force.
func (s *Service) Settings() Settings { return s.d.Settings }

func (s *Service) clock() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// issuerRoles are told of a draft in the reviewing body; recipientRoles
// are an enterprise's users told of a warning.
var (
	issuerRoles    = domain.RolesReaching(domain.ObjectWarning, domain.ReachOrg)
	recipientRoles = domain.RolesReaching(domain.ObjectWarning, domain.ReachPartyTo)
)

// viewer is the actor's scope on warnings: every warning (the leadership
// office), the warnings its organisations issue (warning:issue), and the
// warnings that reached its enterprises.
type viewer struct {
	a        *domain.Actor
	all      bool
	issuers  []int64
	received []int64
}

func (s *Service) viewerOf(a *domain.Actor) viewer {
	v := viewer{a: a}
	for _, m := range a.Memberships {
		reach := m.Role.Reach(domain.ObjectWarning)
		if reach == 0 || !s.d.Authz.Can(a.UserID, m.OrgID, "warning", "read") {
			continue
		}
		if reach.Has(domain.ReachAll) {
			v.all = true
		}
		if reach.Has(domain.ReachOrg) && s.d.Authz.Can(a.UserID, m.OrgID, "warning", "issue") && !slices.Contains(v.issuers, m.OrgID) {
			v.issuers = append(v.issuers, m.OrgID)
		}
		if reach.Has(domain.ReachPartyTo) && !slices.Contains(v.received, m.OrgID) {
			v.received = append(v.received, m.OrgID)
		}
	}
	return v
}

func (v viewer) none() bool { return !v.all && len(v.issuers) == 0 && len(v.received) == 0 }

// CanIssue reports whether the actor issues warnings for some body.
func (s *Service) CanIssue(a *domain.Actor) bool { return len(s.viewerOf(a).issuers) > 0 }

// CanRead reports whether the actor reads any warning.
func (s *Service) CanRead(a *domain.Actor) bool { return !s.viewerOf(a).none() }

// Receives reports whether the actor reads warnings as a recipient.
func (s *Service) Receives(a *domain.Actor) bool { return len(s.viewerOf(a).received) > 0 }

// IssuerOrgs are the bodies for which the actor issues warnings.
func (s *Service) IssuerOrgs(a *domain.Actor) []int64 { return s.viewerOf(a).issuers }

func fmtErr(what string, err error) error { return fmt.Errorf("warning: %s: %w", what, err) }

func notFound() error { return domain.NotFound("warning") }

func conflict(what string, st Status) error {
	return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgNotNow,
		Message: fmt.Sprintf("%s is not allowed while the warning is %s", what, st)}
}

func stale(current int) error {
	return &domain.Error{Code: domain.ECONFLICT, ID: domain.MsgStale,
		Message: fmt.Sprintf("the warning was changed by someone else (current version %d); reload and try again", current)}
}
