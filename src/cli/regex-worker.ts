// A worker thread of banctl regex: compiles the filter for itself (compiled patterns live in one
// thread) and reads the one part of the log it was given (regex-part.ts), then posts the result.

import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadRegexFilter } from './regex-filter.ts';
import { type PartJob, readPartKept } from './regex-part.ts';

const job = workerData as PartJob;
const loaded = loadRegexFilter(job.filter);
// The main thread compiled the same filter without error; failing here, it reads the part itself.
if ('error' in loaded) throw new Error(loaded.error);
// A filter that ties lines together is read in one pass by the main thread, which stops this one.
if (!loaded.filter.independentLines) process.exit(0);
const fd = openSync(job.log, 'r');
try {
  parentPort!.postMessage(readPartKept(loaded.filter, loaded.config.failregex.length, { ...job, fd }));
} finally {
  closeSync(fd);
}
