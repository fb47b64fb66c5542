// The lab's API server as a real cluster's, end to end on a 1-node lab: a pod's mounted
// service-account token is a real, pod-bound token that RBAC denies what its SA was not granted
// (through kubectl and client-node), and the API server's underlay address answers the lab's
// nodes but not a network namespace outside the lab that routes to it.
import test from 'ava';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { until } from './support/until.ts';
import { kubectlFor } from './support/kubectl.ts';
import { canRunLab, labSerial } from './support/root-only.ts';

const run = promisify(execFile);
const NAME = 'e2e-auth';
const serial = labSerial('lab auth');

let lab: LabInfo;
let dir = '';
const kctl = kubectlFor(() => ({ kubeconfig: lab.kubeconfig, dir }), 60_000);
const kubectl = kctl.out;
const port = () => new URL(lab.apiserver).port;

test.before(async () => {
  if (!canRunLab) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'netobs-lab-auth-'));
  await labDown(NAME).catch(() => {});
  lab = await labUp({ name: NAME, nodes: 1 });
});

test.after.always(async () => {
  if (lab) await labDown(NAME).catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

serial('a pod’s mounted token is its service account, and RBAC denies it what it was not granted', async (t) => {
  await kubectl('create', 'namespace', 'shop');
  await kubectl('create', 'serviceaccount', 'reader', '-n', 'shop');
  await kubectl('create', 'role', 'cm-reader', '-n', 'shop', '--verb=get,list', '--resource=configmaps');
  await kubectl('create', 'rolebinding', 'cm-reader', '-n', 'shop', '--role=cm-reader', '--serviceaccount=shop:reader');
  await kubectl('run', 'app', '-n', 'shop', '--image=busybox', '--restart=Never', '--overrides={"spec":{"serviceAccountName":"reader"}}', '--', 'sleep', '3600');
  await until('pod app running', async () => (await kubectl('get', 'pod', 'app', '-n', 'shop', '-o', 'jsonpath={.status.phase}')) === 'Running');
  const token = (await kubectl('exec', '-n', 'shop', 'app', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token')).trim();

  // kubectl with the pod's token: granted configmaps, denied pods with the real server's 403.
  const asPod = (...args: string[]) => kctl.exec('--token', token, ...args);
  t.regex((await asPod('get', 'configmaps', '-n', 'shop')).stdout, /kube-root-ca\.crt/);
  const denied = await asPod('get', 'pods', '-n', 'shop').then(
    () => '',
    (e: { stderr: string }) => e.stderr,
  );
  t.regex(denied, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:shop:reader" cannot list resource "pods" in API group "" in the namespace "shop"/);

  // client-node with the same token.
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(lab.kubeconfig);
  const cluster = kc.getCurrentCluster()!;
  const podKc = new k8s.KubeConfig();
  podKc.loadFromOptions({ clusters: [cluster], users: [{ name: 'pod', token }], contexts: [{ name: 'pod', cluster: cluster.name, user: 'pod' }], currentContext: 'pod' });
  const e = (await t.throwsAsync(podKc.makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: 'shop' }))) as k8s.ApiException<string>;
  t.is(e.code, 403);
  t.is((JSON.parse(e.body) as { message: string }).message, 'secrets is forbidden: User "system:serviceaccount:shop:reader" cannot list resource "secrets" in API group "" in the namespace "shop"');

  // The token is bound to the pod: the token review says which, and deleting the pod voids it.
  const review = await kc.makeApiClient(k8s.AuthenticationV1Api).createTokenReview({ body: { spec: { token } } });
  t.is(review.status?.user?.username, 'system:serviceaccount:shop:reader');
  t.deepEqual(review.status?.user?.extra?.['authentication.kubernetes.io/pod-name'], ['app']);
  await kubectl('delete', 'pod', 'app', '-n', 'shop', '--wait=true', '--timeout=60s');
  const gone = await asPod('get', 'configmaps', '-n', 'shop').then(
    () => '',
    (err: { stderr: string }) => err.stderr,
  );
  t.regex(gone, /Unauthorized/);
});

serial('the API server on the underlay answers the lab’s nodes, not a network namespace outside the lab', async (t) => {
  const url = `https://${lab.plan.hostIp}:${port()}/version`;
  const curl = ['curl', '-sk', '--max-time', '3', '-o', '/dev/null', '-w', '%{http_code}', url];
  // From a node's netns (where agents and kubelets' pods reach it), anonymous /version answers 200.
  const fromNode = await run('ip', ['netns', 'exec', lab.plan.nodes[0]!.netns, ...curl]);
  t.is(fromNode.stdout, '200');

  // An outsider: a fresh netns plugged into the host by a veth, with a route to the lab's address.
  const ns = `la-outsider-${process.pid}`;
  const host = `lao${process.pid % 100000}`;
  try {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await run('ip', ['addr', 'add', '169.254.77.1/30', 'dev', host]);
    await run('ip', ['link', 'set', host, 'up']);
    for (const c of [['link', 'set', 'lo', 'up'], ['addr', 'add', '169.254.77.2/30', 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['route', 'add', lab.plan.underlayCidr, 'via', '169.254.77.1']]) {
      await run('ip', ['-n', ns, ...c]);
    }
    // The path exists (a server of the host's on its side of the veth answers)...
    const control = http.createServer((_q, res) => res.end('host'));
    control.listen(0, '169.254.77.1');
    await once(control, 'listening');
    try {
      const p = (control.address() as { port: number }).port;
      t.is((await run('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '3', `http://169.254.77.1:${p}/`])).stdout, 'host');
    } finally {
      control.close();
    }
    // ...but the API server's port on the lab's address does not answer.
    const r = await run('ip', ['netns', 'exec', ns, ...curl]).then(
      (x) => ({ code: 0, out: x.stdout }),
      (x: { code: number; stdout: string }) => ({ code: x.code, out: x.stdout }),
    );
    t.not(r.code, 0);
    t.is(r.out, '000');
  } finally {
    await run('ip', ['link', 'del', host]).catch(() => {});
    await run('ip', ['netns', 'delete', ns]).catch(() => {});
  }
});
