-- The conversion report's working table: one narrow row per prospect (pipeline entry) with, as integer instants
-- (.NET UTC ticks, exact on both engines), the first time it reached each stage, its re-entries (moves into a stage
-- it had reached before: how many, the earliest and the latest) and the latest move into each exit stage. The report
-- reads it instead of the history: measured on 1,000,000 history lines, counting the period's moves and exits from
-- stage_change and parsing instants took most of the report's time. Derived from stage_change (the one truth, append-
-- only) by the insert trigger below, in the same transaction as every stage change (the pipeline store, the CSV
-- import, the Dynamics sync), and rebuilt from it by the statement between the rebuild markers (run here for the
-- existing history; ReportSummary.RebuildAsync runs the same text). Entries and their organisation and covenant never
-- change or go (organisations removed in Dynamics stay, marked), so the copied keys stay true.
-- SQLite keeps instants as fixed-width text (yyyy-MM-ddTHH:mm:ss.fffffffZ), read here digit for digit; any other
-- form (none is written) would go through julianday, to the millisecond.
CREATE TABLE report_prospect (
    entry_id INTEGER PRIMARY KEY REFERENCES pipeline_entry (id),
    organisation_id INTEGER NOT NULL,
    covenant_id INTEGER NOT NULL,
    first_identified INTEGER NULL,
    first_contacted INTEGER NULL,
    first_engaged INTEGER NULL,
    first_intake INTEGER NULL,
    first_signing_scheduled INTEGER NULL,
    first_signed INTEGER NULL,
    first_declined INTEGER NULL,
    first_not_now INTEGER NULL,
    first_left INTEGER NULL,
    reentries INTEGER NOT NULL DEFAULT 0,
    first_reentry INTEGER NULL,
    last_reentry INTEGER NULL,
    last_declined INTEGER NULL,
    last_not_now INTEGER NULL,
    last_left INTEGER NULL
);

-- rebuild:begin
INSERT INTO report_prospect (entry_id, organisation_id, covenant_id, first_identified, first_contacted, first_engaged, first_intake, first_signing_scheduled, first_signed, first_declined, first_not_now, first_left, reentries, first_reentry, last_reentry, last_declined, last_not_now, last_left)
SELECT e.id, e.organisation_id, e.covenant_id,
       MIN(CASE WHEN h.to_stage = 'identified' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'contacted' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'engaged' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'intake' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'signing_scheduled' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'signed' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'declined' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'not_now' THEN h.at END),
       MIN(CASE WHEN h.to_stage = 'left' THEN h.at END),
       SUM(CASE WHEN h.nth > 1 THEN 1 ELSE 0 END),
       MIN(CASE WHEN h.nth > 1 THEN h.at END),
       MAX(CASE WHEN h.nth > 1 THEN h.at END),
       MAX(CASE WHEN h.to_stage = 'declined' THEN h.at END),
       MAX(CASE WHEN h.to_stage = 'not_now' THEN h.at END),
       MAX(CASE WHEN h.to_stage = 'left' THEN h.at END)
FROM (SELECT s.entry_id, s.to_stage, CASE WHEN length(s.changed_at) = 28 AND substr(s.changed_at, 28, 1) = 'Z' THEN CAST(strftime('%s', substr(s.changed_at, 1, 19)) AS INTEGER) * 10000000 + CAST(substr(s.changed_at, 21, 7) AS INTEGER) + 621355968000000000 ELSE CAST(round((julianday(s.changed_at) - 2440587.5) * 86400000) AS INTEGER) * 10000 + 621355968000000000 END AS at,
             ROW_NUMBER() OVER (PARTITION BY s.entry_id, s.to_stage ORDER BY CASE WHEN length(s.changed_at) = 28 AND substr(s.changed_at, 28, 1) = 'Z' THEN CAST(strftime('%s', substr(s.changed_at, 1, 19)) AS INTEGER) * 10000000 + CAST(substr(s.changed_at, 21, 7) AS INTEGER) + 621355968000000000 ELSE CAST(round((julianday(s.changed_at) - 2440587.5) * 86400000) AS INTEGER) * 10000 + 621355968000000000 END, s.id) AS nth
      FROM stage_change s) h
