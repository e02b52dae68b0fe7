// Turns one enabled [jail] section into a JailConfig, collecting every problem rather than
// stopping at the first. Defaults are fail2ban's own (maxretry 5, findtime 10m, bantime 10m,
// port 0:65535, protocol tcp, banaction iptables-multiport, ignoreself true).

import { ALLPORTS_FIREWALL_ACTIONS, isMailKind, PORT_FIREWALL_ACTIONS } from '../core/action-names.ts';
import { type Network, parseNetwork } from '../core/address.ts';
import type { ConfigProblem } from '../core/errors.ts';
import type { BlockRule, PortRange, Protocol } from '../core/types.ts';
import { type ActionFileConfig, loadActionFile } from './action-file.ts';
import { type ActionCall, parseActionList } from './action-list.ts';
import { parseBackend } from './backend.ts';
import { parseBantime, parseDuration } from './duration.ts';
import { loadFilter } from './filter-file.ts';
import { type IniDocument, keys, resolve } from './ini.ts';
import { parsePorts, parseProtocol } from './ports.ts';
import type { FilterConfig, JailConfig, OptionSource } from './types.ts';

const DEFAULTS: Readonly<Record<string, string>> = {
  maxretry: '5',
  findtime: '10m',
  bantime: '10m',
  port: '0:65535',
  protocol: 'tcp',
  banaction: 'iptables-multiport',
  banaction_allports: 'iptables-allports',
  ignoreself: 'true',
  ignoreip: '',
  usedns: 'warn',
  logpath: '',
  action: '',
};

/** Reads options of one section with problems recorded against file, line and option. */
class OptionReader {
  readonly problems: ConfigProblem[] = [];
  constructor(
    private readonly doc: IniDocument,
    private readonly section: string,
    private readonly fallbackFile: string,
  ) {}

  /** The interpolated value and its source line; fail2ban's default when unset. */
  get(key: string): { value: string; file: string; line?: number } {
    const r = resolve(this.doc, this.section, key);
    if (r && 'problem' in r) {
      this.problems.push(r.problem);
      return { value: DEFAULTS[key] ?? '', file: r.problem.file };
    }
    if (r) return { value: r.value, file: r.entry.file, line: r.entry.line };
    return { value: DEFAULTS[key] ?? '', file: this.fallbackFile };
  }

  /** Parses option `key`; a parse failure is recorded with `expected` and yields `undefined`. */
  parse<T>(key: string, parse: (text: string) => T | undefined, expected: string): T | undefined {
    const v = this.get(key);
    const out = parse(v.value);
    if (out === undefined) this.fail(key, `expected ${expected}, got "${v.value}"`);
    return out;
  }

  fail(key: string, message: string): void {
    this.problems.push({ ...this.where(key), option: key, message });
  }

  /** The file and line that set `key`, or the jail's own file when the default applies. */
  where(key: string): { file: string; line?: number } {
    const v = resolve(this.doc, this.section, key);
    return v && 'entry' in v ? { file: v.entry.file, line: v.entry.line } : { file: this.fallbackFile };
  }
}

export function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1', 'enabled'].includes(t)) return true;
  if (['false', 'no', 'off', '0', 'disabled'].includes(t)) return false;
  return undefined;
}

const positiveInt = (t: string) => (/^\s*\d+\s*$/.test(t) && Number(t) > 0 ? Number(t) : undefined);

