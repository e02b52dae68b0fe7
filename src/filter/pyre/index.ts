// Python `re` → RE2 translation for users' fail2ban filters: translate() decides exact or
// confirm-under-a-bound; the parser, emitter and matcher behind it are internal.

export type { Confirmer } from './confirm.ts';
export { CONFIRM_LIMITS } from './confirm.ts';
export type { Translation } from './translate.ts';
export { scopeInlineFlags, translate } from './translate.ts';
