-- fold(text) is registered on every SQLite connection by Database.OpenAsync (Database.Fold); this script only
-- keeps the version numbers of both engines in step with migrations/postgres/0003_fold_function.sql.
SELECT 1;
