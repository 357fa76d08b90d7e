-- Privacy: each contact's lawful basis and where the data came from; erased contacts keep only an anonymous row.
ALTER TABLE contact ADD COLUMN lawful_basis TEXT NOT NULL DEFAULT 'legitimate_interest';
ALTER TABLE contact ADD COLUMN source TEXT NULL;
ALTER TABLE contact ADD COLUMN erased_at TEXT NULL;
