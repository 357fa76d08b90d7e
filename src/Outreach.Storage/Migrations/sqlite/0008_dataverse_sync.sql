-- Dataverse sync: each organisation and contact may mirror a Dataverse row (its id), is marked removed (never deleted)
-- when that row goes, and remembers the full read that last saw it. The sync state holds the links per table.
ALTER TABLE organisation ADD COLUMN dataverse_id TEXT NULL;
ALTER TABLE organisation ADD COLUMN dataverse_generation INTEGER NULL;
ALTER TABLE organisation ADD COLUMN removed_at TEXT NULL;
ALTER TABLE organisation ADD COLUMN address_line TEXT NULL;
ALTER TABLE organisation ADD COLUMN postal_code TEXT NULL;
ALTER TABLE organisation ADD COLUMN city TEXT NULL;
CREATE UNIQUE INDEX ux_organisation_dataverse_id ON organisation (dataverse_id);

ALTER TABLE contact ADD COLUMN dataverse_id TEXT NULL;
ALTER TABLE contact ADD COLUMN dataverse_generation INTEGER NULL;
ALTER TABLE contact ADD COLUMN removed_at TEXT NULL;
CREATE UNIQUE INDEX ux_contact_dataverse_id ON contact (dataverse_id);

CREATE TABLE dataverse_sync_state (
    table_name       TEXT PRIMARY KEY,
    next_link        TEXT NULL,
    delta_link       TEXT NULL,
    generation       INTEGER NOT NULL DEFAULT 0,
    full_read        INTEGER NOT NULL DEFAULT 0,
    updated_at       TEXT NOT NULL
);

-- Write-back outbox: a row first (in the transaction of the change), then sent, then marked. What is sent is read at
-- send time: the entry's current stage and next action, and the stage change itself. The key makes a second enqueue of the same change a no-op,
-- and the Dataverse ids in the payload are derived from it, so a resend after a crash updates instead of creating.
CREATE TABLE dataverse_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    entry_id         INTEGER NOT NULL REFERENCES pipeline_entry (id),
    stage_change_id  INTEGER NULL REFERENCES stage_change (id),
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NULL,
    sent_at          TEXT NULL
);
CREATE INDEX ix_dataverse_outbox_pending ON dataverse_outbox (sent_at, id);
