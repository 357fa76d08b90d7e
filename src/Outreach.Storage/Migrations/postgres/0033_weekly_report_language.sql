-- Issue 14 point 4: the weekly report mail's monitoring section speaks the subscriber's language ('nl' or 'en'), chosen
-- when they subscribe; those who subscribed before get English, as the mail was until now.
ALTER TABLE weekly_report_subscriber ADD COLUMN language text NOT NULL DEFAULT 'en';
