// A worker thread of banctl regex: compiles the filter for itself (compiled patterns live in one
// thread) and reads the one part of the log it was given (regex-part.ts), then posts the result.

import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadRegexFilter } from './regex-filter.ts';
import { type PartJob, readPart, type WorkerResult } from './regex-part.ts';
import type { Failing } from './regex-scan.ts';

const job = workerData as PartJob;
const loaded = loadRegexFilter(job.filter);
// The main thread compiled the same filter without error; failing here, it reads the part itself.
if ('error' in loaded) throw new Error(loaded.error);
// A filter that ties lines together is read in one pass by the main thread, which stops this one.
if (!loaded.filter.independentLines) process.exit(0);
const fd = openSync(job.log, 'r');
try {
  // Failing lines are kept until the end: the main thread prints them after the parts before this one.
  const failing: Failing[] = [];
  const push = job.json ? (f: Failing) => failing.push(f) : undefined;
  const result = readPart(loaded.filter, loaded.config.failregex.length, { fd, ...job }, push);
  parentPort!.postMessage({ ...result, failing } satisfies WorkerResult);
} finally {
  closeSync(fd);
}
