-- Issue 15: calls, meetings and notes logged against a prospect (a pipeline entry), and the indexes that let the prospect's
-- timeline read every source newest first by (prospect or its organisation's contacts, time). Instants are ISO-8601 UTC
-- text, dates yyyy-MM-dd. origin is 'outreach' or 'dynamics' and dataverse_id the Dynamics activity's id, for the two-way
-- sync that comes later: a row read in from Dynamics is never written back.
CREATE TABLE activity (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    prospect_id       INTEGER NOT NULL REFERENCES pipeline_entry (id),
    kind              TEXT NOT NULL,
    occurred_at       TEXT NOT NULL,
    text              TEXT NOT NULL DEFAULT '',
    direction         TEXT NULL,
    outcome           TEXT NULL,
    duration_minutes  INTEGER NULL,
    location          TEXT NULL,
    other_attendees   TEXT NULL,
    follow_up         TEXT NULL,
    follow_up_due     TEXT NULL,
    author            TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    edited_at         TEXT NULL,
    corrects_id       INTEGER NULL REFERENCES activity (id),
    origin            TEXT NOT NULL DEFAULT 'outreach',
    dataverse_id      TEXT NULL
);
CREATE INDEX ix_activity_prospect ON activity (prospect_id, occurred_at);
CREATE UNIQUE INDEX ux_activity_dataverse_id ON activity (dataverse_id);

-- The contacts an activity was with, by the name they had then; erasing the contact empties the name (the link stays).
CREATE TABLE activity_contact (
    activity_id   INTEGER NOT NULL REFERENCES activity (id),
    contact_id    INTEGER NOT NULL REFERENCES contact (id),
    contact_name  TEXT NULL,
    PRIMARY KEY (activity_id, contact_id)
);
CREATE INDEX ix_activity_contact_contact ON activity_contact (contact_id);

-- The timeline's other sources, by (who, time): mail sent and invitations go by contact (the organisation's contacts),
-- enrolments by prospect. stage_change (entry_id, changed_at) and mail_reply (organisation_id, received_at) have theirs.
CREATE INDEX ix_mail_outbox_contact_sent ON mail_outbox (contact_id, sent_at) WHERE status = 'sent';
CREATE INDEX ix_enrolment_prospect_enrolled ON enrolment (prospect_id, enrolled_at);
CREATE INDEX ix_enrolment_prospect_updated ON enrolment (prospect_id, updated_at);
CREATE INDEX ix_invitation_contact_invited ON invitation (contact_id, invited_at);
-- My day: open next actions by due date.
CREATE INDEX ix_pipeline_entry_next_action_due ON pipeline_entry (next_action_due) WHERE next_action IS NOT NULL;
