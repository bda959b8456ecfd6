package notice

import (
	"strconv"
	"strings"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindParty is a party's basic details: Lead is its role, Lines the
// details (the representative and the agent on lines of their own).
const KindParty Kind = "party"

// blankDate is the date a signer writes by hand.
const blankDate = "　　年　　月　　日"

// agreement writes the mediation agreement (People's Mediation Law art.
// 29) or the record of an oral agreement (art. 28).
func (b *builder) agreement() Notice {
	v, a := b.v, b.v.Agreement
	title := "人民调解协议书"
	if a.Oral {
		title = "口头调解协议记录"
		b.head(title)
		b.add(KindPara, "各方当事人认为无需制作调解协议书，于"+DateZH(deref(a.EffectiveAt))+"经本委员会调解以口头方式达成调解协议。依照《中华人民共和国人民调解法》第二十八条，人民调解员记录协议内容如下。")
	} else {
		b.head(title)
	}
	b.add(KindHeading, "当事人基本情况")
	for _, p := range v.Parties {
		b.blocks = append(b.blocks, Block{Kind: KindParty, Lead: b.t("party."+string(p.Role)) + "：", Lines: partyLines(p)})
	}
	b.add(KindHeading, "纠纷主要事实、争议事项及各方当事人的责任")
	b.add(KindPre, a.Facts)
	b.add(KindLabel, "争议事项：")
	b.add(KindPre, a.DisputedMatters)
	b.add(KindLabel, "各方当事人的责任：")
	b.add(KindPre, a.Responsibilities)
	b.add(KindHeading, "当事人达成调解协议的内容")
	b.add(KindPre, a.Terms)
	b.add(KindHeading, "履行方式、期限")
	b.add(KindPre, a.PerformanceMethod)
	if a.PerformanceDue != nil {
		b.add(KindPara, "履行期限："+DateZH(*a.PerformanceDue)+"前。")
	}
	if a.Oral {
		b.add(KindPara, "本口头调解协议自各方当事人达成协议之日起生效（《中华人民共和国人民调解法》第三十条）。")
	} else {
		b.add(KindPara, "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效（《中华人民共和国人民调解法》第二十九条）。本协议一式"+
			cnum(len(v.Parties)+1)+"份，各方当事人各执一份，人民调解委员会留存一份。")
	}
	b.add(KindPara, "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行；人民调解委员会对调解协议的履行情况进行监督（《中华人民共和国人民调解法》第三十一条）。")
	if v.JudicialConfirmationOffered {
		b.add(KindPara, "双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向人民法院申请司法确认（《中华人民共和国人民调解法》第三十三条）。")
	}
	var mediators []string
	for _, m := range v.Mediators {
		if !m.Removed {
			mediators = append(mediators, m.Name)
		}
	}
	n := Notice{Title: title, Date: deref(a.EffectiveAt)}
	if a.Oral {
		b.add(KindSignature, "人民调解员："+strings.Join(mediators, "、"), "记录人："+a.RecorderName, v.OrgName, DateZH(deref(a.EffectiveAt)))
	} else {
		sign := Block{Kind: KindSign}
		for _, p := range v.Parties {
			sign.Rows = append(sign.Rows, []string{b.t("party."+string(p.Role)) + "：" + p.Name, "（签名、盖章或按指印）＿＿＿＿＿＿＿＿", blankDate})
		}
		for _, m := range mediators {
			sign.Rows = append(sign.Rows, []string{"人民调解员（签名）：" + m, "＿＿＿＿＿＿＿＿", blankDate})
		}
		b.blocks = append(b.blocks, sign)
		b.add(KindRecorder, "记录人："+a.RecorderName)
		b.add(KindSeal, v.OrgName+"（印章）", blankDate)
		if a.EffectiveAt != nil {
			b.add(KindSmall, "本协议已于"+DateZH(*a.EffectiveAt)+"生效。")
		} else {
			b.add(KindScreen, "尚未全部签署，协议尚未生效。")
		}
		// The seal goes on the agreement once its seal sign-off is
		// recorded, never on a draft the committee has not sealed.
		for _, s := range a.Signoffs {
			if s.SignerKind == "seal" {
				n.SealReady = true
			}
		}
	}
	n.Blocks = b.blocks
	return n
}

// partyLines are a party's basic details (art. 29 (1)).
func partyLines(p domain.Party) []string {
	var s strings.Builder
	s.WriteString(p.Name)
	more := func(label, val string) {
		if val != "" {
			s.WriteString("，" + label + val)
		}
	}
	lines := []string{}
	if p.Kind == domain.PartyOrganisation {
		more("统一社会信用代码：", p.CreditCode)
		more("住所：", p.Address)
		s.WriteString("。")
		lines = append(lines, s.String())
		if p.RepresentativeName != "" {
			r := "法定代表人"
			if p.RepresentativeRole == domain.RepresentativePrincipal {
				r = "主要负责人"
			}
			r += "：" + p.RepresentativeName
			if p.RepresentativeTitle != "" {
				r += "，职务：" + p.RepresentativeTitle
			}
			lines = append(lines, r+"。")
		}
	} else {
		switch p.Gender {
		case "":
		case domain.GenderMale:
			s.WriteString("，男")
		default:
			s.WriteString("，女")
		}
		more("", p.Ethnicity)
		if p.BirthDate != nil {
			s.WriteString("，" + DateZH(*p.BirthDate) + "出生")
		} else if p.Age > 0 {
			s.WriteString("，" + strconv.Itoa(p.Age) + "岁")
		}
		more("", p.Occupation)
		more("公民身份号码：", p.IDNumber)
		more("住所：", p.Address)
		s.WriteString("。")
		lines = append(lines, s.String())
	}
	if p.AgentName != "" {
		a := "委托代理人：" + p.AgentName
		if p.AgentLicense != "" {
			a += "（执业证号：" + p.AgentLicense + "）"
		}
		lines = append(lines, a+"。")
	}
	return lines
}

// cnum writes a small count in Chinese numerals (二, 三 … 十九).
func cnum(n int) string {
	d := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return d[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + d[n-10]
	case n < 100 && n%10 == 0:
		return d[n/10] + "十"
	case n < 100:
		return d[n/10] + "十" + d[n%10]
	}
	return strconv.Itoa(n)
}
