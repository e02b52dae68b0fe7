// The stock action names banhammer runs natively instead of through action.d and a shell:
// firewall actions on its nftables sets, mail actions on nodemailer. Config sorts a jail's
// actions by these lists; the adapters implement exactly these names.

/** Firewall actions limited to the jail's ports (fail2ban's iptables*, nftables*, firewallcmd*). */
export const PORT_FIREWALL_ACTIONS: ReadonlySet<string> = new Set([
  'iptables',
  'iptables-multiport',
  'iptables-new',
  'iptables-multiport-log',
  'iptables-ipset',
  'iptables-ipset-proto4',
  'iptables-ipset-proto6',
  'nftables',
  'nftables-multiport',
  'firewallcmd-multiport',
  'firewallcmd-ipset',
  'firewallcmd-new',
]);

/** Firewall actions that block every port of the banned address. */
export const ALLPORTS_FIREWALL_ACTIONS: ReadonlySet<string> = new Set([
  'iptables-allports',
  'iptables-ipset-proto6-allports',
  'nftables-allports',
  'firewallcmd-allports',
]);

export const MAIL_KINDS = [
  'sendmail',
  'sendmail-whois',
  'sendmail-whois-lines',
  'sendmail-whois-matches',
  'sendmail-whois-ipmatches',
  'sendmail-whois-ipjailmatches',
  'mail',
  'mail-whois',
  'mail-whois-lines',
] as const;

export type MailKind = (typeof MAIL_KINDS)[number];

export function isMailKind(name: string): name is MailKind {
  return (MAIL_KINDS as readonly string[]).includes(name);
}
