-- This installation's identity, drawn once when the database is made: a random id that makes the Message-IDs of the
-- pickup folder's mail globally unique (RFC 5322 §3.6.4), since the idempotency keys they derive from start over with
-- every database. One row; no personal data.
CREATE TABLE installation (
    id               integer PRIMARY KEY CHECK (id = 1),
    installation_id  text NOT NULL
);

INSERT INTO installation (id, installation_id) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
