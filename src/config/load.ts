// Loads a configuration directory the way fail2ban reads /etc/fail2ban: banhammer.conf for the
// daemon, jail.conf < jail.local < jails.d/*.conf < jails.d/*.local for jails, filter.d/ for
// filters. Returns every problem at once; a caller never sees a half-valid configuration.

import type { ConfigProblem } from '../core/errors.ts';
import { parseDuration } from './duration.ts';
import { layeredFiles } from './files.ts';
import { type IniDocument, layer, ownKeys, parseIni, resolve, sections } from './ini.ts';
import { buildJail, parseBool } from './jail-builder.ts';
import {
  IMPLEMENTED_JAIL_OPTIONS,
  isBantimeOption,
  isHelperKey,
  PENDING_JAIL_OPTIONS,
} from './known-options.ts';
import type { DaemonConfig, JailConfig, LoadedConfig, MailSettings } from './types.ts';

export type LoadResult = { config: LoadedConfig } | { problems: ConfigProblem[] };

const DAEMON_DEFAULTS: Readonly<
  Record<keyof Omit<DaemonConfig, 'dbpurgeageMs' | 'mail' | 'logstyle'> | 'dbpurgeage', string>
> = {
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

/** Reads trimmed values of one section, with where they were set; a bad reference is a problem. */
function sectionReader(doc: IniDocument, section: string, problems: ConfigProblem[]) {
  return (key: string): { value: string; file: string; line: number } | undefined => {
    const r = resolve(doc, section, key);
    if (r && 'problem' in r) problems.push(r.problem);
    return r && 'value' in r ? { value: r.value.trim(), file: r.entry.file, line: r.entry.line } : undefined;
  };
}

function loadDaemon(dir: string, problems: ConfigProblem[]): DaemonConfig {
  const doc = layer(readDocs(layeredFiles(dir, 'banhammer', 'banhammer.d'), problems));
  const get = sectionReader(doc, 'Definition', problems);
  const loglevel = get('loglevel');
  if (loglevel && !LOGLEVELS.includes(loglevel.value.toUpperCase())) {
    problems.push({ ...loglevel, option: 'loglevel', message: `expected one of ${LOGLEVELS.join(', ')}` });
  }
  const style = get('logstyle');
  if (style && !['legacy', 'modern'].includes(style.value.toLowerCase())) {
    problems.push({
      ...style,
      option: 'logstyle',
      message: `expected legacy or modern, got "${style.value}"`,
    });
  }
  const purge = get('dbpurgeage');
  const dbpurgeageMs = parseDuration(purge?.value ?? DAEMON_DEFAULTS.dbpurgeage);
  if (purge && dbpurgeageMs === undefined) {
    problems.push({ ...purge, option: 'dbpurgeage', message: `expected a duration, got "${purge.value}"` });
  }
  return {
    mail: loadMail(doc, problems),
    logstyle: style?.value.toLowerCase() === 'modern' ? 'modern' : 'legacy',
    logtarget: get('logtarget')?.value || DAEMON_DEFAULTS.logtarget,
    loglevel: (loglevel?.value || DAEMON_DEFAULTS.loglevel).toUpperCase(),
    socket: get('socket')?.value || DAEMON_DEFAULTS.socket,
    pidfile: get('pidfile')?.value || DAEMON_DEFAULTS.pidfile,
    dbfile: get('dbfile')?.value || DAEMON_DEFAULTS.dbfile,
    dbpurgeageMs: dbpurgeageMs ?? 86_400_000,
  };
}

const MAIL_DEFAULTS: MailSettings = {
  transport: 'auto',
  sendmail: '/usr/sbin/sendmail',
  host: 'localhost',
  port: 25,
  secure: 'none',
  user: '',
  password: '',
  whois: 'whois',
  whoisTimeoutMs: 10_000,
};

/** `[Mail]` of banhammer.conf: how mail actions deliver. */
function loadMail(doc: IniDocument, problems: ConfigProblem[]): MailSettings {
  const get = sectionReader(doc, 'Mail', problems);
  const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = get(key);
    if (!v) return fallback;
    if ((allowed as readonly string[]).includes(v.value.toLowerCase())) return v.value.toLowerCase() as T;
    problems.push({ ...v, option: key, message: `expected one of ${allowed.join(', ')}, got "${v.value}"` });
    return fallback;
  };
  const port = get('port');
  const portNumber = port ? Number(port.value) : MAIL_DEFAULTS.port;
  if (port && !(Number.isInteger(portNumber) && portNumber > 0 && portNumber < 65536)) {
    problems.push({ ...port, option: 'port', message: `expected a TCP port (1-65535), got "${port.value}"` });
  }
  const timeout = get('whoistimeout');
  const whoisTimeoutMs = timeout ? parseDuration(timeout.value) : MAIL_DEFAULTS.whoisTimeoutMs;
  if (timeout && whoisTimeoutMs === undefined) {
    problems.push({
      ...timeout,
      option: 'whoistimeout',
      message: `expected a duration, got "${timeout.value}"`,
    });
  }
  return {
    transport: choice('transport', ['auto', 'sendmail', 'smtp'] as const, MAIL_DEFAULTS.transport),
    sendmail: get('sendmail')?.value || MAIL_DEFAULTS.sendmail,
    host: get('host')?.value || MAIL_DEFAULTS.host,
    port: Number.isInteger(portNumber) ? portNumber : MAIL_DEFAULTS.port,
    secure: choice('secure', ['none', 'starttls', 'tls'] as const, MAIL_DEFAULTS.secure),
    user: get('user')?.value ?? '',
    password: get('password')?.value ?? '',
    whois: get('whois')?.value || MAIL_DEFAULTS.whois,
    whoisTimeoutMs: whoisTimeoutMs ?? MAIL_DEFAULTS.whoisTimeoutMs,
  };
}

