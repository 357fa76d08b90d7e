-- Mail templates, versioned: a save adds a version, so a sent mail's template_key + template_version say exactly what it used.
CREATE TABLE mail_template (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL,
    language    TEXT NOT NULL,
    version     INTEGER NOT NULL,
    subject     TEXT NOT NULL,
    html        TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (key, language, version)
);

-- A sequence: ordered steps (template + wait in Dutch business days) serving one pipeline stage.
CREATE TABLE mail_sequence (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL UNIQUE,
    stage              TEXT NOT NULL,
    enrol_on_entering  TEXT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE TABLE mail_sequence_step (
    sequence_id         INTEGER NOT NULL REFERENCES mail_sequence (id),
    position            INTEGER NOT NULL,
    template_key        TEXT NOT NULL,
    wait_business_days  INTEGER NOT NULL,
    PRIMARY KEY (sequence_id, position)
);

-- A contact's place in a sequence for one prospect.
CREATE TABLE enrolment (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    sequence_id      INTEGER NOT NULL REFERENCES mail_sequence (id),
    prospect_id      INTEGER NOT NULL REFERENCES pipeline_entry (id),
    contact_id       INTEGER NOT NULL REFERENCES contact (id),
    organisation_id  INTEGER NOT NULL REFERENCES organisation (id),
    state            TEXT NOT NULL,
    next_step        INTEGER NOT NULL,
    next_due         TEXT NULL,
    paused_until     TEXT NULL,
    held_until       TEXT NULL,
    stopped_because  TEXT NULL,
    enrolled_at      TEXT NOT NULL,
    enrolled_by      TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
-- One open enrolment per contact, sequence and prospect: enrolling twice is refused.
CREATE UNIQUE INDEX ux_enrolment_open ON enrolment (sequence_id, prospect_id, contact_id) WHERE state IN ('active', 'paused');
CREATE INDEX ix_enrolment_due ON enrolment (state, next_due);
CREATE INDEX ix_enrolment_prospect ON enrolment (prospect_id);
CREATE INDEX ix_enrolment_contact ON enrolment (contact_id);
CREATE INDEX ix_enrolment_organisation ON enrolment (organisation_id);

-- A hard bounce marks the address: no more outreach to it until someone corrects it.
ALTER TABLE contact ADD COLUMN bounced_at TEXT NULL;

-- Where the replies-and-bounces job left off in the mailbox (the Graph delta link).
CREATE TABLE mailbox_state (
    mailbox     TEXT PRIMARY KEY,
    delta_link  TEXT NULL,
    updated_at  TEXT NOT NULL
);
