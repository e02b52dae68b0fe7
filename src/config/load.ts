// Loads a configuration directory the way fail2ban reads /etc/fail2ban: banhammer.conf for the
// daemon, jail.conf < jail.local < jails.d/*.conf < jails.d/*.local for jails, filter.d/ for
// filters. Returns every problem at once; a caller never sees a half-valid configuration.

import type { ConfigProblem } from '../core/errors.ts';
import { parseDuration } from './duration.ts';
import { layeredFiles } from './files.ts';
import { type IniDocument, layer, ownKeys, parseIni, resolve, sections } from './ini.ts';
import { buildJail, parseBool } from './jail-builder.ts';
import { IMPLEMENTED_JAIL_OPTIONS, isHelperKey, PENDING_JAIL_OPTIONS } from './known-options.ts';
import type { DaemonConfig, JailConfig, LoadedConfig } from './types.ts';

export type LoadResult = { config: LoadedConfig } | { problems: ConfigProblem[] };

const DAEMON_DEFAULTS: Readonly<Record<keyof Omit<DaemonConfig, 'dbpurgeageMs'> | 'dbpurgeage', string>> = {
  logtarget: '/var/log/banhammer.log',
  loglevel: 'INFO',
  socket: '/run/banhammer/banhammer.sock',
  pidfile: '/run/banhammer/banhammer.pid',
  dbfile: '/var/lib/banhammer/banhammer.sqlite3',
  dbpurgeage: '1d',
};

const LOGLEVELS = ['CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG', 'TRACE'];

function readDocs(files: { path: string; text: string }[], problems: ConfigProblem[]): IniDocument[] {
  return files.map((f) => {
    const parsed = parseIni(f.text, f.path);
    problems.push(...parsed.problems);
    return parsed.document;
  });
}

function loadDaemon(dir: string, problems: ConfigProblem[]): DaemonConfig {
  const doc = layer(readDocs(layeredFiles(dir, 'banhammer', 'banhammer.d'), problems));
  const get = (key: keyof typeof DAEMON_DEFAULTS) => {
    const r = resolve(doc, 'Definition', key);
    if (r && 'problem' in r) problems.push(r.problem);
    return r && 'value' in r ? { value: r.value.trim(), file: r.entry.file, line: r.entry.line } : undefined;
  };
  const loglevel = get('loglevel');
  if (loglevel && !LOGLEVELS.includes(loglevel.value.toUpperCase())) {
    problems.push({ ...loglevel, option: 'loglevel', message: `expected one of ${LOGLEVELS.join(', ')}` });
  }
  const purge = get('dbpurgeage');
  const dbpurgeageMs = parseDuration(purge?.value ?? DAEMON_DEFAULTS.dbpurgeage);
  if (purge && dbpurgeageMs === undefined) {
    problems.push({ ...purge, option: 'dbpurgeage', message: `expected a duration, got "${purge.value}"` });
  }
  return {
    logtarget: get('logtarget')?.value || DAEMON_DEFAULTS.logtarget,
    loglevel: (loglevel?.value || DAEMON_DEFAULTS.loglevel).toUpperCase(),
    socket: get('socket')?.value || DAEMON_DEFAULTS.socket,
    pidfile: get('pidfile')?.value || DAEMON_DEFAULTS.pidfile,
    dbfile: get('dbfile')?.value || DAEMON_DEFAULTS.dbfile,
    dbpurgeageMs: dbpurgeageMs ?? 86_400_000,
  };
}

/**
 * Jails in config order: a jail takes the place of the last file section that configures it,
 * so the order an operator writes in jail.local / jails.d wins over jail.conf's catalogue order.
 */
function jailOrder(docs: IniDocument[]): string[] {
  const order: string[] = [];
  for (const d of docs) {
    for (const name of sections(d)) {
      const at = order.indexOf(name);
      if (at >= 0) order.splice(at, 1);
      order.push(name);
    }
  }
  return order;
}

export function loadConfig(dir: string): LoadResult {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const daemon = loadDaemon(dir, problems);
  const jailFiles = layeredFiles(dir, 'jail', 'jails.d');
  const docs = readDocs(jailFiles, problems);
  const doc = layer(docs);
  const filterCache = new Map();
  const jails: JailConfig[] = [];
  for (const name of jailOrder(docs)) {
    if (name === 'INCLUDES') continue;
    const enabled = resolve(doc, name, 'enabled');
    if (enabled && 'problem' in enabled) {
      problems.push(enabled.problem);
      continue;
    }
    const on = enabled ? parseBool(enabled.value) : false;
    if (on === undefined && enabled) {
      const { file, line } = enabled.entry;
      problems.push({ file, line, option: 'enabled', message: `expected true or false, got "${enabled.value}"` });
      continue;
    }
    if (!on) continue;
    const sectionFile = enabled?.entry.file ?? jailFiles[0]?.path ?? dir;
    for (const key of ownKeys(doc, name)) {
      if (IMPLEMENTED_JAIL_OPTIONS.has(key) || isHelperKey(key)) continue;
      const kind = PENDING_JAIL_OPTIONS.has(key) ? 'is not supported yet and is ignored' : 'is unknown and is ignored';
      warnings.push(`jail ${name}: option "${key}" ${kind}`);
    }
    const built = buildJail(doc, name, dir, sectionFile, filterCache);
    if ('problems' in built) problems.push(...built.problems);
    else {
      jails.push(built.jail);
      warnings.push(...built.warnings);
    }
  }
  if (problems.length > 0) return { problems: dedupe(problems) };
  return { config: Object.freeze({ daemon: Object.freeze(daemon), jails: Object.freeze(jails), warnings }) };
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.option}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
