-- +goose Up
-- Fairs are managed in the UI by the assistance centre and the IP office
-- (internal/assistance, docs/design.md §8): who organises a fair, where
-- and when it is held. The city's work plan names five fairs whose IP
-- protection it strengthens (seed item 9); three were missing.
ALTER TABLE exhibitions
    ADD COLUMN organiser  text        NOT NULL DEFAULT '',
    ADD COLUMN venue      text        NOT NULL DEFAULT '',
    ADD COLUMN starts_on  date,
    ADD COLUMN ends_on    date,
    ADD COLUMN version    integer     NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT exhibitions_dates_check CHECK (starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on);
INSERT INTO exhibitions (code, name_zh, name_en, season, position) VALUES
    ('sports-expo', '体育博览会（体博会）', 'Sports Expo', '', 5),
    ('silk-road-film', '丝绸之路国际电影节', 'Silk Road International Film Festival', '', 6),
    ('sugar-wine-fair', '全国糖酒商品交易会（糖酒会）', 'China Food and Drinks Fair', '', 7)
ON CONFLICT (code) DO NOTHING;

-- +goose Down
DELETE FROM exhibitions e WHERE e.code IN ('sports-expo', 'silk-road-film', 'sugar-wine-fair')
    AND NOT EXISTS (SELECT 1 FROM assistance_applications a WHERE a.exhibition_code = e.code)
    AND NOT EXISTS (SELECT 1 FROM exhibition_complaints c WHERE c.exhibition_code = e.code);
ALTER TABLE exhibitions DROP CONSTRAINT exhibitions_dates_check, DROP COLUMN organiser, DROP COLUMN venue,
    DROP COLUMN starts_on, DROP COLUMN ends_on, DROP COLUMN version, DROP COLUMN updated_at;
