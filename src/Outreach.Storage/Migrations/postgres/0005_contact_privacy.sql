-- Privacy: each contact's lawful basis and where the data came from; erased contacts keep only an anonymous row.
ALTER TABLE contact ADD COLUMN lawful_basis text NOT NULL DEFAULT 'legitimate_interest';
ALTER TABLE contact ADD COLUMN source text NULL;
ALTER TABLE contact ADD COLUMN erased_at timestamptz NULL;
