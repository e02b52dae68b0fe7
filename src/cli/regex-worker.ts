// A worker thread of banctl regex: compiles the filter for itself (compiled patterns live in one
// thread), then reads parts of the log (regex-part.ts) as long as it can claim one, posting each
// part's result as it is done.

import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadRegexFilter } from './regex-filter.ts';
import { claim, type PartDone, type QueueJob, readPartKept } from './regex-part.ts';

const job = workerData as QueueJob;
const loaded = loadRegexFilter(job.filter);
// The main thread compiled the same filter without error; failing here, it reads the parts itself.
if ('error' in loaded) throw new Error(loaded.error);
// A filter that ties lines together is read in one pass by the main thread, which stops this one.
if (!loaded.filter.independentLines) process.exit(0);
const fd = openSync(job.log, 'r');
try {
  for (let i = claim(job.claims, job.parts.length); i >= 0; i = claim(job.claims, job.parts.length)) {
    const part = job.parts[i]!;
    const result = readPartKept(loaded.filter, loaded.config.failregex.length, {
      part,
      last: part.to === job.size,
      now: job.now,
      json: job.json,
      fd,
    });
    parentPort!.postMessage({ index: i, result } satisfies PartDone);
  }
} finally {
  closeSync(fd);
}
