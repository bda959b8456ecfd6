package dossier

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/ipmediate/ipmediate/internal/pdf"
)

// items are the dossier's contents in order: the application (intake
// record), the printed notices, the sessions with their minutes, the
// uploaded documents, the other capabilities' sections and the timeline;
// and the uploaded files for the ZIP.
func (s *Service) items(_ context.Context, in buildInput) ([]Item, []original, error) {
	v := in.view
	w := s.words
	out := []Item{{Title: "调解申请及受理登记", Write: func(d *pdf.Document) {
		d.Title("调解申请及受理登记")
		num := v.RegistrationNumber
		if num == "" {
			num = v.Number
		}
		d.Note("登记号：" + num + "　登记时间：" + timeZH(v.CreatedAt))
		d.Note("案件来源：" + w("source."+string(v.Source)) + "　纠纷类型：" + w("dispute."+string(v.DisputeType)))
		if v.ClaimAmountFen > 0 {
			d.Note("请求金额：" + yuan(v.ClaimAmountFen) + " 元")
		}
		var rows [][]string
		for _, p := range v.Parties {
			who := p.Name
			if p.AgentName != "" {
				who += "\n委托代理人：" + p.AgentName
			}
			rows = append(rows, []string{w("party." + string(p.Role)), w("party." + string(p.Kind)), who})
		}
		d.Heading("当事人")
		d.Table([]string{"身份", "类型", "名称或姓名"}, rows)
		if len(v.Rights) > 0 {
			d.Heading("涉及的知识产权")
			var rr [][]string
			for _, r := range v.Rights {
				rr = append(rr, []string{w("right." + string(r.Kind)), r.Number, r.Title, r.Holder})
			}
			d.Table([]string{"权利类型", "号码", "名称", "权利人"}, rr)
		}
		d.Heading("纠纷事实")
		d.Para(orNone(v.Summary))
		d.Heading("申请事项")
		d.Para(orNone(v.Claims))
		if v.AcceptedAt != nil {
			d.Note("受理时间：" + timeZH(*v.AcceptedAt))
		}
	}}}
	out = append(out, in.notices...)
	for i, se := range v.Sessions {
		se := se
		title := "调解记录（第" + strconv.Itoa(i+1) + "次）"
		out = append(out, Item{Title: title, Write: func(d *pdf.Document) {
			d.Title(title)
			d.Note("时间：" + timeZH(se.HeldAt) + "　方式：" + w("mode."+string(se.Mode)))
			if se.Place != "" {
				d.Note("地点：" + se.Place)
			}
			if se.Attendees != "" {
				d.Note("参加人员：" + se.Attendees)
			}
			d.Heading("调解笔录")
			d.Para(orNone(se.Minutes))
			if se.NextSteps != "" {
				d.Heading("后续安排")
				d.Para(se.NextSteps)
			}
			if se.NextSessionAt != nil {
				d.Note("下次调解时间：" + timeZH(*se.NextSessionAt))
			}
		}})
	}
	var originals []original
	for _, f := range in.docs {
		data, err := s.read(f.StorageKey)
		if err != nil {
			return nil, nil, fmt.Errorf("read document %d: %w", f.ID, err)
		}
		name := originalName(f.ID, f.FileName)
		originals = append(originals, original{name: name, kind: "document:" + f.Kind, data: data})
		title := w("document.kind."+f.Kind) + "：" + f.FileName
		hash := "SHA-256：" + f.SHA256
		switch {
		case f.ContentType == pdf.MediaType:
			out = append(out, Item{Title: title, PDF: data})
		case pdf.ImageTypes[f.ContentType] != "":
			out = append(out, Item{Title: title, Write: func(d *pdf.Document) {
				d.Heading(title)
				d.Image(data, f.ContentType)
			}})
		default:
			out = append(out, Item{Title: title, Note: hash + "　原件见压缩包"})
		}
	}
	out = append(out, in.extra...)
	events := slices.Clone(v.Events)
	out = append(out, Item{Title: "案件流程记录", Write: func(d *pdf.Document) {
		d.Title("案件流程记录")
		var rows [][]string
		for _, e := range events {
			step := w("event." + e.Action)
			if e.FromStatus != e.ToStatus && e.FromStatus != "" && e.ToStatus != "" {
				step += "\n" + w("status."+string(e.FromStatus)) + " → " + w("status."+string(e.ToStatus))
			}
			rows = append(rows, []string{timeZH(e.At), e.ActorName, step})
		}
		d.Table([]string{"时间", "办理人", "事项"}, rows)
	}})
	return out, originals, nil
}

func (s *Service) read(key string) ([]byte, error) {
	rc, err := s.store.Open(key)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	return io.ReadAll(rc)
}

// yuan formats an amount in fen as yuan with two decimals.
func yuan(fen int64) string {
	return strconv.FormatInt(fen/100, 10) + "." + fmt.Sprintf("%02d", fen%100)
}
