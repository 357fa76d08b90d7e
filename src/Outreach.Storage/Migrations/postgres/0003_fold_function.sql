-- fold(text): the text folding behind case-insensitive search and ordering (Database.Fold is the SQLite twin).
-- Unicode lower case through the ICU root locale, so it does not depend on the database's LC_CTYPE;
-- dotted capital I (U+0130) becomes plain i and final sigma (U+03C2) becomes sigma (U+03C3), as in Database.Fold.
-- Accents are kept. Needs a PostgreSQL built with ICU (the "und-x-icu" collation), as the distribution packages are.
CREATE FUNCTION fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT replace(lower(replace($1, U&'\0130', 'i') COLLATE "und-x-icu"), U&'\03C2', U&'\03C3') $$;
