-- The local day of each application, stored when it is made, so the indicators count
-- by it without working out a time zone for every row (and group by the stored age).
-- Rows from before this migration get their day and age once, at the next start-up
-- (bot.services.application_days), since the time zone is a setting the migration
-- cannot see; until then applied_on stays NULL.

ALTER TABLE applications ADD COLUMN applied_on TEXT;  -- YYYY-MM-DD in the programme's time zone

-- Everything the indicators count from an application, in the order they group by:
-- the count reads this index alone, already in group order.
CREATE INDEX applications_for_counts
    ON applications(programme_id, gender, municipality, age_at_application, status, applied_on);

-- The rows still waiting for their day (none after the first start-up).
CREATE INDEX applications_without_day ON applications(created_at) WHERE applied_on IS NULL;
