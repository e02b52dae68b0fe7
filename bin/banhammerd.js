#!/usr/bin/env -S node --semi-space-growth-factor=4 --initial-old-space-size=96
// Runs the compiled daemon (npm run build puts it in dist/).
// The flags size V8's heap for a ban storm; an idle daemon touches none of the room they allow
// (bench idle RSS: 74-78 MiB with and without them).
// --semi-space-growth-factor=4: V8's young generation grows from 1 MiB to its largest size (16
// MiB a half, V8's own) in two steps, not four, so a storm's first collections are fewer.
// --initial-old-space-size=96: V8 sets the old generation's first limit from the idle heap
// (~10 MiB), and the state a storm keeps (ban-book entries, failures waiting for their ban's
// commit) crossed it again and again: a daemon's run with one storm of 100,000 bans marked the
// whole heap three times, and once with this flag.
// Measured by alternating storms of two daemons (bench/figures/ban-throughput.mjs' storm; the
// median of the paired differences): the growth factor −150 ms, the old space's limit −134 ms.
// A larger young generation (--max-semi-space-size=32) measured faster when it was set, on an
// older build (2.3 against 2.43 s); on this one, 16 MiB beats 32 by 28 and 78 ms
// (series of ten and twelve pairs), 64 is 150 ms slower than 32 and 8 is 140 ms slower than 16.
// The million-address memory figure is ~200 MiB with 16, ~215 with 32.
// `npm start`, systemd and the bench all run the daemon with these flags.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
