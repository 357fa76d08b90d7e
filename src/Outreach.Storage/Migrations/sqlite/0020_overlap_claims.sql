-- Issue 13: two overlapping runs of a job must leave the same result as one, without the scheduler's lock.
-- An automatic enrolment (an event's follow-up) names what made it; each such key enrols once, even after the enrolment ended.
ALTER TABLE enrolment ADD COLUMN source_key TEXT NULL;
CREATE UNIQUE INDEX ux_enrolment_source_key ON enrolment (source_key);

-- The replies job claims a mailbox message before handling it (two runs read the same inbox): a claim with a lease, made
-- final (held_until NULL) when the outcome is recorded; a run that crashed leaves a lease that lapses, and the message is
-- handled again, never lost. Messages handled before this migration are final claims. Instants are ISO-8601 UTC text.
CREATE TABLE mail_reply_claim (
    message_id   TEXT PRIMARY KEY,
    claimed_by   TEXT NOT NULL,
    held_until   TEXT NULL
);
INSERT INTO mail_reply_claim (message_id, claimed_by, held_until) SELECT message_id, 'before 0020', NULL FROM mail_reply;

-- A sync that must run once at a time (the Dataverse sync): who holds it, until when (renewed while it runs).
CREATE TABLE sync_lease (
    name         TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,
    held_until   TEXT NOT NULL
);
