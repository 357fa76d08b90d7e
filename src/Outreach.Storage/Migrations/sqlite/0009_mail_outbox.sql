-- The mail outbox: every mail is a row before it is sent (see OutboxDispatcher for the exactly-once protocol).
CREATE TABLE mail_outbox (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key   TEXT NOT NULL UNIQUE,
    purpose           TEXT NOT NULL,
    contact_id        INTEGER NULL REFERENCES contact (id),
    to_address        TEXT NOT NULL,
    to_name           TEXT NOT NULL,
    subject           TEXT NOT NULL,
    html_body         TEXT NOT NULL,
    text_body         TEXT NOT NULL,
    unsubscribe_url   TEXT NULL,
    template_key      TEXT NULL,
    template_version  INTEGER NULL,
    due_at            TEXT NOT NULL,
    status            TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NULL,
    claimed_by        TEXT NULL,
    claimed_until     TEXT NULL,
    sent_at           TEXT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX ix_mail_outbox_due ON mail_outbox (status, due_at);
CREATE INDEX ix_mail_outbox_contact ON mail_outbox (contact_id);
