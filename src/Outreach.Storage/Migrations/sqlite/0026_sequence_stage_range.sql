-- A sequence serves a range of stages (issue 16): stage_from is the first stage it serves, stage (as before) the last one.
-- NULL, as every sequence made before, serves every funnel stage up to stage, so existing sequences work as they did.
ALTER TABLE mail_sequence ADD COLUMN stage_from TEXT NULL;
