#!/usr/bin/env -S node --max-semi-space-size=32
// Runs the compiled daemon (npm run build puts it in dist/).
// --max-semi-space-size: V8's young generation may grow to 32 MiB a half (16 by default) while
// allocation runs fast. A ban storm's lines, failures and bans live for a tick or two, and in the
// default size more of them were still alive at each collection, to be copied and promoted
// (100,000 bans: ~2.43 s with 16, ~2.3 with 32 and 64). 64 cost the million-address memory figure
// 110 MiB (bench/figures/memory.mjs), 32 about 40; an idle daemon never grows it.
// `npm start`, systemd and the bench all run the daemon with these flags.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
