// Everything a jail test runs against: a real SQLite store in a temp folder, a fake clock,
// firewall and log source, and the jails made, all torn down together.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Jail } from '../../src/jail/jail.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FakeClock, FakeFirewall, FakeSource } from './fakes.ts';

export interface JailWorld {
  readonly dir: string;
  readonly store: SqliteStore;
  readonly clock: FakeClock;
  readonly firewall: FakeFirewall;
  readonly source: FakeSource;
  /** Jails the test made; close() stops them. */
  readonly jails: Jail[];
  close(): Promise<void>;
}

export function makeJailWorld(now: number): JailWorld {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-jail-'));
  const store = new SqliteStore(join(dir, 'state.sqlite3'));
  const clock = new FakeClock(now);
  const jails: Jail[] = [];
  return {
    dir,
    store,
    clock,
    firewall: new FakeFirewall(clock),
    source: new FakeSource(clock),
    jails,
    async close() {
      for (const j of jails) await j.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
