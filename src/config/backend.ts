// The `backend` jail option, as fail2ban reads it: a name, case-insensitive, optionally with
// [options]. fail2ban's own names are pyinotify, gamin, polling and systemd; `auto` tries them in
// that order. Here inotify is the native watcher, so `auto` and `pyinotify` name it, `gamin` (a
// monitor daemon that sits on inotify) is read as inotify with a warning, and `inotify` is
// accepted as banhammer's own spelling. Only systemd takes options.

import { parseActionList } from './action-list.ts';
import type { LogBackend } from './types.ts';

const SYSTEMD_OPTIONS = ['journalpath', 'journalfiles', 'journalflags', 'namespace'];

export type ParsedBackend = { backend: LogBackend; warning?: string } | { error: string };

export function parseBackend(text: string): ParsedBackend {
  const expected = 'expected auto, inotify, pyinotify, gamin, polling or systemd[...]';
  const parsed = parseActionList(text.trim() || 'auto');
  if ('error' in parsed || parsed.calls.length !== 1) return { error: `${expected}, got "${text.trim()}"` };
  const { name, args } = parsed.calls[0]!;
  const kind = name.toLowerCase();
  const keys = Object.keys(args);
  if (kind !== 'systemd' && keys.length > 0)
    return { error: `backend ${kind} takes no options, got "${text}"` };
  switch (kind) {
    case 'auto':
    case 'inotify':
    case 'pyinotify':
      return { backend: { kind: 'inotify' } };
    case 'gamin':
      return {
        backend: { kind: 'inotify' },
        warning: 'backend gamin is served by inotify, which gamin itself uses on Linux',
      };
    case 'polling':
      return { backend: { kind: 'polling' } };
    case 'systemd':
      return systemdOf(args);
    default:
      return { error: `${expected}, got "${text.trim()}"` };
  }
}

type Systemd = Extract<LogBackend, { kind: 'systemd' }>;

function systemdOf(args: Readonly<Record<string, string>>): ParsedBackend {
  const unknown = Object.keys(args).filter((k) => !SYSTEMD_OPTIONS.includes(k));
  if (unknown.length > 0) {
    return { error: `systemd: unknown option ${unknown.join(', ')}; expected ${SYSTEMD_OPTIONS.join(', ')}` };
  }
  const flags = args.journalflags?.trim();
  if (flags !== undefined && !/^\d+$/.test(flags)) {
    return { error: `systemd: journalflags: expected an integer, got "${flags}"` };
  }
  const backend: Systemd = {
    kind: 'systemd',
    ...(args.journalpath !== undefined ? { journalpath: args.journalpath.trim() } : {}),
    ...(args.journalfiles !== undefined
      ? { journalfiles: args.journalfiles.split(/[\s,]+/).filter(Boolean) }
      : {}),
    ...(flags !== undefined ? { journalflags: Number(flags) } : {}),
    ...(args.namespace !== undefined ? { namespace: args.namespace.trim() } : {}),
  };
  return { backend };
}
