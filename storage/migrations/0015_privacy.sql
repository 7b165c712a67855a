-- A young person's data in their hands: a guardian's consent for minors, and the age
-- at application kept as a number so that reports count the same after an erasure
-- (the birth date goes; a birth year alone can put someone in the wrong age group).

ALTER TABLE applications ADD COLUMN guardian_name TEXT;           -- set for an applicant under GUARDIAN_CONSENT_UNDER
ALTER TABLE applications ADD COLUMN guardian_phone TEXT;
ALTER TABLE applications ADD COLUMN guardian_confirmed_at TEXT;  -- when the applicant confirmed the guardian agrees
ALTER TABLE applications ADD COLUMN age_at_application INTEGER;  -- kept after erasure, for the age groups

UPDATE applications SET age_at_application =
    CAST(substr(created_at, 1, 4) AS INTEGER) - CAST(substr(birth_date, 1, 4) AS INTEGER)
    - (substr(created_at, 6, 5) < substr(birth_date, 6, 5))
    WHERE birth_date IS NOT NULL;

-- Retention looks for old rows by their dates.
CREATE INDEX outbox_created ON outbox(created_at);
CREATE INDEX conversations_updated ON conversations(updated_at);
