-- A cohort's planned last day; a trainee's drop-out (date and an optional
-- reason staff typed); the register of who actually came to each session
-- (beside the trainees' own "will you attend?" answers); and placements in a
-- job or an internship, recorded by staff or reported in a survey and then
-- confirmed by staff. The indicators count confirmed placements.

ALTER TABLE cohorts ADD COLUMN ends_on TEXT;            -- ISO date: the planned last day of training
ALTER TABLE enrolments ADD COLUMN dropped_on TEXT;      -- ISO date, set with status 'dropped'
ALTER TABLE enrolments ADD COLUMN dropout_reason TEXT;  -- typed by staff; may name people: never exported

-- One row per session and trainee once staff took the register: 1 came, 0 did not.
CREATE TABLE attendance_register (
    session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    enrolment_id  INTEGER NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    present       INTEGER NOT NULL CHECK (present IN (0, 1)),
    staff_id      INTEGER,
    marked_at     TEXT NOT NULL,
    PRIMARY KEY (session_id, enrolment_id)
);
CREATE INDEX attendance_register_enrolment ON attendance_register(enrolment_id);

CREATE TABLE placements (
    id             INTEGER PRIMARY KEY,
    enrolment_id   INTEGER NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('job', 'internship')),
    employer       TEXT,                            -- NULL when a survey answer did not name one
    starts_on      TEXT,                            -- ISO date
    ict            INTEGER NOT NULL CHECK (ict IN (0, 1)),
    source         TEXT NOT NULL CHECK (source IN ('staff', 'survey')),
    invitation_id  INTEGER UNIQUE REFERENCES survey_invitations(id) ON DELETE SET NULL,
    confirmed_at   TEXT,                            -- NULL: reported in a survey, waiting for staff
    staff_id       INTEGER,                         -- who recorded or confirmed it
    created_at     TEXT NOT NULL
);
CREATE INDEX placements_enrolment ON placements(enrolment_id);
CREATE INDEX placements_waiting ON placements(confirmed_at) WHERE confirmed_at IS NULL;

-- /forget deletes the user: what was typed about them (the employer, a drop-out reason) goes
-- with them; the placement and the status stay behind as counts for the programme's reports.
CREATE TRIGGER trainee_progress_forget BEFORE DELETE ON users
BEGIN
    UPDATE placements SET employer = NULL
        WHERE enrolment_id IN (SELECT id FROM enrolments WHERE user_id = OLD.id);
    UPDATE enrolments SET dropout_reason = NULL WHERE user_id = OLD.id;
END;
