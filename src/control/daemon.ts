// The control plane's view of the daemon (implemented by main). Commands see only this port.

import type { DaemonStatus, JailStatusReply, ReloadReply } from './protocol.ts';

export type ControlResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface Daemon {
  status(): DaemonStatus;
  jailStatus(jail: string): ControlResult<JailStatusReply>;
  /** Bans `ip` in `jail`; value false when it was already banned. */
  ban(jail: string, ip: string): Promise<ControlResult<boolean>>;
  /** Unbans `ip` in `jail`; value false when it was not banned there. */
  unban(jail: string, ip: string): Promise<ControlResult<boolean>>;
  /** Re-reads the configuration; a broken one is refused and the running jails stay as they are. */
  reload(): Promise<ControlResult<ReloadReply>>;
}
