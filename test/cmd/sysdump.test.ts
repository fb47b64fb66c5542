// `sysdump` against the lab's API server in process, with netobs installed (no nodes, so no
// relay and no pod logs): the archive holds what the cluster could give, names what it could not
// in errors.txt and a one-line error, keeps Secrets' keys and none of their values anywhere, not
// even a value leaked into another object.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { run, type Io } from '../../cmd/cli.ts';
import { Objects } from '../../lib/kube-apply.ts';
import { startControllers, type ControllerManager } from '../../lab/controllers/manager.ts';
import { startTestApiServer, type TestApiServer } from '../lab/apiserver/support.ts';

let lab: TestApiServer | undefined;
let controllers: ControllerManager | undefined;
let objs: Objects;
const TOKEN = 'tkn-9f8e7d6c5b4a39281706';

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const io: Io = { out: () => {}, err: (s) => (stderr += s) };
  const orig = process.stderr.write;
  process.stderr.write = ((s: string) => {
    stderr += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await run([...args, '--kubeconfig', lab!.kubeconfig], io), stderr };
  } finally {
    process.stderr.write = orig;
  }
}

test.before(async () => {
  lab = await startTestApiServer('sysdump');
  controllers = startControllers(lab.api, { caCert: lab.pki.caCert });
  const kc = new KubeConfig();
  kc.loadFromFile(lab.kubeconfig);
  objs = new Objects(kc);
  const r = await cli(['install', '--no-wait', '--set', 'agent.logLevel=debug']);
  if (r.code !== 0) throw new Error(r.stderr);
  await objs.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'user-token', namespace: 'netobs-system' }, stringData: { token: TOKEN } });
  // A value that leaked where it should not be: the archive must not carry it either.
  await objs.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leaky', namespace: 'netobs-system', annotations: { note: `token=${TOKEN}` } } as never, data: {} });
});

test.after.always(async () => {
  controllers?.stop();
  await lab?.close();
});

test('a partial archive with errors.txt, Secrets redacted, no secret value anywhere', async (t) => {
  const file = path.join(lab!.dir, 'dump.tar.gz');
  // A relay address nothing listens on: the relay's parts fail, the rest is written.
  const r = await cli(['sysdump', '-o', file, '--server', '127.0.0.1:1']);
  t.is(r.code, 1);
  const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  t.is(errorLines.length, 1, r.stderr);
  t.regex(errorLines[0]!, /^error: sysdump: \d of 8 parts failed \(.+\); wrote a partial archive .*dump\.tar\.gz, see errors\.txt in it$/);
  for (const part of ['version', 'netobs objects', 'status', 'rendered values', 'events', 'logs', 'agent status documents and map summaries', 'recent flows']) {
    t.regex(r.stderr, new RegExp(`^[✔!✘] ${part}: `, 'm'), `a progress line for ${part}`);
  }

  const names = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
  const top = names[0]!.split('/')[0]!;
  t.regex(top, /^netobs-sysdump-\d{8}-\d{6}$/);
  const has = (n: string) => names.includes(`${top}/${n}`);
  t.is(new Set(names).size, names.length, 'no file twice');
  t.true(has('objects/networkpolicies.netobs.io.yaml') && has('objects/networkpolicies.yaml'));
  for (const n of ['version.json', 'status.json', 'values.yaml', 'events.yaml', 'errors.txt', 'objects/secrets.yaml', 'objects/daemonsets.yaml', 'objects/deployments.yaml', 'objects/configmaps.yaml', 'objects/customresourcedefinitions.yaml', 'objects/nodes.yaml']) {
    t.true(has(n), `${n} in ${names.join(' ')}`);
  }
  const read = (n: string) => execFileSync('tar', ['-xzOf', file, `${top}/${n}`], { encoding: 'utf8' });
  t.regex(read('errors.txt'), /^agent status documents and map summaries: /m);
  t.regex(read('errors.txt'), /^recent flows: /m);
  t.is((parseYaml(read('values.yaml')) as { agent: { logLevel: string } }).agent.logLevel, 'debug');
  t.is(JSON.parse(read('status.json')).installed, true);
  const crds = parseYaml(read('objects/customresourcedefinitions.yaml')) as { items: { spec: { group: string } }[] };
  t.true(crds.items.length > 0 && crds.items.every((c) => c.spec.group === 'netobs.io'));

  const secrets = parseYaml(read('objects/secrets.yaml')) as { items: { metadata: { name: string }; data?: Record<string, string> }[] };
  const ca = secrets.items.find((s) => s.metadata.name === 'netobs-ca');
  t.deepEqual(Object.keys(ca?.data ?? {}).sort(), ['ca.crt', 'ca.key']);
  t.regex(ca!.data!['ca.key']!, /^<redacted> \d+ bytes$/);
  t.regex(secrets.items.find((s) => s.metadata.name === 'user-token')!.data!.token!, /^<redacted> /);

  // Every value of every Secret but the stored values, as base64, as text and line by line.
  const all = gunzipSync(readFileSync(file)).toString('utf8');
  const live = await objs.list<V1Secret>('v1', 'Secret', 'netobs-system');
  let checked = 0;
  for (const s of live.filter((x) => x.metadata?.name !== 'netobs-install-values')) {
    for (const [k, b64] of Object.entries(s.data ?? {})) {
      const text = Buffer.from(b64, 'base64').toString('utf8');
      const lines = text.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
      for (const needle of [b64, text.trim(), ...lines]) {
        checked++;
        t.false(all.includes(needle), `${s.metadata?.name}/${k} appears in the archive`);
      }
    }
  }
  t.true(checked > 20, 'the TLS keys and the token were checked');
  t.false(all.includes(TOKEN));
  t.regex(read('objects/configmaps.yaml'), /note: token=<redacted>/);
});
