-- Follow-up surveys: an invitation is one planned send of one survey to one
-- graduate (a wave of a campaign, or a send by staff); answers are kept one
-- row per question, with the time each was given.

CREATE TABLE survey_invitations (
    id            INTEGER PRIMARY KEY,
    survey_id     TEXT NOT NULL,                    -- the id in surveys/*.yaml
    wave          TEXT NOT NULL,                    -- 'm3', 'm6', 'm12': months after graduation; 'now-<time>': sent by staff
    enrolment_id  INTEGER NOT NULL REFERENCES enrolments(id),
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    due_at        TEXT NOT NULL,                    -- UTC: when the invitation goes out (its reminder is
                                                    -- planned when it is sent: see bot/surveys/campaigns.py)
    expires_at    TEXT NOT NULL,                    -- UTC: closed as not answered from this moment
    status        TEXT NOT NULL DEFAULT 'planned',  -- planned -> started -> completed; planned | started -> expired
    language      TEXT,                             -- the language the answers were given in
    started_at    TEXT,
    completed_at  TEXT,
    closed_at     TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (survey_id, enrolment_id, wave)
);
CREATE INDEX survey_invitations_user ON survey_invitations(user_id, status);
CREATE INDEX survey_invitations_open ON survey_invitations(status, expires_at);

CREATE TABLE survey_answers (
    invitation_id  INTEGER NOT NULL REFERENCES survey_invitations(id) ON DELETE CASCADE,
    question_id    TEXT NOT NULL,
    value          TEXT NOT NULL,               -- JSON: option key, list of keys, 'yes'/'no', number, ISO date, text; null = skipped
    free_text      INTEGER NOT NULL DEFAULT 0,  -- 1 for typed text, which may name people or employers
    answered_at    TEXT NOT NULL,
    PRIMARY KEY (invitation_id, question_id)
);

-- /forget deletes the user: their typed answers go with them, while choices
-- stay behind, no longer linked to anyone, as counts for the programme's reports.
CREATE TRIGGER survey_answers_forget BEFORE DELETE ON users
BEGIN
    DELETE FROM survey_answers WHERE free_text = 1
        AND invitation_id IN (SELECT id FROM survey_invitations WHERE user_id = OLD.id);
END;
