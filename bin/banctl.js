#!/usr/bin/env node
// Runs the compiled client (npm run build puts it in dist/).
import { main } from '../dist/cli/banctl.js';

process.exitCode = await main(process.argv.slice(2));
