-- A short title per language for buttons (at most 24 characters); texts keep the full title.
-- Empty means "use the full title".
ALTER TABLE programmes ADD COLUMN short_sq TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN short_sr TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN short_en TEXT NOT NULL DEFAULT '';