JOIN pipeline_entry e ON e.id = h.entry_id
GROUP BY e.id, e.organisation_id, e.covenant_id;
-- rebuild:end

CREATE TRIGGER stage_change_report_prospect AFTER INSERT ON stage_change
BEGIN
    INSERT INTO report_prospect (entry_id, organisation_id, covenant_id)
    SELECT id, organisation_id, covenant_id FROM pipeline_entry WHERE id = NEW.entry_id
    ON CONFLICT (entry_id) DO NOTHING;
    -- A re-entry's time: of the new line and the stage's first time so far, the later (the earlier is the first reach).
    UPDATE report_prospect SET
        first_identified = CASE WHEN n.stage = 'identified' AND (first_identified IS NULL OR n.at < first_identified) THEN n.at ELSE first_identified END,
        first_contacted = CASE WHEN n.stage = 'contacted' AND (first_contacted IS NULL OR n.at < first_contacted) THEN n.at ELSE first_contacted END,
        first_engaged = CASE WHEN n.stage = 'engaged' AND (first_engaged IS NULL OR n.at < first_engaged) THEN n.at ELSE first_engaged END,
        first_intake = CASE WHEN n.stage = 'intake' AND (first_intake IS NULL OR n.at < first_intake) THEN n.at ELSE first_intake END,
        first_signing_scheduled = CASE WHEN n.stage = 'signing_scheduled' AND (first_signing_scheduled IS NULL OR n.at < first_signing_scheduled) THEN n.at ELSE first_signing_scheduled END,
        first_signed = CASE WHEN n.stage = 'signed' AND (first_signed IS NULL OR n.at < first_signed) THEN n.at ELSE first_signed END,
        first_declined = CASE WHEN n.stage = 'declined' AND (first_declined IS NULL OR n.at < first_declined) THEN n.at ELSE first_declined END,
        first_not_now = CASE WHEN n.stage = 'not_now' AND (first_not_now IS NULL OR n.at < first_not_now) THEN n.at ELSE first_not_now END,
        first_left = CASE WHEN n.stage = 'left' AND (first_left IS NULL OR n.at < first_left) THEN n.at ELSE first_left END,
        last_declined = CASE WHEN n.stage = 'declined' AND (last_declined IS NULL OR n.at > last_declined) THEN n.at ELSE last_declined END,
        last_not_now = CASE WHEN n.stage = 'not_now' AND (last_not_now IS NULL OR n.at > last_not_now) THEN n.at ELSE last_not_now END,
        last_left = CASE WHEN n.stage = 'left' AND (last_left IS NULL OR n.at > last_left) THEN n.at ELSE last_left END,
        reentries = reentries + CASE WHEN (CASE n.stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) IS NULL THEN 0 ELSE 1 END,
        first_reentry = CASE WHEN (CASE n.stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) IS NULL THEN first_reentry WHEN first_reentry IS NULL OR max(n.at, CASE n.stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) < first_reentry THEN max(n.at, CASE n.stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) ELSE first_reentry END,
        last_reentry = CASE WHEN (CASE n.stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) IS NULL THEN last_reentry WHEN last_reentry IS NULL OR max(n.at, CASE n.stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) > last_reentry THEN max(n.at, CASE n.stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) ELSE last_reentry END
    FROM (SELECT NEW.to_stage AS stage, CASE WHEN length(NEW.changed_at) = 28 AND substr(NEW.changed_at, 28, 1) = 'Z' THEN CAST(strftime('%s', substr(NEW.changed_at, 1, 19)) AS INTEGER) * 10000000 + CAST(substr(NEW.changed_at, 21, 7) AS INTEGER) + 621355968000000000 ELSE CAST(round((julianday(NEW.changed_at) - 2440587.5) * 86400000) AS INTEGER) * 10000 + 621355968000000000 END AS at) AS n
    WHERE report_prospect.entry_id = NEW.entry_id;
END;

-- The period's exit reasons grouped straight from an index in (stage, reason) order, without sorting the exit lines.
CREATE INDEX ix_stage_change_exit_reason ON stage_change (to_stage, reason, changed_at) WHERE to_stage IN ('declined', 'not_now', 'left');
