package service

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/dossier"
	"github.com/ipmediate/ipmediate/internal/pdf"
)

// DossierSection is the proof of service (送达回证) of every notice
// served on the case's parties, as a part of the case's dossier: for
// each record the party, the notice, when it was sent, delivered and
// opened, any other means of service, and the SHA-256 of the PDF served.
func (s *Service) DossierSection() dossier.Section { return dossierSection{s} }

type dossierSection struct{ s *Service }

// Items reads the case's records within the archiving transaction; a
// case with none adds nothing.
func (d dossierSection) Items(ctx context.Context, tx *gorm.DB, c cases.CaseView) ([]dossier.Item, error) {
	rows, err := d.s.rows(ctx, tx.WithContext(ctx), "WHERE r.case_id = ? ORDER BY r.id", c.ID)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	recs := records(rows)
	words := d.s.d.Texts
	return []dossier.Item{{Title: "送达回证", Write: func(doc *pdf.Document) {
		for _, r := range recs {
			doc.Heading(words("service.doc."+string(r.Doc)) + " · " + r.PartyName)
			body := [][]string{
				{words("service.party"), r.PartyName},
				{words("service.doc"), words("service.doc." + string(r.Doc))},
				{words("service.sent_at"), at(&r.SentAt) + " " + r.SentByName},
				{words("service.delivered_at"), at(r.DeliveredAt)},
				{words("service.opened_at"), at(r.OpenedAt)},
			}
			if r.Method != MethodElectronic && r.Method != "" {
				other := words("service.state." + string(r.Method))
				if r.ServedOn != nil {
					other += " " + r.ServedOn.In(beijing).Format("2006-01-02")
				}
				for _, s := range []string{r.TrackingNumber, r.Receiver, r.Note} {
					if s != "" {
						other += " " + s
					}
				}
				body = append(body, []string{words("service.method"), other})
			}
			body = append(body, []string{"SHA-256", r.SHA256})
			doc.Table([]string{"项目", "内容"}, body)
		}
	}}}, nil
}

// at writes a time in Beijing time, or a dash when there is none.
func at(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(beijing).Format("2006-01-02 15:04")
}
