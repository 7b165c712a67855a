-- The application funnel: how far each start of /apply got, without personal data.
-- A start gets a random token that only its conversation holds while it lasts
-- (so /forget, /cancel or the end of the form leaves nothing that points back
-- to a person); the day is the local date of the start, not a timestamp, so
-- a row cannot be matched to an application by its time.

CREATE TABLE apply_funnel (
    id          INTEGER PRIMARY KEY,
    token       TEXT NOT NULL UNIQUE,
    started_on  TEXT NOT NULL,              -- ISO date in the programme's time zone
    submitted   INTEGER NOT NULL DEFAULT 0  -- 1 once the application was submitted
);
CREATE INDEX apply_funnel_by_day ON apply_funnel(started_on);

-- Every step of the form a start reached (a question id, 'consent', '_summary').
CREATE TABLE apply_funnel_steps (
    funnel_id  INTEGER NOT NULL REFERENCES apply_funnel(id) ON DELETE CASCADE,
    step       TEXT NOT NULL,
    PRIMARY KEY (funnel_id, step)
) WITHOUT ROWID;

-- The counts the reports read: per day of start and step, how many starts reached it
-- ('_started' and '_submitted' count the starts and the submitted ones). Kept up to
-- date with the two tables above, so a report sums a few hundred rows, not every step.
CREATE TABLE apply_funnel_daily (
    started_on  TEXT NOT NULL,
    step        TEXT NOT NULL,
    reached     INTEGER NOT NULL,
    PRIMARY KEY (started_on, step)
) WITHOUT ROWID;
