// The words of every mail action: subject and plain-text body for a jail's start, stop and
// bans, per fail2ban action kind. Pure: facts in, text out. Everything that came from outside
// (log lines, whois replies, names) is data: it only ever lands in a body, control characters
// defused, and a subject is always one line.

/** fail2ban's mail actions that banhammer runs natively; the `mail*` ones were mail(1) pipes. */
export { isMailKind, MAIL_KINDS, type MailKind } from '../core/action-names.ts';

import type { MailKind } from '../core/action-names.ts';

/** Which lines a ban mail lists: the ban's own matches, or the address's stored lines. */
export type LineSource = 'lines' | 'matches' | 'ipmatches' | 'ipjailmatches';

export interface KindTraits {
  readonly whois: boolean;
  readonly lines: LineSource | undefined;
}

// mail* and sendmail* of the same suffix say the same thing; they differed only in the pipe.
const TRAITS: Readonly<Record<MailKind, KindTraits>> = {
  sendmail: { whois: false, lines: undefined },
  'sendmail-whois': { whois: true, lines: undefined },
  'sendmail-whois-lines': { whois: true, lines: 'lines' },
  'sendmail-whois-matches': { whois: true, lines: 'matches' },
  'sendmail-whois-ipmatches': { whois: true, lines: 'ipmatches' },
  'sendmail-whois-ipjailmatches': { whois: true, lines: 'ipjailmatches' },
  mail: { whois: false, lines: undefined },
  'mail-whois': { whois: true, lines: undefined },
  'mail-whois-lines': { whois: true, lines: 'lines' },
};

export function kindTraits(kind: MailKind): KindTraits {
  return TRAITS[kind];
}

export interface MailText {
  readonly subject: string;
  readonly text: string;
}

/** What a ban mail reports; `whois` and `lines` are present when the kind carries them. */
export interface BanFacts {
  /** The action's `name` argument (the jail's name by default). */
  readonly name: string;
  /** The host banhammer runs on, as subjects name it. */
  readonly host: string;
  readonly address: string;
  readonly failures: number;
  /** When the ban started (ms since the epoch). */
  readonly time: number;
  /** null: forever. */
  readonly bantimeMs: number | null;
  readonly banCount: number;
  readonly whois?: string;
  /** The lines to list, oldest first, already limited; `limit` is the cap that applied. */
  readonly lines?: { readonly items: readonly string[]; readonly limit: number };
}

const SIGNATURE = '-- \nbanhammer\n';

export function composeStart(name: string, host: string): MailText {
  const jail = oneLine(name);
  return {
    subject: `[banhammer] ${jail} on ${oneLine(host)}: jail started`,
    text: `The jail ${jail} is now running on ${oneLine(host)}; each address it bans will be reported here.\n\n${SIGNATURE}`,
  };
}

export function composeStop(name: string, host: string): MailText {
  const jail = oneLine(name);
  return {
    subject: `[banhammer] ${jail} on ${oneLine(host)}: jail stopped`,
    text: `The jail ${jail} on ${oneLine(host)} has stopped; no more bans will be reported from it until it starts again.\n\n${SIGNATURE}`,
  };
}

export function composeBan(kind: MailKind, facts: BanFacts): MailText {
  const jail = oneLine(facts.name);
  const host = oneLine(facts.host);
  const ip = oneLine(facts.address);
  const until = facts.bantimeMs === null ? '' : ` (until ${iso(facts.time + facts.bantimeMs)})`;
  const parts = [
    `The jail ${jail} on ${host} banned ${ip}.\n\n` +
      `Failures:     ${facts.failures}\n` +
      `Banned at:    ${iso(facts.time)}\n` +
      `Ban time:     ${formatDuration(facts.bantimeMs)}${until}\n` +
      `Earlier bans: ${facts.banCount}\n`,
  ];
  const traits = TRAITS[kind];
  if (traits.whois) parts.push(`Whois report for ${ip}:\n\n${cleanBody(facts.whois ?? '(none)')}`);
  if (traits.lines) parts.push(`${linesHeading(traits.lines, jail, ip, facts)}\n\n${listLines(facts)}`);
  parts.push(SIGNATURE);
  return { subject: `[banhammer] ${jail} on ${host}: banned ${ip}`, text: parts.map(endLine).join('\n') };
}

function linesHeading(source: LineSource, jail: string, ip: string, facts: BanFacts): string {
  const n = facts.lines?.items.length ?? 0;
  switch (source) {
    case 'lines':
      return `Log lines that matched ${ip} (${n}, at most the last ${facts.lines?.limit ?? 0}):`;
    case 'matches':
      return `Log lines behind this ban (${n}):`;
    case 'ipmatches':
      return `Every stored failure of ${ip}, in any jail (${n}):`;
    case 'ipjailmatches':
      return `Every stored failure of ${ip} in ${jail} (${n}):`;
  }
}

function listLines(facts: BanFacts): string {
  const items = facts.lines?.items ?? [];
  return items.length === 0 ? '(none)' : items.map(cleanBody).join('\n');
}

/** A readable length: `forever`, `45 s`, `10 min`, `1 h 30 min`, `2 d 3 h`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'forever';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  const out: string[] = [];
  let left = s;
  for (const [unit, size] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    // Two units are precise enough for a ban time and stay readable.
    if (n > 0 && out.length < 2) out.push(`${n} ${unit}`);
  }
  return out.join(' ');
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function endLine(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/** Text for a header: controls (CR and LF above all) become spaces so nothing adds a header. */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/**
 * Text for a body: line breaks normalised to LF, tabs kept, other controls (escape sequences
 * from a hostile whois server, NULs) shown as U+FFFD; everything else stays literal.
 */
export function cleanBody(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}
