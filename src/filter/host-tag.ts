// Expands fail2ban's `<HOST>` tag into a named group that captures one IPv4 or IPv6 address.
// The group is deliberately strict (digits and dots, or hex and colons) so a tag can never
// swallow a neighbouring word; the address is validated again by parseAddress after matching.
// Host names (fail2ban's <DNS>) are not matched yet.

const IPV4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
// Any run of hex digits and colons with at least one colon, optionally ending in a dotted quad.
const IPV6 = `[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){1,7}(?::${IPV4})?`;

/** The RE2 pattern that `<HOST>` and `<ADDR>` stand for: brackets and a ::ffff: prefix allowed. */
export const HOST_PATTERN = String.raw`\[?(?:::[fF]{4}:)?(?P<host>` + IPV4 + `|` + IPV6 + String.raw`)\]?`;

/** Replaces `<HOST>` / `<ADDR>` / `<IP4>` / `<IP6>` in a failregex. */
export function expandTags(pattern: string): string {
  return pattern
    .replaceAll('<HOST>', HOST_PATTERN)
    .replaceAll('<ADDR>', HOST_PATTERN)
    .replaceAll('<IP4>', `(?P<host>${IPV4})`)
    .replaceAll('<IP6>', String.raw`\[?(?P<host>` + IPV6 + String.raw`)\]?`);
}
