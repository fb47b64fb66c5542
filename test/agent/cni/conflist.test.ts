import test from 'ava';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { activeConfFile, chainNetobs, chainState, editActiveConflist, unchainNetobs } from '../../../agent/cni/conflist.ts';

const list = {
  cniVersion: '1.0.0',
  name: 'k8s-pod-network',
  plugins: [{ type: 'ptp', ipam: { type: 'host-local', ranges: [[{ subnet: '10.0.1.0/24' }]] } }, { type: 'portmap', capabilities: { portMappings: true } }],
};

test('chaining appends netobs last and keeps every other key and plugin', (t) => {
  const out = JSON.parse(chainNetobs(JSON.stringify(list), { bpffsRoot: '/sys/fs/bpf/netobs' }));
  t.deepEqual(out.plugins.slice(0, 2), list.plugins);
  t.deepEqual(out.plugins[2], { type: 'netobs', bpffsRoot: '/sys/fs/bpf/netobs' });
  t.is(out.name, 'k8s-pod-network');
  t.is(chainState(JSON.stringify(out)), 'last');
});

test('chaining is idempotent and moves a misplaced netobs entry to the end', (t) => {
  const once = chainNetobs(JSON.stringify(list));
  t.is(chainNetobs(once), once);
  const misplaced = JSON.stringify({ ...list, plugins: [list.plugins[0], { type: 'netobs' }, list.plugins[1]] });
  t.is(chainState(misplaced), 'not-last');
  t.deepEqual(JSON.parse(chainNetobs(misplaced)).plugins.map((p: { type: string }) => p.type), ['ptp', 'portmap', 'netobs']);
});

test('unchaining removes only netobs', (t) => {
  const out = JSON.parse(unchainNetobs(chainNetobs(JSON.stringify(list))));
  t.deepEqual(out, list);
  t.is(chainState(JSON.stringify(out)), 'absent');
});

test('a single-plugin .conf, an empty chain or broken JSON is refused, not edited', (t) => {
  t.throws(() => chainNetobs(JSON.stringify({ cniVersion: '1.0.0', name: 'x', type: 'bridge' }), {}, '10-x.conf'), { message: /10-x\.conf: a single-plugin \.conf/ });
  t.throws(() => chainNetobs(JSON.stringify({ ...list, plugins: [{ type: 'netobs' }] })), { message: /no plugin creates/ });
  t.throws(() => chainNetobs('{'), { message: /not JSON/ });
});

test('the runtime’s file is the first conf file by name', (t) => {
  t.is(activeConfFile(['99-z.conflist', '10-a.conflist', 'README', '.10-a.conflist.netobs-tmp', '05-b.conf']), '05-b.conf');
  t.is(activeConfFile(['README']), undefined);
});

test('editActiveConflist rewrites the active file in place and leaves no temporary file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'netobs-cni-'));
  await writeFile(path.join(dir, '10-lab.conflist'), JSON.stringify(list));
  await writeFile(path.join(dir, '20-other.conflist'), JSON.stringify(list));
  t.is(await editActiveConflist(dir, (s, f) => chainNetobs(s, {}, f)), path.join(dir, '10-lab.conflist'));
  t.is(chainState(await readFile(path.join(dir, '10-lab.conflist'), 'utf8')), 'last');
  t.is(chainState(await readFile(path.join(dir, '20-other.conflist'), 'utf8')), 'absent');
  t.deepEqual((await readdir(dir)).sort(), ['10-lab.conflist', '20-other.conflist']);
  t.is(await editActiveConflist(path.join(dir, 'missing'), (s) => s), undefined);
});
