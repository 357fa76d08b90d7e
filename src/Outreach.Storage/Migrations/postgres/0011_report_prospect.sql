-- The conversion report's working table: one narrow row per prospect (pipeline entry) with, as integer instants
-- (.NET UTC ticks, exact on both engines), the first time it reached each stage, its re-entries (moves into a stage
-- it had reached before: how many, the earliest and the latest) and the latest move into each exit stage. The report
-- reads it instead of the history: measured on 1,000,000 history lines, counting the period's moves and exits from
-- stage_change and parsing instants took most of the report's time. Derived from stage_change (the one truth, append-
-- only) by the insert trigger below, in the same transaction as every stage change (the pipeline store, the CSV
-- import, the Dynamics sync), and rebuilt from it by the statement between the rebuild markers (run here for the
-- existing history; ReportSummary.RebuildAsync runs the same text). Entries and their organisation and covenant never
-- change or go (organisations removed in Dynamics stay, marked), so the copied keys stay true.
CREATE FUNCTION report_ticks(at timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT floor(EXTRACT(EPOCH FROM at))::bigint * 10000000 + (EXTRACT(MICROSECONDS FROM at)::bigint % 1000000) * 10 + 621355968000000000
$$;

CREATE TABLE report_prospect (
    entry_id bigint PRIMARY KEY REFERENCES pipeline_entry (id),
    organisation_id bigint NOT NULL,
    covenant_id bigint NOT NULL,
    first_identified bigint NULL,
    first_contacted bigint NULL,
    first_engaged bigint NULL,
    first_intake bigint NULL,
    first_signing_scheduled bigint NULL,
    first_signed bigint NULL,
    first_declined bigint NULL,
    first_not_now bigint NULL,
    first_left bigint NULL,
    reentries bigint NOT NULL DEFAULT 0,
    first_reentry bigint NULL,
    last_reentry bigint NULL,
    last_declined bigint NULL,
    last_not_now bigint NULL,
    last_left bigint NULL
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
FROM (SELECT s.entry_id, s.to_stage, report_ticks(s.changed_at) AS at,
             ROW_NUMBER() OVER (PARTITION BY s.entry_id, s.to_stage ORDER BY report_ticks(s.changed_at), s.id) AS nth
      FROM stage_change s) h
JOIN pipeline_entry e ON e.id = h.entry_id
GROUP BY e.id, e.organisation_id, e.covenant_id;
-- rebuild:end

CREATE FUNCTION stage_change_report_prospect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_at bigint := report_ticks(NEW.changed_at);
BEGIN
    INSERT INTO report_prospect (entry_id, organisation_id, covenant_id)
    SELECT id, organisation_id, covenant_id FROM pipeline_entry WHERE id = NEW.entry_id
    ON CONFLICT (entry_id) DO NOTHING;
    -- A re-entry's time: of the new line and the stage's first time so far, the later (the earlier is the first reach).
    UPDATE report_prospect SET
        first_identified = CASE WHEN NEW.to_stage = 'identified' AND (first_identified IS NULL OR moved_at < first_identified) THEN moved_at ELSE first_identified END,
        first_contacted = CASE WHEN NEW.to_stage = 'contacted' AND (first_contacted IS NULL OR moved_at < first_contacted) THEN moved_at ELSE first_contacted END,
        first_engaged = CASE WHEN NEW.to_stage = 'engaged' AND (first_engaged IS NULL OR moved_at < first_engaged) THEN moved_at ELSE first_engaged END,
        first_intake = CASE WHEN NEW.to_stage = 'intake' AND (first_intake IS NULL OR moved_at < first_intake) THEN moved_at ELSE first_intake END,
        first_signing_scheduled = CASE WHEN NEW.to_stage = 'signing_scheduled' AND (first_signing_scheduled IS NULL OR moved_at < first_signing_scheduled) THEN moved_at ELSE first_signing_scheduled END,
        first_signed = CASE WHEN NEW.to_stage = 'signed' AND (first_signed IS NULL OR moved_at < first_signed) THEN moved_at ELSE first_signed END,
        first_declined = CASE WHEN NEW.to_stage = 'declined' AND (first_declined IS NULL OR moved_at < first_declined) THEN moved_at ELSE first_declined END,
        first_not_now = CASE WHEN NEW.to_stage = 'not_now' AND (first_not_now IS NULL OR moved_at < first_not_now) THEN moved_at ELSE first_not_now END,
        first_left = CASE WHEN NEW.to_stage = 'left' AND (first_left IS NULL OR moved_at < first_left) THEN moved_at ELSE first_left END,
        last_declined = CASE WHEN NEW.to_stage = 'declined' AND (last_declined IS NULL OR moved_at > last_declined) THEN moved_at ELSE last_declined END,
        last_not_now = CASE WHEN NEW.to_stage = 'not_now' AND (last_not_now IS NULL OR moved_at > last_not_now) THEN moved_at ELSE last_not_now END,
        last_left = CASE WHEN NEW.to_stage = 'left' AND (last_left IS NULL OR moved_at > last_left) THEN moved_at ELSE last_left END,
        reentries = reentries + CASE WHEN (CASE NEW.to_stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) IS NULL THEN 0 ELSE 1 END,
        first_reentry = CASE WHEN (CASE NEW.to_stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) IS NULL THEN first_reentry WHEN first_reentry IS NULL OR GREATEST(moved_at, CASE NEW.to_stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) < first_reentry THEN GREATEST(moved_at, CASE NEW.to_stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) ELSE first_reentry END,
        last_reentry = CASE WHEN (CASE NEW.to_stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) IS NULL THEN last_reentry WHEN last_reentry IS NULL OR GREATEST(moved_at, CASE NEW.to_stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) > last_reentry THEN GREATEST(moved_at, CASE NEW.to_stage WHEN 'identified' THEN first_identified WHEN 'contacted' THEN first_contacted WHEN 'engaged' THEN first_engaged WHEN 'intake' THEN first_intake WHEN 'signing_scheduled' THEN first_signing_scheduled WHEN 'signed' THEN first_signed WHEN 'declined' THEN first_declined WHEN 'not_now' THEN first_not_now WHEN 'left' THEN first_left END) ELSE last_reentry END
    WHERE report_prospect.entry_id = NEW.entry_id;
    RETURN NULL;
END $$;
CREATE TRIGGER stage_change_report_prospect AFTER INSERT ON stage_change
FOR EACH ROW EXECUTE FUNCTION stage_change_report_prospect();

-- The period's exit reasons grouped straight from an index in (stage, reason) order, without sorting the exit lines.
CREATE INDEX ix_stage_change_exit_reason ON stage_change (to_stage, reason, changed_at) WHERE to_stage IN ('declined', 'not_now', 'left');
