// End to end: a 2-node lab driven by real kubectl and by @kubernetes/client-node, then torn down
// with nothing left behind. Needs root (network namespaces); CI runs as root.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { findLeftovers } from '../../lab/node/teardown.ts';
import { run as runCli } from '../../cmd/cli.ts';
import { until } from './support/until.ts';
import { kubectlFor } from './support/kubectl.ts';
import { canRunLab, labSerial } from './support/root-only.ts';

const run = promisify(execFile);
const NAME = 'e2e-lab';
const serial = labSerial('lab e2e');

let lab: LabInfo;
let dir = '';

const kubectl = kubectlFor(() => ({ kubeconfig: lab.kubeconfig, dir }), 60_000).out;
const kubectlFails = (...args: string[]) => kubectl(...args).then(
  () => undefined,
  (e: { stderr: string; code: number }) => e,
);

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app: echo}}
      containers:
      - name: echo
        image: netobs/netobs:dev
        args: [echo, --port, "8080"]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  nodeName: node1
  containers:
  - name: client
    image: busybox
    command: [sleep, "3600"]
`;

test.before(async () => {
  if (!canRunLab) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'netobs-lab-e2e-'));
  await labDown(NAME).catch(() => {});
  lab = await labUp({ name: NAME, nodes: 2 });
});

test.after.always(async () => {
  if (!canRunLab) return;
  await labDown(NAME).catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

serial('kubectl sees two Ready nodes with pod CIDRs', async (t) => {
  const out = await kubectl('get', 'nodes');
  t.regex(out, /^node1\s+Ready\s+control-plane\s+\S+\s+v1\.32/m);
  t.regex(out, /^node2\s+Ready\s+<none>/m);
  t.is(await kubectl('get', 'node', 'node2', '-o', 'jsonpath={.spec.podCIDR}'), lab.plan.nodes[1]!.podCidr);
});

serial('a second lab up with the same name says so and fails', async (t) => {
  let err = '';
  const code = await runCli(['lab', 'up', '--name', NAME], { out: () => {}, err: (s) => (err += s) });
  t.not(code, 0);
  t.regex(err, /already running/);
});

serial('kubectl apply runs pods on both nodes with IPs from their CIDRs', async (t) => {
  const file = path.join(dir, 'app.yaml');
  await writeFile(file, APP);
  t.regex(await kubectl('apply', '-f', file), /deployment.apps\/echo created/);
  await kubectl('wait', '--for=condition=Ready', 'pod', '-l', 'app in (echo,client)', '--timeout=90s');
  const pods = JSON.parse(await kubectl('get', 'pods', '-l', 'app=echo', '-o', 'json')) as { items: { spec: { nodeName: string }; status: { podIP: string } }[] };
  t.deepEqual(pods.items.map((p) => p.spec.nodeName).sort(), ['node1', 'node2']);
  for (const p of pods.items) {
    const node = lab.plan.nodes.find((n) => n.name === p.spec.nodeName)!;
    t.true(p.status.podIP.startsWith(node.podCidr.replace(/0\/24$/, '')), `${p.status.podIP} in ${node.podCidr}`);
  }
  t.regex(await kubectl('get', 'pods', '-o', 'wide'), /^client\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.1\.\d+\s+node1/m);
});

serial('pod-to-pod across nodes, pod-to-service and DNS by service name', async (t) => {
  const remote = JSON.parse(await kubectl('get', 'pods', '-l', 'app=echo', '--field-selector', 'spec.nodeName=node2', '-o', 'json')) as { items: { metadata: { name: string }; status: { podIP: string } }[] };
  const target = remote.items[0]!;
  const direct = await kubectl('exec', 'client', '--', 'wget', '-q', '-O-', `http://${target.status.podIP}:8080/direct`);
  t.is((JSON.parse(direct) as { hostname: string }).hostname, target.metadata.name);
  const viaService = await until('the echo service to answer', async () => kubectl('exec', 'client', '--', 'wget', '-q', '-O-', 'http://echo/svc'));
  t.regex(viaService, /"path":"\/svc"/);
  const ns = await kubectl('exec', 'client', '--', 'nslookup', 'echo.default.svc.cluster.local');
  const clusterIp = await kubectl('get', 'svc', 'echo', '-o', 'jsonpath={.spec.clusterIP}');
  t.true(ns.includes(clusterIp), ns);
  t.regex(await kubectl('exec', 'client', '--', 'wget', '-q', '-O-', 'http://www.world.lab/'), /"world":true/);
});

