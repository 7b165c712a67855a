-- The console's confirmation of a broadcast carries a one-time token: the same confirmation sent twice
-- (a double click, a reloaded POST) finds the broadcast it started instead of sending it again.
ALTER TABLE broadcasts ADD COLUMN confirmation TEXT;
CREATE UNIQUE INDEX broadcasts_confirmation ON broadcasts(confirmation) WHERE confirmation IS NOT NULL;
