-- Conversion reports: when each prospect (pipeline entry) first reached each stage, kept with the history.
-- Derived from stage_change (the truth) by the trigger below and filled from the existing history here: the report
-- then reads one narrow row per prospect instead of grouping the whole history (measured: grouping a million
-- history lines took over a second on SQLite). A later visit to a stage reached before leaves its first time as it is.
CREATE TABLE prospect_path (
    entry_id INTEGER PRIMARY KEY REFERENCES pipeline_entry (id),
    first_identified TEXT NULL,
    first_contacted TEXT NULL,
    first_engaged TEXT NULL,
    first_intake TEXT NULL,
    first_signing_scheduled TEXT NULL,
    first_signed TEXT NULL,
    first_declined TEXT NULL,
    first_not_now TEXT NULL,
    first_left TEXT NULL
);
INSERT INTO prospect_path (entry_id, first_identified, first_contacted, first_engaged, first_intake, first_signing_scheduled, first_signed, first_declined, first_not_now, first_left)
SELECT entry_id,
       MIN(CASE WHEN to_stage = 'identified' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'contacted' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'engaged' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'intake' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'signing_scheduled' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'signed' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'declined' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'not_now' THEN changed_at END),
       MIN(CASE WHEN to_stage = 'left' THEN changed_at END)
FROM stage_change GROUP BY entry_id;

CREATE TRIGGER stage_change_prospect_path AFTER INSERT ON stage_change
BEGIN
    INSERT INTO prospect_path (entry_id) VALUES (NEW.entry_id) ON CONFLICT (entry_id) DO NOTHING;
    UPDATE prospect_path SET
        first_identified = CASE WHEN NEW.to_stage = 'identified' AND (first_identified IS NULL OR NEW.changed_at < first_identified) THEN NEW.changed_at ELSE first_identified END,
        first_contacted = CASE WHEN NEW.to_stage = 'contacted' AND (first_contacted IS NULL OR NEW.changed_at < first_contacted) THEN NEW.changed_at ELSE first_contacted END,
        first_engaged = CASE WHEN NEW.to_stage = 'engaged' AND (first_engaged IS NULL OR NEW.changed_at < first_engaged) THEN NEW.changed_at ELSE first_engaged END,
        first_intake = CASE WHEN NEW.to_stage = 'intake' AND (first_intake IS NULL OR NEW.changed_at < first_intake) THEN NEW.changed_at ELSE first_intake END,
        first_signing_scheduled = CASE WHEN NEW.to_stage = 'signing_scheduled' AND (first_signing_scheduled IS NULL OR NEW.changed_at < first_signing_scheduled) THEN NEW.changed_at ELSE first_signing_scheduled END,
        first_signed = CASE WHEN NEW.to_stage = 'signed' AND (first_signed IS NULL OR NEW.changed_at < first_signed) THEN NEW.changed_at ELSE first_signed END,
        first_declined = CASE WHEN NEW.to_stage = 'declined' AND (first_declined IS NULL OR NEW.changed_at < first_declined) THEN NEW.changed_at ELSE first_declined END,
        first_not_now = CASE WHEN NEW.to_stage = 'not_now' AND (first_not_now IS NULL OR NEW.changed_at < first_not_now) THEN NEW.changed_at ELSE first_not_now END,
        first_left = CASE WHEN NEW.to_stage = 'left' AND (first_left IS NULL OR NEW.changed_at < first_left) THEN NEW.changed_at ELSE first_left END
    WHERE entry_id = NEW.entry_id;
END;

-- The period's moves (re-entries are moves minus first reaches), counted from an index by time range.
CREATE INDEX ix_stage_change_changed_at ON stage_change (changed_at, entry_id);
-- The period's exits with their reasons, read from the index alone (measured: looking up each exit line in the
-- table took seconds for a long period). Partial: only exit lines, so the free-text reasons of other moves stay out.
CREATE INDEX ix_stage_change_exit ON stage_change (to_stage, changed_at, entry_id, reason) WHERE to_stage IN ('declined', 'not_now', 'left');