serial('kubectl logs, exec and port-forward', async (t) => {
  const pod = (await kubectl('get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
  t.regex(await kubectl('logs', pod), /echo: serving HTTP and UDP on port 8080/);
  t.is((await kubectl('exec', pod, '--', 'hostname')).trim(), pod);
  const failed = await kubectlFails('exec', 'client', '--', 'sh', '-c', 'exit 3');
  t.is(failed?.code, 3);
  const cat = spawn('kubectl', ['--kubeconfig', lab.kubeconfig, 'exec', '-i', 'client', '--', 'cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let echoed = '';
  cat.stdout.on('data', (d: Buffer) => (echoed += d.toString()));
  cat.stdin.end('over stdin\n');
  t.is(await new Promise((r) => cat.on('close', r)), 0);
  t.is(echoed, 'over stdin\n');

  const port = 20000 + Math.floor(Math.random() * 20000);
  const pf = spawn('kubectl', ['--kubeconfig', lab.kubeconfig, 'port-forward', `pod/${pod}`, `${port}:8080`], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const body = await until('port-forward to answer', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/forwarded`, { signal: AbortSignal.timeout(5000) });
      return r.ok ? r.text() : undefined;
    });
    t.is((JSON.parse(body) as { hostname: string }).hostname, pod);
  } finally {
    pf.kill('SIGTERM');
  }
});

serial('kubectl get pods -w sees a pod come and go', async (t) => {
  const w = spawn('kubectl', ['--kubeconfig', lab.kubeconfig, 'get', 'pods', '-w', '--output-watch-events', '-l', 'app=watched'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  w.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await new Promise((r) => setTimeout(r, 1000));
    await kubectl('run', 'watched', '--image=busybox', '--labels=app=watched', '--restart=Never', '--', 'sleep', '3600');
    await until('the pod running in the watch', async () => /MODIFIED\s+watched\s+1\/1\s+Running/.test(out));
    await kubectl('delete', 'pod', 'watched', '--wait=true', '--timeout=60s');
    await until('DELETED in the watch', async () => /DELETED\s+watched/.test(out));
    t.regex(out, /ADDED\s+watched\s+0\/1\s+Pending/);
    t.regex(out, /MODIFIED\s+watched\s+\S+\s+Terminating/);
  } finally {
    w.kill('SIGTERM');
  }
});

serial('kubectl delete of a deployment collects its replica set and pods', async (t) => {
  await kubectl('delete', 'deployment', 'echo');
  await until('the replica set to go', async () => (await kubectl('get', 'rs', '-o', 'name')).trim() === '');
  await until('the pods to go', async () => (await kubectl('get', 'pods', '-l', 'app=echo', '-o', 'name')).trim() === '');
  t.pass();
});

serial('a CRD, then a custom resource applied and listed', async (t) => {
  const crd = path.join(dir, 'crd.yaml');
  await writeFile(crd, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ships.lab.example}
spec:
  group: lab.example
  names: {plural: ships, singular: ship, kind: Ship}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns: [{name: Class, type: string, jsonPath: .spec.class}]
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, required: [class], properties: {class: {type: string}}}
`);
  await kubectl('apply', '-f', crd);
  await kubectl('wait', '--for=condition=established', 'crd/ships.lab.example');
  const cr = path.join(dir, 'cr.yaml');
  await writeFile(cr, 'apiVersion: lab.example/v1\nkind: Ship\nmetadata: {name: falcon}\nspec: {class: freighter}\n');
  t.regex(await kubectl('apply', '-f', cr), /ship.lab.example\/falcon created/);
  t.regex(await kubectl('get', 'ships'), /^falcon\s+freighter\s+\d+s$/m);
});

serial('client-node lists, creates, watches, execs and port-forwards', async (t) => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(lab.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nodes = await core.listNode();
  t.deepEqual(nodes.items.map((n) => n.metadata?.name).sort(), ['node1', 'node2']);
  await core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name: 'cn' }, spec: { nodeName: 'node2', containers: [{ name: 'c', image: 'netobs/netobs:dev', args: ['echo', '--port', '9090'], readinessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 1 } }] } },
  });
  // Ready, not just Running: the echo server listens a moment after its process starts.
  await until('pod cn to be ready', async () => (await core.readNamespacedPod({ name: 'cn', namespace: 'default' })).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  const status = await new Promise<k8s.V1Status>((resolve, reject) => {
    new k8s.Exec(kc).exec('default', 'cn', 'c', ['hostname'], stdout, null, null, false, (s) => resolve(s)).catch(reject);
  });
  t.is(status.status, 'Success');
  t.is(text.trim(), 'cn');

  const server = (await import('node:net')).createServer((sock) => {
    void new k8s.PortForward(kc).portForward('default', 'cn', [9090], sock, null, sock);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (server.address() as { port: number }).port;
    const body = await until('client-node port-forward', async () => (await fetch(`http://127.0.0.1:${port}/cn`, { signal: AbortSignal.timeout(5000) })).text());
    t.regex(body, /"hostname":"cn"/);
  } finally {
    server.close();
  }
});

serial('lab down leaves no namespaces, links, nftables rules, processes or pins', async (t) => {
  const left = await labDown(NAME);
  t.deepEqual(left, { netns: [], links: [], nftTables: [], etcNetns: [], pins: [], processes: [] });
  // Independent of the lab's own bookkeeping:
  t.false((await run('ip', ['netns', 'list'])).stdout.includes(lab.plan.prefix));
  t.false((await run('ip', ['-o', 'link'])).stdout.includes(lab.plan.hostLink));
  t.false((await run('nft', ['list', 'tables'])).stdout.includes(lab.plan.nftTable));
  const ps = (await run('ps', ['-eo', 'args'])).stdout;
  t.false(ps.includes(`lab serve --name ${NAME}`));
  t.deepEqual(await findLeftovers(lab.plan), left);
});
