// Entry point of the INI reader for fail2ban's config dialect: parse each file, layer them in read
// order, then read raw entries or interpolated values. The pieces live in ini-document.ts (shape,
// layering, lookup), ini-parse.ts (one file's text) and ini-resolve.ts (`%(name)s` interpolation).
// It knows no fail2ban option names; [INCLUDES], `.local` discovery and globbing belong to the caller.

export type { IniDocument, IniEntry, IniSection } from './ini-document.ts';
export { DEFAULT_SECTION, entry, keys, layer, ownKeys, sections } from './ini-document.ts';
export { parseIni } from './ini-parse.ts';
export type { ResolvedValue } from './ini-resolve.ts';
export { MAX_INTERPOLATION_DEPTH, resolve } from './ini-resolve.ts';
