// fail2ban's regex tags, expanded into plain (Python-syntax) regex before translation to RE2:
// <HOST>, <ADDR>, <IP4>, <IP6>, <DNS>, <CIDR>, <SUBNET>, <F-ID/>, <F-PORT/>, and the
// <F-NAME>…</F-NAME> capture pairs (named group `name` in lower case; F-ID → fid, F-PORT → fport).
// The address patterns are banhammer's own and RE2-native, so <HOST> never forces a fallback
// to the bounded backtracking matcher; every capture is validated again by parseAddress.

import { fieldGroup } from '../core/field-names.ts';

export type UseDns = 'yes' | 'warn' | 'no' | 'raw';

const IP4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
const IP6 = `[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){1,7}(?::${IP4})?`;
const DNS = String.raw`[\w\-.^_]*\w`;

const group = (name: string, body: string) => `(?P<${name}>${body})`;
const ip4 = `(?:::[fF]{4,6}:)?${group('ip4', IP4)}`;
const ip6 = group('ip6', IP6);
const addr = String.raw`\[?(?:${ip4}|${ip6})\]?`;
const cidr = group('cidr', String.raw`\d+`);

const STATIC: Readonly<Record<string, string>> = {
  IP4: ip4,
  'F-IP4/': ip4,
  IP6: ip6,
  'F-IP6/': ip6,
  ADDR: addr,
  'F-ADDR/': addr,
  CIDR: cidr,
  'F-CIDR/': cidr,
  SUBNET: String.raw`\[?(?:${ip4}|${ip6})(?:/${cidr})?\]?`,
  'F-SUBNET/': String.raw`\[?(?:${ip4}|${ip6})(?:/${cidr})?\]?`,
  DNS: group('dns', DNS),
  'F-DNS/': group('dns', DNS),
  'F-ID/': group('fid', String.raw`\S+`),
  'F-PORT/': group('fport', String.raw`\w+`),
};

/** Prefix of the groups <SKIPLINES> expands to: skiplines0, skiplines1, ... */
export const SKIPPED = 'skiplines';

const TAG = /<(\/?)([\w-]+)(\/?)>/g;
const CUSTOM = /^F-([A-Z0-9_-]+)$/;

/** Expands every fail2ban tag in `pattern`; unknown tags are left as written (fail2ban does). */
export function expandTags(pattern: string, usedns: UseDns = 'warn'): string {
  const open = new Set<string>();
  let skips = 0;
  return pattern.replace(TAG, (whole, close: string, name: string, selfClose: string) => {
    if (!close && !selfClose && name === 'HOST') {
      return usedns === 'no' ? addr : `(?:${addr}|${group('dns', DNS)})`;
    }
    // Numbered so the lines it skipped can be handed back to the buffer (line-buffer.ts).
    if (!close && name === 'SKIPLINES') return String.raw`\n(?P<${SKIPPED}${skips++}>(?:.*\n)*?)`;
    const key = selfClose ? `${name}/` : name;
    // Own keys only: `<constructor>` (a group's name, say) is no tag.
    const fixed = Object.hasOwn(STATIC, key) ? STATIC[key] : undefined;
    if (!close && fixed !== undefined) return fixed;
    const custom = CUSTOM.exec(name);
    if (!custom || selfClose) return whole;
    if (close) return open.has(name) ? ')' : whole;
    open.add(name);
    return `(?P<${fieldGroup(custom[1]!)}>`;
  });
}

/**
 * True when the expanded pattern can identify a failure: an address, a host name to resolve,
 * or (as fail2ban allows) a failure id or multi-line id that another line ties to an address.
 */
export function capturesHost(expanded: string): boolean {
  return /\(\?P<(?:ip4|ip6|dns|host|fid|mlfid)>/.test(expanded);
}
