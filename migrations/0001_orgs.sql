-- +goose Up
-- Organisations form a tree (city -> county); each is an authorization
-- domain. The type decides which roles exist inside it (docs/design.md §3).
CREATE TABLE orgs (
    id          bigserial PRIMARY KEY,
    code        text        NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    type        text        NOT NULL CHECK (type IN (
                    'leadership_office', 'mediation_committee', 'social_mediation_org',
                    'assistance_center', 'court', 'arbitration_commission', 'customs',
                    'enforcement', 'industry_association', 'enterprise')),
    level       text        NOT NULL DEFAULT '' CHECK (level IN ('', 'city', 'county')),
    parent_id   bigint      REFERENCES orgs (id),
    name_zh     text        NOT NULL CHECK (name_zh <> ''),
    name_en     text        NOT NULL DEFAULT '',
    -- GB/T 2260 administrative division code of the area it serves.
    region_code text        NOT NULL DEFAULT '' CHECK (region_code ~ '^([0-9]{6})?$'),
    -- Short code used in case numbers, e.g. 榕知调 in （2026）榕知调字第0001号.
    short_code  text        NOT NULL DEFAULT '',
    -- Unified social credit code (GB 32100), required for enterprises.
    credit_code text        UNIQUE,
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (type <> 'enterprise' OR credit_code IS NOT NULL),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX orgs_parent_id_idx ON orgs (parent_id);
CREATE INDEX orgs_type_idx ON orgs (type);

-- +goose Down
DROP TABLE orgs;
