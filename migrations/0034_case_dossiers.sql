-- +goose Up
-- The case dossier (卷宗, internal/dossier, docs/design.md §4 "The
-- dossier"): a closed case is archived as one PDF and one ZIP in the file
-- store, under an archive number (档案号) given per committee and year
-- without gaps. An archived case is read-only.

-- The last archive number given per committee and year; the archiving
-- transaction locks its row until commit, so numbers have no gaps.
CREATE TABLE dossier_counters (
    org_id bigint  NOT NULL REFERENCES orgs (id),
    year   integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last   integer NOT NULL CHECK (last >= 0),
    PRIMARY KEY (org_id, year)
);

CREATE TABLE case_dossiers (
    id             bigserial   PRIMARY KEY,
    case_id        bigint      NOT NULL UNIQUE REFERENCES cases (id),
    org_id         bigint      NOT NULL REFERENCES orgs (id),
    archive_year   integer     NOT NULL CHECK (archive_year BETWEEN 2000 AND 2999),
    archive_seq    integer     NOT NULL CHECK (archive_seq > 0),
    archive_number text        NOT NULL UNIQUE CHECK (archive_number <> ''),
    pdf_key        text        NOT NULL UNIQUE,
    pdf_sha256     text        NOT NULL CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
    pdf_size       bigint      NOT NULL CHECK (pdf_size > 0),
    pdf_pages      integer     NOT NULL CHECK (pdf_pages > 0),
    zip_key        text        NOT NULL UNIQUE,
    zip_sha256     text        NOT NULL CHECK (zip_sha256 ~ '^[0-9a-f]{64}$'),
    zip_size       bigint      NOT NULL CHECK (zip_size > 0),
    archived_at    timestamptz NOT NULL,
    archived_by    bigint      NOT NULL REFERENCES users (id),
    UNIQUE (org_id, archive_year, archive_seq)
);

-- A dossier is the record: it is never changed nor removed.
-- +goose StatementBegin
CREATE FUNCTION case_dossiers_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case dossiers are immutable' USING ERRCODE = 'IPARC';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER case_dossiers_immutable BEFORE UPDATE OR DELETE ON case_dossiers
    FOR EACH ROW EXECUTE FUNCTION case_dossiers_immutable();

-- When the case was archived; set once, by the archiving transaction.
ALTER TABLE cases ADD COLUMN archived_at timestamptz;

-- The schema's own guard that an archived case stays as archived, behind
-- the services' checks: any change to the case row, or to a row of the
-- case's own tables, fails with SQLSTATE IPARC, which the web layer
-- answers with 409 "the case is archived". Deadlines are not guarded:
-- the parties' periods (judicial confirmation, performance) run on after
-- the archive, and the sweeper marks them.
-- +goose StatementBegin
CREATE FUNCTION refuse_archived_case() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cid bigint;
BEGIN
    IF TG_TABLE_NAME = 'cases' THEN
        IF OLD.archived_at IS NOT NULL THEN
            RAISE EXCEPTION 'case % is archived', OLD.id USING ERRCODE = 'IPARC';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        cid := OLD.case_id;
    ELSE
        cid := NEW.case_id;
    END IF;
    IF cid IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = cid AND archived_at IS NOT NULL) THEN
        RAISE EXCEPTION 'case % is archived', cid USING ERRCODE = 'IPARC';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER cases_archived_guard BEFORE UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_parties_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_parties
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_rights_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_rights
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_mediators_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_mediators
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_objections_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_objections
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_sessions_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_sessions
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_agreements_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_agreements
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_events_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER case_performance_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_performance
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
CREATE TRIGGER documents_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();
-- A referral from an archived case is refused; one sent before the
-- archive (a judicial confirmation) goes on to its result.
CREATE TRIGGER referrals_archived_guard BEFORE INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();

-- +goose Down
DROP TRIGGER referrals_archived_guard ON referrals;
DROP TRIGGER documents_archived_guard ON documents;
DROP TRIGGER case_performance_archived_guard ON case_performance;
DROP TRIGGER case_events_archived_guard ON case_events;
DROP TRIGGER case_agreements_archived_guard ON case_agreements;
DROP TRIGGER case_sessions_archived_guard ON case_sessions;
DROP TRIGGER case_objections_archived_guard ON case_objections;
DROP TRIGGER case_mediators_archived_guard ON case_mediators;
DROP TRIGGER case_rights_archived_guard ON case_rights;
DROP TRIGGER case_parties_archived_guard ON case_parties;
DROP TRIGGER cases_archived_guard ON cases;
DROP FUNCTION refuse_archived_case();
ALTER TABLE cases DROP COLUMN archived_at;
DROP TRIGGER case_dossiers_immutable ON case_dossiers;
DROP FUNCTION case_dossiers_immutable();
DROP TABLE case_dossiers;
DROP TABLE dossier_counters;
