// Maps the kernel errno text that nft prints (through the CLI's stderr or libnftables' error
// buffer alike) to an errno name, so callers branch on a code rather than on that text.

const ERRNO_TEXT: readonly (readonly [string, string])[] = [
  ['No such file or directory', 'ENOENT'],
  ['File exists', 'EEXIST'],
  ['Operation not permitted', 'EPERM'],
  ['Numerical result out of range', 'ERANGE'],
];

/** The errno name for nft's error text; `ENFT` when it names none (a syntax error, say). */
export function nftErrorCode(text: string): string {
  return ERRNO_TEXT.find(([errnoText]) => text.includes(errnoText))?.[1] ?? 'ENFT';
}
