// npm run bench: banhammer side by side with Debian's fail2ban (and sshguard where it applies),
// measured in one run on this machine, printed as one table with the machine it ran on.
// Every daemon runs inside a network namespace made here and removed at exit or Ctrl-C; fail2ban
// and sshguard run in the foreground on their own temp files, never as services.
// Usage: node bench/run.mjs [--only filter,throughput,latency,restore,startup,idle,distinct,jails]
//                          [--tools banhammer,fail2ban,sshguard] [--profile]
// --profile: banhammerd runs under --cpu-prof; its top functions are printed per figure.

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { banhammer } from './lib/banhammer.mjs';
import { NOTES, table } from './lib/report.mjs';
import { cleanup, makeNetns } from './lib/sandbox.mjs';
import { freshLog, withDaemon } from './lib/session.mjs';
import { build, checkRoot, installPackages, machine } from './lib/setup.mjs';
import { STEPS, TOOLS } from './plan.mjs';
import { formatTop, topFunctions } from './profile-top.mjs';

const { values: opts } = parseArgs({
  options: { only: { type: 'string' }, tools: { type: 'string' }, profile: { type: 'boolean' } },
});
const only = opts.only?.split(',');
const toolNames = opts.tools?.split(',') ?? Object.keys(TOOLS);
const began = Date.now();
const say = (msg) => {
  const s = Math.round((Date.now() - began) / 1000);
  process.stderr.write(
    `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${msg}\n`,
  );
};
const rows = [];
const profiles = [];
const profileBase = opts.profile ? `/tmp/bh-bench-profiles-${process.pid}` : undefined;

/** Runs one tool's measurement; a failure becomes the cell's text and the bench goes on. */
async function measure(figure, tool, fn) {
  if (!toolNames.includes(tool)) return undefined;
  const dir = profileBase && tool === 'banhammer' ? join(profileBase, figure) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  if (dir) process.env.BENCH_CPU_PROF_DIR = dir;
  else delete process.env.BENCH_CPU_PROF_DIR;
  say(`${figure}: ${tool} ...`);
  try {
    const result = await fn();
    say(
      `${figure}: ${tool} done ${JSON.stringify(result, (_k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v))}`,
    );
    if (dir && existsSync(dir)) {
      const files = readdirSync(dir).map((f) => join(dir, f));
      if (files.length > 0) profiles.push(`${figure} (${dir}):\n${formatTop(topFunctions(files))}`);
    }
    return result;
  } catch (err) {
    say(`${figure}: ${tool} failed: ${err.stack ?? err}`);
    return { error: String(err.message ?? err).split('\n')[0] };
  }
}

function row(figure, results, cell, target, met) {
  const tools = {};
  for (const [name, r] of Object.entries(results)) {
    if (r !== undefined) tools[name] = r.error ? `error: ${r.error}` : cell(r);
  }
  const b = results.banhammer;
  rows.push({ figure, tools, target, met: met && b && !b.error ? met(b) : undefined });
}

async function runnerOf(ns) {
  const log = freshLog();
  const text = await withDaemon(ns, banhammer, { jails: [{ name: 'sshd', logpath: log.path }] }, async (d) =>
    d.runner(),
  );
  log.remove();
  return text;
}

async function main() {
  checkRoot();
  installPackages(say);
  say('building (npm run build)');
  build();
  const ns = makeNetns(`bh-bench-${process.pid}`);
  const m = machine();
  const runner = await runnerOf(ns);
  say(`banhammerd commits through: ${runner}`);
  for (const [name, step] of Object.entries(STEPS)) {
    if (!only || only.includes(name)) await step(ns, { measure, row });
  }
  const minutes = ((Date.now() - began) / 60_000).toFixed(1);
  const out = [
    '',
    `machine: ${m.nproc} CPUs (nproc), ${m.cpu}, ${m.memGiB.toFixed(0)} GiB RAM, Linux ${m.kernel}`,
    `software: node ${m.node}, ${m.nft}; fail2ban: nftables-multiport, backend pyinotify; sshguard: sshg-fw-nft-sets`,
    `banhammerd firewall runner: ${runner}`,
    '',
    table(rows, { fail2ban: m.fail2ban, sshguard: m.sshguard }),
    '',
    NOTES,
    '',
    `Wall time: ${minutes} min.`,
  ];
  console.log(out.join('\n'));
  if (profiles.length > 0) console.log(`\nbanhammerd CPU profiles:\n\n${profiles.join('\n\n')}`);
}

process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: removing the bench's namespaces, processes and files.\n`);
    cleanup();
    process.exit(130);
  });
}
try {
  await main();
} catch (err) {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
}
