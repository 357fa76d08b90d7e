-- Issue 15 point 4: an activity logged in Outreach goes to the account's Dynamics timeline through the write-back outbox
-- (a row per change, pointing at the activity; entry_id is the activity's prospect, so a refusal shows on its page).
-- Activities read in from Dynamics (origin 'dynamics') never get a row here.
ALTER TABLE dataverse_outbox ADD COLUMN activity_id INTEGER NULL REFERENCES activity (id);
