// mkdirPath walks a path one mkdir at a time: it creates nested directories, and under a
// pseudo-filesystem that refuses them it rejects instead of looping (Node's recursive mkdir on
// sysfs's /sys/fs/bpf mount point never settles). onBpffs tells a bpffs by its statfs type.
import test from 'ava';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdirPath, onBpffs, withTimeout } from '../../lib/fs-paths.ts';

test('mkdirPath creates missing parents and accepts an existing directory', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-paths-'));
  try {
    const deep = path.join(dir, 'a', 'b', 'c');
    await mkdirPath(deep);
    t.true(statSync(deep).isDirectory());
    await t.notThrowsAsync(mkdirPath(deep));
    writeFileSync(path.join(dir, 'file'), '');
    const e = await t.throwsAsync(mkdirPath(path.join(dir, 'file', 'sub')));
    t.regex(e!.message, /is not a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mkdirPath under /proc rejects with the failing component', async (t) => {
  const e = await t.throwsAsync(withTimeout('mkdirPath', 10_000, () => mkdirPath('/proc/netobs-fs-paths-test/x')));
  t.regex(e!.message, /^create directory \/proc\/netobs-fs-paths-test\/x: mkdir \/proc\/netobs-fs-paths-test: E[A-Z]+$/);
});

test('onBpffs is false for a tmpfs or a plain directory and for a missing path', async (t) => {
  t.false(await onBpffs(os.tmpdir()));
  t.false(await onBpffs('/proc'));
  t.false(await onBpffs('/nonexistent/netobs'));
});

test('withTimeout rejects a promise that never settles, naming the step', async (t) => {
  const e = await t.throwsAsync(withTimeout('create pod network', 50, () => new Promise<void>(() => {})));
  t.is(e!.message, 'create pod network: timed out after 0.05s');
});
