// Jail option names. Implemented ones are validated; the rest of fail2ban's vocabulary is
// recognised so a fail2ban user's jail.local warns "not supported yet" rather than "unknown".

export const IMPLEMENTED_JAIL_OPTIONS: ReadonlySet<string> = new Set([
  'enabled',
  'filter',
  'logpath',
  'maxretry',
  'findtime',
  'bantime',
  'port',
  'protocol',
  'ignoreip',
  'ignoreself',
  'ignorecommand',
  'mode',
  'usedns',
  'logtimezone',
  'action',
  'banaction',
  'banaction_allports',
  'chain',
  'backend',
]);

/** fail2ban jail options that banhammer reads but does not act on yet. */
export const PENDING_JAIL_OPTIONS: ReadonlySet<string> = new Set([
  'logencoding',
  'journalmatch',
  'ignorecache',
  'maxmatches',
  'maxlines',
  'datepattern',
  'prefregex',
  'failregex',
  'ignoreregex',
  'dbpurgeage',
  'destemail',
  'sender',
  'sendername',
  'mta',
  'fail2ban_agent',
  'norestored',
]);

/** Checked by the ban stage (ban/increment.ts) rather than here. */
export function isBantimeOption(key: string): boolean {
  return key.startsWith('bantime.');
}

/** Keys that only feed interpolation (fail2ban's jail.conf defines many in [DEFAULT]). */
export function isHelperKey(key: string): boolean {
  return key.startsWith('_') || key.startsWith('action_') || key.startsWith('known/');
}
