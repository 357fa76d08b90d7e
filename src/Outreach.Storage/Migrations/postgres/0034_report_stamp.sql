-- The report's data stamp (issue 16 item 12): one number that grows whenever anything the conversion report or its
-- onboarding step reads changes (the history, organisations, covenants, entries, events and their attendance, onboarding
-- milestones), in the same transaction as the change. The report cache keys its entries by it, so the request after a
-- stage change, an import or an organisation edit computes afresh: a cached report is never older than the data.
-- Contact edits other than moving a contact to another organisation do not touch the report, so they do not count.
-- Here the number moves at commit (deferred triggers), once per transaction: the one row is then locked only for the
-- moment of the commit, never while the transaction goes on to lock other rows (no deadlock with an import), and a
-- million-row import moves it once.
CREATE TABLE report_stamp (
    id integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO report_stamp (id, version) VALUES (1, 0);

CREATE FUNCTION report_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('outreach.report_stamped', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('outreach.report_stamped', 'yes', true);
        UPDATE report_stamp SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER report_stamp_stage_change AFTER INSERT OR UPDATE OR DELETE ON stage_change DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();

CREATE CONSTRAINT TRIGGER report_stamp_organisation AFTER INSERT OR UPDATE OR DELETE ON organisation DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();

CREATE CONSTRAINT TRIGGER report_stamp_covenant AFTER INSERT OR UPDATE OR DELETE ON covenant DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();

CREATE CONSTRAINT TRIGGER report_stamp_pipeline_entry AFTER INSERT OR DELETE ON pipeline_entry DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();

CREATE CONSTRAINT TRIGGER report_stamp_network_event AFTER INSERT OR UPDATE OR DELETE ON network_event DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();

CREATE CONSTRAINT TRIGGER report_stamp_invitation AFTER INSERT OR UPDATE OR DELETE ON invitation DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();

CREATE CONSTRAINT TRIGGER report_stamp_contact AFTER INSERT OR DELETE OR UPDATE OF organisation_id ON contact DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();

CREATE CONSTRAINT TRIGGER report_stamp_onboarding_milestone AFTER INSERT OR UPDATE OR DELETE ON onboarding_milestone DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_stamp_bump();
