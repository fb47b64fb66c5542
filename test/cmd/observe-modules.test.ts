// `kubectl netobs observe --help` (and observe itself) loads no agent module: the modules the CLI
// loads before any command runs (cmd/main.ts's static imports) and those observe's run path
// loads (cmd/observe/run.ts, static and dynamic) are read from esbuild's metafile.
import test from 'ava';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';

const root = path.resolve(import.meta.dirname, '../..');

async function metafile(entry: string): Promise<Metafile> {
  const r = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return r.metafile;
}

/** Project modules reachable from entry, following static imports only unless dynamic is set. */
function reachable(meta: Metafile, entry: string, dynamic: boolean): string[] {
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length) {
    const input = meta.inputs[todo.pop() as string];
    for (const imp of input?.imports ?? []) {
      if (imp.external || seen.has(imp.path)) continue;
      if (!dynamic && imp.kind === 'dynamic-import') continue;
      seen.add(imp.path);
      todo.push(imp.path);
    }
  }
  return [...seen];
}

test('the CLI loads no agent module before a command runs (observe --help)', async (t) => {
  const mods = reachable(await metafile('cmd/main.ts'), 'cmd/main.ts', false);
  t.true(mods.includes('cmd/commands/observe.ts'));
  t.true(mods.includes('api/filter/cli-flags.ts'));
  t.deepEqual(mods.filter((m) => m.startsWith('agent/')), []);
});

test("observe's run path loads no agent module", async (t) => {
  const mods = reachable(await metafile('cmd/observe/run.ts'), 'cmd/observe/run.ts', true);
  t.true(mods.some((m) => m.startsWith('api/filter/')));
  t.deepEqual(mods.filter((m) => m.startsWith('agent/')), []);
});
