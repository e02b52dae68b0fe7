// Finds the timestamp at the start of a log line, returns its time and the rest of the line.
// fail2ban applies failregex to the line with its date removed; these are the templates common
// to syslog, journald exports and banhammer's own log. The full template set is future work.

export interface Dated {
  /** Milliseconds since the epoch, or undefined when the line has no recognised date. */
  readonly time: number | undefined;
  /** The line without its leading date and the whitespace after it. */
  readonly rest: string;
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

// "Nov 27 10:24:12" / "Nov  7 10:24:12" (syslog, no year), optional fraction.
const SYSLOG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s+/;
// "2026-11-27T10:24:12.123+01:00", "2026-11-27 10:24:12,123" (fail2ban's and banhammer's own log).
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?\s+/;

/** Splits the leading date off `line`; `now` resolves syslog dates that carry no year. */
export function splitDate(line: string, now: number): Dated {
  const s = SYSLOG.exec(line);
  if (s) {
    const month = MONTHS[s[1]!.toLowerCase()];
    if (month !== undefined) {
      const year = new Date(now).getFullYear();
      let t = new Date(year, month, Number(s[2]), Number(s[3]), Number(s[4]), Number(s[5])).getTime();
      // A December line read on 1 January belongs to last year; allow a day of clock skew.
      if (t > now + 86_400_000)
        t = new Date(year - 1, month, Number(s[2]), Number(s[3]), Number(s[4]), Number(s[5])).getTime();
      return { time: t, rest: line.slice(s[0].length) };
    }
  }
  const i = ISO.exec(line);
  if (i) {
    const [, y, mo, d, h, mi, sec, frac, zone] = i;
    const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
    const text = `${y}-${mo}-${d}T${h}:${mi}:${sec}.${String(ms).padStart(3, '0')}`;
    const z = zone
      ? zone === 'Z'
        ? 'Z'
        : zone.length === 5
          ? `${zone.slice(0, 3)}:${zone.slice(3)}`
          : zone
      : '';
    const t = new Date(text + z).getTime();
    if (!Number.isNaN(t)) return { time: t, rest: line.slice(i[0].length) };
  }
  return { time: undefined, rest: line };
}
