-- The report's data stamp (issue 16 item 12): one number that grows whenever anything the conversion report or its
-- onboarding step reads changes (the history, organisations, covenants, entries, events and their attendance, onboarding
-- milestones), in the same transaction as the change. The report cache keys its entries by it, so the request after a
-- stage change, an import or an organisation edit computes afresh: a cached report is never older than the data.
-- Contact edits other than moving a contact to another organisation do not touch the report, so they do not count.
CREATE TABLE report_stamp (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO report_stamp (id, version) VALUES (1, 0);

CREATE TRIGGER report_stamp_stage_change_insert AFTER INSERT ON stage_change
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_stage_change_update AFTER UPDATE ON stage_change
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_stage_change_delete AFTER DELETE ON stage_change
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_organisation_insert AFTER INSERT ON organisation
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_organisation_update AFTER UPDATE ON organisation
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_organisation_delete AFTER DELETE ON organisation
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_covenant_insert AFTER INSERT ON covenant
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_covenant_update AFTER UPDATE ON covenant
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_covenant_delete AFTER DELETE ON covenant
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_pipeline_entry_insert AFTER INSERT ON pipeline_entry
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_pipeline_entry_delete AFTER DELETE ON pipeline_entry
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_network_event_insert AFTER INSERT ON network_event
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_network_event_update AFTER UPDATE ON network_event
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_network_event_delete AFTER DELETE ON network_event
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_invitation_insert AFTER INSERT ON invitation
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_invitation_update AFTER UPDATE ON invitation
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_invitation_delete AFTER DELETE ON invitation
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_contact_insert AFTER INSERT ON contact
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_contact_delete AFTER DELETE ON contact
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_contact_update AFTER UPDATE OF organisation_id ON contact
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_onboarding_milestone_insert AFTER INSERT ON onboarding_milestone
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_onboarding_milestone_update AFTER UPDATE ON onboarding_milestone
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER report_stamp_onboarding_milestone_delete AFTER DELETE ON onboarding_milestone
BEGIN
    UPDATE report_stamp SET version = version + 1 WHERE id = 1;
END;
