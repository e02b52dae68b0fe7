import { describe, expect, it } from 'vitest';
import { insertLiterals, singleQuote, TemplateError } from '../../../src/actions/shell-quote.ts';
import { HOSTILE, randomScript, runIn, SHELLS, seeded } from './sh-kit.ts';

const only = (value: string) => (name: string) => (name === 'v' ? value : undefined);
// Command substitution drops trailing newlines; everything else must arrive byte for byte.
const chomp = (s: string) => s.replace(/\n+$/, '');

/** Templates putting `<v>` in every quoting context, with what OUT must then hold. */
const CONTEXTS: ReadonlyArray<[string, (v: string) => string]> = [
  ['printf %s <v> > OUT', (v) => v],
  ['printf %s "<v>" > OUT', (v) => v],
  ["printf %s '<v>' > OUT", (v) => v],
  ['printf %s "pre <v> post" > OUT', (v) => `pre ${v} post`],
  ["printf %s 'pre <v> post' > OUT", (v) => `pre ${v} post`],
  ['printf %s x<v>y"<v>"\'<v>\' > OUT', (v) => `x${v}y${v}${v}`],
  ['x=<v>; printf %s "$x" > OUT', (v) => v],
  ['printf %s "$(printf %s <v>)" > OUT', (v) => chomp(v)],
  ['printf %s "$(printf %s "<v>")" > OUT', (v) => chomp(v)],
  ['printf %s "$(printf %s \'<v>\')" > OUT', (v) => chomp(v)],
  ['x=$(printf %s "a$(printf %s \'<v>\')b"); printf %s "$x" > OUT', (v) => `a${chomp(v)}b`],
  ['printf %s "`printf %s <v>`" > OUT', (v) => chomp(v)],
  ['printf %s "`printf %s "<v>"`" > OUT', (v) => chomp(v)],
  ['x=`printf %s \'<v>\'`; printf %s "$x" > OUT', (v) => chomp(v)],
  ['x=`printf %s "\\`printf %s <v>\\`"`; printf %s "$x" > OUT', (v) => chomp(v)],
  ['printf %s "$(printf %s "`printf %s \'<v>\'`")" > OUT', (v) => chomp(v)],
  ['# a comment <v>\nprintf %s ok > OUT', () => 'ok'],
  ['printf %s ok > OUT # <v>\nprintf %s " done" >> OUT', () => 'ok done'],
  [
    'cat <<EOF > OUT\nstatic $HOME-less\nEOF\nprintf %s <v> >> OUT',
    (v) => `static ${process.env.HOME}-less\n${v}`,
  ],
  ['cat <<EOF > OUT; printf %s "<v>" >> OUT\nbody\nEOF', (v) => `body\n${v}`],
  ['printf %s <v> \\\n  > OUT', (v) => v],
  ['( printf %s <v> ) > OUT', (v) => v],
  ['{ printf %s "<v>"; } > OUT', (v) => v],
  ['printf %s "$(printf %s "$(printf %s <v>)")" > OUT', (v) => chomp(v)],
];

