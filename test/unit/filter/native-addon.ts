// Whether the RE2 addon (native/build/Release/banhammer_re2.node) is built. Tests of the native
// engine skip without it, except under CI=true, where a missing addon fails them instead.

import { loadNativeRegexAddon } from '../../../src/filter/native-regex.ts';

export function requireNativeRegex(): boolean {
  try {
    loadNativeRegexAddon();
    return true;
  } catch (err) {
    if (process.env.CI === 'true')
      throw new Error(`Native RE2 addon missing under CI: ${(err as Error).message}`);
    return false;
  }
}
