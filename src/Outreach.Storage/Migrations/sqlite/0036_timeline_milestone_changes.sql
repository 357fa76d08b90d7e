-- Issue 15 (2): onboarding milestones on the prospect's timeline. Its branch reads the prospect's milestones by entry_id
-- (the unique key), then each milestone's changes newest first with the page's keyset condition on changed_at: this index
-- serves that condition (the one on (milestone_id, id) only finds the rows and leaves the condition to the table).
CREATE INDEX ix_onboarding_milestone_change_time ON onboarding_milestone_change (milestone_id, changed_at, id);