describe('insertLiterals', () => {
  it('quotes a value for the context it sits in', () => {
    expect(insertLiterals('a <v> b', only("it's"))).toBe("a 'it'\\''s' b");
    expect(insertLiterals("a '<v>' b", only("it's"))).toBe("a 'it'\\''s' b");
    expect(insertLiterals('a "<v>" b', only("it's"))).toBe(`a ""'it'\\''s'"" b`);
    expect(singleQuote('')).toBe("''");
  });

  it('leaves tags it is not given as they are, and never re-scans an inserted value', () => {
    expect(insertLiterals('<x> <v>', only('<v>'))).toBe("<x> '<v>'");
  });

  for (const shell of SHELLS) {
    describe(`run by ${shell}`, () => {
      for (const [template, expected] of CONTEXTS) {
        it(`delivers every hostile value literally: ${JSON.stringify(template)}`, () => {
          for (const value of HOSTILE) {
            const command = insertLiterals(template, only(value));
            const run = runIn(shell, command);
            expect({ value, files: run.files, out: run.out }).toEqual({
              value,
              files: ['OUT'],
              out: expected(value),
            });
          }
        });
      }
    });
  }

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, meant literally
    ['inside ${…}', 'printf %s "${HOME:+<v>}"'],
    ['inside a here-document', 'cat <<EOF\n<v>\nEOF'],
    ['inside a quoted here-document', "cat <<'EOF'\n<v>\nEOF"],
    ['as a here-document delimiter', 'cat <<<v>\nx\n'],
    ['after a backslash', 'printf %s \\<v>'],
    ['after a backslash in "…"', 'printf %s "\\<v>"'],
    ['after $', 'printf %s $<v>'],
    ["after $'…'", "printf %s $'x' <v>"],
    ['after case inside $(…)', 'x=$(case a in a) printf %s <v>;; esac)'],
    ['inside an unterminated `…`', 'x=`printf %s <v>'],
  ])('refuses a tag %s', (_, template) => {
    expect(() => insertLiterals(template, only('$(touch MARK)'))).toThrow(TemplateError);
  });

  // bash expands $(…) in arithmetic text even inside '…': `(( 'a[$(touch MARK)]' ))` runs it.
  it('takes only integers inside $((…)), ((…)) and name[…]', () => {
    expect(insertLiterals('echo $(( <v> + 1 ))', only('41'))).toBe('echo $(( 41 + 1 ))');
    expect(insertLiterals('(( <v> > 1 )) && x[<v>]=<v>', only('-2'))).toBe("(( -2 > 1 )) && x[-2]='-2'");
    for (const template of ['echo $(( <v> + 1 ))', '(( <v> ))', 'x[<v>]=1', 'declare x[<v>]=1']) {
      expect(() => insertLiterals(template, only('a[$(touch MARK)]'))).toThrow(TemplateError);
    }
    expect(insertLiterals('echo $(( $(printf %s <v>) + 1 ))', only('4;'))).toBe(
      "echo $(( $(printf %s '4;') + 1 ))",
    );
  });

  it('keeps here-documents and bash here-strings apart', () => {
    expect(insertLiterals('cat <<< <v>', only('a b'))).toBe("cat <<< 'a b'");
    expect(insertLiterals('echo $(( 1 << 2 )) <v>', only('x'))).toBe("echo $(( 1 << 2 )) 'x'");
    expect(insertLiterals('cat <<-EOF\n\tbody\n\tEOF\necho <v>', only('x'))).toBe(
      "cat <<-EOF\n\tbody\n\tEOF\necho 'x'",
    );
  });
});

describe('insertLiterals on random templates', () => {
  it('prints each value exactly as a harmless stand-in would be printed (150 scripts, every shell)', () => {
    const r = seeded(7);
    let compared = 0;
    for (let k = 0; k < 150; k++) {
      const template = randomScript(r);
      const value = HOSTILE[r(HOSTILE.length)]!;
      const command = insertLiterals(template, only(value));
      for (const shell of SHELLS) {
        const run = runIn(shell, command);
        expect({ template, value, files: run.files, status: run.status }).toEqual({
          template,
          value,
          files: [],
          status: 0,
        });
        // $(…) drops trailing newlines, which a stand-in without them cannot show.
        if (value.endsWith('\n')) continue;
        const reference = runIn(shell, template.replaceAll('<v>', 'STANDIN')).stdout;
        expect({ template, value, out: run.stdout }).toEqual({
          template,
          value,
          out: reference.replaceAll('STANDIN', () => value),
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  // Token soup, mostly not valid shell: whatever the scanner makes of it, it refuses or nothing runs.
  // (eval and `$var` as a command are left out: there the template itself asks to run the value.)
  it('never lets a value run from 300 arbitrary templates', () => {
    const TOKENS = ["'", '"', '`', '\\`', '$(', ')', '${', '}', '#', '\\', '\n', ' ', '<<E', "<<'E'", 'E\n'];
    TOKENS.push(
      ';',
      '|',
      '&',
      '(',
      '$',
      '$((',
      '))',
      'case ',
      'esac',
      'printf %s ',
      '<<-E',
      '\t',
      '<<<',
      "$'",
    );
    TOKENS.push('<v>', '<v>', '<v>', '=', 'x', '<', '>/dev/null ');
    const r = seeded(42);
    let ran = 0;
    for (let k = 0; k < 300; k++) {
      const template = Array.from({ length: 2 + r(14) }, () => TOKENS[r(TOKENS.length)]!).join('');
      const value = HOSTILE[r(HOSTILE.length)]!;
      let command: string;
      try {
        command = insertLiterals(template.replace(/\$x/g, '$ x'), only(value));
      } catch (err) {
        expect(err).toBeInstanceOf(TemplateError);
        continue;
      }
      for (const shell of SHELLS) {
        expect({ template, value, files: runIn(shell, command).files }).toEqual({
          template,
          value,
          files: [],
        });
        ran++;
      }
    }
    expect(ran).toBeGreaterThan(300);
  });
});
