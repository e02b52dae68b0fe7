// CommonJS packages (pino, better-sqlite3, re2, ipaddr.js, picomatch, nodemailer) are loaded with
// require rather than `import`: importing one from an ES module makes Node run its
// cjs-module-lexer over the package's sources to find named exports, work hot enough to wake
// V8's optimising compiler, about 5 MiB of an idle daemon's memory for the life of the process
// (bench/figures/memory.mjs idle). require returns what the default import would: module.exports.

import { createRequire } from 'node:module';

/** `require`, for the CommonJS packages in package.json's dependencies. */
export const requirePackage: NodeJS.Require = createRequire(import.meta.url);
