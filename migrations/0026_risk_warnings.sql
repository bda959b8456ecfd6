-- +goose Up
-- Industry risk warnings (风险预警, internal/warning, docs/design.md §10).
--
-- Industries: the sectors an enterprise (or an association) belongs to.
-- The list is data (with its names) so that a city can add one without a
-- release of the code.
CREATE TABLE industries (
    code     text    PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{0,40}$'),
    name_zh  text    NOT NULL CHECK (name_zh <> ''),
    name_en  text    NOT NULL CHECK (name_en <> ''),
    position integer NOT NULL DEFAULT 0,
    active   boolean NOT NULL DEFAULT true
);
INSERT INTO industries (code, name_zh, name_en, position) VALUES
    ('software', '软件和信息技术服务', 'Software and IT services', 1),
    ('electronics', '电子信息制造', 'Electronics manufacturing', 2),
    ('textile_apparel', '纺织服装', 'Textiles and apparel', 3),
    ('footwear', '鞋服制造', 'Footwear', 4),
    ('food_beverage', '食品饮料', 'Food and beverages', 5),
    ('tea', '茶叶', 'Tea', 6),
    ('arts_crafts', '工艺美术（寿山石、脱胎漆器等）', 'Arts and crafts (Shoushan stone, bodiless lacquer …)', 7),
    ('biomedicine', '生物医药', 'Biomedicine', 8),
    ('machinery', '机械装备', 'Machinery and equipment', 9),
    ('culture_creative', '文化创意', 'Culture and creative industries', 10),
    ('new_energy', '新能源', 'New energy', 11),
    ('ecommerce', '跨境电商', 'Cross-border e-commerce', 12);

-- The industries an organisation chose (an enterprise at registration or
-- on its profile; an association, the industry it speaks for).
CREATE TABLE org_industries (
    org_id   bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    industry text   NOT NULL REFERENCES industries (code),
    PRIMARY KEY (org_id, industry)
);
CREATE INDEX org_industries_industry_idx ON org_industries (industry, org_id);

-- A warning: drafted by a person or by the drafting rule, published to
-- the enterprises of its industries, or discarded.
CREATE TABLE risk_warnings (
    id           bigserial   PRIMARY KEY,
    -- The issuing body: the assistance centre, an enforcement body (the
    -- IP office) or an industry association.
    org_id       bigint      NOT NULL REFERENCES orgs (id),
    status       text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'discarded')),
    title        text        NOT NULL CHECK (title <> ''),
    situation    text        NOT NULL DEFAULT '',
    rights       text        NOT NULL DEFAULT '',
    advice       text        NOT NULL DEFAULT '',
    -- links: the public facts (http(s) addresses); industries: the codes
    -- of industries the warning goes to.
    links        jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    industries   jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(industries) = 'array'),
    -- A draft of the rule names its pattern (respondent, industry), the
    -- pattern's key and the window (days since 1970-01-01 divided by the
    -- window's length): one draft per pattern and window, however many
    -- workers run the rule (unique index below).
    rule         text        NOT NULL DEFAULT '' CHECK (rule IN ('', 'respondent', 'industry')),
    rule_key     text        NOT NULL DEFAULT '',
    rule_window  integer     NOT NULL DEFAULT 0,
    -- The matters a drafted warning came from: [{"type": "case"|"application", "id", "number"}].
    sources      jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sources) = 'array'),
    created_by   bigint      REFERENCES users (id),
    published_by bigint      REFERENCES users (id),
    published_at timestamptz,
    discarded_at timestamptz,
    discard_reason text      NOT NULL DEFAULT '',
    version      integer     NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
CREATE UNIQUE INDEX risk_warnings_rule_key ON risk_warnings (rule, rule_key, rule_window) WHERE rule <> '';
CREATE INDEX risk_warnings_org_idx ON risk_warnings (org_id, id DESC);
CREATE INDEX risk_warnings_published_idx ON risk_warnings (published_at DESC) WHERE status = 'published';

-- Who a published warning reached (each enterprise of its industries at
-- publication, once) and when one of its users first opened it.
CREATE TABLE risk_warning_recipients (
    warning_id bigint      NOT NULL REFERENCES risk_warnings (id) ON DELETE CASCADE,
    org_id     bigint      NOT NULL REFERENCES orgs (id),
    reached_at timestamptz NOT NULL,
    read_at    timestamptz,
    read_by    bigint      REFERENCES users (id),
    PRIMARY KEY (warning_id, org_id)
);
CREATE INDEX risk_warning_recipients_org_idx ON risk_warning_recipients (org_id, warning_id DESC);

-- +goose Down
DROP TABLE risk_warning_recipients;
DROP TABLE risk_warnings;
DROP TABLE org_industries;
DROP TABLE industries;
