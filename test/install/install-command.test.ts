// `kubectl netobs install --dry-run`: through the real CLI parser, in process, plus one run of the
// CLI as a separate process with no kubeconfig at all.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { run, type Io } from '../../cmd/cli.ts';

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  data?: Record<string, string>;
  spec?: { template?: { spec: { containers: { image: string }[] } } };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (s) => (stdout += s), err: (s) => (stderr += s) };
  const orig = process.stdout.write;
  process.stdout.write = ((s: string) => {
    stdout += s;
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await run(args, io);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = orig;
  }
}

const docs = (yaml: string): Obj[] => parseAllDocuments(yaml).map((d) => d.toJS() as Obj);
const withoutSecretData = (objs: Obj[]) => objs.map((o) => (o.kind === 'Secret' ? { ...o, data: Object.keys(o.data ?? {}) } : o));

test.serial('dry-run prints parseable YAML, deterministic apart from the generated TLS keys', async (t) => {
  const a = await cli(['install', '--dry-run', '-o', 'yaml']);
  const b = await cli(['install', '--dry-run']);
  t.is(a.code, 0, a.stderr);
  t.is(a.stderr, '');
  const objs = docs(a.stdout);
  t.is(objs[0]!.kind, 'Namespace');
  t.true(objs.some((o) => o.kind === 'DaemonSet'));
  t.deepEqual(withoutSecretData(objs), withoutSecretData(docs(b.stdout)));
  t.not(a.stdout, b.stdout, 'each install generates its own keys');
});

test.serial('without TLS the output is byte-identical run to run', async (t) => {
  const a = await cli(['install', '--dry-run', '--set', 'tls.enabled=false']);
  const b = await cli(['install', '--dry-run', '--set', 'tls.enabled=false']);
  t.is(a.code, 0);
  t.is(a.stdout, b.stdout);
  t.false(docs(a.stdout).some((o) => o.kind === 'Secret'));
});

test.serial('-o json prints a v1 List of the same objects', async (t) => {
  const j = await cli(['install', '--dry-run', '-o', 'json', '--set', 'tls.enabled=false']);
  const y = await cli(['install', '--dry-run', '-o', 'yaml', '--set', 'tls.enabled=false']);
  const list = JSON.parse(j.stdout) as { kind: string; items: Obj[] };
  t.is(list.kind, 'List');
  t.deepEqual(list.items, docs(y.stdout));
});

test.serial('--set, -f, --image, --version and -n all apply, in precedence order', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netobs-install-'));
  const f1 = path.join(dir, 'a.yaml');
  const f2 = path.join(dir, 'b.yaml');
  writeFileSync(f1, 'relay:\n  enabled: false\ndashboards:\n  enabled: false\n');
  writeFileSync(f2, 'dashboards:\n  enabled: true\n');
  const r = await cli(['install', '--dry-run', '-f', f1, '--values', f2, '--set', 'tls.enabled=false', '--set', 'dashboards.enabled=false', '--image', 'reg.local/netobs:x1', '--version', '3.1.4', '-n', 'obs']);
  t.is(r.code, 0, r.stderr);
  const objs = docs(r.stdout);
  t.false(objs.some((o) => o.metadata.name.includes('relay')), 'from a.yaml');
  t.false(objs.some((o) => o.metadata.name.includes('dashboard')), '--set wins over b.yaml');
  const ds = objs.find((o) => o.kind === 'DaemonSet')!;
  t.is(ds.spec!.template!.spec.containers[0]!.image, 'reg.local/netobs:x1');
  t.is(ds.metadata.labels['app.kubernetes.io/version'], '3.1.4');
  t.is(ds.metadata.namespace, 'obs');
});

const fails = test.macro({
  async exec(t, args: string[], message: RegExp) {
    const r = await cli(args);
    t.is(r.code, 1);
    t.is(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    t.regex(lines[0]!, message);
    t.true(lines.length <= 2);
  },
  title: (_, args: string[]) => `install ${args.slice(1).join(' ')} fails with one line`,
});

test.serial(fails, ['install', '--kubeconfig', '/nonexistent/kubeconfig'], /^error: load kubeconfig \/nonexistent\/kubeconfig: ENOENT.*\(pass --kubeconfig or set KUBECONFIG\)$/);
test.serial(fails, ['install', '--dry-run', '--set', 'agent.flowRingSize=4096'], /^error: install: values: agent\.flowRingSize: 4096 is not a power of two minus one/);
test.serial(fails, ['install', '--dry-run', '--set', 'relay.replica=2'], /^error: install: values: relay\.replica: unknown key \(did you mean replicas\?\)$/);
test.serial(fails, ['install', '--dry-run', '-f', '/nonexistent/values.yaml'], /^error: install: values file \/nonexistent\/values\.yaml: ENOENT$/);
test.serial(fails, ['install', '--dry-run', '-o', 'table'], /^error: invalid --output "table": use one of yaml, json$/);
test.serial(fails, ['install', '--dry-run', '--set', 'agent.metrics.handlers={dns,bogus}'], /^error: install: values: agent\.metrics\.handlers\[1\]: unknown handler "bogus" \(use flow, drop, /);
test.serial(fails, ['install', '--dry-run', '--set', 'agent.metrics.handlers={kafka}'], /^error: install: values: agent\.metrics\.handlers\[0\]: handler "kafka": netobs does not parse Kafka/);

test('works as a separate process with no kubeconfig, HOME or PATH', async (t) => {
  const root = path.resolve(import.meta.dirname, '../..');
  const home = mkdtempSync(path.join(tmpdir(), 'netobs-nohome-'));
  const { stdout } = await promisify(execFile)(path.join(root, 'node_modules/.bin/node'), [`--import=${import.meta.resolve('tsx')}`, path.join(root, 'cmd/main.ts'), 'install', '--dry-run', '-o', 'yaml'], {
    cwd: home,
    env: { HOME: home, KUBECONFIG: path.join(home, 'missing'), PATH: '' },
    maxBuffer: 64 << 20,
  });
  const objs = docs(stdout);
  t.true(objs.length > 10);
  t.is(objs.filter((o) => o.kind === 'CustomResourceDefinition').length, 4);
});
