-- Cohorts (groups of trainees of one programme), enrolment of accepted
-- applicants, and the cohort's training sessions. Reminders, openings
-- segments and graduate surveys all build on these.

CREATE TABLE cohorts (
    id            INTEGER PRIMARY KEY,
    programme_id  INTEGER NOT NULL REFERENCES programmes(id),
    code          TEXT NOT NULL UNIQUE,          -- short name staff type, e.g. 'web-2027-1'
    name          TEXT NOT NULL,
    starts_on     TEXT,                          -- ISO date
    graduates_on  TEXT,                          -- ISO date: the graduation date for follow-up surveys
    created_at    TEXT NOT NULL
);

CREATE TABLE enrolments (
    id              INTEGER PRIMARY KEY,
    cohort_id       INTEGER NOT NULL REFERENCES cohorts(id),
    application_id  INTEGER NOT NULL UNIQUE REFERENCES applications(id),
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    status          TEXT NOT NULL DEFAULT 'enrolled',   -- enrolled, completed, dropped
    enrolled_at     TEXT NOT NULL,
    completed_at    TEXT
);
CREATE INDEX enrolments_cohort ON enrolments(cohort_id, status);
CREATE INDEX enrolments_user ON enrolments(user_id);

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    cohort_id   INTEGER NOT NULL REFERENCES cohorts(id),
    starts_at   TEXT NOT NULL,                   -- UTC
    ends_at     TEXT NOT NULL,                   -- UTC
    place       TEXT,                            -- a room and address, or NULL when online
    online_url  TEXT,
    topic       TEXT,
    status      TEXT NOT NULL DEFAULT 'scheduled',  -- scheduled, cancelled
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (place IS NOT NULL OR online_url IS NOT NULL)
);
CREATE INDEX sessions_cohort ON sessions(cohort_id, starts_at);
