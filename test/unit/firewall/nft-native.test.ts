import { describe, expect, it } from 'vitest';
import { NftError } from '../../../src/core/errors.ts';
import type { NativeAddon, NativeContext } from '../../../src/firewall/nft-native.ts';
import { NftNative } from '../../../src/firewall/nft-native.ts';

// The addon's contract without the kernel: a context that records calls and answers as told.
// test/e2e/nft-native.test.ts runs the real addon.
class ScriptedContext implements NativeContext {
  static last: ScriptedContext | undefined;
  readonly calls: string[] = [];
  answer: { error?: string; json?: string } = {};
  constructor() {
    ScriptedContext.last = this;
  }
  async ready(): Promise<void> {}
  async run(script: string): Promise<void> {
    this.calls.push(script);
    if (this.answer.error !== undefined) throw new Error(this.answer.error);
  }
  async list(command: string): Promise<string> {
    this.calls.push(command);
    if (this.answer.error !== undefined) throw new Error(this.answer.error);
    return this.answer.json ?? '{"nftables": []}';
  }
  async close(): Promise<void> {}
}

const addon: NativeAddon = { NftContext: ScriptedContext, libraryVersion: '1.0.6' };

async function opened(): Promise<{ native: NftNative; context: ScriptedContext }> {
  const native = await NftNative.open({ addon });
  return { native, context: ScriptedContext.last! };
}

describe('NftNative', () => {
  it("turns a rejection into NftError with nft's trimmed text, its errno code and the op", async () => {
    const { native, context } = await opened();
    context.answer = {
      error: 'Error: Could not process rule: No such file or directory\nadd element …\n^^^\n',
    };
    const err = await native.run('add element inet t s { 192.0.2.1 }\n', 'apply').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NftError);
    expect(err).toMatchObject({
      message: 'Error: Could not process rule: No such file or directory\nadd element …\n^^^',
      code: 'ENOENT',
      op: 'apply',
    });
    context.answer = { error: 'Error: syntax error, unexpected string' };
    await expect(native.run('x', 'addJail')).rejects.toMatchObject({ code: 'ENFT', op: 'addJail' });
  });

  it('joins list arguments into one command and parses the JSON it returns', async () => {
    const { native, context } = await opened();
    context.answer = { json: '{"nftables": [{"metainfo": {"version": "1.0.6"}}]}\n' };
    expect(await native.listJson(['list', 'set', 'inet', 'banhammer', 'sshd-v4'], 'list')).toEqual({
      nftables: [{ metainfo: { version: '1.0.6' } }],
    });
    expect(context.calls).toEqual(['list set inet banhammer sshd-v4']);
    context.answer = { json: 'not json' };
    await expect(native.listJson(['list', 'tables'], 'probe')).rejects.toMatchObject({
      code: 'EJSON',
      op: 'probe',
    });
    context.answer = { error: 'Error: No such file or directory\nlist table inet x' };
    await expect(native.listJson(['list', 'table', 'inet', 'x'], 'list')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('refuses anything but a list of plain words before reaching the addon', async () => {
    const { native, context } = await opened();
    for (const args of [
      [],
      ['flush', 'ruleset'],
      ['list', 'tables\nflush', 'ruleset'],
      ['list', 'table', 'a;b'],
      ['list', ''],
    ]) {
      await expect(native.listJson(args, 'list')).rejects.toThrow(TypeError);
    }
    expect(context.calls).toEqual([]);
  });
});
