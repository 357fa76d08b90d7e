-- Onboarding after signing: each covenant's versioned plan (its milestones as JSON, one row per version, never updated),
-- each signed party's milestones (one per code, and per monitoring year for a yearly one; year 0 = asked once) with an
-- append-only history, and the evidence files kept with the party. Dates are yyyy-MM-dd text, instants ISO-8601 UTC text.
-- Personal data: only the secretariat member who changed something (created_by, done_by, changed_by); an evidence file
-- is the party's published document.
CREATE TABLE onboarding_plan (
    id              INTEGER PRIMARY KEY,
    covenant_id     INTEGER NOT NULL REFERENCES covenant (id),
    version         INTEGER NOT NULL,
    cut_off_months  INTEGER NOT NULL,
    milestones      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    UNIQUE (covenant_id, version)
);

CREATE TABLE onboarding_evidence (
    id            INTEGER PRIMARY KEY,
    entry_id      INTEGER NOT NULL REFERENCES pipeline_entry (id),
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    content       BLOB NOT NULL,
    uploaded_at   TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL
);
CREATE INDEX ix_onboarding_evidence_entry ON onboarding_evidence (entry_id);

CREATE TABLE onboarding_milestone (
    id                INTEGER PRIMARY KEY,
    entry_id          INTEGER NOT NULL REFERENCES pipeline_entry (id),
    milestone_key     TEXT NOT NULL,
    monitoring_year   INTEGER NOT NULL,
    name_nl           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    due_on            TEXT NOT NULL,
    plan_version      INTEGER NOT NULL,
    done_on           TEXT NULL,
    evidence_url      TEXT NULL,
    evidence_file_id  INTEGER NULL REFERENCES onboarding_evidence (id),
    done_by           TEXT NULL,
    done_at           TEXT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (entry_id, milestone_key, monitoring_year)
);

CREATE TABLE onboarding_milestone_change (
    id                INTEGER PRIMARY KEY,
    milestone_id      INTEGER NOT NULL REFERENCES onboarding_milestone (id),
    action            TEXT NOT NULL,
    changed_at        TEXT NOT NULL,
    changed_by        TEXT NOT NULL,
    done_on           TEXT NULL,
    evidence_url      TEXT NULL,
    evidence_file_id  INTEGER NULL REFERENCES onboarding_evidence (id),
    reason            TEXT NULL
);
CREATE INDEX ix_onboarding_milestone_change ON onboarding_milestone_change (milestone_id, id);
