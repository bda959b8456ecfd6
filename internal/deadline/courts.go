package deadline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/configs"
)

// ConfirmationCourts is the table of configs/confirmation_courts.yaml: the
// court the parties of a mediation agreement apply to for judicial
// confirmation (docs/law.md §1).
type ConfirmationCourts struct {
	IPCourt struct {
		Court        string   `yaml:"court"`
		Tribunal     string   `yaml:"tribunal"`
		DisputeTypes []string `yaml:"dispute_types"`
		RightKinds   []string `yaml:"right_kinds"`
		Basis        string   `yaml:"basis"`
		Note         string   `yaml:"note"`
	} `yaml:"ip_court"`
	DelegatedBasis string            `yaml:"delegated_basis"`
	BasicBasis     string            `yaml:"basic_basis"`
	BasicCourts    map[string]string `yaml:"basic_courts"`
}

// Why a court was chosen.
const (
	// CourtDelegating: the court that delegated or entrusted the case.
	CourtDelegating = "delegating"
	// CourtIP: the court with jurisdiction over the dispute's kind of IP.
	CourtIP = "ip"
	// CourtBasic: the basic court of the committee's district.
	CourtBasic = "basic"
)

// ConfirmationCourt is where a case's parties apply.
type ConfirmationCourt struct {
	// Name is the court's Chinese name; "" when the table has none for
	// the committee's district.
	Name string
	// Tribunal is the specialised tribunal inside it, if any.
	Tribunal string
	// Reason is CourtDelegating, CourtIP or CourtBasic.
	Reason string
	// Basis is the legal citation.
	Basis string
}

// Text is the court as a sentence part: "福州市中级人民法院（福州知识产权法庭）",
// or a description of it when the table has no name.
func (c ConfirmationCourt) Text() string {
	switch {
	case c.Name == "":
		return "调解委员会所在地的基层人民法院"
	case c.Tribunal != "":
		return c.Name + "（" + c.Tribunal + "）"
	}
	return c.Name
}

var regionCode = regexp.MustCompile(`^[0-9]{6}$`)

// LoadConfirmationCourts parses and checks the table: the IP court and
// every basis named, every region code six digits, every court named.
func LoadConfirmationCourts(data []byte) (ConfirmationCourts, error) {
	var t ConfirmationCourts
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return t, fmt.Errorf("confirmation courts: %w", err)
	}
	switch {
	case strings.TrimSpace(t.IPCourt.Court) == "":
		return t, errors.New("confirmation courts: ip_court.court: required")
	case len(t.IPCourt.DisputeTypes) == 0 && len(t.IPCourt.RightKinds) == 0:
		return t, errors.New("confirmation courts: ip_court: no dispute_types or right_kinds")
	case strings.TrimSpace(t.IPCourt.Basis) == "", strings.TrimSpace(t.DelegatedBasis) == "", strings.TrimSpace(t.BasicBasis) == "":
		return t, errors.New("confirmation courts: ip_court.basis, delegated_basis and basic_basis are required")
	case len(t.BasicCourts) == 0:
		return t, errors.New("confirmation courts: basic_courts: empty")
	}
	for code, court := range t.BasicCourts {
		if !regionCode.MatchString(code) || strings.TrimSpace(court) == "" {
			return t, fmt.Errorf("confirmation courts: basic_courts: %q: want a six-digit region code and a court", code)
		}
	}
	return t, nil
}

var courtTable struct {
	once sync.Once
	t    ConfirmationCourts
	err  error
}

// DefaultConfirmationCourts returns the table embedded in the binary,
// loaded once.
func DefaultConfirmationCourts() (ConfirmationCourts, error) {
	courtTable.once.Do(func() { courtTable.t, courtTable.err = LoadConfirmationCourts(configs.ConfirmationCourtsYAML) })
	return courtTable.t, courtTable.err
}

// CourtCase is what choosing the court needs to know of a case.
type CourtCase struct {
	DisputeType string
	RightKinds  []string
	// RegionCode is the committee's region code.
	RegionCode string
	// DelegatingCourt is the name of the court that delegated or entrusted
	// the case, "" for none.
	DelegatingCourt string
}

// Court chooses the court for c: the delegating court, else the IP court
// for the dispute's kind, else the basic court of the committee's
// district.
func (t ConfirmationCourts) Court(c CourtCase) ConfirmationCourt {
	if c.DelegatingCourt != "" {
		return ConfirmationCourt{Name: c.DelegatingCourt, Reason: CourtDelegating, Basis: t.DelegatedBasis}
	}
	ip := slices.Contains(t.IPCourt.DisputeTypes, c.DisputeType)
	for _, k := range c.RightKinds {
		ip = ip || slices.Contains(t.IPCourt.RightKinds, k)
	}
	if ip {
		return ConfirmationCourt{Name: t.IPCourt.Court, Tribunal: t.IPCourt.Tribunal, Reason: CourtIP, Basis: t.IPCourt.Basis}
	}
	return ConfirmationCourt{Name: t.BasicCourts[c.RegionCode], Reason: CourtBasic, Basis: t.BasicBasis}
}

// CourtFilingKinds are the kinds of referral by which a court sends a
// dispute that becomes a case (delegation and entrustment); the referral
// capability, which declares its kinds, sets them when it loads.
var CourtFilingKinds = []string{}

// ConfirmationCourtTx reads case caseID inside tx (its dispute type and
// rights, its committee's region code, the court that delegated or
// entrusted it) and chooses its court from the embedded table.
func ConfirmationCourtTx(ctx context.Context, tx *gorm.DB, caseID int64) (ConfirmationCourt, error) {
	t, err := DefaultConfirmationCourts()
	if err != nil {
		return ConfirmationCourt{}, err
	}
	var c struct {
		DisputeType     string
		RegionCode      string
		DelegatingCourt string
	}
	if err := tx.WithContext(ctx).Raw(`SELECT c.dispute_type, o.region_code,
	coalesce((SELECT so.name_zh FROM referrals r JOIN orgs so ON so.id = r.sender_org_id AND so.type = 'court'
		WHERE r.case_id = c.id AND r.kind IN ? ORDER BY r.id LIMIT 1), '') AS delegating_court
FROM cases c JOIN orgs o ON o.id = c.org_id WHERE c.id = ?`, CourtFilingKinds, caseID).Scan(&c).Error; err != nil {
		return ConfirmationCourt{}, fmt.Errorf("court for judicial confirmation of case %d: %w", caseID, err)
	}
	var kinds []string
	if err := tx.WithContext(ctx).Raw(`SELECT DISTINCT kind FROM case_rights WHERE case_id = ? ORDER BY kind`, caseID).
		Scan(&kinds).Error; err != nil {
		return ConfirmationCourt{}, fmt.Errorf("rights of case %d: %w", caseID, err)
	}
	return t.Court(CourtCase{DisputeType: c.DisputeType, RightKinds: kinds, RegionCode: c.RegionCode,
		DelegatingCourt: c.DelegatingCourt}), nil
}

// courtLine starts the line of a judicial confirmation window's
// explanation that names the court.
const courtLine = "申请司法确认的法院："

// ConfirmationCourt is the court a judicial confirmation window names in
// its explanation (written when it opened), "" for any other deadline.
func (d Deadline) ConfirmationCourt() string {
	for _, l := range strings.Split(d.Explanation, "\n") {
		if rest, ok := strings.CutPrefix(l, courtLine); ok {
			court, _, _ := strings.Cut(rest, "。")
			return court
		}
	}
	return ""
}
