-- Failures inside findtime and the history of bans, so a restart keeps counts and bans.
CREATE TABLE failures (
  jail    TEXT    NOT NULL,
  address TEXT    NOT NULL,
  family  INTEGER NOT NULL,
  time    INTEGER NOT NULL,
  line    TEXT    NOT NULL
);
CREATE INDEX failures_by_jail_time ON failures (jail, time);
CREATE INDEX failures_by_jail_address ON failures (jail, address);

CREATE TABLE bans (
  id         INTEGER PRIMARY KEY,
  jail       TEXT    NOT NULL,
  address    TEXT    NOT NULL,
  family     INTEGER NOT NULL,
  banned_at  INTEGER NOT NULL,
  expires_at INTEGER,            -- NULL: forever
  failures   INTEGER NOT NULL,
  lifted_at  INTEGER             -- set when an operator or the expiry lifts it
);
CREATE INDEX bans_by_jail_address ON bans (jail, address);
CREATE INDEX bans_active ON bans (jail, lifted_at, expires_at);
