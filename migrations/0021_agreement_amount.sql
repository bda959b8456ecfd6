-- +goose Up
-- The sum of money a mediation agreement settles (compensation, a licence
-- fee), in fen; 0 when its terms pay none. The mediator enters it beside
-- the terms, which state it in words; the statistics add up the amounts
-- of the agreements that took effect in a period, beside the amounts
-- claimed. Agreements written before the column existed have 0: their
-- amount is only in the text of their terms.
ALTER TABLE case_agreements ADD COLUMN amount_fen bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0);
-- The statistics read the agreements with an amount by the day they took
-- effect.
CREATE INDEX case_agreements_amount_idx ON case_agreements (effective_at) INCLUDE (case_id, amount_fen) WHERE amount_fen > 0;

-- +goose Down
DROP INDEX IF EXISTS case_agreements_amount_idx;
ALTER TABLE case_agreements DROP COLUMN amount_fen;
