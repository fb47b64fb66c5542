import test from 'ava';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installCniPlugin, protectionWarning, uninstallCniPlugin } from '../../../agent/cni/install.ts';
import { chainState } from '../../../agent/cni/conflist.ts';

async function node(): Promise<{ binDir: string; confDir: string; file: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'netobs-cni-node-'));
  const binDir = path.join(root, 'bin');
  const confDir = path.join(root, 'net.d');
  await mkdir(binDir);
  await mkdir(confDir);
  const file = path.join(confDir, '10-net.conflist');
  await writeFile(file, JSON.stringify({ cniVersion: '1.0.0', name: 'net', plugins: [{ type: 'ptp' }] }));
  return { binDir, confDir, file };
}

test('install copies the executable as the netobs plugin and chains it; uninstall undoes both', async (t) => {
  const n = await node();
  const r = await installCniPlugin({ ...n, bpffsRoot: '/sys/fs/bpf/netobs', self: { file: process.execPath, args: [] } });
  t.deepEqual(r, { enabled: true, conflist: n.file });
  t.true(((await stat(path.join(n.binDir, 'netobs'))).mode & 0o111) !== 0);
  const list = JSON.parse(await readFile(n.file, 'utf8'));
  t.deepEqual(list.plugins.at(-1), { type: 'netobs', bpffsRoot: '/sys/fs/bpf/netobs' });
  t.regex(await uninstallCniPlugin(n), /removed netobs from/);
  t.is(chainState(await readFile(n.file, 'utf8')), 'absent');
  t.false(existsSync(path.join(n.binDir, 'netobs')));
});

test('from a source checkout the plugin is a script starting this CLI', async (t) => {
  const n = await node();
  await installCniPlugin({ ...n, bpffsRoot: '/b', self: { file: '/usr/bin/node', args: ['--import', 'tsx', "/src/it's/cmd/main.ts"] } });
  t.is(await readFile(path.join(n.binDir, 'netobs'), 'utf8'), `#!/bin/sh\nexec '/usr/bin/node' '--import' 'tsx' '/src/it'\\''s/cmd/main.ts' "$@"\n`);
});

test('without CNI dirs or a conflist the node runs without start-up protection, and says why', async (t) => {
  const n = await node();
  const self = { file: process.execPath, args: [] };
  const reason = async (o: { binDir: string; confDir: string }) => {
    const r = await installCniPlugin({ ...o, bpffsRoot: '/b', self });
    return r.enabled ? 'enabled' : r.reason;
  };
  t.regex(await reason({ binDir: '/nonexistent/bin', confDir: n.confDir }), /CNI dirs are not mounted/);
  const emptyConf = path.join(path.dirname(n.confDir), 'empty.d');
  await mkdir(emptyConf);
  t.regex(await reason({ binDir: n.binDir, confDir: emptyConf }), /no CNI configuration/);
});

test('status warns when the node runs without start-up protection, and only then', async (t) => {
  const n = await node();
  const off = await installCniPlugin({ binDir: '/nonexistent/bin', confDir: n.confDir, bpffsRoot: '/b', self: { file: process.execPath, args: [] } });
  t.regex(protectionWarning(off) ?? '', /^node runs without start-up protection: the node's CNI dirs are not mounted/);
  t.is(protectionWarning({ enabled: true, conflist: n.file }), undefined);
});