/**
 * Config order: jails start, and are listed, in the order their effective `enabled = true` lines
 * are read (file reading order, then line). An operator who enables jails in jail.local gets
 * them in the order written there, and a later file that only redirects a logpath does not
 * reorder anything. A jail enabled through [DEFAULT] takes the place of its section header.
 */
function configOrder(doc: IniDocument, files: readonly string[], names: readonly string[]): string[] {
  const rank = (name: string): [number, number] => {
    const section = doc.sections.get(name)!;
    const own = section.entries.get('enabled');
    const where = own ?? section;
    return [files.indexOf(where.file), where.line];
  };
  const ranked = names.map((name) => ({ name, at: rank(name) }));
  ranked.sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1]);
  return ranked.map((r) => r.name);
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
  const enabledNames: string[] = [];
  for (const name of sections(doc)) {
    if (name === 'INCLUDES') continue;
    const enabled = resolve(doc, name, 'enabled');
    if (enabled && 'problem' in enabled) {
      problems.push(enabled.problem);
      continue;
    }
    const on = enabled ? parseBool(enabled.value) : false;
    if (on === undefined && enabled) {
      const { file, line } = enabled.entry;
      problems.push({
        file,
        line,
        option: 'enabled',
        message: `expected true or false, got "${enabled.value}"`,
      });
      continue;
    }
    if (!on) continue;
    enabledNames.push(name);
  }
  for (const name of configOrder(
    doc,
    jailFiles.map((f) => f.path),
    enabledNames,
  )) {
    const sectionFile = doc.sections.get(name)?.file ?? dir;
    for (const key of ownKeys(doc, name)) {
      if (IMPLEMENTED_JAIL_OPTIONS.has(key) || isHelperKey(key) || isBantimeOption(key)) continue;
      const kind = PENDING_JAIL_OPTIONS.has(key)
        ? 'is not supported yet and is ignored'
        : 'is unknown and is ignored';
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
