-- Network events and their invitations (issue 7). Attendance (door check-in, online) is kept on the invitation;
-- walk-ins are invitations made at the door. Instants are ISO-8601 UTC text; booleans 0/1.
CREATE TABLE network_event (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    title                  TEXT NOT NULL,
    covenant_id            INTEGER NOT NULL REFERENCES covenant (id),
    host_organisation_id   INTEGER NULL REFERENCES organisation (id),
    format                 TEXT NOT NULL,
    venue                  TEXT NULL,
    online_join_url        TEXT NULL,
    starts_at              TEXT NOT NULL,
    ends_at                TEXT NOT NULL,
    capacity               INTEGER NOT NULL,
    registration_deadline  TEXT NOT NULL,
    description_nl         TEXT NOT NULL DEFAULT '',
    description_en         TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL,
    uid                    TEXT NOT NULL UNIQUE,
    sequence               INTEGER NOT NULL DEFAULT 0,
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX ix_network_event_starts ON network_event (starts_at);

CREATE TABLE invitation (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id             INTEGER NOT NULL REFERENCES network_event (id),
    contact_id           INTEGER NOT NULL REFERENCES contact (id),
    response             TEXT NOT NULL,
    responded_at         TEXT NULL,
    place                TEXT NOT NULL,
    waitlist_number      INTEGER NULL,
    place_offered_until  TEXT NULL,
    checked_in_at        TEXT NULL,
    attended_online      INTEGER NOT NULL DEFAULT 0,
    walk_in              INTEGER NOT NULL DEFAULT 0,
    invited_at           TEXT NOT NULL,
    UNIQUE (event_id, contact_id)
);
CREATE INDEX ix_invitation_contact ON invitation (contact_id);

-- An invitation's iCalendar part travels with its mail through the outbox.
ALTER TABLE mail_outbox ADD COLUMN calendar_method TEXT NULL;
ALTER TABLE mail_outbox ADD COLUMN calendar_content TEXT NULL;
