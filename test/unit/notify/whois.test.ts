import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWhois } from '../../../src/notify/whois.ts';

let dir: string;
let pwned: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-whois-'));
  pwned = join(dir, 'pwned');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

describe('createWhois', () => {
  it('returns hostile output as inert text and passes the address as one argument', async () => {
    const hostile = [`$(touch ${pwned})`, `\`touch ${pwned}\``, `; touch ${pwned}`, `~! touch ${pwned}`];
    const program = script(
      'whois',
      // Quoted heredoc: the script prints the text; nothing here or downstream expands it.
      `echo "argc=$# arg=$1"\ncat <<'EOF'\n${hostile.join('\n')}\nEOF`,
    );
    const whois = createWhois({ program, timeoutMs: 2_000 });
    const out = await whois('192.0.2.1');
    expect(out).toBe(['argc=1 arg=192.0.2.1', ...hostile].join('\n'));
    expect(existsSync(pwned)).toBe(false);
  });

  it('names a missing program', async () => {
    const whois = createWhois({ program: join(dir, 'nope'), timeoutMs: 1_000 });
    expect(await whois('192.0.2.1')).toBe(`whois report unavailable: ${join(dir, 'nope')} not installed`);
  });

  it('names a program it may not run', async () => {
    const program = script('whois', 'echo hi', 0o644);
    expect(await createWhois({ program, timeoutMs: 1_000 })('192.0.2.1')).toBe(
      `whois report unavailable: ${program} is not executable`,
    );
  });

  it('gives up after the timeout', async () => {
    const program = script('whois', 'echo partial\nexec sleep 30');
    const started = Date.now();
    const out = await createWhois({ program, timeoutMs: 300 })('192.0.2.1');
    expect(out).toBe('whois report unavailable: timed out after 0.3 s');
    expect(Date.now() - started).toBeLessThan(15_000); // far from sleep's 30 s
  });

  it('keeps the output of a failing run and says it failed', async () => {
    const withOutput = script('whois', 'echo "No match for $1"\nexit 1');
    expect(await createWhois({ program: withOutput, timeoutMs: 1_000 })('192.0.2.1')).toBe(
      `No match for 192.0.2.1\n[${withOutput} exited with status 1]`,
    );
    const silent = script('silent', 'exit 2');
    expect(await createWhois({ program: silent, timeoutMs: 1_000 })('192.0.2.1')).toBe(
      `whois report unavailable: ${silent} exited with status 2`,
    );
  });

  it('caps the output', async () => {
    const program = script('whois', 'yes 0123456789abcdef | head -c 1000000');
    const out = await createWhois({ program, timeoutMs: 5_000, maxBytes: 4096 })('192.0.2.1');
    expect(out.endsWith('\n[whois report cut off at 4 KiB]')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(4096 + 40);
  });

  it('refuses an argument that would read as an option', async () => {
    const program = script('whois', `touch ${pwned}`);
    expect(await createWhois({ program, timeoutMs: 1_000 })('-h')).toMatch(/^whois report unavailable: /);
    expect(existsSync(pwned)).toBe(false);
  });
});
