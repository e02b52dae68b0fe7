// Filter throughput: the shipped sshd filter over a mix of failing, succeeding and unrelated
// syslog lines, the way a busy auth.log looks. Prints operations (lines) per second.
// Run: npm run bench:filter. Not a test: nothing here asserts a time.

import { bench, describe } from 'vitest';
import { loadFilter } from '../src/config/filter-file.ts';
import { compileFilter } from '../src/filter/compile.ts';
import { REPO } from '../test/support/config-dir.ts';

const loaded = loadFilter(REPO, 'sshd', {});
if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
const compiled = compileFilter(loaded.filter);
if ('problems' in compiled) throw new Error(JSON.stringify(compiled.problems));
const filter = compiled.filter;

const LINES = [
  'Nov 27 10:24:12 web1 sshd[4242]: Failed password for root from 192.0.2.7 port 50022 ssh2',
  'Nov 27 10:24:12 web1 sshd[4242]: Invalid user admin from 198.51.100.23 port 41234',
  'Nov 27 10:24:13 web1 sshd[4243]: Accepted publickey for alice from 203.0.113.5 port 51234 ssh2: ED25519 SHA256:abc',
  'Nov 27 10:24:13 web1 CRON[999]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
  'Nov 27 10:24:14 web1 sshd[4244]: Connection closed by authenticating user root 2001:db8::7 port 60000 [preauth]',
  'Nov 27 10:24:15 web1 systemd[1]: Started session-42.scope - Session 42 of User alice.',
];
const now = Date.UTC(2026, 10, 27, 12);
let i = 0;

describe('sshd filter', () => {
  bench('match one line (mixed auth.log)', () => {
    filter.match(LINES[i++ % LINES.length]!, now);
  });
});
