// `npm run bench:cli`: start-up of `kubectl-netobs --help` as a ratio to `node -e 0` of the same
// pinned Node, both measured in this run, interleaved so machine noise hits both alike.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const binary = path.resolve(import.meta.dirname, '../dist/kubectl-netobs');
const ROUNDS = Number(process.env.ROUNDS ?? 40);

function timeOnce(file: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' first`);
const cases = {
  node_e0: [process.execPath, ['-e', '0']] as const,
  help: [binary, ['--help']] as const,
  version: [binary, ['version']] as const,
};
const samples: Record<string, number[]> = { node_e0: [], help: [], version: [] };
for (const [name, [file, args]] of Object.entries(cases)) timeOnce(file, [...args]); // warm the page cache
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, [file, args]] of Object.entries(cases)) samples[name]!.push(timeOnce(file, [...args]));
}
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
for (const [k, v] of Object.entries(m)) process.stdout.write(`${k.padEnd(8)} median ${v.toFixed(1)} ms over ${ROUNDS} runs\n`);
process.stdout.write(
  JSON.stringify({ node_e0_ms: round(m.node_e0!), help_ms: round(m.help!), help_ratio: round(m.help! / m.node_e0!), version_ratio: round(m.version! / m.node_e0!) }) + '\n',
);

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
