// Fail-closed start through CNI chaining, in the lab: netobs installed on a 1-node lab chains its
// plugin into the node's conflist (after ptp + host-local). Then the node's agent is killed
// (SIGKILL, and kept away by a DaemonSet node selector) and a pod is created under a policy: the
// runtime's CNI ADD puts it behind netobs's programs NOT_READY through the pins the dead agent
// left, so from its first packet nothing reaches it or leaves it, not even what its policy allows.
// When the agent comes back it adopts the endpoint, turns it ready, and the policy is enforced
// normally: allowed traffic passes, the rest is POLICY_DENIED.
import test from 'ava';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { labDir } from '../../lab/state.ts';
import { PinnedDatapath, EndpointFlags } from '../../bpf/loader/index.ts';

const LAB = 'e2e-cni';
const binary = path.resolve(import.meta.dirname, '../../dist/kubectl-netobs');
let lab: LabInfo;

const sh = (args: string[]): string => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
const kubectl = (args: string[], input?: string): string =>
  execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
const podIP = (name: string): string => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);
const apply = (o: unknown) => kubectl(['apply', '-f', '-'], JSON.stringify(o));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(binary, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: lab.kubeconfig }, timeout: 180_000, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function until<T>(what: string, fn: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function netnsOf(ip: string): string {
  for (const ns of sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (!ns.startsWith(`netobs-${LAB}-pod-`)) continue;
    try {
      if (sh(['ip', '-n', ns, '-j', 'addr', 'show']).includes(`"local":"${ip}"`)) return ns;
    } catch {
      /* gone meanwhile */
    }
  }
  throw new Error(`no pod network namespace of lab ${LAB} holds ${ip}`);
}

const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
});
// The guarded pod's ingress: UDP 9000 from role=client only.
const POLICY = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'guard', namespace: 'default' },
  spec: { podSelector: { matchLabels: { app: 'guarded' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'UDP', port: 9000 }] }] },
};
const UDP_ECHO = `
  const s = require('dgram').createSocket('udp4');
  s.on('message', (m, r) => s.send(m, r.port, r.address));
  s.bind(9000, () => console.log('listening'));`;
const UDP_ONCE = `
  const s = require('dgram').createSocket('udp4');
  s.bind(() => s.send('ping', 9000, process.argv[1]));
  s.on('message', () => { console.log('reply'); process.exit(0); });
  setTimeout(() => { console.log('timeout'); process.exit(0); }, 1500);`;

const ask = (fromIp: string, toIp: string) => spawnSync('ip', ['netns', 'exec', netnsOf(fromIp), process.execPath, '-e', UDP_ONCE, '--', toIp], { encoding: 'utf8' }).stdout.trim();
function echoIn(ip: string): Promise<ChildProcess> {
  const c = spawn('ip', ['netns', 'exec', netnsOf(ip), process.execPath, '-e', UDP_ECHO], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve(c));
    c.on('exit', (code) => reject(new Error(`echo server exited ${code}`)));
  });
}

const node = () => lab.plan.nodes[0]!;
const bpffsRoot = () => `/sys/fs/bpf/netobs-lab-${LAB}-${node().name}/netobs`;
const conflistFile = () => {
  const dir = path.join(labDir(LAB), node().name, 'cni', 'net.d');
  return path.join(dir, readdirSync(dir).filter((n) => n.endsWith('.conflist')).sort()[0]!);
};

/** Processes of the node's agent (host network: they live in the node's netns). */
function agentPids(): number[] {
  return sh(['ip', 'netns', 'pids', node().netns]).split('\n').map(Number).filter((p) => {
    try {
      return p > 0 && readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').includes(' agent --config-dir');
    } catch {
      return false;
    }
  });
}

test.before(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' before the tests`);
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 1 });
  const r = cli(['install', '--set', 'agent.mountBpffs=false', '--timeout', '3m']);
  if (r.code !== 0) throw new Error(`install: ${r.stderr}`);
  const st = cli(['status', '--wait', '--timeout', '2m']);
  if (st.code !== 0) throw new Error(`status: ${st.stdout}${st.stderr}`);
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test.serial('the agent chains netobs last into the node’s conflist, after the lab’s ptp', async (t) => {
  const list = await until('netobs in the conflist', () => {
    const l = JSON.parse(readFileSync(conflistFile(), 'utf8')) as { plugins: { type: string }[] };
    return l.plugins.at(-1)?.type === 'netobs' ? l : undefined;
  });
  t.deepEqual(list.plugins.map((p) => p.type), ['ptp', 'netobs']);
  t.true(existsSync(path.join(labDir(LAB), node().name, 'cni', 'bin', 'netobs')));
  const st = cli(['status']);
  t.notRegex(st.stdout + st.stderr, /without start-up protection/);
});

