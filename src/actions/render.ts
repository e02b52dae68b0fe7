// Turns an action's command template into the text /bin/sh runs. Static tags (the action's own
// options: the operator's text) are substituted raw and repeatedly, as fail2ban does, so options can
// be built from options. Dynamic tags (the ban's address, log lines, counts) are inserted afterwards,
// once, never re-scanned, each quoted by shell-quote.ts for the spot it sits in.

import { hostname } from 'node:os';
import type { ActionEvent } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import { fieldGroup } from '../core/field-names.ts';
import { requirePackage } from '../core/require-package.ts';
import type { TagLookup } from './shell-quote.ts';
import { insertLiterals, TAG, TemplateError } from './shell-quote.ts';

const ipaddr = requirePackage('ipaddr.js') as typeof import('ipaddr.js');

/** fail2ban's MAX_TAG_REPLACE_COUNT: static substitution gives up after this many passes. */
export const MAX_STATIC_PASSES = 25;
/** Linux's MAX_ARG_STRLEN: `sh -c` cannot take a longer command, so expansion stops there. */
export const MAX_COMMAND_LENGTH = 128 * 1024;

/** Tags filled from the ban; an option of the same name does not shadow them. */
export const DYNAMIC_TAGS: ReadonlySet<string> = new Set([
  'ip',
  'ip-rev',
  'family',
  'failures',
  'time',
  'bantime',
  'bancount',
  'restored',
  'matches',
  'ipmatches',
  'ipjailmatches',
  'fq-hostname',
  'sh-hostname',
]);

// fail2ban's filter captures (`<F-USER>`): upper case only; an absent one renders empty.
const FIELD_TAG = /^F-[A-Z0-9_-]+$/;
const BUILTIN: Readonly<Record<string, string>> = { br: '\n', sp: ' ' };

export interface RenderInput {
  /** The action's options (ActionFileConfig.values). */
  readonly values: Readonly<Record<string, string>>;
  /** The ban or unban; absent for start, stop, flush. */
  readonly event?: ActionEvent;
  /** Milliseconds since the epoch, for `<time>` when there is no event. */
  readonly now: number;
}

/** The command for `template`; throws TemplateError when a tag cannot be rendered safely. */
export function render(template: string, input: RenderInput): string {
  const family = input.event ? `family=inet${input.event.address.family}` : undefined;
  const expanded = expandStatic(template, input.values, family);
  return insertLiterals(expanded, dynamicTags(input));
}

/**
 * Replaces option tags with the options' raw text until nothing changes; `<name?cond>` values
 * (from `[Init?family=inet6]`) win when `conditional` matches. Unknown and dynamic tags stay.
 */
export function expandStatic(
  template: string,
  values: Readonly<Record<string, string>>,
  conditional?: string,
): string {
  const lookup = (name: string): string | undefined => {
    if (DYNAMIC_TAGS.has(name) || FIELD_TAG.test(name)) return undefined;
    const cond = conditional === undefined ? undefined : `${name}?${conditional}`;
    if (cond !== undefined && Object.hasOwn(values, cond)) return values[cond];
    if (Object.hasOwn(values, name)) return values[name];
    return Object.hasOwn(BUILTIN, name) ? BUILTIN[name] : undefined;
  };
  let text = template;
  for (let pass = 0; pass < MAX_STATIC_PASSES; pass++) {
    const next = text.replace(TAG, (whole, name: string) => lookup(name) ?? whole);
    if (next === text) return text;
    if (next.length > MAX_COMMAND_LENGTH) {
      throw new TemplateError(
        `option tags expand beyond ${MAX_COMMAND_LENGTH} characters (a tag refers to itself?)`,
      );
    }
    text = next;
  }
  throw new TemplateError(
    `option tags still expanding after ${MAX_STATIC_PASSES} passes (a tag refers to itself?)`,
  );
}

/** Values of the dynamic tags for one event, computed on first use (`<ipmatches>` reads the store). */
export function dynamicTags(input: Omit<RenderInput, 'values'>): TagLookup {
  const { event, now } = input;
  const fields = event?.fields ?? {};
  const seconds = (ms: number): string => String(Math.floor(ms / 1000));
  const compute: Record<string, () => string> = {
    ip: () => event?.address.text ?? '',
    'ip-rev': () => (event ? reversePointer(event.address) : ''),
    family: () => (event ? `inet${event.address.family}` : ''),
    failures: () => (event ? String(event.failures) : ''),
    time: () => seconds(event?.time ?? now),
    bantime: () => (event ? (event.bantimeMs === null ? '-1' : seconds(event.bantimeMs)) : ''),
    bancount: () => (event ? String(event.banCount) : ''),
    restored: () => (event?.restored ? '1' : '0'),
    matches: () => event?.matches.join('\n') ?? '',
    ipmatches: () => event?.ipMatches().join('\n') ?? '',
    ipjailmatches: () => event?.ipJailMatches().join('\n') ?? '',
    'fq-hostname': () => hostname(),
    'sh-hostname': () => hostname().split('.')[0]!,
  };
  const cache = new Map<string, string | undefined>();
  return (name) => {
    if (cache.has(name)) return cache.get(name);
    let value: string | undefined;
    if (FIELD_TAG.test(name)) {
      const group = fieldGroup(name.slice(2));
      value = Object.hasOwn(fields, group) ? fields[group]! : '';
    } else if (Object.hasOwn(compute, name)) value = compute[name]!();
    // A NUL cannot pass through argv; everything else reaches the shell as it is.
    value = value?.replaceAll('\0', '');
    cache.set(name, value);
    return value;
  };
}

/** fail2ban's `<ip-rev>`: reversed octets or nibbles with a trailing dot (`4.3.2.1.`), ready for a DNS suffix. */
export function reversePointer(address: Address): string {
  if (address.family === 4) return `${address.text.split('.').reverse().join('.')}.`;
  const bytes = ipaddr.IPv6.parse(address.text).toByteArray();
  const nibbles = bytes.flatMap((b) => [(b >> 4).toString(16), (b & 15).toString(16)]);
  return `${nibbles.reverse().join('.')}.`;
}
