-- Onboarding reminders: the roles a contact holds beyond their job title (today only 'onboarding': the party's contact for
-- its milestones, to whom reminders go), and an index for the reminder job's read of open milestones by due date.
-- Personal data: the secretariat member who gave the role (set_by).
CREATE TABLE contact_role (
    contact_id  INTEGER NOT NULL REFERENCES contact (id),
    role        TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    PRIMARY KEY (contact_id, role)
);

CREATE INDEX ix_onboarding_milestone_open_due ON onboarding_milestone (due_on) WHERE done_on IS NULL;
