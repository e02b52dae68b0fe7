// One name for a filter capture on both sides: `<F-USER>…</F-USER>` in a failregex becomes the
// group `user`, and `<F-USER>` in an action command reads it back. fail2ban renames two of them
// (F-ID → fid, F-PORT → fport) and writes `-` as `_`.

const RENAMED: Readonly<Record<string, string>> = { id: 'fid', port: 'fport' };

/** The group name of the capture tag `F-NAME`, given `NAME` (`USER` → `user`, `ID` → `fid`). */
export function fieldGroup(tag: string): string {
  const name = tag.toLowerCase().replace(/-/g, '_');
  return RENAMED[name] ?? name;
}
