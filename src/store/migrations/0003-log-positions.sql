-- Where each log source stopped, so a restart reads what was written meanwhile exactly once.
-- A file is known by its device, inode and a hash of its first line; dev and ino are decimal
-- text because both are unsigned 64-bit numbers. The offset is the end of the last line delivered.
CREATE TABLE file_positions (
  path       TEXT    PRIMARY KEY,
  dev        TEXT    NOT NULL,
  ino        TEXT    NOT NULL,
  hash       TEXT    NOT NULL,
  offset     INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The journal cursor of the last entry a systemd-backend jail was given, by jail name.
CREATE TABLE journal_cursors (
  name       TEXT    PRIMARY KEY,
  cursor     TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
);
