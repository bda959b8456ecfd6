-- +goose Up
-- The annual work report (年度工作情况报告) each member unit of the
-- leading group sends its office by 20 December (the work plan, section
-- 四(四)): one row per organisation and year. The unit drafts it (four
-- text sections), submits it (the year's figures are frozen into
-- figures at that moment), the office returns it for revision or accepts
-- it; an accepted report is final. version guards concurrent edits.
CREATE TABLE annual_reports (
    id           bigserial PRIMARY KEY,
    org_id       bigint      NOT NULL REFERENCES orgs (id),
    year         int         NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status       text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    work         text        NOT NULL DEFAULT '', -- 工作开展情况
    results      text        NOT NULL DEFAULT '', -- 主要成效和经验
    problems     text        NOT NULL DEFAULT '', -- 存在的问题
    plans        text        NOT NULL DEFAULT '', -- 下一步工作计划
    figures      jsonb,                           -- frozen at submission
    due_at       timestamptz NOT NULL,
    submitted_at timestamptz,
    submitted_by bigint      REFERENCES users (id),
    late         boolean     NOT NULL DEFAULT false,
    decided_at   timestamptz,
    decided_by   bigint      REFERENCES users (id),
    comment      text        NOT NULL DEFAULT '', -- the office's, on return
    version      int         NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, year),
    CHECK (status = 'draft' OR submitted_at IS NOT NULL)
);
CREATE INDEX annual_reports_year_idx ON annual_reports (year, status);

-- The report's history: every save, submission, return and acceptance.
CREATE TABLE annual_report_events (
    id        bigserial PRIMARY KEY,
    report_id bigint      NOT NULL REFERENCES annual_reports (id),
    action    text        NOT NULL CHECK (action IN ('save', 'submit', 'return', 'accept')),
    user_id   bigint      NOT NULL REFERENCES users (id),
    comment   text        NOT NULL DEFAULT '',
    at        timestamptz NOT NULL
);
CREATE INDEX annual_report_events_report_idx ON annual_report_events (report_id, id);

-- +goose Down
DROP TABLE annual_report_events;
DROP TABLE annual_reports;
