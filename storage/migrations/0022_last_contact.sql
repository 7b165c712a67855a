-- When each person last wrote to the bot, for the console's list of people.
-- updated_at changes with every edit of the row (language, reachability);
-- last_seen_at only when the person themselves sends something.
ALTER TABLE users ADD COLUMN last_seen_at TEXT;
UPDATE users SET last_seen_at = updated_at;
CREATE INDEX users_by_last_seen ON users(last_seen_at DESC, id DESC);
