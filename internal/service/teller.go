package service

import (
	"context"
	"strconv"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// NoticeServed is the notification kind telling a party's users that a
// notice was served on it (texts: web/i18n/service.*.yaml,
// notify.document_served.*). It names the case by its number.
const NoticeServed = "document_served"

// Sender queues a message to a user inside the caller's transaction
// (notify.Service).
type Sender interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// InboxTeller tells a party that is a registered enterprise through its
// users' inboxes (and their e-mail and SMS, where the channels are
// configured): the users whose roles there reach the cases their
// organisation is a party to. A party without an organisation is not
// told (delivered false): its record waits to be opened through its
// access link, or served by other means.
type InboxTeller struct {
	Notify Sender
}

var partyRoles = domain.RolesReaching(domain.ObjectCase, domain.ReachPartyTo)

// TellTx implements PartyTeller.
func (t InboxTeller) TellTx(ctx context.Context, tx *gorm.DB, m Message) (bool, error) {
	var org *int64
	if err := tx.WithContext(ctx).Raw(`SELECT org_id FROM case_parties WHERE id = ? AND case_id = ?`, m.PartyID, m.CaseID).
		Scan(&org).Error; err != nil {
		return false, err
	}
	if org == nil {
		return false, nil
	}
	users, err := notify.MembersTx(ctx, tx, *org, partyRoles)
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if err := t.Notify.SendTx(ctx, tx, notify.Message{UserID: u, Kind: NoticeServed, Link: Link(m.RecordID),
			Params:   map[string]any{"Number": m.CaseNumber, "Title": m.Title},
			DedupKey: "service:" + strconv.FormatInt(m.RecordID, 10) + ":" + strconv.FormatInt(u, 10)}); err != nil {
			return false, err
		}
	}
	return len(users) > 0, nil
}
