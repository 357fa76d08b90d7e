-- Issue 13: two overlapping runs of a job must leave the same result as one, without the scheduler's lock.
-- An automatic enrolment (an event's follow-up) names what made it; each such key enrols once, even after the enrolment ended.
ALTER TABLE enrolment ADD COLUMN source_key text NULL;
CREATE UNIQUE INDEX ux_enrolment_source_key ON enrolment (source_key);
