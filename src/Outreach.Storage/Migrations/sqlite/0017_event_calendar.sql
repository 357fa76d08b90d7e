-- The Microsoft 365 calendar channel (Events:Calendar=Graph): per network event its one Graph calendar event, the Teams
-- meeting, and what was pushed and read already, so a repeated channel call or job run does nothing twice.
-- Instants are ISO-8601 UTC text. No personal data: attendees live in Graph and in invitation.
CREATE TABLE event_calendar (
    event_id            INTEGER PRIMARY KEY REFERENCES network_event (id),
    mailbox             TEXT NOT NULL,
    transaction_id      TEXT NOT NULL UNIQUE,
    calendar_event_id   TEXT NULL,
    join_url            TEXT NULL,
    online_meeting_id   TEXT NULL,
    pushed_sequence     INTEGER NULL,
    cancel_pushed_at    TEXT NULL,
    responses_read_at   TEXT NULL,
    attendance_read_at  TEXT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
