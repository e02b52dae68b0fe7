// Dated log files for the tests of seeking by date: each line begins with an ISO 8601 date that
// `isoTimeOf` reads back (a stand-in for a filter's date detector), and the file is written with
// where each line starts, to compare a seek's answer with.

import { writeFileSync } from 'node:fs';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** The date a line begins with, in epoch ms; undefined when it begins with none. */
export const isoTimeOf = (line: string): number | undefined =>
  ISO.test(line) ? Date.parse(line.slice(0, 24)) : undefined;

/** A line dated `time`. */
export const dated = (time: number, text = 'srv sshd[7]: Failed password for root from 192.0.2.7'): string =>
  `${new Date(time).toISOString()} ${text}`;

/** Lines dated every `stepMs` from `from` (inclusive) up to `to` (exclusive). */
export function datedRange(from: number, to: number, stepMs: number, text?: string): string[] {
  const out: string[] = [];
  for (let t = from; t < to; t += stepMs) out.push(dated(t, text));
  return out;
}

/** Writes one line per entry (each with its newline, plus `tail` unterminated); returns where each starts. */
export function writeLines(path: string, lines: readonly (string | Buffer)[], tail = ''): number[] {
  const starts: number[] = [];
  let at = 0;
  const parts = lines.map((l) => {
    starts.push(at);
    const bytes = Buffer.concat([Buffer.from(l), Buffer.from('\n')]);
    at += bytes.length;
    return bytes;
  });
  writeFileSync(path, Buffer.concat([...parts, Buffer.from(tail)]));
  return starts;
}
