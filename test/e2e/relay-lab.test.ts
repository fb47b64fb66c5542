// The relay in a 2-node lab with netobs installed as a user installs it: `kubectl netobs observe
// --follow` (the plugin from this checkout, through the port-forward) keeps a node whose agent
// pod is deleted and recreated: NODE_UNAVAILABLE when its stream breaks, and that node's flows
// again within 10 s of the new agent being ready, without restarting observe. The relay port
// refuses calls without the client certificate; a user bound to Role netobs-user observes
// unchanged (before and after `certs rotate`), one without it is refused; a port-forward
// follows the relay to its new pod.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as k8s from '@kubernetes/client-node';
import { ObserverClient } from '../../api/grpc.ts';
import { connectRelay } from '../../lib/relay-connection.ts';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { installIntoLab } from '../../cmd/lab-install.ts';
import { selfCommand } from '../../lib/self-exec.ts';
import { until } from '../lab/support/until.ts';

const LAB = 'e2e-rly';
let lab: LabInfo;

const kubectl = (args: string[]) => execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8' });
const podIP = (name: string) => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);
const agentsOn = (node: string) => kubectl(['-n', 'netobs-system', 'get', 'pods', '-l', 'app.kubernetes.io/name=netobs-agent', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']).trim().split(' ').filter(Boolean);

/** The lab's network namespace holding an IP: the test's way into a pod. */
function netnsOf(ip: string): string {
  for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (!ns.startsWith(`netobs-${LAB}-pod-`)) continue;
    if (execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' }).includes(`"local":"${ip}"`)) return ns;
  }
  throw new Error(`no pod network namespace holds ${ip}`);
}

interface Line { at: number; v: { flow?: { node_name?: string; time?: string }; node_status?: { state_change?: string | number; node_names?: string[] } } }

/** `kubectl netobs ARGS` from this checkout, its stdout and stderr JSON lines collected as they come. */
function plugin(args: string[], env: NodeJS.ProcessEnv) {
  const cmd = selfCommand(args);
  const child = spawn(cmd.file, cmd.args, { env });
  const out: Line[] = [];
  const err: Line[] = [];
  let errText = '';
  const collect = (stream: NodeJS.ReadableStream, into: Line[], raw?: (s: string) => void) => {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      raw?.(d.toString());
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        try {
          into.push({ at: Date.now(), v: JSON.parse(l) });
        } catch {
          // not JSON (a warning line): kept in errText only
        }
      }
    });
  };
  collect(child.stdout, out);
  collect(child.stderr, err, (s) => (errText += s));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  return { child, out, err, stderr: () => errText, exited: () => exited };
}

test.before(async () => {
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 2, demo: true, install: (l) => installIntoLab(l.kubeconfig) });
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test.serial('observe --follow keeps a node whose agent restarts: its flows are back within 10 s', async (t) => {
  const tiefighter = netnsOf(podIP('tiefighter'));
  const deathstar = kubectl(['get', 'pods', '-l', 'class=deathstar', '-o', 'jsonpath={.items[0].status.podIP}']);
  const node = kubectl(['get', 'pod', 'tiefighter', '-o', 'jsonpath={.spec.nodeName}']);
  // Traffic from the tiefighter's node twice a second, so that node always has fresh flows.
  const traffic = setInterval(() => {
    spawn('ip', ['netns', 'exec', tiefighter, 'curl', '-s', '-o', '/dev/null', '-m', '1', `http://${deathstar}/`], { stdio: 'ignore' }).on('error', () => {});
  }, 500);
  const obs = plugin(['observe', '--follow', '-o', 'json'], { ...process.env, KUBECONFIG: lab.kubeconfig });
  try {
    const fromNode = (after: number) => () => Promise.resolve(obs.out.find((l) => l.at > after && l.v.flow?.node_name === node));
    await until(`a flow of ${node} through observe --follow`, fromNode(0), 60_000);

    const [old] = agentsOn(node);
    const oldName = old?.split('=')[0] ?? '';
    t.truthy(oldName, `an agent pod on ${node}`);
    kubectl(['-n', 'netobs-system', 'delete', 'pod', oldName, '--wait=false']);
    await until(`NODE_UNAVAILABLE for ${node} on observe's error stream`, () => Promise.resolve(obs.err.find((l) => {
      const s = l.v.node_status;
      return s && (s.state_change === 'NODE_UNAVAILABLE' || s.state_change === 2) && s.node_names?.includes(node);
    })), 60_000);
    await until(`a new ready agent on ${node}`, () => Promise.resolve(agentsOn(node).some((e) => e.endsWith('=True') && !e.startsWith(`${oldName}=`))), 90_000);
    const readyAt = Date.now();
    const back = await until(`a flow of ${node} within 10 s of its new agent being ready`, fromNode(readyAt), 10_000);
    t.truthy(back.v.flow?.time);
    t.is(obs.exited(), undefined, `observe --follow is still running (stderr: ${obs.stderr().slice(-500)})`);
  } finally {
    clearInterval(traffic);
    obs.child.kill('SIGINT');
  }
});

