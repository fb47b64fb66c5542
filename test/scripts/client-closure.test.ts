// What a client command loads on macOS and Windows: the CLI bundle and, per command, the runtime
// entry with the chunks it imports statically. None of that may reach koffi (libbpf, raw sockets)
// or the lab's and the agent's entry points; those load only behind Linux-only commands.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundle } from '../../scripts/bundle.ts';

const CLIENT_ENTRIES = ['cmd/install/run.ts', 'cmd/observe/run.ts', 'cmd/ui/run.ts', 'cmd/status-commands.ts', 'cmd/policy/validate.ts', 'connectivity/command.ts', 'tui/app.tsx'];
const LINUX_ONLY = /^(lab|agent|bpf|roles)\/|^node_modules\/koffi\//;

test('client commands reach neither koffi nor the lab or agent entry points', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-bundle-'));
  try {
    const out = await bundle(dir);
    t.false(readFileSync(out.cli, 'utf8').includes('koffi.node'), 'the CLI bundle holds no koffi shim');
    const manifest = JSON.parse(readFileSync(path.join(out.runtimeDir, 'manifest.json'), 'utf8')) as { entries: Record<string, string> };
    const linuxFiles = new Set(Object.entries(manifest.entries).filter(([rel]) => LINUX_ONLY.test(rel)).map(([, f]) => f));
    t.true(linuxFiles.size >= 4, 'lab, agent and koffi entries exist, so the check below can find them');
    for (const rel of CLIENT_ENTRIES) {
      const entry = manifest.entries[rel];
      t.truthy(entry, `${rel} is a runtime entry`);
      const seen = new Set<string>();
      const todo = [entry!];
      while (todo.length) {
        const f = todo.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        const src = readFileSync(path.join(out.runtimeDir, f), 'utf8');
        t.false(src.includes('koffi.node'), `${rel} loads koffi through ${f}`);
        for (const m of src.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) todo.push(m[1]!);
      }
      t.deepEqual([...seen].filter((f) => linuxFiles.has(f)), [], `${rel} imports a Linux-only entry`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
