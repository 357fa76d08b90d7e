-- What the delivery said about a sent mail (its Message-ID and the mailbox's conversation id), for matching replies to it.
ALTER TABLE mail_outbox ADD COLUMN internet_message_id TEXT NULL;
ALTER TABLE mail_outbox ADD COLUMN conversation_id TEXT NULL;
CREATE INDEX ix_mail_outbox_message ON mail_outbox (internet_message_id);
CREATE INDEX ix_mail_outbox_conversation ON mail_outbox (conversation_id);
