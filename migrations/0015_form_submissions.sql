-- +goose Up
-- One-time tokens of the forms (and Idempotency-Key headers of the API):
-- a repeat of a submission already taken (a double click, a resent form,
-- a client retrying after a timeout) answers what the first one answered
-- instead of doing it again. A row is claimed before the work starts and
-- holds the answer once the work is done; a submission that failed
-- (invalid input, a conflict) releases its row. Rows older than a day are
-- removed when new ones are claimed.
CREATE TABLE submissions (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope      text        NOT NULL, -- the method and path submitted to
    token      text        NOT NULL CHECK (length(token) BETWEEN 16 AND 200),
    status     int,                  -- the answer, once done
    location   text        NOT NULL DEFAULT '',
    body       bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, scope, token)
);
CREATE INDEX submissions_created_idx ON submissions (created_at);

-- +goose Down
DROP TABLE submissions;
