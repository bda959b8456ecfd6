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
// personal access link of the party (the party, its agent), and by
// e-mail to such a holder with an address when a mail server is
// configured, naming the case by its number and the notice, with the
// address of the party's view (never a link's token or a code). The SMS
// and the e-mail go straight through the gateway and the server like the
// links and codes do. The party is told (delivered) when next delivered
// or the gateway or the server accepted a message; without either, or
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
	if err != nil || (t.s.d.SMS == nil && t.s.d.Mail == nil) {
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
	// Each phone once, and each holder's (the party's, its agent's)
	// address once, however many links they have.
	var sent []string
	mailed := map[bool]bool{}
	told := 0
	for _, l := range links {
		name, enc := p.person(l.Agent)
		phone, err := t.s.phone(enc)
		if err != nil {
			return false, err
		}
		msg := notify.Rendered{ID: "party-served-" + strconv.FormatInt(m.RecordID, 10) + "-" + strconv.FormatInt(l.ID, 10),
			Title: t.s.d.Texts.T("zh-CN", "party.sms.title", nil),
			Body: t.s.d.Texts.T("zh-CN", "partyview.sms.served", map[string]any{"Name": name, "Number": m.CaseNumber,
				"Title": m.Title}),
			URL: t.s.d.BaseURL + "/p/case"}
		if !mailed[l.Agent] {
			mailed[l.Agent] = true
			if t.s.mail(ctx, p, l.Agent, msg, "service", m.RecordID) {
				told++
			}
		}
		if phone == "" || t.s.d.SMS == nil || slices.Contains(sent, phone) {
			continue
		}
		if err := t.s.d.SMS.Send(ctx, phone, msg); err != nil {
			t.s.d.Log.WarnContext(ctx, "service SMS not sent", "record_id", m.RecordID, "access_id", l.ID, "err", err)
			continue
		}
		sent = append(sent, phone)
		told++
	}
	return delivered || told > 0, nil
}
