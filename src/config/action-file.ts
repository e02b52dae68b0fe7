// Reads action.d/NAME (+ .local, drop-ins, [INCLUDES]) into an ActionFileConfig: the command
// templates and every option value the templates' `<tag>`s may name. Precedence is fail2ban's: the
// jail's call arguments (`name[key=value]`) over [Init] over [Definition] over [DEFAULT], and
// `%(x)s` sees the section, then [Init] and the arguments, then [DEFAULT]. Tags stay unexpanded here.

import { join } from 'node:path';
import type { ConfigProblem } from '../core/errors.ts';
import type { ActionCall } from './action-list.ts';
import { parseDuration } from './duration.ts';
import { readLayered } from './includes.ts';
import type { IniDocument, IniEntry, IniSection } from './ini.ts';
import { DEFAULT_SECTION, entry, keys, layer, ownKeys, resolve } from './ini.ts';

/** The commands fail2ban runs for an action; undefined when the file does not set one. */
export interface ActionDefinition {
  readonly actionstart: string | undefined;
  readonly actionstop: string | undefined;
  readonly actioncheck: string | undefined;
  readonly actionban: string | undefined;
  readonly actionunban: string | undefined;
  readonly actionflush: string | undefined;
  readonly actionrepair?: string | undefined;
}

export interface ActionFileConfig {
  /** The action's name as the jail calls it, e.g. `sendmail-whois`. */
  readonly name: string;
  /** The action's main file (its `.conf`, or its `.local` when there is no `.conf`). */
  readonly file: string;
  readonly definition: ActionDefinition;
  /** Every option after `%(x)s` interpolation, by lower-case key; `sec/key` for other sections. */
  readonly values: Readonly<Record<string, string>>;
  /** fail2ban's `timeout` (default 60 s): how long one command may run. */
  readonly timeoutMs: number;
  /** fail2ban's `norestored`: skip bans restored at start-up. */
  readonly norestored: boolean;
}

export type ActionFileResult = { action: ActionFileConfig } | { problems: ConfigProblem[] };

/** Who calls the action: the jail's name (fail2ban's default `<name>`) and where its `action` line is. */
export interface ActionCaller {
  readonly jail: string;
  readonly origin?: { readonly file: string; readonly line: number };
}

const DEFAULT_TIMEOUT_MS = 60_000;
// Sections that are not option namespaces a `<section/key>` tag could name.
const SPECIAL = new Set([DEFAULT_SECTION, 'INCLUDES', 'Init', 'Definition']);

/** Loads `dir`/action.d/`call.name` for the jail `caller.jail`; every problem is returned at once. */
export function loadActionFile(dir: string, call: ActionCall, caller: ActionCaller): ActionFileResult {
  const conf = join(dir, 'action.d', `${call.name}.conf`);
  if (call.name.endsWith('.py')) {
    return { problems: [{ file: conf, message: `action "${call.name}": Python actions are not supported` }] };
  }
  const read = readLayered(join(dir, 'action.d'), call.name);
  if (read.files.length === 0) {
    return {
      problems: [{ file: conf, message: `action "${call.name}" not found (no ${call.name}.conf or .local)` }],
    };
  }
  const file = read.files.includes(conf) ? conf : read.files[0]!;
  const problems: ConfigProblem[] = [...read.problems];
  if (!read.document.sections.has('Definition')) {
    problems.push({ file, message: `action "${call.name}" has no [Definition] section` });
  }

  const args = callArguments(call, caller.jail);
  const origin = caller.origin ?? { file, line: 0 };
  const doc = layer([read.document, argumentsDocument(args, origin)]);
  const value = (section: string, key: string, extra?: Record<string, string>): string | undefined => {
    const r = resolve(doc, section, key, extra);
    if (r === undefined) return undefined;
    if ('problem' in r) {
      problems.push(r.problem);
      return undefined;
    }
    return r.value;
  };

  const init: Record<string, string> = {};
  for (const key of ownKeys(doc, 'Init')) {
    const v = value('Init', key);
    if (v !== undefined) init[key] = v;
  }
  const values: Record<string, string> = {};
  for (const name of doc.sections.keys()) {
    if (SPECIAL.has(name) || name.includes('?')) continue;
    for (const key of ownKeys(doc, name)) {
      const v = value(name, key, init);
      if (v !== undefined) values[`${name}/${key}`] = v;
    }
  }
  for (const key of keys(doc, 'Definition')) {
    const v = value('Definition', key, init);
    if (v !== undefined) values[key] = v;
  }
  // Conditional sections ([Init?family=inet6]) become `key?family=inet6`, as fail2ban names them.
  for (const section of doc.sections.values()) {
    const cond = /^(Init|Definition)(\?.+)$/.exec(section.name);
    if (!cond) continue;
    for (const key of section.entries.keys()) {
      const v = value(section.name, key, init);
      if (v !== undefined) values[key + cond[2]!] = v;
    }
  }
  Object.assign(values, init);

  const timeoutMs = timeout(
    values.timeout,
    entry(doc, 'Init', 'timeout') ?? entry(doc, 'Definition', 'timeout'),
  );
  if (typeof timeoutMs !== 'number') problems.push(timeoutMs);
  // An argument sits in both [Init] and [Definition]; its problem is reported once.
  if (problems.length > 0)
    return { problems: [...new Map(problems.map((p) => [JSON.stringify(p), p])).values()] };

  // An empty command (`actioncheck =`) means "nothing to run", as in fail2ban.
  const command = (key: string): string | undefined => (values[key]?.trim() ? values[key] : undefined);
  const definition: ActionDefinition = {
    actionstart: command('actionstart'),
    actionstop: command('actionstop'),
    actioncheck: command('actioncheck'),
    actionban: command('actionban'),
    actionunban: command('actionunban'),
    actionflush: command('actionflush'),
    actionrepair: command('actionrepair'),
  };
  const norestored = /^(?:1|on|true|yes)$/i.test(values.norestored?.trim() ?? '');
  return {
    action: { name: call.name, file, definition, values, timeoutMs: timeoutMs as number, norestored },
  };
}

// fail2ban always gives an action `name` (the jail's, unless the call sets it) and a unique `actname`.
function callArguments(call: ActionCall, jail: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.args)) args[k.toLowerCase()] = v;
  args.name ??= jail;
  if (args.actname === undefined) {
    const n = args.name;
    const suffix = n === jail ? '' : n.startsWith(jail) ? n.slice(jail.length) : `-${n}`;
    args.actname = call.name + suffix;
  }
  return args;
}

// The arguments as a document over both [Init] and [Definition], so they win in either (Python's `vars`).
function argumentsDocument(
  args: Record<string, string>,
  origin: { file: string; line: number },
): IniDocument {
  const entries = new Map<string, IniEntry>(
    Object.entries(args).map(([k, value]) => [k, { value, file: origin.file, line: origin.line }]),
  );
  const section = (name: string): [string, IniSection] => [name, { name, ...origin, entries }];
  return { sections: new Map([section('Init'), section('Definition')]) };
}

function timeout(text: string | undefined, at: IniEntry | undefined): number | ConfigProblem {
  if (text === undefined || at === undefined || text.trim() === '') return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(text);
  if (ms !== undefined && ms > 0) return ms;
  const message = `expected a positive duration (e.g. 60, 2m), got "${text}"`;
  return { file: at.file, line: at.line, option: 'timeout', message };
}
