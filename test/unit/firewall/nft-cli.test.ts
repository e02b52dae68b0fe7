import { describe, expect, it } from 'vitest';
import { NftError } from '../../../src/core/errors.ts';
import { NftCli } from '../../../src/firewall/nft-cli.ts';

// `sh -c SCRIPT sh` stands in for nft: the runner appends its arguments, which land in "$@".
const fake = (body: string) => new NftCli({ argv: ['sh', '-c', body, 'sh'] });

describe('NftCli', () => {
  it('passes -f - and the script on stdin', async () => {
    await expect(
      fake('test "$1 $2" = "-f -" && grep -qx "add table inet t"').run('add table inet t\n', 'x'),
    ).resolves.toBe(undefined);
  });

  it("turns a non-zero exit into NftError carrying nft's stderr, a code and the op", async () => {
    const cli = fake(
      'cat >/dev/null; echo "Error: Could not process rule: No such file or directory" >&2; exit 1',
    );
    const err = await cli.run('delete element inet t s { 1.2.3.4 }\n', 'apply').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NftError);
    expect(err).toMatchObject({
      message: 'Error: Could not process rule: No such file or directory',
      code: 'ENOENT',
      op: 'apply',
    });
    const other = await fake('echo "syntax error" >&2; exit 1')
      .run('', 'addJail')
      .catch((e: unknown) => e);
    expect(other).toMatchObject({ code: 'ENFT', op: 'addJail' });
  });

  it('reports a missing binary as NftError with the spawn errno', async () => {
    const err = await new NftCli({ argv: ['/nonexistent/nft'] }).run('', 'apply').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NftError', code: 'ENOENT', op: 'apply' });
  });

  it('parses listJson output and passes -j first', async () => {
    const cli = fake('test "$1" = "-j" && echo "{\\"nftables\\": [\\"$2 $3\\"]}"');
    expect(await cli.listJson(['list', 'tables'], 'list')).toEqual({ nftables: ['list tables'] });
    await expect(fake('echo not-json').listJson([], 'list')).rejects.toMatchObject({ code: 'EJSON' });
  });
});

describe('NftCli.version', () => {
  it('returns the version line, or rejects when nft cannot run', async () => {
    expect(await fake('test "$1" = "--version" && echo "nftables v1.0.6 (Lester Gooch #5)"').version()).toBe(
      'nftables v1.0.6 (Lester Gooch #5)',
    );
    await expect(new NftCli({ argv: ['/nonexistent/nft'] }).version()).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
