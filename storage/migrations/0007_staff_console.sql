-- Staff web console: staff accounts with roles, one-time tokens, server-side
-- web sessions, sign-in attempts for the lock-out, and the audit trail.

CREATE TABLE staff_accounts (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL,               -- stored lower-case
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    password_hash  TEXT,                        -- argon2id; NULL until the password is set
    disabled       INTEGER NOT NULL DEFAULT 0,
    language       TEXT NOT NULL DEFAULT 'sq',
    telegram_id    INTEGER,                     -- linked chat accounts: chat staff commands follow the role
    viber_id       TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX staff_accounts_email ON staff_accounts(email);
CREATE UNIQUE INDEX staff_accounts_telegram ON staff_accounts(telegram_id) WHERE telegram_id IS NOT NULL;
CREATE UNIQUE INDEX staff_accounts_viber ON staff_accounts(viber_id) WHERE viber_id IS NOT NULL;

-- Set-password links (24 h) and chat sign-in links (10 min): only the SHA-256
-- of the token is stored; a token works once.
CREATE TABLE staff_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    staff_id     INTEGER NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL CHECK (purpose IN ('set_password', 'sign_in')),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);
CREATE INDEX staff_tokens_staff ON staff_tokens(staff_id, purpose);

-- Web sessions: the cookie holds a random id, the table its SHA-256.
CREATE TABLE web_sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    staff_id      INTEGER NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE INDEX web_sessions_staff ON web_sessions(staff_id);

-- Failed sign-ins, for the limit per account and per address.
CREATE TABLE sign_in_failures (
    id       INTEGER PRIMARY KEY,
    email    TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures(email, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures(address, at);

-- Who did what, when, to what. Append-only: the triggers refuse any change.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    staff_id     INTEGER,                      -- the staff account; no foreign key, so the record outlives any account change
    action       TEXT NOT NULL,
    target_kind  TEXT,
    target_id    TEXT,
    detail       TEXT NOT NULL DEFAULT '{}'    -- JSON object
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_staff ON audit_log(staff_id, at);
CREATE INDEX audit_log_action ON audit_log(action, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail cannot be changed');
END;
