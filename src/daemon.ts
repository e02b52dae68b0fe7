// The control plane's Daemon port over the running jails: finds the jail, parses the address,
// and turns "nothing to do" into a value the client can print.

import type { ControlResult, Daemon } from './control/daemon.ts';
import type { DaemonStatus, JailStatusReply, ReloadReply } from './control/protocol.ts';
import { type Address, parseAddress } from './core/address.ts';
import type { Jail } from './jail/jail.ts';

export class JailsDaemon implements Daemon {
  constructor(
    /** The jails running now (a reload changes them). */
    private readonly running: () => readonly Jail[],
    /** Re-reads the configuration and applies it; refuses a broken one. */
    readonly reload: () => Promise<ControlResult<ReloadReply>> = async () => ({
      ok: false,
      code: 'ENORELOAD',
      message: 'reload is not available',
    }),
  ) {}

  status(): DaemonStatus {
    return { jails: this.running().map((j) => j.name) };
  }

  jailStatus(name: string): ControlResult<JailStatusReply> {
    const jail = this.#find(name);
    return 'ok' in jail ? jail : { ok: true, value: jail.status() };
  }

  async ban(name: string, ip: string): Promise<ControlResult<boolean>> {
    return this.#withTarget(name, ip, (jail, address) => jail.ban(address));
  }

  async unban(name: string, ip: string): Promise<ControlResult<boolean>> {
    return this.#withTarget(name, ip, (jail, address) => jail.unban(address));
  }

  async #withTarget(
    name: string,
    ip: string,
    act: (jail: Jail, address: Address) => Promise<boolean>,
  ): Promise<ControlResult<boolean>> {
    const jail = this.#find(name);
    if ('ok' in jail) return jail;
    const address = parseAddress(ip);
    if (!address) return { ok: false, code: 'EADDR', message: `"${ip}" is not an IPv4 or IPv6 address` };
    return { ok: true, value: await act(jail, address) };
  }

  #find(name: string): Jail | { ok: false; code: string; message: string } {
    return (
      this.running().find((j) => j.name === name) ?? {
        ok: false,
        code: 'ENOJAIL',
        message: `no jail named "${name}"`,
      }
    );
  }
}
