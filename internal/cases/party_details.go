package cases

import (
	"fmt"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// The parties' details the mediation agreement states (People's Mediation
// Law art. 29, 当事人的基本情况), all optional: for a natural person the
// gender, ethnic group, date of birth or age and occupation (the address
// is the person's 住所); for an organisation its legal representative or
// principal with their post. Personal details given for the wrong kind of
// party are refused rather than dropped.
const (
	maxEthnicity      = 16 // 汉族, 维吾尔族, 穿青人 …
	maxOccupation     = 64
	maxRepresentative = 64 // a representative's name, and their post
	maxAge            = 150
)

var (
	genders             = []domain.Gender{domain.GenderMale, domain.GenderFemale}
	representativeRoles = []domain.RepresentativeRole{domain.RepresentativeLegal, domain.RepresentativePrincipal}
	earliestBirthDate   = time.Date(1900, 1, 1, 0, 0, 0, 0, domain.ChinaTime)
)

// validatePartyDetails checks and normalises the details of one party;
// field names a member of the party (parties[i].gender). The date of
// birth is checked against the clock by checkBirthDates.
func validatePartyDetails(f *domain.Fields, field func(string) string, p *PartyInput) {
	person := p.Kind == domain.PartyPerson
	notFor := func(name string, given bool) bool {
		if given {
			f.Add(field(name), "validation.not_applicable")
		}
		return given
	}
	p.Gender = domain.Gender(strings.TrimSpace(string(p.Gender)))
	switch {
	case p.Gender == "":
	case !person:
		notFor("gender", true)
	case !containsValue(genders, p.Gender):
		f.Add(field("gender"), "validation.one_of", "Values", "male, female")
	}
	p.Ethnicity = text(f, field("ethnicity"), p.Ethnicity, false, maxEthnicity)
	p.Occupation = text(f, field("occupation"), p.Occupation, false, maxOccupation)
	p.BirthDate = strings.TrimSpace(p.BirthDate)
	if p.BirthDate != "" {
		if _, err := time.Parse(dateLayout, p.BirthDate); err != nil {
			f.Add(field("birth_date"), "validation.date")
		}
	}
	if p.Age < 0 || p.Age > maxAge {
		f.Add(field("age"), "validation.age", "Max", maxAge)
	}
	if !person {
		notFor("ethnicity", p.Ethnicity != "")
		notFor("occupation", p.Occupation != "")
		notFor("birth_date", p.BirthDate != "")
		notFor("age", p.Age != 0)
	}

	p.RepresentativeRole = domain.RepresentativeRole(strings.TrimSpace(string(p.RepresentativeRole)))
	p.RepresentativeName = text(f, field("representative_name"), p.RepresentativeName, false, maxRepresentative)
	p.RepresentativeTitle = text(f, field("representative_title"), p.RepresentativeTitle, false, maxRepresentative)
	if person {
		notFor("representative_role", p.RepresentativeRole != "")
		notFor("representative_name", p.RepresentativeName != "")
		notFor("representative_title", p.RepresentativeTitle != "")
		return
	}
	switch {
	case p.RepresentativeRole != "" && !containsValue(representativeRoles, p.RepresentativeRole):
		f.Add(field("representative_role"), "validation.one_of", "Values", "legal_representative, principal")
	case p.RepresentativeName == "" && (p.RepresentativeRole != "" || p.RepresentativeTitle != ""):
		f.Add(field("representative_name"), "validation.required")
	case p.RepresentativeName != "" && p.RepresentativeRole == "":
		// A company names its legal representative; an organisation
		// that is not a legal person says principal.
		p.RepresentativeRole = domain.RepresentativeLegal
	}
}

// checkBirthDates checks that every date of birth given lies between 1900
// and today (now is the service's clock).
func checkBirthDates(f *domain.Fields, parties []partyInput, now time.Time) {
	for i, p := range parties {
		if p.BirthDate == "" {
			continue
		}
		if d, err := time.Parse(dateLayout, p.BirthDate); err == nil {
			today := domain.DayStart(now)
			day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, domain.ChinaTime)
			f.Between(fmt.Sprintf("parties[%d].birth_date", i), day, earliestBirthDate, today)
		}
	}
}

// birthDate parses a stored date of birth ("" is none).
func birthDate(s string) *time.Time {
	if s == "" {
		return nil
	}
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil
	}
	return &d
}
