-- The write-back outbox also carries network events and invitations (issue 7): a row points at a pipeline entry (stage
-- change, next action), an event, or an invitation (with its event). SQLite cannot drop the NOT NULL of entry_id, so the
-- table is rebuilt: rows keep their ids, the AUTOINCREMENT high-water mark is carried over (an id is never handed out
-- twice), and the pending index is made again (DROP TABLE takes it along). Nothing references dataverse_outbox.
CREATE TABLE dataverse_outbox_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    entry_id         INTEGER NULL REFERENCES pipeline_entry (id),
    stage_change_id  INTEGER NULL REFERENCES stage_change (id),
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NULL,
    sent_at          TEXT NULL,
    event_id         INTEGER NULL REFERENCES network_event (id),
    invitation_id    INTEGER NULL REFERENCES invitation (id)
);

INSERT INTO dataverse_outbox_new (id, idempotency_key, kind, entry_id, stage_change_id, created_at, attempts, last_error, sent_at)
SELECT id, idempotency_key, kind, entry_id, stage_change_id, created_at, attempts, last_error, sent_at FROM dataverse_outbox ORDER BY id;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'dataverse_outbox_new', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'dataverse_outbox_new');
UPDATE sqlite_sequence
SET seq = MAX(seq, COALESCE((SELECT s.seq FROM sqlite_sequence s WHERE s.name = 'dataverse_outbox'), 0))
WHERE name = 'dataverse_outbox_new';

DROP TABLE dataverse_outbox;
ALTER TABLE dataverse_outbox_new RENAME TO dataverse_outbox;
CREATE INDEX ix_dataverse_outbox_pending ON dataverse_outbox (sent_at, id);
