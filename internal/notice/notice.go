// Package notice writes the content of the documents the committee prints
// and serves on the parties (docs/design.md §4 "Printed documents", docs/law.md
// §3): the acceptance, rejection and termination notices and the mediation
// agreement. Each document's content is written once, as a list of
// blocks; the printable page (internal/web) and the PDF (PDF, below)
// draw the same blocks.
package notice

import (
	"fmt"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Doc names a printed document, as in /cases/{id}/print/{doc}.
type Doc string

// The documents.
const (
	DocAcceptance  Doc = "acceptance"  // 受理通知书
	DocRejection   Doc = "rejection"   // 不予受理通知书
	DocTermination Doc = "termination" // 调解终止通知书
	DocAgreement   Doc = "agreement"   // 人民调解协议书 / 口头调解协议记录
	DocSession     Doc = "session"     // 调解通知书: the next session's time
)

// Docs lists the documents in display order.
var Docs = []Doc{DocAcceptance, DocSession, DocRejection, DocTermination, DocAgreement}

// Valid reports whether d is a known document.
func (d Doc) Valid() bool {
	for _, x := range Docs {
		if x == d {
			return true
		}
	}
	return false
}

// Kind is the kind of a block.
type Kind string

// The kinds of block.
const (
	KindTitle     Kind = "title"     // centred title
	KindNumber    Kind = "number"    // the case number under the title
	KindAddressee Kind = "addressee" // "name：" before the body
	KindHeading   Kind = "heading"   // a section heading
	KindPara      Kind = "para"      // body text
	KindPre       Kind = "pre"       // text a person wrote, line breaks kept
	KindLabel     Kind = "label"     // a bold lead-in ("终止原因：")
	KindSign      Kind = "sign"      // signature lines (table rows of three cells)
	KindSignature Kind = "signature" // right-aligned lines: the committee and the date
	KindSeal      Kind = "seal"      // the seal line: where the committee's seal goes
	KindRecorder  Kind = "recorder"  // the recorder's line
	KindSmall     Kind = "small"     // a small line
	KindScreen    Kind = "screen"    // a small line for the screen only (never printed)
)

// Block is one piece of a document.
type Block struct {
	Kind Kind
	// Lines are the block's lines: one for most kinds, several for a
	// signature or seal line (drawn one under the other).
	Lines []string
	// Rows are the signature rows of a KindSign block.
	Rows [][]string
	// Party marks a paragraph about a party ("申请人：" in bold before it).
	Lead string
}

// Text is the block's lines joined by line breaks.
func (b Block) Text() string { return strings.Join(b.Lines, "\n") }

// Notice is a document's content.
type Notice struct {
	Doc    Doc
	Title  string
	Number string
	// Date is the decision the document records (its date).
	Date   time.Time
	Blocks []Block
	// SealReady: the committee's seal may be placed on the seal line (a
	// notice always; the agreement once the seal sign-off is recorded).
	SealReady bool
}

// Texts names the words a notice takes from the message catalogs (the
// Chinese ones): dispute types, party roles, routes.
type Texts func(key string) string

// Available reports whether doc prints for the case now: the agreement
// while a draft or once in effect (not the draft of a case that ended
// without it), each notice once its decision is made.
func Available(v cases.CaseView, doc Doc) bool {
	switch doc {
	case DocAgreement:
		return v.Agreement != nil && (v.Status == domain.StatusAgreementDraft || v.Agreement.EffectiveAt != nil)
	case DocAcceptance:
		return v.AcceptedAt != nil
	case DocSession:
		_, ok := nextSession(v)
		return ok && v.Status == domain.StatusMediating
	case DocRejection:
		return v.Status == domain.StatusRejected
	case DocTermination:
		return v.Status == domain.StatusFailed || (v.Status == domain.StatusClosed && v.SuggestedRoute != "")
	}
	return false
}

// Build writes doc for the case; ENOTFOUND when it does not print now.
func Build(v cases.CaseView, doc Doc, t Texts) (Notice, error) {
	if !Available(v, doc) {
		return Notice{}, domain.NotFound("document")
	}
	b := &builder{v: v, t: t}
	var n Notice
	switch doc {
	case DocAcceptance:
		n = b.acceptance()
	case DocRejection:
		n = b.rejection()
	case DocTermination:
		n = b.termination()
	case DocAgreement:
		n = b.agreement()
	case DocSession:
		n = b.session()
	}
	n.Doc, n.Number = doc, v.Number
	return n, nil
}

type builder struct {
	v      cases.CaseView
	t      Texts
	blocks []Block
}

func (b *builder) add(k Kind, lines ...string) {
	b.blocks = append(b.blocks, Block{Kind: k, Lines: lines})
}

func (b *builder) head(title string) {
	b.add(KindTitle, title)
	b.add(KindNumber, b.v.Number)
}

// names joins the names of the parties of a role with 、.
func (b *builder) names(role string) string {
	var out []string
	for _, p := range b.v.Parties {
		if string(p.Role) == role {
			out = append(out, p.Name)
		}
	}
	return strings.Join(out, "、")
}

func (b *builder) addressees(role string) {
	for _, p := range b.v.Parties {
		if role == "" || string(p.Role) == role {
			b.add(KindAddressee, p.Name+"：")
		}
	}
}

// DateZH writes a day the Chinese way in Beijing time; a zero time is the
// blank to fill in by hand.
func DateZH(t time.Time) string {
	if t.IsZero() {
		return "　　年　　月　　日"
	}
	t = t.In(beijing)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

var beijing = time.FixedZone("CST", 8*3600)

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func (b *builder) acceptance() Notice {
	v := b.v
	b.head("受理通知书")
	b.addressees("")
	b.add(KindPara, b.names("applicant")+"与"+b.names("respondent")+"之间的"+b.t("dispute."+string(v.DisputeType))+
		"纠纷，经审查，符合人民调解的受理条件，且被申请人已同意接受调解，本委员会决定予以受理。")
	b.add(KindPara, "本委员会将指派人民调解员主持调解。当事人在调解活动中享有选择或者接受人民调解员、接受调解、拒绝调解或者要求终止调解、要求调解公开进行或者不公开进行、自主表达意愿、自愿达成调解协议等权利，并应当如实陈述纠纷事实，遵守调解现场秩序，尊重对方当事人行使权利（《中华人民共和国人民调解法》第二十三条、第二十四条）。")
	from := "自受理之日起"
	if (v.Source == domain.SourceCourtDelegated || v.Source == domain.SourceCourtEntrusted) && v.MaterialsReceivedAt != nil {
		from = "自收到人民法院移交材料之日起"
	}
	period := "计算"
	if v.MediationDueAt != nil {
		period = "至" + DateZH(v.MediationDueAt.Add(-time.Nanosecond)) + "止"
	}
	b.add(KindPara, "调解期限："+from+period+"；经双方当事人同意，可以延长。")
	b.add(KindSignature, v.OrgName, DateZH(deref(v.AcceptedAt)))
	return Notice{Title: "受理通知书", Date: deref(v.AcceptedAt), Blocks: b.blocks, SealReady: true}
}

func (b *builder) rejection() Notice {
	v := b.v
	b.head("不予受理通知书")
	b.addressees("applicant")
	b.add(KindPara, "你（单位）于"+DateZH(v.CreatedAt)+"提出的与"+b.names("respondent")+"之间"+b.t("dispute."+string(v.DisputeType))+
		"纠纷的调解申请，经审查，不符合人民调解的受理条件。依照《中华人民共和国人民调解法》第三条和《人民调解工作若干规定》的有关规定，本委员会决定不予受理。理由如下：")
	b.add(KindPre, v.OutcomeReason)
	s := "人民调解不妨碍当事人依法通过仲裁、行政、司法等途径维护自己的权利。"
	switch v.SuggestedRoute {
	case "":
	case domain.RouteLitigation:
		s += "你（单位）可以依法向有管辖权的人民法院提起诉讼。"
	case domain.RouteArbitration:
		s += "你（单位）可以依据仲裁协议向约定的仲裁机构申请仲裁。"
	case domain.RouteAdministrative:
		s += "你（单位）可以依法请求知识产权管理部门、市场监督管理部门等有关行政机关处理。"
	default:
		s += "你（单位）可以向其他依法设立的调解组织或者有关部门申请处理。"
	}
	b.add(KindPara, s)
	b.add(KindSignature, v.OrgName, DateZH(deref(v.OutcomeAt)))
	return Notice{Title: "不予受理通知书", Date: deref(v.OutcomeAt), Blocks: b.blocks, SealReady: true}
}

func (b *builder) termination() Notice {
	v := b.v
	b.head("调解终止通知书")
	b.addressees("")
	b.add(KindPara, b.names("applicant")+"与"+b.names("respondent")+"之间的"+b.t("dispute."+string(v.DisputeType))+
		"纠纷，经本委员会调解，未能达成调解协议，本委员会决定终止调解。")
	b.add(KindLabel, "终止原因：")
	b.add(KindPre, v.OutcomeReason)
	s := "依照《中华人民共和国人民调解法》第二十六条，人民调解员应当告知当事人可以依法通过仲裁、行政、司法等途径维护自己的权利。"
	if v.SuggestedRoute != "" {
		s += "本委员会建议：" + b.t("route."+string(v.SuggestedRoute)) + "。"
	}
	b.add(KindPara, s)
	switch v.Source {
	case domain.SourceCourtDelegated:
		b.add(KindPara, "本纠纷系人民法院委派调解，调解不成，本委员会将纠纷材料退回人民法院，由人民法院依法登记立案（《最高人民法院关于人民法院特邀调解的规定》）。")
	case domain.SourceCourtEntrusted:
		b.add(KindPara, "本案系人民法院委托调解，调解不成，本委员会将案件退回人民法院继续审理（《最高人民法院关于人民法院特邀调解的规定》）。")
	}
	b.add(KindSignature, v.OrgName, DateZH(deref(v.OutcomeAt)))
	return Notice{Title: "调解终止通知书", Date: deref(v.OutcomeAt), Blocks: b.blocks, SealReady: true}
}

// nextSession is the latest session record, when it schedules the next
// session (its NextSessionAt).
func nextSession(v cases.CaseView) (domain.Session, bool) {
	var last *domain.Session
	for i := range v.Sessions {
		if last == nil || v.Sessions[i].HeldAt.After(last.HeldAt) ||
			(v.Sessions[i].HeldAt.Equal(last.HeldAt) && v.Sessions[i].ID > last.ID) {
			last = &v.Sessions[i]
		}
	}
	if last == nil || last.NextSessionAt == nil {
		return domain.Session{}, false
	}
	return *last, true
}

// timeZH writes a time of day the Chinese way in Beijing time.
func timeZH(t time.Time) string {
	t = t.In(beijing)
	return fmt.Sprintf("%s%d时%02d分", DateZH(t), t.Hour(), t.Minute())
}

// session is the notice of the next mediation session (调解通知书): when
// the parties are to attend, dated the day the session that set it was
// recorded.
func (b *builder) session() Notice {
	v := b.v
	last, _ := nextSession(v)
	b.head("调解通知书")
	b.addressees("")
	b.add(KindPara, b.names("applicant")+"与"+b.names("respondent")+"之间的"+b.t("dispute."+string(v.DisputeType))+
		"纠纷，本委员会定于"+timeZH(*last.NextSessionAt)+"进行调解，请准时参加。调解地点和方式由人民调解员另行告知。")
	b.add(KindPara, "当事人不能按时参加的，请提前告知本委员会；委托代理人参加的，应当提交授权委托书。当事人可以通过个人专属链接确认是否参加。")
	b.add(KindSignature, v.OrgName, DateZH(last.CreatedAt))
	return Notice{Title: "调解通知书", Date: last.CreatedAt, Blocks: b.blocks, SealReady: true}
}
