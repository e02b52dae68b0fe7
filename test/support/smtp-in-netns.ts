// A real SMTP server (the smtp-server package) started inside a test's network namespace, where
// banhammerd runs, since a daemon in that namespace cannot reach the test process's loopback.
// Each message it accepts is appended as one JSON line to a file the test reads.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './config-dir.ts';

export interface NetnsMail {
  readonly to: string[];
  readonly raw: string;
}

const SERVER = `
const { SMTPServer } = require(${JSON.stringify(join(REPO, 'node_modules', 'smtp-server'))});
const { appendFileSync } = require('node:fs');
const [port, out] = process.argv.slice(1);
const server = new SMTPServer({
  authOptional: true, disableReverseLookup: true, logger: false,
  onData(stream, session, done) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((r) => r.address);
      appendFileSync(out, JSON.stringify({ to, raw: Buffer.concat(chunks).toString('utf8') }) + '\\n');
      done();
    });
  },
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

export interface NetnsSmtp {
  readonly port: number;
  messages(): NetnsMail[];
  stop(): void;
}

export async function startSmtpInNetns(ns: string, port: number, outFile: string): Promise<NetnsSmtp> {
  writeFileSync(outFile, '');
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, '-e', SERVER, String(port), outFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b));
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`SMTP server exited ${code}: ${err}`)));
  });
  return {
    port,
    messages: () =>
      readFileSync(outFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as NetnsMail),
    stop: () => void child.kill('SIGKILL'),
  };
}
