-- Issue 16 (5): the prospect search (LIKE '%term%' on the folded search_text of organisations and contacts) reads a trigram
-- index instead of every row, so 20 searches at once do not queue behind 20 full scans. pg_trgm ships with PostgreSQL
-- (contrib) and is a trusted extension: the database owner may create it. Where it cannot be created (a managed service
-- that has not allow-listed it, a role without CREATE), the migration goes on without the indexes: the search answers the
-- same, by a scan, and the server log has the notice below.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'Outreach: pg_trgm could not be created (%); the prospect search scans instead of using a trigram index', SQLERRM;
END $$;

DO $$
DECLARE ops text;
BEGIN
    -- Qualified by the extension's own schema, wherever it was installed.
    SELECT quote_ident(n.nspname) || '.gin_trgm_ops' INTO ops
    FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname = 'pg_trgm';
    IF ops IS NOT NULL THEN
        EXECUTE 'CREATE INDEX organisation_search_trgm ON organisation USING gin (search_text ' || ops || ')';
        EXECUTE 'CREATE INDEX contact_search_trgm ON contact USING gin (search_text ' || ops || ')';
    END IF;
END $$;
