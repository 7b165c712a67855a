-- Viber channel: delivery receipts on outbox rows, and one-time codes that
-- move a person's records from one channel account to another (/link).

-- Viber reports 'delivered', 'seen' and 'failed' for the message token that
-- send_message returned (stored in platform_message_id).
ALTER TABLE outbox ADD COLUMN delivered_at TEXT;
ALTER TABLE outbox ADD COLUMN seen_at TEXT;
ALTER TABLE outbox ADD COLUMN failure TEXT;       -- the platform's description of a failed delivery
CREATE INDEX outbox_platform_message ON outbox(channel, platform_message_id)
    WHERE platform_message_id IS NOT NULL;

-- A code shown to one account (user_id) that another account types to take
-- over that account's records. Single use, short-lived; kept as the record of the move.
CREATE TABLE link_codes (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_at          TEXT,
    used_by_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX link_codes_open ON link_codes(code) WHERE used_at IS NULL;
CREATE INDEX link_codes_user ON link_codes(user_id);

-- Failed attempts to use a code, for the limit of wrong tries per hour.
CREATE TABLE link_attempts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at          TEXT NOT NULL
);
CREATE INDEX link_attempts_user ON link_attempts(user_id, at);
