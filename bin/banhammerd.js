#!/usr/bin/env node
// Runs the compiled daemon (npm run build puts it in dist/).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
