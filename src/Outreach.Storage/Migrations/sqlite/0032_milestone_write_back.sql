-- Issue 14 point 6: a party's onboarding milestones go to Dynamics (otr_onboardingmilestone, and the account's onboarding
-- status) through the write-back outbox: a row per change, pointing at the milestone; entry_id is the milestone's party, so a
-- refusal shows on its prospect page.
ALTER TABLE dataverse_outbox ADD COLUMN milestone_id INTEGER NULL REFERENCES onboarding_milestone (id);
