-- Issue 16 (4): history lines written by the CSV import are marked, so the conversion report can leave them out. Lines of
-- imports before this migration (the first line of each imported entry, dated the day of the import) are marked too:
-- they are the lines that made every imported row a first contact "today". stage_change is append-only; the guard is
-- lifted for this one statement only (inside the migration's transaction).
ALTER TABLE stage_change ADD COLUMN imported boolean NOT NULL DEFAULT false;
ALTER TABLE stage_change DISABLE TRIGGER stage_change_no_update_delete;
UPDATE stage_change SET imported = true WHERE from_stage IS NULL AND reason = 'Imported from CSV';
ALTER TABLE stage_change ENABLE TRIGGER stage_change_no_update_delete;

-- Issue 16 (5): free-text search reads a stored folded copy of what it matches. search_fold is fold (0003) with the
-- accents of Latin letters taken off, letter for letter; Database.SearchFold is its twin with the same two strings.
CREATE FUNCTION search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(fold($1), 'àáâãäåāăąçćčďđèéêëēėęěìíîïīįıłñńňòóôõöøōőŕřśšşťţùúûüūůűųýÿźżžğ', 'aaaaaaaaacccddeeeeeeeeiiiiiiilnnnoooooooorrsssttuuuuuuuuyyzzzg') $$;

ALTER TABLE organisation ADD COLUMN search_text text NULL;
UPDATE organisation SET search_text = search_fold(name || ' ' || COALESCE(kvk_number, '') || ' ' || COALESCE(website_domain, ''));
CREATE FUNCTION organisation_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_text := search_fold(NEW.name || ' ' || COALESCE(NEW.kvk_number, '') || ' ' || COALESCE(NEW.website_domain, ''));
    RETURN NEW;
END $$;
CREATE TRIGGER organisation_search_text BEFORE INSERT OR UPDATE OF name, kvk_number, website_domain ON organisation
FOR EACH ROW EXECUTE FUNCTION organisation_search_text();

ALTER TABLE contact ADD COLUMN search_text text NULL;
UPDATE contact SET search_text = search_fold(name || ' ' || email);
CREATE FUNCTION contact_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_text := search_fold(NEW.name || ' ' || NEW.email);
    RETURN NEW;
END $$;
CREATE TRIGGER contact_search_text BEFORE INSERT OR UPDATE OF name, email ON contact
FOR EACH ROW EXECUTE FUNCTION contact_search_text();
