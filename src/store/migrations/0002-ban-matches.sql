-- The lines behind each ban, for actions' <matches>, <ipmatches> and <ipjailmatches> tags.
ALTER TABLE bans ADD COLUMN matches TEXT NOT NULL DEFAULT '[]';
CREATE INDEX bans_by_address ON bans (address);
