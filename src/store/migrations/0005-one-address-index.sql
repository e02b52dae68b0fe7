-- Every look-up of an address's bans (a lift, a re-ban's supersede, <ipmatches>, <ipjailmatches>)
-- names the address, and some also the jail: one index on (address, jail) answers them all. Two
-- indexes of random keys were most of a ban storm's state-file time (100,000 bans: ~1.1 s with
-- both, ~0.67 s with one; bench/figures/ban-throughput.mjs).
DROP INDEX bans_by_jail_address;
DROP INDEX bans_by_address;
CREATE INDEX bans_by_address ON bans (address, jail);
