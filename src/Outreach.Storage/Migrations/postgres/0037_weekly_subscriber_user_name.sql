-- The weekly-mail page keyed a subscription by the signed-in person's display name until it used the account's user name
-- (a display name can change, and two people can share one). Each older row moves to its account's user name where the
-- display name names exactly one account and that account has no row of its own, so the page shows it and unsubscribing
-- removes it. Rows already keyed by a user name, and ambiguous ones, stay as they are (the mail itself goes by address).
UPDATE weekly_report_subscriber
SET user_name = (SELECT u.user_name FROM user_account u WHERE u.display_name = weekly_report_subscriber.user_name)
WHERE (SELECT COUNT(*) FROM user_account u WHERE u.display_name = weekly_report_subscriber.user_name) = 1
  AND NOT EXISTS (SELECT 1 FROM user_account u WHERE u.user_name = weekly_report_subscriber.user_name)
  AND NOT EXISTS (
      SELECT 1 FROM weekly_report_subscriber s JOIN user_account u ON u.user_name = s.user_name
      WHERE u.display_name = weekly_report_subscriber.user_name);
