import { expect, it } from 'vitest';
import { insertLiterals, TemplateError } from '../../../src/actions/shell-quote.ts';
import { HOSTILE, randomScript, runIn, SHELLS, seeded } from './sh-kit.ts';
const only = (value: string) => (name: string) => (name === 'v' ? value : undefined);
it('soup', () => {
  const TOKENS = ["'", '"', '`', '\\`', '$(', ')', '${', '}', '#', '\\', '\n', ' ', '<<E', "<<'E'", 'E\n', ';', '|', '&', '(', '$', '$((', '))', '((', 'case ', 'esac', 'printf %s ', '<<-E', '\t', '<<<', "$'", '<v>', '<v>', '<v>', '=', 'x', 'a[', ']', '[', '<', '>/dev/null ', '[[ ', ' ]]', 'let ', '"$(', '`"'];
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const r = seeded(seed);
    for (let k = 0; k < 1000; k++) {
      const template = Array.from({ length: 2 + r(16) }, () => TOKENS[r(TOKENS.length)]!).join('').replace(/\$x/g, '$ x').replace(/let /g, 'lt ');
      const value = HOSTILE[r(HOSTILE.length)]!;
      let command: string;
      try { command = insertLiterals(template, only(value)); } catch (err) { expect(err).toBeInstanceOf(TemplateError); continue; }
      for (const shell of SHELLS) expect({ template, value, command, files: runIn(shell, command).files }).toEqual({ template, value, command, files: [] });
    }
  }
}, 900000);
it('grammar', () => {
  for (const seed of [100, 101, 102]) {
    const r = seeded(seed);
    for (let k = 0; k < 500; k++) {
      const template = randomScript(r);
      const value = HOSTILE[r(HOSTILE.length)]!;
      const command = insertLiterals(template, only(value));
      for (const shell of SHELLS) {
        const run = runIn(shell, command);
        expect({ template, files: run.files, status: run.status }).toEqual({ template, files: [], status: 0 });
        if (value.endsWith('\n')) continue;
        const reference = runIn(shell, template.replaceAll('<v>', 'STANDIN')).stdout;
        expect(run.stdout).toBe(reference.replaceAll('STANDIN', () => value));
      }
    }
  }
}, 900000);
