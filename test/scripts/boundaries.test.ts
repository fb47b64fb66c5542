// The boundary check (npm run lint:deps, run by scripts/test.sh and so by .ci/run) holds the
// arrows of ARCHITECTURE.md: the tree as it is passes, and a tui -> agent import added to it fails.
import test from 'ava';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(root, 'node_modules/.bin/depcruise');
const args = ['--config', '.dependency-cruiser.cjs', '--ignore-known', '.dependency-cruiser-known-violations.json'];

async function cruise(...files: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(depcruise, [...args, ...files], { cwd: root });
    return { code: 0, out: r.stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

test.serial('the TUI as it is passes the boundary check', async (t) => {
  const r = await cruise('tui');
  t.is(r.code, 0, r.out);
});

test.serial('a tui -> agent import fails the boundary check, naming the rule', async (t) => {
  const probe = `tui/boundary-probe-${process.pid}.ts`;
  writeFileSync(path.join(root, probe), "import { Agent } from '../agent/runtime/agent.ts';\nexport const probe = Agent;\n");
  try {
    const r = await cruise(probe);
    t.not(r.code, 0);
    t.regex(r.out, /tui-not-agent/);
    t.regex(r.out, new RegExp(`${probe.replace('.', '\\.')} → agent/runtime/agent\\.ts`));
  } finally {
    rmSync(path.join(root, probe), { force: true });
  }
});
