package web

import (
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// caseFuncs are the template helpers of the case pages.
var caseFuncs = map[string]any{
	"caseStatuses": func() []domain.CaseStatus { return domain.CaseStatuses },
	"auditAreas":   func() []string { return auditAreas },
	"disputeTypes": func() []domain.DisputeType { return domain.DisputeTypes },
	"caseSources":  func() []domain.CaseSource { return domain.CaseSources },
	"partyRoles": func() []domain.PartyRole {
		return []domain.PartyRole{domain.PartyApplicant, domain.PartyRespondent, domain.PartyThird}
	},
	"sessionModes": func() []domain.SessionMode {
		return []domain.SessionMode{domain.ModeInPerson, domain.ModeVideo, domain.ModePhone}
	},
	"failRoutes": func() []domain.FailRoute {
		return []domain.FailRoute{domain.RouteLitigation, domain.RouteArbitration, domain.RouteAdministrative, domain.RouteNone}
	},
	"rejectRoutes":       func() []domain.FailRoute { return domain.RejectRoutes },
	"consentDecisions":   func() []party.Decision { return party.Decisions },
	"performanceResults": func() []domain.PerformanceResult { return domain.PerformanceResults },
	"agreementFields": func() []string {
		return []string{"facts", "disputed_matters", "responsibilities", "terms", "performance_method"}
	},
	"documentKinds": func() []string { return document.Kinds },
	"add":           func(a, b int) int { return a + b },
	// cnum writes a small count in Chinese numerals (一式三份).
	"cnum": func(n int) string {
		digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
		if n >= 0 && n <= 10 {
			return digits[n]
		}
		return fmt.Sprint(n)
	},
	// statusClass colours a status badge; the text always says the status.
	"statusClass": func(s domain.CaseStatus) string {
		switch s {
		case domain.StatusSettled, domain.StatusClosed:
			return "ok"
		case domain.StatusRejected, domain.StatusFailed:
			return "bad"
		case domain.StatusSubmitted, domain.StatusAccepted:
			return "warn"
		}
		return "info"
	},
	"yuan": func(fen int64) string {
		if fen == 0 {
			return "—"
		}
		return "¥" + yuanText(fen)
	},
	"bytes": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
	"fmtDate": func(v any) string {
		if t := toTime(v); !t.IsZero() {
			return t.In(beijing).Format("2006-01-02")
		}
		return ""
	},
	// fmtDateZH writes a date the way official documents do: 2026年11月27日.
	"fmtDateZH": func(v any) string {
		if t := toTime(v); !t.IsZero() {
			t = t.In(beijing)
			return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
		}
		return "　　年　　月　　日"
	},
}

func toTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case *time.Time:
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}

// DaysLeft says how far a due date is, in calendar days in Beijing time.
func (p *Page) DaysLeft(v any) string {
	t := toTime(v)
	if t.IsZero() {
		return ""
	}
	now := p.Now().In(beijing)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, beijing)
	due := t.In(beijing)
	dueDay := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, beijing)
	n := int(dueDay.Sub(today).Hours() / 24)
	switch {
	case n > 0:
		return p.T("days.left", "N", n)
	case n == 0:
		return p.T("days.today")
	}
	return p.T("days.overdue", "N", -n)
}

// SignoffFor finds the sign-off of a party, a mediator, or the seal.
func (p *casePage) SignoffFor(kind string, id int64) *domain.Signoff {
	if p.V.Agreement == nil {
		return nil
	}
	for i, s := range p.V.Agreement.Signoffs {
		if s.SignerKind != kind {
			continue
		}
		switch {
		case kind == "seal",
			kind == "party" && s.PartyID != nil && *s.PartyID == id,
			kind == "mediator" && s.UserID != nil && *s.UserID == id:
			return &p.V.Agreement.Signoffs[i]
		}
	}
	return nil
}

// DraftValue is what the correction form of the draft agreement shows for
// field: what was submitted when that form failed, else the draft's text.
func (p *casePage) DraftValue(field string) string {
	if p.FailedForm == string(domain.ActionReviseAgreement) {
		return p.Form.V(field)
	}
	a := p.V.Agreement
	if a == nil {
		return ""
	}
	switch field {
	case "facts":
		return a.Facts
	case "disputed_matters":
		return a.DisputedMatters
	case "responsibilities":
		return a.Responsibilities
	case "terms":
		return a.Terms
	case "performance_method":
		return a.PerformanceMethod
	case "performance_due":
		if a.PerformanceDue != nil {
			return a.PerformanceDue.UTC().Format("2006-01-02")
		}
	case "amount":
		if a.AmountFen > 0 {
			return yuanText(a.AmountFen)
		}
	}
	return ""
}

// PartiesByRole lists the parties on one side.
func (p *casePage) PartiesByRole(role string) []domain.Party {
	var out []domain.Party
	for _, x := range p.V.Parties {
		if string(x.Role) == role {
			out = append(out, x)
		}
	}
	return out
}
