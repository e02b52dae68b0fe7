// Renders the nft scripts (text for `nft -f -`) that the firewall façade commits; pure, no I/O.
// Invariant: every name that reaches a script has passed `checkName`, and every address is an
// `Address` whose text the façade re-parsed, so nothing here needs quoting or escaping.
// Trade-off: one line per element operation is verbose (3 lines a ban) but keeps each order's
// effect independent of its neighbours, which the façade's one-by-one retry relies on. Plain adds
// (a restore) share a line per set: adding an element never depends on, nor fails for, another.

import type { Address } from '../core/address.ts';
import type { BlockRule, PortRange, Protocol } from '../core/types.ts';

export const DEFAULT_TABLE = 'banhammer';
export const CHAIN = 'input';

// nft 1.0.6 lexes an identifier as ({letter}|[_.])({letter}|{digit}|[/\-_.])*; a leading digit
// or any other character is a syntax error. A jail's rules carry the comment "banhammer:<jail>"
// and nft caps comments at 128 characters, which bounds jail names at 118.
const IDENTIFIER = /^[A-Za-z_.][A-Za-z0-9/_.-]*$/;
const COMMENT_PREFIX = 'banhammer:';
const MAX_JAIL_LENGTH = 128 - COMMENT_PREFIX.length;
// nft 1.0.6 rejects a count of seconds longer than 8 digits ("value too large") and the kernel
// answers ERANGE from about 213,504 days; a century is "forever" in practice and stays exact.
const MAX_TIMEOUT_S = 36_500 * 86_400;
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp', 'dccp', 'all'];
// `th dport` reads the transport header's destination port; only these protocols have one.
const PORTED = 'meta l4proto { tcp, udp, sctp, dccp }';

