// install keeps its values in the cluster: `install --set X` then `install` keeps X and says so,
// `--reset-values` drops X and the diff names it, `upgrade` reuses it, and uninstall removes the
// Secret. Through the real CLI in process, against the lab's API server and controllers in process
// (no nodes: --no-wait).
import test from 'ava';
import { KubeConfig, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { run, type Io } from '../../../cmd/cli.ts';
import { Objects } from '../../../lib/kube-apply.ts';
import { startControllers, type ControllerManager } from '../../../lab/controllers/manager.ts';
import { startTestApiServer, type TestApiServer } from '../../lab/apiserver/support.ts';

let lab: TestApiServer | undefined;
let objs: Objects;
let controllers: ControllerManager | undefined;

test.before(async () => {
  lab = await startTestApiServer('values-reuse');
  // The garbage collector finishes uninstall's foreground deletion of the DaemonSet.
  controllers = startControllers(lab.api, { caCert: lab.pki.caCert });
  const kc = new KubeConfig();
  kc.loadFromFile(lab.kubeconfig);
  objs = new Objects(kc);
});

test.after.always(async () => {
  controllers?.stop();
  await lab?.close();
});

/** Runs the CLI in process; install's progress goes to process.stderr, so that is captured too. */
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

const stored = async () => {
  const s = await objs.get<V1Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'netobs-install-values', namespace: 'netobs-system' } });
  if (!s) return undefined;
  const yaml = (k: string) => parseYaml(Buffer.from(s.data![k]!, 'base64').toString()) as Record<string, any>;
  return { values: yaml('values.yaml'), user: yaml('user-values.yaml') };
};
const agentConfig = async () =>
  (await objs.get<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'netobs-config', namespace: 'netobs-system' } }))!.data!;

test.serial('upgrade without an install refuses, naming what is missing', async (t) => {
  const r = await cli(['upgrade', '--no-wait']);
  t.is(r.code, 1);
  t.regex(r.stderr, /upgrade: no install found in namespace netobs-system \(no Secret netobs-install-values\)/);
});

test.serial('install --set X stores X; install again keeps X and reports no change', async (t) => {
  const first = await cli(['install', '--no-wait', '--set', 'agent.logLevel=debug']);
  t.is(first.code, 0, first.stderr);
  t.deepEqual((await stored())?.user, { agent: { logLevel: 'debug' } });
  t.regex(JSON.stringify(await agentConfig()), /debug/);

  const again = await cli(['install', '--no-wait']);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /starting from the values of the last install/);
  t.regex(again.stderr, /no change from the values stored by the last install/);
  t.regex(again.stderr, /applied \d+ objects: nothing changed/);
  t.is((await stored())?.values.agent.logLevel, 'debug');
  t.regex(JSON.stringify(await agentConfig()), /debug/);
});

test.serial('--set layers on the stored values; the diff names the value and the objects it changes', async (t) => {
  const r = await cli(['install', '--no-wait', '--set', 'agent.flowRingSize=8191']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /agent\.flowRingSize: 4095 → 8191/);
  t.regex(r.stderr, /~ ConfigMap netobs-system\/netobs-config: data\./);
  t.deepEqual((await stored())?.user, { agent: { logLevel: 'debug', flowRingSize: 8191 } });
});

test.serial('--reset-values drops X and the diff names it; upgrade then reuses what is stored', async (t) => {
  const r = await cli(['install', '--no-wait', '--reset-values', '--set', 'agent.logLevel=warn']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /--reset-values/);
  t.regex(r.stderr, /agent\.logLevel: "debug" → "warn"/);
  t.regex(r.stderr, /agent\.flowRingSize: 8191 → 4095/);
  t.deepEqual((await stored())?.user, { agent: { logLevel: 'warn' } });

  const up = await cli(['upgrade', '--no-wait']);
  t.is(up.code, 0, up.stderr);
  t.regex(up.stderr, /upgrading netobs/);
  t.is((await stored())?.values.agent.logLevel, 'warn');
});

test.serial('uninstall removes the stored values', async (t) => {
  const r = await cli(['uninstall', '--no-wait', '--timeout', '20s']);
  t.is(r.code, 0, r.stderr);
  t.is(await stored(), undefined);
});
