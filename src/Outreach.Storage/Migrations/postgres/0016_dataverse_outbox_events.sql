-- The write-back outbox also carries network events and invitations (issue 7): a row points at a pipeline entry (stage
-- change, next action), an event, or an invitation (with its event).
ALTER TABLE dataverse_outbox ALTER COLUMN entry_id DROP NOT NULL;
ALTER TABLE dataverse_outbox ADD COLUMN event_id bigint NULL REFERENCES network_event (id);
ALTER TABLE dataverse_outbox ADD COLUMN invitation_id bigint NULL REFERENCES invitation (id);