/** Throws a TypeError unless `name` is a usable nft table name or jail name. */
export function checkName(kind: 'table' | 'jail', name: string): string {
  const max = kind === 'jail' ? MAX_JAIL_LENGTH : 255;
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > max) {
    throw new TypeError(
      `Expected ${kind} name to be an nft identifier (a letter, "_" or "." then letters, digits, ` +
        `"/", "-", "_" or ".", at most ${max} characters), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** The set holding a jail's banned addresses of one family. */
export function setName(jail: string, family: 4 | 6): string {
  return `${checkName('jail', jail)}-v${family}`;
}

/** The comment that marks a jail's rules so they can be found by handle. */
export function ruleComment(jail: string): string {
  return COMMENT_PREFIX + checkName('jail', jail);
}

function checkPort(port: PortRange): string {
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65_535;
  if (!ok(port.from) || !ok(port.to) || port.from > port.to) {
    throw new TypeError(`Expected a port range within 0-65535 with from <= to, got ${JSON.stringify(port)}`);
  }
  return port.from === port.to ? `${port.from}` : `${port.from}-${port.to}`;
}

/** The match on protocol and ports that follows the source match; '' blocks everything. */
export function renderMatch(rule: BlockRule): string {
  if (!PROTOCOLS.includes(rule.protocol)) {
    throw new TypeError(
      `Expected protocol to be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(rule.protocol)}`,
    );
  }
  if (rule.ports === 'all') return rule.protocol === 'all' ? '' : ` meta l4proto ${rule.protocol}`;
  if (!Array.isArray(rule.ports) || rule.ports.length === 0) {
    throw new TypeError(`Expected ports to be 'all' or a non-empty list, got ${JSON.stringify(rule.ports)}`);
  }
  const ports = `{ ${rule.ports.map(checkPort).join(', ')} }`;
  return rule.protocol === 'all' ? ` ${PORTED} th dport ${ports}` : ` ${rule.protocol} dport ${ports}`;
}

function tableLines(table: string): string[] {
  const t = checkName('table', table);
  return [
    `add table inet ${t}`,
    `add chain inet ${t} ${CHAIN} { type filter hook input priority filter - 1; policy accept; }`,
  ];
}

function setLines(table: string, jail: string): string[] {
  return [
    `add set inet ${table} ${setName(jail, 4)} { type ipv4_addr; flags timeout; }`,
    `add set inet ${table} ${setName(jail, 6)} { type ipv6_addr; flags timeout; }`,
  ];
}

function deleteRuleLines(table: string, handles: readonly number[]): string[] {
  return handles.map((h) => {
    if (!Number.isSafeInteger(h) || h <= 0) throw new TypeError(`Expected a rule handle, got ${h}`);
    return `delete rule inet ${table} ${CHAIN} handle ${h}`;
  });
}

/**
 * Creates the table, chain and the jail's sets (all no-ops when present), deletes the jail's
 * previous rules by handle and adds its current ones, in one transaction.
 */
export function renderAddJail(
  table: string,
  jail: string,
  rules: readonly BlockRule[],
  oldHandles: readonly number[],
): string {
  const comment = ruleComment(jail);
  const added = rules.flatMap((rule) => {
    const match = renderMatch(rule);
    return [
      `add rule inet ${table} ${CHAIN} ip saddr @${setName(jail, 4)}${match} drop comment "${comment}"`,
      `add rule inet ${table} ${CHAIN} ip6 saddr @${setName(jail, 6)}${match} drop comment "${comment}"`,
    ];
  });
  return script([
    ...tableLines(table),
    ...setLines(table, jail),
    ...deleteRuleLines(table, oldHandles),
    ...added,
  ]);
}

/** Deletes the jail's rules, then its sets; `add set` first so an absent set is not an error. */
export function renderRemoveJail(table: string, jail: string, handles: readonly number[]): string {
  checkName('table', table);
  return script([
    ...deleteRuleLines(table, handles),
    ...setLines(table, jail),
    `delete set inet ${table} ${setName(jail, 4)}`,
    `delete set inet ${table} ${setName(jail, 6)}`,
  ]);
}

/** Deletes the table and everything in it; `add table` first so an absent table is not an error. */
export function renderDeleteTable(table: string): string {
  const t = checkName('table', table);
  return script([`add table inet ${t}`, `delete table inet ${t}`]);
}

/**
 * One element change; `timeoutS: null` is a ban that never expires. `add` is a ban of an element
 * known absent (a restore, after listing the set): it needs no timeout refresh.
 */
export type ElementOp =
  | {
      readonly kind: 'ban' | 'add';
      readonly jail: string;
      readonly address: Address;
      readonly timeoutS: number | null;
    }
  | { readonly kind: 'unban'; readonly jail: string; readonly address: Address };

/** Whole seconds left until `expiresAt`, rounded up, at least 1, at most a century; null stays null. */
export function timeoutSeconds(expiresAt: number | null, now: number): number | null {
  if (expiresAt === null) return null;
  return Math.min(MAX_TIMEOUT_S, Math.max(1, Math.ceil((expiresAt - now) / 1000)));
}

/** `90061` → `1d3661s`: a day count keeps nft 1.0.6's 8-digit limit out of reach. */
export function formatTimeout(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new TypeError(`Expected whole seconds >= 1, got ${seconds}`);
  const days = Math.floor(seconds / 86_400);
  const rest = seconds % 86_400;
  return days === 0 ? `${rest}s` : `${days}d${rest}s`;
}

/**
 * Ban: add (no-op when present), delete, add with the new timeout, so a re-ban refreshes the
 * timeout. Add: the first line alone, a third of the work for a restore into an empty set; a run
 * of adds to one set is one line (`add element S { a timeout 1s, b timeout 2s }`), which
 * libnftables parses and evaluates in half the time of a line each (300 vs 620 ms for 100,000).
 * Unban: add with 1s then delete, because deleting an absent element fails the whole
 * transaction. All verified on kernel 6.18 with nft 1.0.6 (test/e2e/nft-firewall.test.ts).
 */
export function renderElements(table: string, ops: readonly ElementOp[]): string {
  checkName('table', table);
  const lines: string[] = [];
  // The run of adds being gathered: its set, and its elements.
  let addSet = '';
  let adds: string[] = [];
  const endAdds = () => {
    if (adds.length > 0) lines.push(`add element ${addSet} { ${adds.join(', ')} }`);
    adds = [];
  };
  // The last op's set and timeout, as text: a storm's ops share both, and naming the set checks the
  // jail's name (a regex) and makes a new string that compares with the run's character by character.
  let lastJail: string | undefined;
  let lastFamily = 0;
  let set = '';
  let lastTimeout = 0;
  let timeout = '';
  for (const op of ops) {
    if (op.jail !== lastJail || op.address.family !== lastFamily) {
      lastJail = op.jail;
      lastFamily = op.address.family;
      set = `inet ${table} ${setName(op.jail, op.address.family)}`;
    }
    const a = op.address.text;
    let elem = a;
    if (op.kind !== 'unban' && op.timeoutS !== null) {
      if (op.timeoutS !== lastTimeout) {
        lastTimeout = op.timeoutS;
        timeout = formatTimeout(op.timeoutS);
      }
      elem = `${a} timeout ${timeout}`;
    }
    if (op.kind === 'add') {
      if (set !== addSet) endAdds();
      addSet = set;
      adds.push(elem);
      continue;
    }
    endAdds();
    if (op.kind === 'unban')
      lines.push(`add element ${set} { ${a} timeout 1s }`, `delete element ${set} { ${a} }`);
    else
      lines.push(
        `add element ${set} { ${elem} }`,
        `delete element ${set} { ${a} }`,
        `add element ${set} { ${elem} }`,
      );
  }
  endAdds();
  return script(lines);
}

function script(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
