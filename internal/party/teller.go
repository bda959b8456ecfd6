package party

import (
	"context"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/service"
)

// Teller tells a party that a notice was served on it (service.PartyTeller):
// first through next (the inbox of a registered enterprise's users), then,
// when an SMS gateway is configured, by SMS to each holder of a live
// personal access link of the party (the party, its agent), naming the
// case by its number and the notice, with the address of the party's view
// (never a link's token or a code). The SMS goes straight through the
// gateway like the links and codes do. The party is told (delivered) when
// next delivered or the gateway accepted an SMS; without a gateway, or
// without a live link, a party next does not reach stays "sent" until it
// opens the notice or it is served by other means.
func (s *Service) Teller(next service.PartyTeller) service.PartyTeller {
	return teller{s: s, next: next}
}

type teller struct {
	s    *Service
	next service.PartyTeller
}

// TellTx implements service.PartyTeller. A failed SMS is logged and
// leaves the record as it is; it never undoes the service.
func (t teller) TellTx(ctx context.Context, tx *gorm.DB, m service.Message) (bool, error) {
	delivered, err := t.next.TellTx(ctx, tx, m)
	if err != nil || t.s.d.SMS == nil {
		return delivered, err
	}
	var links []accessRow
	if err := tx.WithContext(ctx).Where("case_id = ? AND party_id = ? AND revoked_at IS NULL AND expires_at > ?",
		m.CaseID, m.PartyID, t.s.clock()).Order("id").Find(&links).Error; err != nil {
		return false, fmtErr("live links", err)
	}
	if len(links) == 0 {
		return delivered, nil
	}
	var p partyRow
	if err := tx.WithContext(ctx).Where("id = ? AND case_id = ?", m.PartyID, m.CaseID).Take(&p).Error; err != nil {
		return false, fmtErr("party", err)
	}
	var sent []string
	for _, l := range links {
		name, enc := p.person(l.Agent)
		phone, err := t.s.phone(enc)
		if err != nil {
			return false, err
		}
		if phone == "" || slices.Contains(sent, phone) {
			continue
		}
		msg := notify.Rendered{ID: "party-served-" + strconv.FormatInt(m.RecordID, 10) + "-" + strconv.FormatInt(l.ID, 10),
			Title: t.s.d.Texts.T("zh-CN", "party.sms.title", nil),
			Body: t.s.d.Texts.T("zh-CN", "partyview.sms.served", map[string]any{"Name": name, "Number": m.CaseNumber,
				"Title": m.Title}),
			URL: t.s.d.BaseURL + "/p/case"}
		if err := t.s.d.SMS.Send(ctx, phone, msg); err != nil {
			t.s.d.Log.WarnContext(ctx, "service SMS not sent", "record_id", m.RecordID, "access_id", l.ID, "err", err)
			continue
		}
		sent = append(sent, phone)
	}
	return delivered || len(sent) > 0, nil
}
