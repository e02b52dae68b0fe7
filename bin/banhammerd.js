#!/usr/bin/env -S node --max-semi-space-size=64
// Runs the compiled daemon (npm run build puts it in dist/).
// --max-semi-space-size: V8's young generation may grow to 64 MiB a half (16 by default) while
// allocation runs fast. A ban storm's lines, failures and bans live for a tick or two; in the
// default size most of them were still alive at each collection and were copied, then promoted,
// and collections took a fifth of the storm (bench/figures/ban-throughput.mjs). An idle daemon
// never grows it. `npm start`, systemd and the bench all run the daemon with these flags.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
