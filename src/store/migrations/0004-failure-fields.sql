-- A ban reads its address's failures back for the lines and captures it carries (the counter
-- keeps only times): each failure's <F-…> captures as JSON (NULL when none), and an index that
-- finds one address's failures inside findtime without walking the jail's others.
ALTER TABLE failures ADD COLUMN fields TEXT;
DROP INDEX failures_by_jail_address;
CREATE INDEX failures_by_jail_address ON failures (jail, address, time);
