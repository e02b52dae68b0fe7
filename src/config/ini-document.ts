// The parsed shape of fail2ban-style INI files and read access to it: ordered sections of ordered raw
// entries, each remembering its file and line. [DEFAULT] is stored as an ordinary section and consulted
// as a fallback at lookup time, never copied into other sections, so layering a later file's [DEFAULT]
// still reaches every section. Maps keep first-insertion order, which is the order jails are listed in.

/** One raw (uninterpolated) value and where it was written. */
export interface IniEntry {
  readonly value: string;
  readonly file: string;
  /** 1-based line of the `key = value` line (continuation lines follow it). */
  readonly line: number;
}

/** A section: its name verbatim, where its header first appeared, and its own entries by lower-cased key. */
export interface IniSection {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly entries: ReadonlyMap<string, IniEntry>;
}

/** Sections by name, in order of first appearance; `DEFAULT` is one of them when present. */
export interface IniDocument {
  readonly sections: ReadonlyMap<string, IniSection>;
}

/** Name of the section whose keys every other section sees (Python's configparser default). */
export const DEFAULT_SECTION = 'DEFAULT';

/** Key normalisation applied on parse and on every lookup (Python's `optionxform`). */
export function normalizeKey(key: string): string {
  return key.toLowerCase();
}

/**
 * Merges documents read in order (e.g. jail.conf, jail.local, jail.d/*.conf): a later file's key
 * replaces an earlier one in the same section, sections merge, and sections and keys keep the position
 * of their first appearance. A section keeps the file and line of its first header. Inputs are not modified.
 */
export function layer(docs: readonly IniDocument[]): IniDocument {
  const merged = new Map<
    string,
    { name: string; file: string; line: number; entries: Map<string, IniEntry> }
  >();
  for (const doc of docs) {
    for (const section of doc.sections.values()) {
      let into = merged.get(section.name);
      if (into === undefined) {
        into = { ...section, entries: new Map() };
        merged.set(section.name, into);
      }
      const inherited = section.name === DEFAULT_SECTION ? undefined : merged.get(DEFAULT_SECTION);
      for (const [key, value] of section.entries) {
        // fail2ban's `known/KEY`: the value KEY had before this file set it (in the section, or
        // inherited from DEFAULT), so an override can extend it with `%(known/KEY)s`.
        // A document that is itself layered brings its own, more recent `known/KEY`: keep that.
        const before = into.entries.get(key) ?? inherited?.entries.get(key);
        const own = key.startsWith('known/') || section.entries.has(`known/${key}`);
        if (before !== undefined && !own) into.entries.set(`known/${key}`, before);
        into.entries.set(key, value);
      }
    }
  }
  return { sections: merged };
}

/** Section names in order of first appearance, without `DEFAULT`. */
export function sections(doc: IniDocument): string[] {
  return [...doc.sections.keys()].filter((name) => name !== DEFAULT_SECTION);
}

/**
 * The raw entry for `key` (any case) in `section`, falling back to `DEFAULT`. Undefined when the key is
 * in neither, or when the section does not exist (a missing section does not inherit `DEFAULT`).
 */
export function entry(doc: IniDocument, section: string, key: string): IniEntry | undefined {
  const own = doc.sections.get(section);
  if (own === undefined) return undefined;
  const k = normalizeKey(key);
  return own.entries.get(k) ?? doc.sections.get(DEFAULT_SECTION)?.entries.get(k);
}

/** Keys written in `section` itself, in order; empty when the section does not exist. */
export function ownKeys(doc: IniDocument, section: string): string[] {
  // `known/` entries are layering's bookkeeping, not keys anyone wrote.
  return [...(doc.sections.get(section)?.entries.keys() ?? [])].filter((k) => !k.startsWith('known/'));
}

/**
 * Every key `entry` can find for `section`: its own keys in order, then `DEFAULT`'s keys it does not
 * override. Empty when the section does not exist.
 */
export function keys(doc: IniDocument, section: string): string[] {
  if (!doc.sections.has(section)) return [];
  const own = ownKeys(doc, section);
  const inherited = ownKeys(doc, DEFAULT_SECTION).filter((k) => !own.includes(k));
  return [...own, ...inherited];
}
