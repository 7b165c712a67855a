-- Session reminders: each trainee's answer to "will you attend?", whether
-- they want reminders at all, and a revision per session so that a moved
-- session's reminders are planned afresh (the outbox dedup keys carry it).

ALTER TABLE sessions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;  -- +1 each time the session is moved

-- One scheduled session per cohort and start time: the identity a schedule
-- re-import matches on when a row has no session id.
CREATE UNIQUE INDEX sessions_one_per_start ON sessions(cohort_id, starts_at) WHERE status = 'scheduled';

CREATE TABLE session_answers (
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answer       TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
    answered_at  TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- A person without a row here gets reminders (the default).
CREATE TABLE reminder_preferences (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    reminders_on  INTEGER NOT NULL,
    updated_at    TEXT NOT NULL
);
