-- This installation's identity, drawn once when the database is made: a random id that makes the Message-IDs of the
-- pickup folder's mail globally unique (RFC 5322 §3.6.4), since the idempotency keys they derive from start over with
-- every database. One row; no personal data.
CREATE TABLE installation (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    installation_id  TEXT NOT NULL
);

INSERT INTO installation (id, installation_id) VALUES (1, lower(hex(randomblob(16))));
