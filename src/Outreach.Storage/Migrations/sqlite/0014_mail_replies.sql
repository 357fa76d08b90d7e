-- What the replies-and-bounces job found in the secretariat's mailbox, once per message: shown on the prospect page.
CREATE TABLE mail_reply (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id       TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    contact_id       INTEGER NULL REFERENCES contact (id),
    organisation_id  INTEGER NULL REFERENCES organisation (id),
    from_address     TEXT NULL,
    subject          TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    returns_on       TEXT NULL,
    bounced_address  TEXT NULL,
    outcome          TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX ix_mail_reply_organisation ON mail_reply (organisation_id, received_at);
CREATE INDEX ix_mail_reply_contact ON mail_reply (contact_id);
