// Everything a jail test runs against: a real SQLite store in a temp folder, a fake clock,
// firewall and log source, and the jails made, all torn down together.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Jail, type JailDeps } from '../../src/jail/jail.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FakeClock, FakeFirewall, FakeSource, silentLogger } from './fakes.ts';
import { testFilter, testJailConfig } from './jail-config.ts';

export interface JailWorld {
  readonly dir: string;
  readonly store: SqliteStore;
  readonly clock: FakeClock;
  readonly firewall: FakeFirewall;
  readonly source: FakeSource;
  /** Jails the test made; close() stops them. */
  readonly jails: Jail[];
  /** A jail on this world's store and fakes: the test filter and config unless `deps` say otherwise. */
  jail(deps?: Partial<JailDeps>): Jail;
  close(): Promise<void>;
}

export function makeJailWorld(now: number): JailWorld {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-jail-'));
  const store = new SqliteStore(join(dir, 'state.sqlite3'));
  const clock = new FakeClock(now);
  const jails: Jail[] = [];
  const firewall = new FakeFirewall(clock);
  const source = new FakeSource(clock);
  return {
    dir,
    store,
    clock,
    firewall,
    source,
    jails,
    jail(deps = {}) {
      const jail = new Jail({
        config: testJailConfig(),
        filter: testFilter(),
        clock,
        store,
        firewall,
        source,
        log: silentLogger(),
        ownAddresses: [],
        ...deps,
      });
      jails.push(jail);
      return jail;
    },
    async close() {
      for (const j of jails) await j.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One turn of the event loop: what a jail started from a line (its state-file commit, the firewall's batch) has run. */
export const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
