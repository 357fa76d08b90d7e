-- Issue 16 (4): history lines written by the CSV import are marked, so the conversion report can leave them out. Lines of
-- imports before this migration (the first line of each imported entry, dated the day of the import) are marked too:
-- they are the lines that made every imported row a first contact "today". stage_change is append-only; the guard is
-- lifted for this one statement only.
ALTER TABLE stage_change ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER stage_change_no_update;
UPDATE stage_change SET imported = 1 WHERE from_stage IS NULL AND reason = 'Imported from CSV';
CREATE TRIGGER stage_change_no_update BEFORE UPDATE ON stage_change
BEGIN SELECT RAISE(ABORT, 'stage_change is append-only'); END;

-- Issue 16 (5): free-text search reads a stored folded copy (Database.SearchFold: lower case, accents removed) of what it
-- matches, instead of folding every name, KvK number, domain and contact of the table through a function per query.
-- Kept by the triggers below on every insert and update; search_fold is the connection's function (SqliteDialect), as fold is.
-- A writer that supplies the column itself (the bulk import) skips the trigger's extra UPDATE.
ALTER TABLE organisation ADD COLUMN search_text TEXT NULL;
UPDATE organisation SET search_text = search_fold(name || ' ' || COALESCE(kvk_number, '') || ' ' || COALESCE(website_domain, ''));
CREATE TRIGGER organisation_search_insert AFTER INSERT ON organisation WHEN NEW.search_text IS NULL
BEGIN
    UPDATE organisation SET search_text = search_fold(NEW.name || ' ' || COALESCE(NEW.kvk_number, '') || ' ' || COALESCE(NEW.website_domain, '')) WHERE id = NEW.id;
END;
CREATE TRIGGER organisation_search_update AFTER UPDATE OF name, kvk_number, website_domain ON organisation
BEGIN
    UPDATE organisation SET search_text = search_fold(NEW.name || ' ' || COALESCE(NEW.kvk_number, '') || ' ' || COALESCE(NEW.website_domain, '')) WHERE id = NEW.id;
END;

ALTER TABLE contact ADD COLUMN search_text TEXT NULL;
UPDATE contact SET search_text = search_fold(name || ' ' || email);
CREATE TRIGGER contact_search_insert AFTER INSERT ON contact WHEN NEW.search_text IS NULL
BEGIN
    UPDATE contact SET search_text = search_fold(NEW.name || ' ' || NEW.email) WHERE id = NEW.id;
END;
CREATE TRIGGER contact_search_update AFTER UPDATE OF name, email ON contact
BEGIN
    UPDATE contact SET search_text = search_fold(NEW.name || ' ' || NEW.email) WHERE id = NEW.id;
END;
