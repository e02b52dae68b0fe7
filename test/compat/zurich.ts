// fail2ban's sample test runs with TZ='CET-01CEST-02,M3.5.0,M10.5.0' (tests/utils.py). Node's ICU
// ignores POSIX rule strings (it falls back to UTC), so the harness uses Europe/Zurich, which gives
// the same offset for every annotated time in fail2ban 1.0.2's samples (checked with Python's
// mktime under both); they differ only in the autumn change hour and before 1981. Import this
// module first: it sets TZ before anything reads the clock.

const previous = process.env.TZ;
process.env.TZ = 'Europe/Zurich';
if (new Date(2005, 7, 14, 12).getTime() !== Date.UTC(2005, 7, 14, 10)) {
  throw new Error('TZ=Europe/Zurich is not in effect (is ICU time zone data available?)');
}

/** Puts back the TZ the process had before this module loaded. */
export function restoreTimezone(): void {
  if (previous === undefined) delete process.env.TZ;
  else process.env.TZ = previous;
}
