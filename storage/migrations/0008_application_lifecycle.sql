-- The life of an application: statuses submitted -> shortlisted -> accepted /
-- waitlisted / rejected, and withdrawn by the applicant. The status column of
-- 0001 keeps its values ('submitted', 'accepted', 'rejected', 'withdrawn');
-- 'shortlisted' and 'waitlisted' are new. Every change is kept in a history,
-- and staff may keep internal notes that the applicant never sees.

CREATE TABLE application_status_history (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    from_status     TEXT NOT NULL,
    to_status       TEXT NOT NULL,
    staff_id        INTEGER,                 -- NULL: the applicant, the CLI or a chat command
    by_applicant    INTEGER NOT NULL DEFAULT 0,
    personal_note   TEXT,                    -- the staff member's sentence sent to the applicant
    at              TEXT NOT NULL
);
CREATE INDEX application_status_history_by_application
    ON application_status_history(application_id, at);

CREATE TABLE application_notes (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    staff_id        INTEGER,
    at              TEXT NOT NULL,
    text            TEXT NOT NULL
);
CREATE INDEX application_notes_by_application ON application_notes(application_id, at);

-- The console's list: newest first, filtered by programme, status, municipality,
-- and searched by reference (unique already), phone and name; duplicates found by
-- phone and by name + birth date.
CREATE INDEX applications_by_created ON applications(created_at DESC, id DESC);
CREATE INDEX applications_by_programme_status ON applications(programme_id, status, created_at);
CREATE INDEX applications_by_status ON applications(status, created_at);
CREATE INDEX applications_by_municipality ON applications(municipality);
CREATE INDEX applications_by_phone ON applications(phone) WHERE phone IS NOT NULL;
CREATE INDEX applications_by_name_birth ON applications(full_name COLLATE NOCASE, birth_date)
    WHERE full_name IS NOT NULL;
