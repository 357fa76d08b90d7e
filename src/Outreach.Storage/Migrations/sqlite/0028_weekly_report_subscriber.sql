-- Managers who asked for the weekly report mail themselves (issue 16 item 12), besides Jobs:WeeklyReportRecipients:
-- one address per signed-in user. Personal data: the user's name and work address, removed when they unsubscribe.
CREATE TABLE weekly_report_subscriber (
    user_name      TEXT PRIMARY KEY,
    address        TEXT NOT NULL,
    subscribed_at  TEXT NOT NULL
);
