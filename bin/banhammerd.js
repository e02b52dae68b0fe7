#!/usr/bin/env -S node --max-semi-space-size=32 --semi-space-growth-factor=4 --initial-old-space-size=96
// Runs the compiled daemon (npm run build puts it in dist/).
// The flags size V8's heap for a ban storm; an idle daemon touches none of the room they allow
// (bench idle RSS: 74–77 MiB with and without them).
// --max-semi-space-size: V8's young generation may grow to 32 MiB a half (16 by default) while
// allocation runs fast. A ban storm's lines, failures and bans live for a tick or two, and in the
// default size more of them were still alive at each collection, to be copied and promoted
// (100,000 bans: ~2.43 s with 16, ~2.3 with 32 and 64). 64 cost the million-address memory figure
// 110 MiB (bench/figures/memory.mjs), 32 about 40.
// --semi-space-growth-factor=4: the young generation reaches that size in three steps from 1 MiB,
// not five, so a storm's first collections are fewer (a run with one storm of 100,000 bans: 68
// scavenges, 53 with this flag and the next).
// --initial-old-space-size=96: V8 sets the old generation's first limit from the idle heap
// (~10 MiB), and the state a storm keeps (ban-book entries, failures waiting for their ban's
// commit) crossed it again and again: a daemon's run with one storm of 100,000 bans marked the
// whole heap three times, and once with this flag. The million-address figure keeps more garbage
// before its first full collection: ~215 against ~202 MiB.
// Six to eight alternating pairs of storms: −150 ms (growth factor), then −134 ms (old space).
// `npm start`, systemd and the bench all run the daemon with these flags.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
