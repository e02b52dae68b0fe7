// The built daemon loads its CommonJS packages with require (core/require-package.ts): one
// `import` of such a package would start Node's cjs-module-lexer for the life of the process.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../support/config-dir.ts';

describe('requirePackage', () => {
  it('leaves the cjs-module-lexer unloaded once every daemon module is in', () => {
    const main = pathToFileURL(join(REPO, 'dist', 'main.js')).href;
    const mailer = pathToFileURL(join(REPO, 'dist', 'notify', 'mailer.js')).href;
    const script = `await import(${JSON.stringify(main)}); await import(${JSON.stringify(mailer)});
      process.stdout.write(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('lexer'))));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});
