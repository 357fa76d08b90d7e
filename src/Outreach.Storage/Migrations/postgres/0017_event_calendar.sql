-- The Microsoft 365 calendar channel (Events:Calendar=Graph): per network event its one Graph calendar event, the Teams
-- meeting, and what was pushed and read already, so a repeated channel call or job run does nothing twice.
-- No personal data: attendees live in Graph and in invitation.
CREATE TABLE event_calendar (
    event_id            bigint PRIMARY KEY REFERENCES network_event (id),
    mailbox             text NOT NULL,
    transaction_id      text NOT NULL UNIQUE,
    calendar_event_id   text NULL,
    join_url            text NULL,
    online_meeting_id   text NULL,
    pushed_sequence     integer NULL,
    cancel_pushed_at    timestamptz NULL,
    responses_read_at   timestamptz NULL,
    attendance_read_at  timestamptz NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
