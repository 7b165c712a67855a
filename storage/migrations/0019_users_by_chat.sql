-- The outbox marks a person unreachable by (channel, chat_id) when a platform answers 403;
-- without an index each such answer scanned every user (a broadcast to 20,000 has ~2,000 of them).
CREATE INDEX users_by_chat ON users(channel, chat_id);
