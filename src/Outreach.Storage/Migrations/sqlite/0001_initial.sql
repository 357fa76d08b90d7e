-- Outreach schema, SQLite. Instants are ISO-8601 UTC text (fixed width, so text order is time order);
-- dates are yyyy-MM-dd text in Europe/Amsterdam; booleans are 0/1.
CREATE TABLE covenant (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL
);

CREATE TABLE organisation (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL,
    normalised_name  TEXT NOT NULL,
    party_kind       TEXT NOT NULL,
    sector           TEXT NOT NULL,
    country          TEXT NOT NULL,
    kvk_number       TEXT NULL,
    website_domain   TEXT NULL,
    owner            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX ix_organisation_normalised_name ON organisation (normalised_name);
CREATE INDEX ix_organisation_kvk_number ON organisation (kvk_number);
CREATE INDEX ix_organisation_website_domain ON organisation (website_domain);

CREATE TABLE contact (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  INTEGER NOT NULL REFERENCES organisation (id),
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    language         TEXT NOT NULL,
    role             TEXT NULL,
    opted_out_at     TEXT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX ix_contact_organisation ON contact (organisation_id);
CREATE INDEX ix_contact_email ON contact (email);

CREATE TABLE pipeline_entry (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id      INTEGER NOT NULL REFERENCES organisation (id),
    covenant_id          INTEGER NOT NULL REFERENCES covenant (id),
    stage                TEXT NOT NULL,
    stage_since          TEXT NOT NULL,
    revisit_on           TEXT NULL,
    next_action          TEXT NULL,
    next_action_due      TEXT NULL,
    next_action_overdue  INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    UNIQUE (organisation_id, covenant_id)
);
CREATE INDEX ix_pipeline_entry_stage ON pipeline_entry (stage);

-- Append-only: the truth from which stages and reports are computed.
CREATE TABLE stage_change (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id    INTEGER NOT NULL REFERENCES pipeline_entry (id),
    from_stage  TEXT NULL,
    to_stage    TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    revisit_on  TEXT NULL
);
CREATE INDEX ix_stage_change_entry ON stage_change (entry_id, changed_at);
CREATE TRIGGER stage_change_no_update BEFORE UPDATE ON stage_change
BEGIN SELECT RAISE(ABORT, 'stage_change is append-only'); END;
CREATE TRIGGER stage_change_no_delete BEFORE DELETE ON stage_change
BEGIN SELECT RAISE(ABORT, 'stage_change is append-only'); END;

CREATE TABLE job_run (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    job_name        TEXT NOT NULL,
    node            TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NULL,
    outcome         TEXT NOT NULL,
    summary         TEXT NULL,
    progress_done   INTEGER NOT NULL DEFAULT 0,
    progress_total  INTEGER NULL
);
CREATE INDEX ix_job_run_job ON job_run (job_name, started_at);
