// `npm run compat` only: the generator is not a *.test.ts file, so the regular suite skips it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/compat/generate.compat.ts'],
    disableConsoleIntercept: true,
    testTimeout: 600_000,
  },
});
