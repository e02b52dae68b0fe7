// Names that are also properties of every JavaScript object (constructor, __proto__, toString) are
// names like any other in a filter: a tag, an option or a group called so is left as written when
// nothing defines it, and a group called so is a capture. Plain-object look-ups found Object's own
// properties instead: `(?P<constructor>...)` became `(?Pfunction Object() {...}`, and the filter
// failed to compile.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledFilter, writeFilter } from '../../support/compiled-filter.ts';

const dir = mkdtempSync(join(tmpdir(), 'banhammer-reserved-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function filter(failregex: string) {
  writeFilter(dir, 'reserved', `[Definition]\nfailregex = ${failregex}\n`);
  return compiledFilter('reserved', dir);
}

describe("names of Object's properties in a filter", () => {
  it('are group names: compiled as written, captured as fields of their own', () => {
    const f = filter('^(?P<constructor>\\S+) (?P<__proto__>\\S+) (?P<toString>\\S+) from <HOST>$');
    const m = f.match('a b c from 192.0.2.7', Date.now());
    expect(m?.address?.text).toBe('192.0.2.7');
    const fields = m!.fields;
    expect(Object.getOwnPropertyNames(fields).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(
      ['constructor', '__proto__', 'toString'].map((k) => Object.getOwnPropertyDescriptor(fields, k)?.value),
    ).toEqual(['a', 'b', 'c']);
  });

  it('are left as written as tags nothing defines', () => {
    const f = filter('^x<constructor>y from <HOST>$');
    expect(f.match('x<constructor>y from 192.0.2.8', Date.now())?.address?.text).toBe('192.0.2.8');
  });
});