test.serial('a pod created while the agent is dead is NOT_READY from its first packet, then enforced when the agent returns', async (t) => {
  apply(POLICY);
  apply(pod('client', { role: 'client' }));
  apply(pod('other', { app: 'other' }));
  kubectl(['wait', '--for=condition=Ready', '--timeout=90s', 'pod/client', 'pod/other']);

  // Kill the agent, and keep the DaemonSet from starting another one on this node.
  kubectl(['-n', 'netobs-system', 'patch', 'daemonset', 'netobs-agent', '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: { 'netobs-test/agent': 'off' } } } } })]);
  for (const p of agentPids()) process.kill(p, 'SIGKILL');
  await until('no agent on the node', () => (agentPids().length === 0 && kubectl(['-n', 'netobs-system', 'get', 'pods', '-o', 'name']).split('\n').filter((l) => l.includes('netobs-agent')).length === 0 ? true : undefined), 120_000);

  apply(pod('guarded', { app: 'guarded' }));
  kubectl(['wait', '--for=condition=Ready', '--timeout=90s', 'pod/guarded']);
  const g = podIP('guarded');
  const server = await echoIn(g);
  try {
    // The plugin wrote the entry through the pins: not ready, identity init, source-checked.
    const dp = PinnedDatapath.open(bpffsRoot());
    try {
      const ep = dp.endpoints.entries().find((e) => e.ipv4 === g);
      t.truthy(ep, 'the guarded pod has an endpoint entry though no agent runs');
      t.is(ep!.identity, 5);
      t.true((ep!.flags & EndpointFlags.NOT_READY) !== 0);
      // The veth lives in the node's netns: ask tc there.
      const link = (JSON.parse(sh(['ip', '-n', node().netns, '-j', 'link', 'show'])) as { ifindex: number; ifname: string }[]).find((l) => l.ifindex === ep!.ifindex);
      t.truthy(link, 'the entry names the pod’s veth on the node');
      for (const dir of ['ingress', 'egress']) t.regex(sh(['tc', '-n', node().netns, 'filter', 'show', 'dev', link!.ifname, dir]), /netobs/, `its veth carries netobs's program (${dir})`);
    } finally {
      dp.close();
    }
    t.is(ask(podIP('client'), g), 'timeout', 'not even what its policy allows reaches it');
    t.is(ask(podIP('other'), g), 'timeout', 'what its policy denies does not reach it');
    t.is(ask(g, podIP('other')), 'timeout', 'nothing leaves it');

    // The agent returns: it adopts the endpoint and turns it ready with its identity and policy.
    kubectl(['-n', 'netobs-system', 'patch', 'daemonset', 'netobs-agent', '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/template/spec/nodeSelector/netobs-test~1agent' }])]);
    const st = cli(['status', '--wait', '--timeout', '2m']);
    t.is(st.code, 0, st.stdout + st.stderr);
    await until('the guarded pod ready', () => {
      const e = cli(['endpoints', '-o', 'json']);
      return e.code === 0 && (JSON.parse(e.stdout) as { ipv4?: string; status?: string }[]).some((x) => x.ipv4 === g && x.status === 'ready') ? true : undefined;
    }, 90_000);
    await until('the client allowed', () => (ask(podIP('client'), g) === 'reply' ? true : undefined));
    t.is(ask(podIP('other'), g), 'timeout', 'the policy still denies the other pod');
    const denied = await until('the denied flow in observe', () => {
      const r = cli(['observe', '--last', '2000', '--verdict', 'DROPPED', '-o', 'json']);
      const flows = r.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { flow?: { drop_reason_desc?: string; IP?: { source?: string; destination?: string } } }).flow);
      return flows.find((f) => f?.IP?.source === podIP('other') && f.IP.destination === g && f.drop_reason_desc === 'POLICY_DENIED');
    });
    t.is(denied.drop_reason_desc, 'POLICY_DENIED');
  } finally {
    server.kill();
  }
});