test.serial('after the restart a plain observe hears from every node (no NODE_UNAVAILABLE)', (t) => {
  const cmd = selfCommand(['observe', '--last', '1', '-o', 'json']);
  const r = spawnSync(cmd.file, cmd.args, { env: { ...process.env, KUBECONFIG: lab.kubeconfig }, encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  t.notRegex(r.stderr, /unavailable/i);
});

/** A kubeconfig for a service account of the lab (a token from TokenRequest), as a user's own. */
function kubeconfigFor(sa: string): string {
  const token = kubectl(['create', 'token', sa, '-n', 'default']).trim();
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(lab.kubeconfig);
  const cluster = admin.getCurrentCluster()!;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({ clusters: [cluster], users: [{ name: sa, token }], contexts: [{ name: sa, cluster: cluster.name, user: sa }], currentContext: sa });
  const file = path.join(os.tmpdir(), `netobs-${LAB}-${sa}.kubeconfig`);
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

const observeAs = (kubeconfig: string) => {
  const cmd = selfCommand(['observe', '--last', '5', '-o', 'json']);
  return spawnSync(cmd.file, cmd.args, { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8', timeout: 60_000 });
};

test.serial('the relay refuses calls without the client certificate; a user with Role netobs-user observes, before and after certs rotate', async (t) => {
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(lab.kubeconfig);
  const target = await connectRelay({ kc: admin, namespace: 'netobs-system' });
  try {
    const plain = new ObserverClient(target.address, grpc.credentials.createInsecure());
    await t.throwsAsync(plain.serverStatus({ deadline: Date.now() + 10_000 }), undefined, 'plaintext is refused');
    plain.close();
    const ca = Buffer.from(kubectl(['-n', 'netobs-system', 'get', 'secret', 'netobs-client-tls', '-o', 'jsonpath={.data.ca\\.crt}']), 'base64');
    const noCert = new ObserverClient(target.address, grpc.credentials.createSsl(ca), target.channelOptions);
    await t.throwsAsync(noCert.serverStatus({ deadline: Date.now() + 10_000 }), undefined, 'TLS without a client certificate is refused');
    noCert.close();
    const withCert = new ObserverClient(target.address, target.credentials, target.channelOptions);
    t.is((await withCert.serverStatus({ deadline: Date.now() + 10_000 })).num_connected_nodes?.value, 2);
    withCert.close();
  } finally {
    await target.close();
  }

  kubectl(['create', 'serviceaccount', 'viewer', '-n', 'default']);
  kubectl(['create', 'serviceaccount', 'nobody', '-n', 'default']);
  kubectl(['-n', 'netobs-system', 'create', 'rolebinding', 'viewer-netobs', '--role=netobs-user', '--serviceaccount=default:viewer']);
  const viewer = kubeconfigFor('viewer');
  const ok = observeAs(viewer);
  t.is(ok.status, 0, ok.stderr);
  t.true(ok.stdout.trim().split('\n').some((l) => (JSON.parse(l) as { flow?: unknown }).flow !== undefined), 'flows for the viewer');
  const refused = observeAs(kubeconfigFor('nobody'));
  t.not(refused.status, 0);
  t.regex(refused.stderr, /forbidden/i);

  const cmd = selfCommand(['certs', 'rotate', '-o', 'json']);
  const rot = spawnSync(cmd.file, cmd.args, { env: { ...process.env, KUBECONFIG: lab.kubeconfig }, encoding: 'utf8', timeout: 60_000 });
  t.is(rot.status, 0, rot.stderr);
  t.deepEqual((JSON.parse(rot.stdout) as { rotated: { secret: string }[] }).rotated.map((r) => r.secret).sort(), ['netobs-agent-tls', 'netobs-client-tls', 'netobs-relay-server-tls', 'netobs-relay-tls']);
  const after = observeAs(viewer);
  t.is(after.status, 0, after.stderr);
});

test.serial('a port-forward follows the relay to its new pod', async (t) => {
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(lab.kubeconfig);
  const target = await connectRelay({ kc: admin, namespace: 'netobs-system' });
  const client = new ObserverClient(target.address, target.credentials, target.channelOptions);
  try {
    await client.serverStatus({ deadline: Date.now() + 10_000 });
    const old = kubectl(['-n', 'netobs-system', 'get', 'pods', '-l', 'app.kubernetes.io/name=netobs-relay', '-o', 'jsonpath={.items[0].metadata.name}']);
    kubectl(['-n', 'netobs-system', 'delete', 'pod', old]);
    const st = await until('ServerStatus through the same port-forward from the new relay pod', () => client.serverStatus({ deadline: Date.now() + 5000 }).catch(() => undefined), 90_000);
    t.is(st.num_connected_nodes?.value, 2);
    t.notRegex(target.description, new RegExp(old));
  } finally {
    client.close();
    await target.close();
  }
});
