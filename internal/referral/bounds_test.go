package referral_test

import (
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// TestInputBounds: a kind's fields and a result are objects whose members
// have their types, and their times and amounts lie where a referral can
// have them (docs/security.md, "Input boundary"); otherwise EINVALID
// names the member and nothing is sent.
func TestInputBounds(t *testing.T) {
	fx := newFixture(t)
	y1900 := time.Date(1900, 1, 1, 10, 0, 0, 0, time.UTC)
	before := fx.scalar("SELECT count(*) FROM referrals")
	wantMessage := func(t *testing.T, err error, field, message string) {
		t.Helper()
		wantField(t, err, field)
		var got string
		for _, fe := range wantCode(t, err, domain.EINVALID).Fields {
			if fe.Field == field {
				got = fe.Message
			}
		}
		if got != message {
			t.Errorf("%s: %q, want %q", field, got, message)
		}
	}

	criminal := func(fields map[string]any) error {
		_, err := fx.svc.Send(fx.as("enforcement.fz-amr"), referral.SendInput{Kind: referral.KindCriminal,
			ReceiverOrgID: fx.org("fz-psb"), Fields: raw(fields)})
		return err
	}
	base := func(decided any) map[string]any {
		return map[string]any{"offence": "假冒注册商标罪", "items": "茶叶 1200 盒", "decided_at": decided}
	}
	wantMessage(t, criminal(base(fx.now().Add(48*time.Hour))), "fields.decided_at", "validation.future")
	wantMessage(t, criminal(base(y1900)), "fields.decided_at", "validation.date_range")
	wantMessage(t, criminal(base("yesterday")), "fields.decided_at", "validation.datetime")
	wantMessage(t, criminal(map[string]any{"offence": 5}), "fields.offence", "validation.json_type")

	customs := func(fields map[string]any) error {
		_, err := fx.svc.Send(fx.as("assistance.fz"), referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
			ApplicationID: fx.application(), Fields: raw(fields)})
		return err
	}
	goods := func(amount any) map[string]any {
		return map[string]any{"mode": "on_application", "goods": "茶叶", "port": "马尾港", "guarantee_amount_fen": amount}
	}
	wantMessage(t, customs(goods(domain.MaxAmountFen+1)), "fields.guarantee_amount_fen", "validation.amount_max")
	wantMessage(t, customs(goods(-1)), "fields.guarantee_amount_fen", "validation.non_negative")
	wantMessage(t, customs(goods("100")), "fields.guarantee_amount_fen", "validation.json_type")
	if n := fx.scalar("SELECT count(*) FROM referrals"); n != before {
		t.Fatalf("%d referrals sent by refused requests", n-before)
	}

	// Acceptance: a kind that records nothing still wants an object.
	r := fx.send("enforcement.fz-amr", referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: fx.org("fz-psb"),
		Fields: raw(base(fx.now().Add(-time.Hour)))})
	psb := fx.as("enforcement.fz-psb")
	_, err := fx.svc.Accept(psb, r.ID, referral.AcceptInput{Version: r.Version, Fields: []byte(`"x"`)})
	wantMessage(t, err, "fields", "validation.object")

	c := fx.send("assistance.fz", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
		ApplicationID: fx.application(), Fields: raw(goods(100))})
	cust := fx.as("customs.fz")
	for _, tc := range []struct {
		at      any
		message string
	}{
		{y1900, "validation.date_range"},
		{fx.now().Add(time.Hour), "validation.future"},
		{12, "validation.datetime"},
	} {
		_, err := fx.svc.Accept(cust, c.ID, referral.AcceptInput{Version: c.Version, Fields: raw(map[string]any{"detained_at": tc.at})})
		wantMessage(t, err, "fields.detained_at", tc.message)
	}
	if v := fx.get("customs.fz", c.ID); v.Status != referral.StatusSent {
		t.Errorf("status %s after refused acceptances", v.Status)
	}
}
