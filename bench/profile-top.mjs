// Prints the functions with the most self time in V8 CPU profiles (node --cpu-prof output).
// Usage: node bench/profile-top.mjs [--top N] FILE.cpuprofile...   (several files are summed)

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** [{ name, where, ms }] by self time, largest first, over every profile given. */
export function topFunctions(files) {
  const self = new Map();
  let totalMs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    // The sample's own time is the delta to the next one.
    profile.samples.forEach((id, i) => {
      const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      const { functionName, url, lineNumber } = byId.get(id).callFrame;
      const path = url.startsWith('file:') ? relative(REPO, fileURLToPath(url)) : url;
      const where = path ? `${path}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'}\t${where}`;
      self.set(key, (self.get(key) ?? 0) + dt);
      totalMs += dt;
    });
  }
  const rows = [...self].map(([key, ms]) => {
    const [name, where] = key.split('\t');
    return { name, where, ms };
  });
  return { totalMs, rows: rows.sort((a, b) => b.ms - a.ms) };
}

export function formatTop({ totalMs, rows }, top = 15) {
  const lines = [`self time of ${(totalMs / 1000).toFixed(1)} s sampled:`];
  for (const r of rows.slice(0, top)) {
    const pct = ((100 * r.ms) / totalMs).toFixed(1).padStart(5);
    lines.push(`${pct}%  ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${r.name}  ${r.where}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const top = args[0] === '--top' ? Number(args.splice(0, 2)[1]) : 15;
  console.log(formatTop(topFunctions(args), top));
}
