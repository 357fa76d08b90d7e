-- The audit trail: who changed what, when, with the values before and after. Append-only (triggers refuse
-- update and delete). Personal values live in audit_personal, keyed by contact, so erasing a contact can
-- remove them while the audit entry itself (who, when, which fields) stays.
CREATE TABLE audit_entry (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    action     TEXT NOT NULL,
    changes    TEXT NOT NULL
);
CREATE INDEX ix_audit_entry_at ON audit_entry (at);
CREATE INDEX ix_audit_entry_entity ON audit_entry (entity, entity_id);
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END;

CREATE TABLE audit_personal (
    audit_id    INTEGER NOT NULL PRIMARY KEY REFERENCES audit_entry (id),
    contact_id  INTEGER NOT NULL,
    changes     TEXT NOT NULL
);
CREATE INDEX ix_audit_personal_contact ON audit_personal (contact_id);

-- Disabling a user and changing their password end their sessions: the cookie carries the stamp it was issued with.
ALTER TABLE user_account ADD COLUMN disabled_at TEXT NULL;
ALTER TABLE user_account ADD COLUMN security_stamp TEXT NOT NULL DEFAULT '';

-- Erased addresses, kept only as a SHA-256 hash of the normalised address, so an import or a form cannot bring an erased person back.
CREATE TABLE suppressed_address (
    email_hash  TEXT NOT NULL PRIMARY KEY,
    since       TEXT NOT NULL
);
