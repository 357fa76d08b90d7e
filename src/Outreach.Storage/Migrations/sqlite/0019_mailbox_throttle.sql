-- Graph's limits per mailbox, shared by every node: a pause after 429/503 Retry-After (every request to the mailbox waits,
-- mail and calendar alike) and the sends of the last minute (Exchange Online's 30 a minute per mailbox). The mailbox row is
-- what a sender locks to take a slot. Instants are ISO-8601 UTC text, from the application's clock. No personal data.
CREATE TABLE mailbox_throttle (
    mailbox       TEXT PRIMARY KEY,
    paused_until  TEXT NULL
);

CREATE TABLE mail_send_slot (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox   TEXT NOT NULL,
    taken_at  TEXT NOT NULL
);

CREATE INDEX ix_mail_send_slot_mailbox ON mail_send_slot (mailbox, taken_at);
