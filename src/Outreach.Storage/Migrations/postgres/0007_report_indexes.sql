-- Conversion reports read the history per prospect (first time each stage was reached) and the period's exits.
-- Covering the report's columns lets the per-prospect grouping read the index alone, in entry order.
CREATE INDEX ix_stage_change_report ON stage_change (entry_id, to_stage, changed_at);
-- Exits of a period (declined, not now, left) without scanning the whole history.
CREATE INDEX ix_stage_change_to_stage ON stage_change (to_stage, changed_at);
