-- Job and internship openings, who is interested in them, new-opening
-- alerts, and staff broadcasts. Bulk outbox rows (broadcasts, alerts) are
-- marked so that one-off messages (reminders, notices) go out before them.

CREATE TABLE openings (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('job', 'internship')),
    title         TEXT NOT NULL,                 -- written by staff in one language
    employer      TEXT NOT NULL,
    description   TEXT NOT NULL,
    municipality  TEXT,                          -- a municipality key; NULL when remote
    remote        INTEGER NOT NULL DEFAULT 0,
    deadline      TEXT NOT NULL,                 -- ISO date: the last day to apply, programme's time zone
    apply_how     TEXT NOT NULL,                 -- a link or a contact
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    closed_at     TEXT,
    CHECK (remote = 1 OR municipality IS NOT NULL)
);
CREATE INDEX openings_listing ON openings(status, created_at);

CREATE TABLE opening_tracks (
    opening_id  INTEGER NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    track       TEXT NOT NULL,
    PRIMARY KEY (opening_id, track)
);
CREATE INDEX opening_tracks_track ON opening_tracks(track, opening_id);

CREATE TABLE opening_interest (
    opening_id  INTEGER NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (opening_id, user_id)
);

CREATE TABLE alert_preferences (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    alerts      INTEGER NOT NULL DEFAULT 0,      -- 1: wants new-opening alerts
    stopped     INTEGER NOT NULL DEFAULT 0,      -- 1: said STOP: no alerts and no broadcasts at all
    updated_at  TEXT NOT NULL
);

CREATE TABLE alert_tracks (                      -- no rows for a person: every track
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track    TEXT NOT NULL,
    PRIMARY KEY (user_id, track)
);

CREATE TABLE broadcasts (
    id           INTEGER PRIMARY KEY,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    opening_id   INTEGER REFERENCES openings(id),
    text         TEXT,                           -- a free-text broadcast; NULL for an opening
    segment      TEXT NOT NULL,                  -- everyone, track, municipality, cohort, graduates, programme
    segment_arg  TEXT,                           -- the track, municipality, cohort code or programme code
    recipients   INTEGER NOT NULL,               -- outbox rows queued, one per person
    status       TEXT NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'finished')),
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    CHECK ((opening_id IS NULL) <> (text IS NULL))
);
CREATE INDEX broadcasts_status ON broadcasts(status);

ALTER TABLE outbox ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_due_bulk ON outbox(status, bulk, not_before);
