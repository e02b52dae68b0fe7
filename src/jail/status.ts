// The numbers `banctl status JAIL` shows, in fail2ban-client's vocabulary.

export interface JailStatus {
  readonly name: string;
  readonly currentlyFailed: number;
  readonly totalFailed: number;
  readonly files: readonly string[];
  readonly currentlyBanned: number;
  readonly totalBanned: number;
  readonly bannedAddresses: readonly string[];
}