/** Builds the jail `name`; `dir` is the config directory (for filter.d). */
export function buildJail(
  doc: IniDocument,
  name: string,
  dir: string,
  sectionFile: string,
  filterCache: Map<string, ReturnType<typeof loadFilter>>,
): { jail: JailConfig; warnings: string[] } | { problems: ConfigProblem[] } {
  const r = new OptionReader(doc, name, sectionFile);
  const warnings: string[] = [];
  const maxretry = r.parse('maxretry', positiveInt, 'a positive integer');
  const findtimeMs = r.parse('findtime', parseDuration, 'a duration such as 600, 10m, 1h, 1d or 1w');
  const bantimeMs = r.parse(
    'bantime',
    parseBantime,
    'a duration such as 600, 10m, 1h, 1d, 1w, or -1 (forever)',
  );
  const ignoreself = r.parse('ignoreself', parseBool, 'true or false');
  const protocol = r.parse('protocol', parseProtocol, 'tcp, udp, sctp, dccp or all');
  const port = portsOf(r, 'port', r.get('port').value);
  const bantimeOptions = bantimeOptionsOf(doc, name, r);
  const usedns = r.parse(
    'usedns',
    (t) =>
      ['yes', 'warn', 'no', 'raw'].includes(t.trim().toLowerCase())
        ? (t.trim().toLowerCase() as JailConfig['usedns'])
        : undefined,
    'yes, warn, no or raw',
  );
  const ignore = ignoreListOf(r);
  const ignorecommand = r.get('ignorecommand').value.trim();
  const backendOf = parseBackend(r.get('backend').value);
  if ('error' in backendOf) r.fail('backend', backendOf.error);
  else if (backendOf.warning) warnings.push(`jail ${name}: ${backendOf.warning}`);
  const backend = 'backend' in backendOf ? backendOf.backend : undefined;
  const logpaths = logpathsOf(r);
  // fail2ban's systemd backend reads the journal, not files: logpath is not used there.
  if (logpaths.all.length === 0 && backend?.kind !== 'systemd') {
    r.fail('logpath', 'an enabled jail needs at least one logpath');
  }
  const filter = filterOf(r, dir, filterCache, name);
  const actions = actionsOf(r, name, dir, port ?? [], protocol ?? 'tcp');
  if (backend?.kind === 'systemd' && filter && !filter.journalmatch) {
    warnings.push(
      `jail ${name}: backend systemd without a journalmatch in its filter reads every journal entry`,
    );
  }

  if (r.problems.length > 0 || !filter || !actions) return { problems: r.problems };
  const jail: JailConfig = Object.freeze({
    name,
    file: sectionFile,
    filter,
    logpaths: Object.freeze(logpaths.all),
    logpathsFromHead: Object.freeze(logpaths.head),
    backend: Object.freeze(backend ?? { kind: 'inotify' }),
    maxretry: maxretry!,
    findtimeMs: findtimeMs!,
    bantimeMs: bantimeMs === undefined ? 600_000 : bantimeMs,
    bantimeOptions: Object.freeze(bantimeOptions),
    ignoreip: Object.freeze(ignore.networks),
    ignoreHosts: Object.freeze(ignore.hosts),
    usedns: usedns ?? 'warn',
    logtimezone: r.get('logtimezone').value.trim(),
    ignorecommand,
    ignoreself: ignoreself ?? true,
    port: Object.freeze(port ?? []),
    protocol: protocol ?? 'tcp',
    blockRules: Object.freeze(actions.rules),
    mailActions: Object.freeze(actions.mail),
    shellActions: Object.freeze(actions.shell),
  });
  return { jail, warnings };
}

/**
 * logpath: one path or glob a line, each optionally followed by fail2ban's `tail` (a file never
 * read before starts at its end, the default here) or `head` (at its start).
 */
function logpathsOf(r: OptionReader): { all: string[]; head: string[] } {
  const all: string[] = [];
  const head: string[] = [];
  for (const line of r.get('logpath').value.split('\n')) {
    const m = /^(.*?)(?:\s+(tail|head))?$/i.exec(line.trim());
    const path = m?.[1] ?? '';
    if (!path) continue;
    all.push(path);
    if (m?.[2]?.toLowerCase() === 'head') head.push(path);
  }
  return { all, head };
}

function portsOf(r: OptionReader, key: string, text: string): PortRange[] | undefined {
  const parsed = parsePorts(text);
  if ('error' in parsed) {
    r.fail(key, parsed.error);
    return undefined;
  }
  return parsed.ports;
}

