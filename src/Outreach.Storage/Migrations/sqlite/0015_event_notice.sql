-- What an event change must tell its invitees (an invitation, an update, a cancellation, an offered place) is a row
-- written in the change's own transaction, then passed to the channel (mail or the Microsoft 365 calendar) and marked
-- done; a crash in between leaves the row to the event-notices job. Instants are ISO-8601 UTC text.
CREATE TABLE event_notice (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       INTEGER NOT NULL REFERENCES network_event (id),
    invitation_id  INTEGER NOT NULL REFERENCES invitation (id),
    kind           TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    status         TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NULL,
    claimed_by     TEXT NULL,
    claimed_until  TEXT NULL,
    done_at        TEXT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX ix_event_notice_open ON event_notice (status, due_at) WHERE status IN ('pending', 'sending');
CREATE INDEX ix_event_notice_invitation ON event_notice (invitation_id, id);
CREATE INDEX ix_event_notice_event ON event_notice (event_id, status);
