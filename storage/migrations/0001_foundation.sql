-- Foundation: people, their conversations, the programme catalogue,
-- applications, handled updates and the outbox of proactive messages.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    channel       TEXT NOT NULL,               -- 'telegram', 'viber', 'console'
    platform_id   TEXT NOT NULL,               -- the channel's own user id
    chat_id       TEXT NOT NULL,               -- where to send messages
    display_name  TEXT,
    language      TEXT,                        -- NULL until the user picks one
    source        TEXT,                        -- deep-link source of the first /start
    reachable     INTEGER NOT NULL DEFAULT 1,  -- 0 after the user blocked the bot
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (channel, platform_id)
);

CREATE TABLE conversations (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    token       TEXT NOT NULL,               -- changes with every new prompt; old buttons carry an older one
    answers     TEXT NOT NULL,               -- JSON object: question id -> answer
    data        TEXT NOT NULL,               -- JSON object: flow bookkeeping (page, editing, ...)
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE programmes (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL,
    title_sq  TEXT NOT NULL,
    title_sr  TEXT NOT NULL,
    title_en  TEXT NOT NULL,
    is_open   INTEGER NOT NULL DEFAULT 1,
    position  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE applications (
    id            INTEGER PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE,
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    programme_id  INTEGER NOT NULL REFERENCES programmes(id),
    status        TEXT NOT NULL DEFAULT 'submitted',
    full_name     TEXT,
    birth_date    TEXT,
    birth_year    INTEGER,                     -- kept after /forget for reporting by age
    gender        TEXT,
    municipality  TEXT,
    phone         TEXT,
    email         TEXT,
    education     TEXT,
    employment    TEXT,
    motivation    TEXT,
    heard_from    TEXT,
    source        TEXT,
    language      TEXT,
    consent_at    TEXT,
    created_at    TEXT NOT NULL,
    anonymised_at TEXT
);
CREATE UNIQUE INDEX applications_one_per_programme
    ON applications(user_id, programme_id) WHERE user_id IS NOT NULL;

CREATE TABLE handled_updates (
    channel     TEXT NOT NULL,
    update_key  TEXT NOT NULL,
    handled_at  TEXT NOT NULL,
    PRIMARY KEY (channel, update_key)
);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,                   -- 'staff_notice', 'reminder', 'broadcast', ...
    ref          TEXT,                            -- what it belongs to, e.g. 'session:12', 'broadcast:3'
    dedup_key    TEXT UNIQUE,                     -- planning the same message twice is a no-op
    payload      TEXT NOT NULL,                   -- JSON: text and options, or what the renderer needs
    status       TEXT NOT NULL DEFAULT 'pending',
        -- pending -> sending -> sent | failed | unreachable; pending -> expired | cancelled;
        -- sending left by a crash -> interrupted (never sent twice)
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT NOT NULL,
    expires_at   TEXT,                            -- not worth sending after this moment
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    platform_message_id TEXT,
    error        TEXT
);
CREATE INDEX outbox_due ON outbox(status, not_before);
CREATE INDEX outbox_ref ON outbox(ref, status);