/** bantime.increment and its siblings, from the jail or [DEFAULT], as written. */
function bantimeOptionsOf(doc: IniDocument, section: string, r: OptionReader): OptionSource[] {
  const out: OptionSource[] = [];
  for (const key of keys(doc, section)) {
    if (!key.startsWith('bantime.')) continue;
    const v = resolve(doc, section, key);
    if (v && 'problem' in v) r.problems.push(v.problem);
    else if (v) out.push({ key, value: v.value, file: v.entry.file, line: v.entry.line });
  }
  return out;
}

/** ignoreip: networks now, host names kept for the daemon to resolve (fail2ban resolves them too). */
function ignoreListOf(r: OptionReader): { networks: Network[]; hosts: string[] } {
  const networks: Network[] = [];
  const hosts: string[] = [];
  for (const item of r
    .get('ignoreip')
    .value.split(/[\s,]+/)
    .filter(Boolean)) {
    const net = parseNetwork(item);
    if (net) networks.push(net);
    else if (
      /^(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(
        item,
      )
    ) {
      hosts.push(item);
    } else r.fail('ignoreip', `expected addresses, networks (10.0.0.0/8, ::1) or host names, got "${item}"`);
  }
  return { networks, hosts };
}

function filterOf(
  r: OptionReader,
  dir: string,
  cache: Map<string, ReturnType<typeof loadFilter>>,
  jail: string,
): FilterConfig | undefined {
  const text = r.get('filter').value.trim() || jail;
  const parsed = parseActionList(text);
  if ('error' in parsed || parsed.calls.length !== 1) {
    r.fail('filter', `expected a filter name, optionally with [options], got "${text}"`);
    return undefined;
  }
  const call = parsed.calls[0]!;
  const key = `${call.name}\0${JSON.stringify(call.args)}`;
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = loadFilter(dir, call.name, call.args);
    cache.set(key, loaded);
  }
  if ('problems' in loaded) {
    for (const p of loaded.problems) r.problems.push(p);
    if (loaded.problems.some((p) => p.message.includes('not found')))
      r.fail('filter', `no filter.d/${call.name}.conf`);
    return undefined;
  }
  return loaded.filter;
}

interface JailActions {
  rules: BlockRule[];
  mail: ActionCall[];
  shell: ActionFileConfig[];
}

/** Sorts the action list: native firewall rules, native mail, and action.d files run by a shell. */
function actionsOf(
  r: OptionReader,
  jail: string,
  dir: string,
  port: readonly PortRange[],
  protocol: Protocol,
): JailActions | undefined {
  let text = r.get('action').value;
  // No action anywhere: fail2ban's jail.conf would supply %(action_)s; do the same by hand.
  if (text.trim() === '') text = r.get('banaction').value;
  const parsed = parseActionList(text);
  if ('error' in parsed) {
    r.fail('action', parsed.error);
    return undefined;
  }
  const out: JailActions = { rules: [], mail: [], shell: [] };
  const origin = r.where('action');
  for (const call of parsed.calls) {
    if (isMailKind(call.name)) {
      out.mail.push(call);
      continue;
    }
    const allports = ALLPORTS_FIREWALL_ACTIONS.has(call.name);
    if (!allports && !PORT_FIREWALL_ACTIONS.has(call.name)) {
      const loaded = loadActionFile(dir, call, {
        jail,
        ...(origin.line ? { origin: { file: origin.file, line: origin.line } } : {}),
      });
      if ('problems' in loaded) r.problems.push(...loaded.problems);
      else out.shell.push(loaded.action);
      continue;
    }
    const proto = call.args.protocol === undefined ? protocol : parseProtocol(call.args.protocol);
    if (!proto) {
      r.fail(
        'action',
        `${call.name}: protocol: expected tcp, udp, sctp, dccp or all, got "${call.args.protocol}"`,
      );
      continue;
    }
    if (allports) {
      out.rules.push({ ports: 'all', protocol: proto });
      continue;
    }
    const ports = call.args.port === undefined ? port : portsOf(r, 'action', call.args.port);
    if (ports) out.rules.push({ ports, protocol: proto });
  }
  return out;
}
