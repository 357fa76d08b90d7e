-- Entra ID sign-in (issue 17): a user provisioned from Entra is known by its tenant and object id (tid, oid), which never
-- change, unlike the e-mail address or user principal name (kept in user_name, updated at every sign-in). Local users have neither.
ALTER TABLE user_account ADD COLUMN entra_tenant_id text NULL;
ALTER TABLE user_account ADD COLUMN entra_object_id text NULL;
CREATE UNIQUE INDEX ux_user_account_entra ON user_account (entra_tenant_id, entra_object_id) WHERE entra_object_id IS NOT NULL;
