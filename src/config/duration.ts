// fail2ban's time values: plain seconds, or number+unit terms summed ("1h 30m", "1d", "2w"),
// with a month a twelfth of an average Gregorian year, as fail2ban counts it. Products of plain
// numbers ("60*60*24") are accepted because stock configs write them. Pure; returns ms.

const SECOND = 1000;
const YEAR = ((365 * 3 + 366) / 4) * 24 * 3600 * SECOND;
const UNITS: ReadonlyArray<[RegExp, number]> = [
  [/^(?:s|ss|se|sec|seconds?)$/i, SECOND],
  [/^(?:m|mm|mi|min|minutes?)$/i, 60 * SECOND],
  [/^(?:h|hh|ho|hou|hours?)$/i, 3600 * SECOND],
  [/^(?:d|dd|da|days?)$/i, 86400 * SECOND],
  [/^(?:w|ww|we|wee|weeks?)$/i, 7 * 86400 * SECOND],
  [/^(?:mo|mon|months?)$/i, YEAR / 12],
  [/^(?:y|yy|ye|yea|years?)$/i, YEAR],
];
const TERM = /^(\d+(?:\.\d+)?(?:\*\d+(?:\.\d+)?)*)\s*([a-z]*)$/i;

/** Milliseconds for a fail2ban duration; `undefined` when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  // Split "1h30m" and "1h 30m" and "1h+30m" alike into number+unit terms.
  const terms = trimmed.match(/\d+(?:\.\d+)?(?:\s*\*\s*\d+(?:\.\d+)?)*\s*[a-z]*/gi);
  if (!terms || terms.join('').replace(/\s+/g, '') !== trimmed.replace(/[\s+]+/g, '')) return undefined;
  let total = 0;
  for (const raw of terms) {
    const m = TERM.exec(raw.replace(/\s+/g, ''));
    if (!m) return undefined;
    const value = m[1]!.split('*').reduce((acc, n) => acc * Number(n), 1);
    const unit = m[2]!;
    if (unit === '') {
      total += value * SECOND;
      continue;
    }
    const scale = UNITS.find(([re]) => re.test(unit))?.[1];
    if (scale === undefined) return undefined;
    total += value * scale;
  }
  return Math.round(total);
}

/**
 * A ban duration: a duration, or a negative number meaning "forever" (`null`), as fail2ban's
 * `bantime = -1`.
 */
export function parseBantime(text: string): number | null | undefined {
  if (/^\s*-\d+\s*$/.test(text)) return null;
  return parseDuration(text);
}
