-- +goose Up
-- Role assignments, the only authorization data kept in the database. The
-- table is the one casbin's gorm-adapter (v3.39.0) reads and writes, shaped
-- exactly like its CasbinRule struct and carrying the unique index the
-- adapter would create; internal/authz turns the adapter's AutoMigrate off,
-- so this migration is the table's only definition.
--
-- Every row is a casbin grouping rule (docs/design.md §3):
--   g, user:<id>, <role>,    org:<id>   the user holds <role> in organisation <id>
--   g, user:<id>, sysadmin,  system     the user is a system administrator
-- The role -> permission rules ("p" rows) are configuration, kept in
-- configs/policy.csv and never stored here. The CHECKs below hold that line
-- and keep every subject and domain parseable, so the memberships view can
-- cast them without ever failing.
--
-- The columns are NOT NULL DEFAULT '' (the adapter writes '' for unused
-- fields) so that the unique index also catches rows written by plain SQL:
-- with NULLs two identical assignments would not conflict.
CREATE TABLE casbin_rule (
    id    bigserial    PRIMARY KEY,
    ptype varchar(100) NOT NULL DEFAULT '',
    v0    varchar(100) NOT NULL DEFAULT '',
    v1    varchar(100) NOT NULL DEFAULT '',
    v2    varchar(100) NOT NULL DEFAULT '',
    v3    varchar(100) NOT NULL DEFAULT '',
    v4    varchar(100) NOT NULL DEFAULT '',
    v5    varchar(100) NOT NULL DEFAULT '',
    -- Only role assignments; a stray "p" row would grant a permission
    -- outside the reviewed policy file.
    CONSTRAINT casbin_rule_grouping_only CHECK (ptype = 'g'),
    -- At most 18 digits, so the view's cast to bigint cannot overflow.
    CONSTRAINT casbin_rule_subject CHECK (v0 ~ '^user:[1-9][0-9]{0,17}$'),
    -- domain.Roles; a new role needs a migration, as a new org type does.
    CONSTRAINT casbin_rule_role CHECK (v1 IN (
        'sysadmin', 'leader', 'director', 'clerk', 'mediator', 'assistance_officer',
        'court_liaison', 'arbitration_clerk', 'customs_officer', 'enforcement_officer',
        'association_staff', 'applicant')),
    CONSTRAINT casbin_rule_domain CHECK (v2 ~ '^org:[1-9][0-9]{0,17}$' OR v2 = 'system'),
    -- sysadmin is global: held in the system domain and nowhere else, and
    -- the system domain holds nothing else (it applies in every organisation).
    CONSTRAINT casbin_rule_system_sysadmin CHECK ((v2 = 'system') = (v1 = 'sysadmin')),
    CONSTRAINT casbin_rule_unused CHECK (v3 = '' AND v4 = '' AND v5 = '')
);
-- The adapter's own index (same name and columns as it creates itself): it
-- makes AddPolicy's ON CONFLICT DO NOTHING, and so a repeated grant, a no-op.
CREATE UNIQUE INDEX idx_casbin_rule ON casbin_rule (ptype, v0, v1, v2, v3, v4, v5);

-- Role assignments in relational form, so that other SQL can join them
-- without a second copy to keep in step. The system domain appears with
-- org_id NULL: a system administrator is listed (role 'sysadmin'), while a
-- join on org_id = orgs.id naturally leaves the row out, because sysadmin
-- belongs to no organisation.
CREATE VIEW memberships AS
SELECT substr(v0, 6)::bigint                                  AS user_id,
       v1::text                                               AS role,
       CASE WHEN v2 = 'system' THEN NULL ELSE substr(v2, 5)::bigint END AS org_id
FROM casbin_rule
WHERE ptype = 'g';
COMMENT ON VIEW memberships IS
    'Role assignments from casbin_rule (g rows). org_id is NULL for the system domain, i.e. for sysadmin.';

-- The view's expressions, indexed as written, so that "roles of user X" and
-- "members of organisation Y" through the view use an index.
CREATE INDEX casbin_rule_user_id_idx ON casbin_rule ((substr(v0, 6)::bigint));
CREATE INDEX casbin_rule_org_id_idx ON casbin_rule
    ((CASE WHEN v2 = 'system' THEN NULL ELSE substr(v2, 5)::bigint END));

-- +goose Down
DROP VIEW memberships;
DROP TABLE casbin_rule;
