-- The console's people pages: when each person last wrote to the bot, and
-- indexes for reading one person's records by their user id (the person
-- page, and the cascade when a person is erased).

-- updated_at changes with every edit of the row (language, reachability);
-- last_seen_at only when the person themselves sends something.
ALTER TABLE users ADD COLUMN last_seen_at TEXT;
UPDATE users SET last_seen_at = updated_at;
CREATE INDEX users_by_last_seen ON users(last_seen_at DESC, id DESC);

-- These tables' keys start with the session or the opening, not the person.
CREATE INDEX session_answers_by_user ON session_answers(user_id);
CREATE INDEX opening_interest_by_user ON opening_interest(user_id);
CREATE INDEX link_codes_used_by ON link_codes(used_by_user_id) WHERE used_by_user_id IS NOT NULL;
