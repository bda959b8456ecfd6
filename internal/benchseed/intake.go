package benchseed

import (
	"math/rand/v2"
	"strconv"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// NewRand returns a random source for IntakeInput.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x696e74616b65)) }

// IntakeInput returns a new, valid case for committee orgID as a clerk
// would register it: an enterprise applicant with an agent against a
// natural person or a company, about one IP right, every identifier with a
// valid check character, personal data to encrypt.
func IntakeInput(r *rand.Rand, orgID int64) cases.IntakeInput {
	dtype := disputeTypes[weighted(r, disputeWeights, 100)]
	source := sources[weighted(r, sourceWeights, 100)]
	applicant := company{Name: pick(r, companyPlaces) + pick(r, companyWords) + pick(r, companyTrades) + pick(r, companySuffixes),
		CreditCode: creditCode(r)}
	parties := []cases.PartyInput{{
		Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: applicant.Name, CreditCode: applicant.CreditCode,
		Phone: mobile(r), Address: "福建省福州市鼓楼区五四路" + strconv.Itoa(1+r.IntN(300)) + "号", IsSME: r.IntN(10) < 6,
		AgentName: pick(r, lawyers) + "律师", AgentPhone: mobile(r), AgentLicense: "13501201810000001",
	}}
	if r.IntN(5) < 2 {
		parties = append(parties, cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: personName(r),
			IDNumber: residentID(r), Phone: mobile(r), Address: "福建省福州市仓山区金山大道" + strconv.Itoa(1+r.IntN(300)) + "号"})
	} else {
		parties = append(parties, cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation,
			Name:       pick(r, companyPlaces) + pick(r, companyWords) + pick(r, companyTrades) + pick(r, companySuffixes),
			CreditCode: creditCode(r), Phone: mobile(r)})
	}
	kind, number := rightFor(r, dtype)
	right := cases.RightInput{Kind: domain.RightKind(kind), Number: number, Title: pick(r, titles[kind]), Holder: applicant.Name}
	if kind != "trade_secret" {
		right.ValidFrom, right.ValidTo = "2018-03-01", "2028-02-28"
	}
	var procedure domain.CourtProcedure
	if source == string(domain.SourceCourtEntrusted) {
		procedure = domain.CourtProcedures[r.IntN(len(domain.CourtProcedures))]
	}
	return cases.IntakeInput{
		OrgID: orgID, Source: domain.CaseSource(source), CourtProcedure: procedure, DisputeType: domain.DisputeType(dtype),
		Summary: summaries[dtype], Claims: pick(r, claimTexts), ClaimAmountFen: int64(1_000_000 + r.IntN(500_000_000)),
		Parties: parties, Rights: []cases.RightInput{right},
	}
}
