// Addresses as the pipeline carries them: parsed once at the edge, canonical text, family known.
// IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes plain IPv4 so one attacker is one key everywhere.

import type { IPv4, IPv6 } from 'ipaddr.js';
import { requirePackage } from './require-package.ts';

const ipaddr = requirePackage('ipaddr.js') as typeof import('ipaddr.js');

export type Family = 4 | 6;

export interface Address {
  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
  readonly text: string;
  readonly family: Family;
}

// A dotted quad already in canonical form: four decimal octets of 0-255, no leading zeros. Most
// addresses are, and every one the firewall re-checks is: one test instead of ipaddr.js's parse,
// which was a tenth of a 100,000-ban restore (bench/figures/restore.mjs).
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const CANONICAL_IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Parses an IPv4 or IPv6 address; `undefined` when `text` is not exactly one address. */
export function parseAddress(text: string): Address | undefined {
  if (CANONICAL_IPV4.test(text)) return { text, family: 4 };
  if (!ipaddr.isValid(text)) return undefined;
  // ipaddr.isValid accepts legacy IPv4 forms ("127.1", "0x7f.1"); a log line that says
  // "127.1" is not an address we should ban, so IPv4 must be four decimal parts.
  let parsed: IPv4 | IPv6;
  try {
    parsed = ipaddr.parse(text);
  } catch {
    return undefined;
  }
  if (parsed.kind() === 'ipv4') {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
    return { text: parsed.toString(), family: 4 };
  }
  const v6 = parsed as IPv6;
  // A zone id (fe80::1%eth0) names a link, not a host that could be banned.
  if ((v6 as IPv6 & { zoneId?: string }).zoneId) return undefined;
  if (v6.isIPv4MappedAddress()) return { text: v6.toIPv4Address().toString(), family: 4 };
  return { text: v6.toRFC5952String(), family: 6 };
}

const PADDED_IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * An address as a log line wrote it. Some loggers zero-pad IPv4 octets (`192.030.000.006`); those
 * digits are decimal, never octal (reading 030 as 24 would ban a bystander), so they are read as
 * 192.30.0.6. Config and the control socket use the strict parseAddress.
 */
export function parseLoggedAddress(text: string): Address | undefined {
  // The usual case first, without the padded form's captures: a ban storm reads one per failure.
  if (CANONICAL_IPV4.test(text)) return { text, family: 4 };
  const padded = PADDED_IPV4.exec(text);
  if (padded === null) return parseAddress(text);
  const octets = padded.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? parseAddress(octets.join('.')) : undefined;
}

/** A network in CIDR form, for ignoreip. */
export interface Network {
  readonly text: string;
  readonly family: Family;
  readonly contains: (address: Address) => boolean;
}

/** Parses `1.2.3.4`, `1.2.3.0/24`, `2001:db8::/32`; `undefined` when it is neither. */
export function parseNetwork(text: string): Network | undefined {
  const slash = text.indexOf('/');
  const base = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!base) return undefined;
  const maxBits = base.family === 4 ? 32 : 128;
  let bits = maxBits;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix)) return undefined;
    bits = Number(suffix);
    if (bits > maxBits) return undefined;
  }
  const canonical = `${base.text}/${bits}`;
  if (base.family === 4) {
    // A number, not bytes: every failure is checked, and an array per check was a ban storm's
    // garbage (bench/figures/ban-throughput.mjs).
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const net = (v4Number(base.text) & mask) >>> 0;
    return {
      text: canonical,
      family: 4,
      contains: (address) => address.family === 4 && (v4Number(address.text) & mask) >>> 0 === net,
    };
  }
  const prefix = bytesOf(base);
  return {
    text: canonical,
    family: base.family,
    contains(address) {
      if (address.family !== base.family) return false;
      const bytes = bytesOf(address);
      const whole = bits >> 3;
      for (let i = 0; i < whole; i++) if (bytes[i] !== prefix[i]) return false;
      const rest = bits & 7;
      if (rest === 0) return true;
      const mask = (0xff << (8 - rest)) & 0xff;
      return (bytes[whole]! & mask) === (prefix[whole]! & mask);
    },
  };
}

// Every failure is checked against ignoreip's networks: parsing its text with ipaddr.js each time
// cost a microsecond a failure. An IPv4 address (canonical dotted quad) is read here; an IPv6
// one is parsed once per Address object, which the filter's address cache reuses per text.
const V6_BYTES = new WeakMap<Address, readonly number[]>();

/** A canonical dotted quad as an unsigned 32-bit number. */
function v4Number(text: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 0x30);
  }
  return n * 256 + part;
}

function bytesOf(address: Address): readonly number[] {
  let bytes = V6_BYTES.get(address);
  if (!bytes) {
    bytes = ipaddr.IPv6.parse(address.text).toByteArray();
    V6_BYTES.set(address, bytes);
  }
  return bytes;
}
