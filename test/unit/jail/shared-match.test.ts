// Fifty jails on one log: with one shared filter, each line is matched once, and every jail still
// counts and bans on its own.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Filter } from '../../../src/filter/compile.ts';
import { testFilter, testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../../support/jail-world.ts';

let world: JailWorld;
beforeEach(() => {
  world = makeJailWorld(1_700_000_000_000);
});
afterEach(() => world.close());

describe('a filter shared by jails', () => {
  it('matches each line once for all of them; each jail counts and bans', async () => {
    const inner = testFilter();
    let calls = 0;
    const counting: Filter = {
      ...inner,
      match: (...args) => {
        calls++;
        return inner.match(...args);
      },
    };
    const names = Array.from({ length: 50 }, (_, i) => `j${i}`);
    for (const name of names) {
      await world
        .jail({ config: testJailConfig({ name, maxretry: name === 'j0' ? 2 : 3 }), filter: counting })
        .start();
    }
    for (let i = 0; i < 3; i++) world.source.emit('Failed for root from 192.0.2.1');
    await settle();
    await settle();
    expect(calls).toBe(3);
    for (const name of names) expect(world.firewall.elements(name)).toEqual(['192.0.2.1']);
  });

  it('a line of the same text arriving again is a new line, matched again', async () => {
    const inner = testFilter();
    let calls = 0;
    const counting: Filter = {
      ...inner,
      match: (...args) => {
        calls++;
        return inner.match(...args);
      },
    };
    await world.jail({ config: testJailConfig({ name: 'a' }), filter: counting }).start();
    await world.jail({ config: testJailConfig({ name: 'b' }), filter: counting }).start();
    world.source.emit('Failed for root from 192.0.2.1');
    world.source.emit('Failed for root from 192.0.2.1');
    expect(calls).toBe(2);
  });
});
