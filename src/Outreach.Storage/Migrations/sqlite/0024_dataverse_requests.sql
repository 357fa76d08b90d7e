-- Requests from Dynamics (issue 20): a stage move a Dynamics user asked for on an otr_stagechange row, and a start from the
-- covenant set on an account. Each answer is kept under its key ('stage:<row id>', 'start:<account id>'), so a request
-- read again is never applied twice, and written back to the Dataverse row (dataverse_id) through the outbox (request_id).
-- An applied move points at the stage change it made: its write-back goes to the requested row instead of a row of its own.
CREATE TABLE dataverse_request (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_key      TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    dataverse_id     TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    message          TEXT NOT NULL,
    entry_id         INTEGER NULL REFERENCES pipeline_entry (id),
    stage_change_id  INTEGER NULL REFERENCES stage_change (id),
    answered_at      TEXT NOT NULL
);
CREATE INDEX ix_dataverse_request_stage_change ON dataverse_request (stage_change_id);

ALTER TABLE dataverse_outbox ADD COLUMN request_id INTEGER NULL REFERENCES dataverse_request (id);
