-- +goose Up
-- The statistics break the cases down by kind of IP right and count the
-- cases filed with an SME among the applicants; each figure links to the
-- case list filtered the same way (right_kind, sme_applicant). These
-- indexes serve both the counts and the lists: the kind first for the
-- list's "cases involving a right of this kind", and the SME applicants
-- as a partial index small enough to read whole.
CREATE INDEX case_rights_kind_case_idx ON case_rights (kind, case_id);
CREATE INDEX case_parties_sme_applicant_idx ON case_parties (case_id) WHERE role = 'applicant' AND is_sme;

-- +goose Down
DROP INDEX IF EXISTS case_parties_sme_applicant_idx;
DROP INDEX IF EXISTS case_rights_kind_case_idx;
