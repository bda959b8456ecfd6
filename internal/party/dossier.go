package party

import (
	"context"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/pdf"
)

// DossierSection is what the parties did in their own online view that
// the timeline does not show in full, as a part of the case's dossier
// (卷宗): every choice of mediator with its note (People's Mediation Law
// art. 23), and every answer whether the party will attend a session,
// with the reason when it cannot. Earlier answers stay listed: the
// dossier keeps the history, not only the latest word.
func (s *Service) DossierSection() dossier.Section { return dossierSection{s} }

type dossierSection struct{ s *Service }

// Items reads the case's choices and answers within the archiving
// transaction; a case with neither adds nothing.
func (d dossierSection) Items(ctx context.Context, tx *gorm.DB, c cases.CaseView) ([]dossier.Item, error) {
	db := tx.WithContext(ctx)
	choices, err := caseChoices(db, c.ID, "ASC")
	if err != nil {
		return nil, err
	}
	answers, err := caseAttendance(db, c.ID, "ASC")
	if err != nil {
		return nil, err
	}
	if len(choices) == 0 && len(answers) == 0 {
		return nil, nil
	}
	w := func(id string) string { return d.s.d.Texts.T("zh-CN", id, nil) }
	const title = "当事人选择调解员及出席确认"
	return []dossier.Item{{Title: title, Write: func(doc *pdf.Document) {
		doc.Title(title)
		if len(choices) > 0 {
			doc.Heading("当事人选择调解员")
			var rows [][]string
			for _, ch := range choices {
				who := w("choice.committee")
				if ch.MediatorID != nil {
					who = ch.MediatorName
				}
				rows = append(rows, []string{ch.At.In(beijing).Format("2006-01-02 15:04"),
					w("party."+ch.PartyRole) + "：" + ch.PartyName, who, dash(ch.Note)})
			}
			doc.Table([]string{"时间", "当事人", "选择", "说明"}, rows)
		}
		if len(answers) > 0 {
			doc.Heading("当事人出席确认")
			var rows [][]string
			for _, a := range answers {
				ans := w("attendance.attends")
				if !a.Attends {
					ans = w("attendance.absent")
				}
				rows = append(rows, []string{a.At.In(beijing).Format("2006-01-02 15:04"),
					w("party."+a.PartyRole) + "：" + a.PartyName, a.SessionAt.In(beijing).Format("2006-01-02 15:04"), ans, dash(a.Note)})
			}
			doc.Table([]string{"答复时间", "当事人", "调解时间", "答复", "说明"}, rows)
		}
	}}}, nil
}

// dash is s, or a dash when it is empty.
func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
