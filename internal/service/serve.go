package service

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
)

// ServeInput names the notice to serve and on whom: a party of the case,
// or every party (PartyID 0).
type ServeInput struct {
	Doc     notice.Doc
	PartyID int64
}

// maxPDF bounds a notice's PDF in the file store.
const maxPDF = 32 << 20

// Serve serves a notice of the case on a party or on every party: the PDF
// is written once (with the committee's seal where it may carry it),
// stored, and a service record per party written, audited
// (service.serve), put on the case's timeline and told to the party, in
// one transaction. ENOTFOUND: the case is not the actor's to see, or the
// notice does not print now; EFORBIDDEN: the actor does not work the case
// or lacks service:serve; EINVALID: doc or party_id.
func (s *Service) Serve(ctx context.Context, caseID int64, in ServeInput) ([]Record, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.d.Cases.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !s.Serves(a, v) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "only those who work the case serve its notices")
	}
	var f domain.Fields
	if !in.Doc.Valid() {
		f.Add("doc", "validation.invalid")
	}
	if in.PartyID < 0 {
		f.Add("party_id", "validation.invalid")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var parties []domain.Party
	for _, p := range v.Parties {
		if in.PartyID == 0 || p.ID == in.PartyID {
			parties = append(parties, p)
		}
	}
	if len(parties) == 0 {
		return nil, domain.Invalid(domain.FieldError{Field: "party_id", Message: "validation.invalid"})
	}
	n, err := notice.Build(v, in.Doc, s.d.Texts)
	if err != nil {
		return nil, err
	}
	seal, err := s.SealOf(ctx, v.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	file, err := notice.PDF(n, seal, now)
	if err != nil {
		return nil, fmtErr("pdf", err)
	}
	st, err := s.d.Blobs.Put(bytes.NewReader(file), maxPDF)
	if err != nil {
		return nil, fmtErr("store the pdf", err)
	}
	var out []Record
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The case as the transaction sees it: still the actor's to work.
		acc, err := s.d.Cases.AccessTx(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if !acc.Works {
			return domain.Errorf(domain.EFORBIDDEN, "only those who work the case serve its notices")
		}
		ids := make([]int64, 0, len(parties))
		for _, p := range parties {
			r := Record{CaseID: caseID, CaseNumber: v.Number, PartyID: p.ID, PartyName: p.Name, Doc: in.Doc, SHA256: st.SHA256,
				SizeBytes: st.Size, SentAt: now, SentBy: a.UserID, SentByName: a.Name(), Method: MethodElectronic}
			if err := tx.Raw(`INSERT INTO service_records (case_id, party_id, doc, storage_key, sha256, size_bytes, sent_at, sent_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, caseID, p.ID, string(in.Doc), st.Key, st.SHA256, st.Size, now, a.UserID).
				Scan(&r.ID).Error; err != nil {
				return fmtErr("insert record", err)
			}
			delivered, err := s.d.Teller.TellTx(ctx, tx, Message{CaseID: caseID, CaseNumber: v.Number, PartyID: p.ID, RecordID: r.ID,
				Doc: in.Doc, Title: Titles[in.Doc]})
			if err != nil {
				return fmtErr("tell the party", err)
			}
			if delivered {
				if err := s.DeliveredTx(ctx, tx, r.ID, now); err != nil {
					return err
				}
				r.DeliveredAt = &now
			}
			ids = append(ids, r.ID)
			out = append(out, r)
		}
		detail := map[string]any{"doc": string(in.Doc), "records": ids, "sha256": st.SHA256}
		if err := s.d.Cases.AddEventTx(ctx, tx, caseID, a, "service_served", detail, now); err != nil {
			return err
		}
		org := v.OrgID
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "service.serve", ObjectType: "case",
			ObjectID: strconv.FormatInt(caseID, 10), Detail: detail})
	})
	if err != nil {
		if derr := s.d.Blobs.Delete(st.Key); derr != nil {
			s.d.Log.Error("service: remove the pdf of a failed service", "key", st.Key, "err", derr)
		}
		return nil, err
	}
	return out, nil
}

// DeliveredTx records, inside tx, that the message of record id reached
// the party at at (the inbox, or a gateway's confirmation); only the
// first time counts.
func (s *Service) DeliveredTx(ctx context.Context, tx *gorm.DB, id int64, at time.Time) error {
	if err := tx.WithContext(ctx).Exec(`UPDATE service_records SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`,
		at.UTC(), id).Error; err != nil {
		return fmtErr("delivered", err)
	}
	return nil
}

// maxSeal bounds the seal image.
const maxSeal = 2 << 20

// SetSeal stores the committee's seal image (PNG), replacing the one
// before, audited (service.seal). EFORBIDDEN without service:seal in the
// organisation; EINVALID (seal) for anything but a PNG image.
func (s *Service) SetSeal(ctx context.Context, orgID int64, r io.Reader) error {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !s.can(a, orgID, "seal") {
		return domain.Errorf(domain.EFORBIDDEN, "only the committee's director uploads its seal")
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSeal+1))
	if err != nil {
		return fmtErr("read the seal", err)
	}
	if len(b) > maxSeal {
		return domain.Invalid(domain.FieldError{Field: "seal", Message: "validation.file_too_large", Params: map[string]any{"Max": maxSeal}})
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width == 0 || cfg.Height == 0 {
		return domain.Invalid(domain.FieldError{Field: "seal", Message: "service.seal_png"})
	}
	st, err := s.d.Blobs.Put(bytes.NewReader(b), maxSeal)
	if err != nil {
		return fmtErr("store the seal", err)
	}
	now := s.clock()
	var old string
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT storage_key FROM org_seals WHERE org_id = ? FOR UPDATE`, orgID).Scan(&old).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO org_seals (org_id, storage_key, sha256, size_bytes, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET storage_key = EXCLUDED.storage_key,
			sha256 = EXCLUDED.sha256, size_bytes = EXCLUDED.size_bytes, uploaded_by = EXCLUDED.uploaded_by,
			uploaded_at = EXCLUDED.uploaded_at`, orgID, st.Key, st.SHA256, st.Size, a.UserID, now).Error; err != nil {
			return err
		}
		return s.d.Audit.Append(ctx, tx, audit.Entry{OrgID: &orgID, Action: "service.seal", ObjectType: "org",
			ObjectID: strconv.FormatInt(orgID, 10), Detail: map[string]any{"sha256": st.SHA256, "size_bytes": st.Size}})
	})
	if err != nil {
		_ = s.d.Blobs.Delete(st.Key)
		return fmtErr("seal", err)
	}
	if old != "" && old != st.Key {
		if err := s.d.Blobs.Delete(old); err != nil {
			s.d.Log.Warn("service: remove the replaced seal", "key", old, "err", err)
		}
	}
	return nil
}

// SealOf is the seal image of organisation org, or nil when it has none.
// It is placed on the notices the reader may already see.
func (s *Service) SealOf(ctx context.Context, org int64) ([]byte, error) {
	var key string
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT storage_key FROM org_seals WHERE org_id = ?`, org).Scan(&key).Error; err != nil {
		return nil, fmtErr("seal", err)
	}
	if key == "" {
		return nil, nil
	}
	return s.read(key)
}

// SealStatus is the name of organisation org and whether it has
// uploaded its seal.
func (s *Service) SealStatus(ctx context.Context, org int64) (name string, has bool, err error) {
	var row struct {
		Name string
		Has  bool
	}
	err = s.d.DB.WithContext(ctx).Raw(`SELECT o.name_zh AS name, s.org_id IS NOT NULL AS has FROM orgs o
		LEFT JOIN org_seals s ON s.org_id = o.id WHERE o.id = ?`, org).Scan(&row).Error
	if err != nil {
		return "", false, fmtErr("seal", err)
	}
	return row.Name, row.Has, nil
}

func (s *Service) read(key string) ([]byte, error) {
	rc, err := s.d.Blobs.Open(key)
	if err != nil {
		return nil, fmtErr("open file", err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
