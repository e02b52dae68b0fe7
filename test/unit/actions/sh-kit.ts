// Helpers for proving what a shell really does with a rendered command: run it in a fresh temp
// directory, read back OUT, and list every file it left, so a stray `touch MARK` cannot go unseen.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** /bin/sh is what actions run; bash too when present, since /bin/sh is bash on some systems. */
export const SHELLS = ['/bin/sh', '/bin/bash'].filter((s) => existsSync(s));

/** Values that break out of any naive substitution; each tries to create the file MARK. */
export const HOSTILE: readonly string[] = [
  '$(touch MARK)',
  '`touch MARK`',
  '; touch MARK',
  '| touch MARK',
  '& touch MARK &',
  "'; touch MARK; '",
  '"; touch MARK; "',
  '"$(touch MARK)"',
  "'$(touch MARK)'",
  '\\',
  "\\'; touch MARK; \\'",
  '\\"; touch MARK; \\"',
  'a\\\\',
  'line1\nline2\n touch MARK',
  '\n~! touch MARK',
  '~!',
  '~root/*',
  '*',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, meant literally
  '$HOME ${HOME} $((1+1)) $1 $@ $$',
  ')); touch MARK; ((',
  '}; touch MARK; {',
  '# touch MARK',
  '$\'\\x41\' $"x"',
  'EOF\ntouch MARK\nEOF',
  '<<EOF\ntouch MARK\nEOF',
  '`\\`touch MARK\\``',
  "'\"'\"'`$(touch MARK)`'\"'\"'",
  Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)).join(''),
  'caf\u00e9 \u2028 \ud83d\ude00 \r\n',
  '',
];

export interface ShellRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** OUT's content, or undefined when the command did not write it. */
  readonly out: string | undefined;
  /** Every file in the directory after the run, OUT included. */
  readonly files: string[];
}

/** Runs `command` with `shell -c` in a new temp directory, removed afterwards. */
export function runIn(shell: string, command: string): ShellRun {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-sh-'));
  try {
    const r = spawnSync(shell, ['-c', command], { cwd: dir, encoding: 'utf8', timeout: 5000, stdio: 'pipe' });
    const out = join(dir, 'OUT');
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      out: existsSync(out) ? readFileSync(out, 'utf8') : undefined,
      files: readdirSync(dir).sort(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A deterministic generator of integers below `n` (a linear congruential one: tests must repeat). */
export function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor(state / 7) % n;
  };
}

/**
 * A random, syntactically valid script of printf commands whose words mix `<v>` with plain text,
 * '…', "…", "$(…)", "`…`" (escaped as the shell wants at each depth), $((…)), comments and
 * here-documents. Substitutions are always double-quoted so no word splitting muddles the output.
 */
export function randomScript(r: (n: number) => number): string {
  const bq = (s: string) => s.replace(/[\\`$]/g, '\\$&');
  const cmd = (d: number): string => `printf %s ${Array.from({ length: 1 + r(3) }, () => word(d)).join(' ')}`;
  const word = (d: number): string => Array.from({ length: 1 + r(3) }, () => piece(d)).join('');
  const many = (f: () => string) => Array.from({ length: r(4) }, f).join('');
  const piece = (d: number): string => {
    const pick = r(d > 2 ? 4 : 7);
    if (pick === 0) return '<v>';
    if (pick === 1) return 'a';
    if (pick === 2) return `'${many(() => ['a', '<v>', '"', '`', '$', ' ', '\\'][r(7)]!)}'`;
    if (pick === 3) return `"${many(() => inDouble(d))}"`;
    if (pick === 4) return `"$(${cmd(d + 1)})"`;
    if (pick === 5) return `"\`${bq(cmd(d + 1))}\`"`;
    return r(5) ? 'b' : '$((1))';
  };
  const inDouble = (d: number): string => {
    const pick = r(d > 2 ? 4 : 6);
    if (pick < 4) return ['<v>', 'a', "'", ' '][pick]!;
    return pick === 4 ? `$(${cmd(d + 1)})` : `\`${bq(cmd(d + 1))}\``;
  };
  const wrap = [
    (c: string) => `${c} # ${word(2)}`,
    (c: string) => `cat <<EOF\nx $HOME\nEOF\n${c}`,
    (c: string) => `{ ${c}; }`,
    (c: string) => `( ${c} )`,
    (c: string) => c,
  ];
  const commands = Array.from({ length: 1 + r(3) }, () => wrap[r(wrap.length)]!(cmd(0)));
  return commands.join(['\n', '; ', ' && ', ' | '][r(4)]);
}
