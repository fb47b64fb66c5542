// End to end on a 2-node lab (lab/index.ts labUp): the API server, the lab kubelet and pods in
// network namespaces are the lab's; one agent per node runs for real inside the node's network
// namespace (as the DaemonSet would, hostNetwork), each with its own pins, against the API
// server; the relay runs in this process with the agents as peers. Traffic comes from the pods'
// network namespaces. Checked: flows from both nodes through the relay with pod names,
// identities, TCP flags, reply direction and node names; an L7 HTTP flow; a policy allowing
// role=frontend drops others with POLICY_DENIED naming it, with Valid=True on the object; an
// invalid policy gets Valid=False; removing the policy restores traffic.
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { KubeConfig } from '@kubernetes/client-node';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { selfCommand } from '../../lib/self-exec.ts';
import { renderConfigData } from '../../api/config.ts';
import { defaultValues } from '../../install/values.ts';
import { renderRbac, renderServiceAccounts } from '../../install/render/rbac.ts';
import { netobsCrds } from '../../install/crds/definitions.ts';
import { KubeRest } from '../../lib/kube-rest.ts';
import { ObserverClient } from '../../api/grpc.ts';
import type { Flow, GetFlowsResponse } from '../../api/types.ts';
import { StatusClient } from '../../api/status/grpc.ts';
import type { EndpointStatus } from '../../api/status/types.ts';
import { runRelay } from '../../relay/main.ts';
import { Datapath } from '../../bpf/loader/index.ts';

const LAB = 'e2e-agent';
const NS = 'e2e';

const sh = (args: string[]): string => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The lab's network namespace holding a pod IP (the test's way into a pod; the agent never does this). */
function podNetns(ip: string): string {
  for (const ns of sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`netobs-${LAB}-`))) {
    try {
      if (sh(['ip', '-n', ns, '-j', 'addr', 'show']).includes(`"local":"${ip}"`)) return ns;
    } catch {
      /* gone meanwhile */
    }
  }
  throw new Error(`no network namespace holds ${ip}`);
}

const HTTP_GET = `
  const [host, port] = process.argv.slice(1);
  const r = require('http').get({ host, port: Number(port), path: '/e2e', timeout: 2000, agent: false }, (res) => { res.resume(); res.on('end', () => { console.log('status ' + res.statusCode); process.exit(0); }); });
  r.on('timeout', () => { console.log('timeout'); process.exit(3); });
  r.on('error', (e) => { console.log('error ' + e.code); process.exit(2); });`;

function httpFrom(fromIp: string, toIp: string, port = 8080): string {
  try {
    return sh(['ip', 'netns', 'exec', podNetns(fromIp), process.execPath, '-e', HTTP_GET, '--', toIp, String(port)]).trim();
  } catch (err) {
    return ((err as { stdout?: string }).stdout ?? 'failed').trim();
  }
}

const pod = (name: string, node: string, labels: Record<string, string>, args: string[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels },
  spec: { nodeName: node, containers: [{ name: 'main', image: 'netobs/netobs:e2e', args, ports: [{ name: 'http', containerPort: 8080 }] }] },
});

test.serial('agents on a 2-node lab: flows through the relay, L7, policy verdicts naming the policy', async (t) => {
  if (process.getuid?.() !== 0) {
    if (process.env.CI) t.fail('CI runs as root');
    t.pass('needs root (network namespaces, BPF)');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-e2e-agent-'));
  const agents: ChildProcess[] = [];
  const logs: string[] = [];
  let lab: LabInfo | undefined;
  let stopRelay: () => void = () => {};
  let relayDone: Promise<void> | undefined;
  const roots: string[] = [];
  try {
    lab = await labUp({ name: LAB, nodes: 2 });
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfig);
    const rest = new KubeRest(kc);
    for (const crd of netobsCrds()) await rest.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd).catch(() => undefined);
    await rest.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { team: 'e2e' } } });

    // One agent per node, inside the node's network namespace, reaching the API server on the
    // host's underlay address as the agent's service account, with exactly the RBAC install renders.
    const port = new URL(kc.getCurrentCluster()?.server ?? '').port;
    const v = defaultValues('e2e');
    await rest.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: v.namespace } });
    for (const o of [...renderServiceAccounts(v), ...renderRbac(v)]) {
      const plural = `${o.kind.toLowerCase()}s`;
      const base = o.kind === 'ServiceAccount' ? '/api/v1' : '/apis/rbac.authorization.k8s.io/v1';
      await rest.request('POST', o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${plural}` : `${base}/${plural}`, o);
    }
    const tr = await rest.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${v.namespace}/serviceaccounts/netobs-agent/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } });
    const agentKc = new KubeConfig();
    const labCluster = kc.getCurrentCluster()!;
    agentKc.loadFromOptions({
      clusters: [{ ...labCluster, server: `https://${lab.plan.hostIp}:${port}` }],
      users: [{ name: 'netobs-agent', token: tr.status.token }],
      contexts: [{ name: 'agent', cluster: labCluster.name, user: 'netobs-agent' }],
      currentContext: 'agent',
    });
    const nodeKubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(nodeKubeconfig, agentKc.exportConfig());
    for (const node of lab.plan.nodes) {
      const cfg = path.join(dir, node.name, 'config');
      mkdirSync(cfg, { recursive: true });
      const root = `/sys/fs/bpf/netobs-e2e-${node.name}`;
      roots.push(root);
      const data = { ...renderConfigData(defaultValues('e2e')), 'bpffs-root': root, 'run-dir': path.join(dir, node.name, 'run'), 'tls-enabled': 'false', 'netns-dir': '/var/run/netns', 'log-level': 'debug' };
      for (const [k, v] of Object.entries(data)) writeFileSync(path.join(cfg, k), v);
      const cmd = selfCommand(['agent', '--config-dir', cfg, '--kubeconfig', nodeKubeconfig, '--node', node.name]);
      const child = spawn('ip', ['netns', 'exec', node.netns, cmd.file, ...cmd.args], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (d: Buffer) => logs.push(`[${node.name}] ${d.toString().trimEnd()}`));
      agents.push(child);
    }

    let relayPort = 0;
    let release: () => void = () => {};
    const until2 = new Promise<void>((r) => (release = r));
    stopRelay = release;
    relayDone = runRelay({ peers: lab.plan.nodes.map((n) => `${n.name}=${n.underlayIp}:4244`), listen: '127.0.0.1:0', until: until2, onListening: (p) => (relayPort = p) });
    await until(() => (relayPort ? true : undefined), 'relay');
    const obs = new ObserverClient(`127.0.0.1:${relayPort}`, grpc.credentials.createInsecure());
    const status = new StatusClient(`127.0.0.1:${relayPort}`, grpc.credentials.createInsecure());
    try {
      for (const p of [
        pod('server', 'node1', { app: 'server', role: 'backend' }, ['echo', '--port', '8080']),
        pod('client', 'node1', { app: 'client', role: 'frontend' }, ['sleep']),
        pod('other', 'node1', { app: 'other', role: 'other' }, ['sleep']),
        pod('remote', 'node2', { app: 'remote', role: 'backend-remote' }, ['echo', '--port', '8080']),
      ]) await rest.request('POST', `/api/v1/namespaces/${NS}/pods`, p);
      const ips = await until(async () => {
        const l = await rest.get<{ items: { metadata: { name: string }; status?: { podIP?: string; phase?: string } }[] }>(`/api/v1/namespaces/${NS}/pods`);
        const m = Object.fromEntries(l.items.filter((p) => p.status?.phase === 'Running' && p.status.podIP).map((p) => [p.metadata.name, p.status?.podIP as string]));
        return Object.keys(m).length === 4 ? m : undefined;
      }, 'pods running');
      const eps = await until(async () => {
        const q = await status.query({ path: '/v1/endpoints' });
        const all = q.nodes.flatMap((n) => (n.code === 200 ? (n.body as EndpointStatus[]) : []));
        return all.filter((e) => e.namespace === NS && e.status === 'ready').length === 4 ? all : undefined;
      }, `endpoints on both nodes (${logs.slice(-5).join(' | ')})`);
      t.deepEqual(eps.filter((e) => e.namespace === NS).map((e) => `${e.node}/${e.podName}`).sort(), ['node1/client', 'node1/other', 'node1/server', 'node2/remote']);

      t.is(await until(() => (httpFrom(ips.client!, ips.server!) === 'status 200' ? 'ok' : undefined), 'server answering', 20_000), 'ok');
      t.is(httpFrom(ips.client!, ips.remote!), 'status 200', 'across nodes');
      const flows = async (req: Parameters<ObserverClient['getFlows']>[0]): Promise<GetFlowsResponse[]> => {
        const out: GetFlowsResponse[] = [];
        for await (const r of obs.getFlows(req)) out.push(r as GetFlowsResponse);
        return out;
      };
      const cross = await until(async () => {
        const f = (await flows({ number: 500, whitelist: [{ source_pod: [`${NS}/client`], destination_pod: [`${NS}/remote`] }] })).map((r) => r.flow).filter((x): x is Flow => !!x);
        return new Set(f.map((x) => x.node_name)).size === 2 ? f : undefined;
      }, 'client -> remote flows from both nodes', 15_000);
      const syn = cross.find((f) => f.l4?.TCP?.flags?.SYN && !f.l4.TCP.flags.ACK && f.node_name === 'node2');
      t.like(syn, { source: { pod_name: 'client', namespace: NS }, destination: { pod_name: 'remote' }, traffic_direction: 1, trace_observation_point: 101, verdict: 1 });
      t.deepEqual(syn?.is_reply, {}, 'known not a reply (false travels as an empty wrapper)');
      t.true((syn?.source?.identity ?? 0) >= 256 && (syn?.destination?.identity ?? 0) >= 256);
      t.is(syn?.source?.identity, eps.find((e) => e.podName === 'client')?.identity, 'the same identity on both nodes');
      const synAck = (await flows({ number: 500, whitelist: [{ source_pod: [`${NS}/remote`], tcp_flags: [{ SYN: true, ACK: true }] }] }))[0]?.flow;
      t.like(synAck, { is_reply: { value: true }, destination: { pod_name: 'client' } });
      const l7 = await until(async () => (await flows({ number: 50, whitelist: [{ source_pod: [`${NS}/server`], event_type: [{ type: 129 }] }] })).find((r) => r.flow?.l7?.http?.code === 200)?.flow, 'HTTP response flow', 10_000);
      t.like(l7?.l7, { type: 2, http: { code: 200, method: 'GET' } });

      const policy = {
        apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'allow-frontend', namespace: NS },
        spec: { endpointSelector: { matchLabels: { role: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] },
      };
      await rest.request('POST', `/apis/netobs.io/v1alpha1/namespaces/${NS}/networkpolicies`, policy);
      await until(() => (httpFrom(ips.other!, ips.server!) === 'timeout' ? true : undefined), 'policy enforced', 20_000);
      t.is(httpFrom(ips.client!, ips.server!), 'status 200', 'role=frontend still allowed');
      const drop = await until(async () => (await flows({ number: 100, whitelist: [{ source_pod: [`${NS}/other`], verdict: [2] }] })).find((r) => r.flow?.drop_reason_desc === 133)?.flow, 'drop flow');
      t.like(drop, { node_name: 'node1', destination: { pod_name: 'server' }, traffic_direction: 1 });
      t.deepEqual(drop?.ingress_denied_by?.map((p) => `${p.namespace}/${p.name}`), [`${NS}/allow-frontend`]);
      const valid = await until(async () => {
        const o = await rest.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`/apis/netobs.io/v1alpha1/namespaces/${NS}/networkpolicies/allow-frontend`);
        return o.status?.conditions?.find((c) => c.type === 'Valid');
      }, 'Valid condition');
      t.is(valid.status, 'True');

      await rest.request('POST', `/apis/netobs.io/v1alpha1/namespaces/${NS}/networkpolicies`, {
        apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'broken', namespace: NS },
        spec: { endpointSelector: { matchLabels: { role: 'frontend' } }, ingress: [{ fromEntities: ['everything'] }] },
      }).catch(() => undefined); // the schema may refuse it already; then nothing reaches the agents
      const broken = await rest.find<{ status?: { conditions?: { type: string; status: string; message: string }[] } }>(`/apis/netobs.io/v1alpha1/namespaces/${NS}/networkpolicies/broken`);
      if (broken) {
        const c = await until(async () => (await rest.get<typeof broken>(`/apis/netobs.io/v1alpha1/namespaces/${NS}/networkpolicies/broken`)).status?.conditions?.find((x) => x.type === 'Valid'), 'Valid=False');
        t.is(c.status, 'False');
        t.regex(c.message, /fromEntities/);
      }

      await rest.request('DELETE', `/apis/netobs.io/v1alpha1/namespaces/${NS}/networkpolicies/allow-frontend`);
      t.is(await until(() => (httpFrom(ips.other!, ips.server!) === 'status 200' ? 'ok' : undefined), 'traffic restored', 20_000), 'ok');
      const st = await obs.serverStatus();
      t.is(st.num_connected_nodes?.value, 2);
    } finally {
      obs.close();
      status.close();
    }
  } finally {
    stopRelay();
    await relayDone?.catch(() => undefined);
    for (const a of agents) a.kill('SIGTERM');
    await Promise.all(agents.map((a) => (a.exitCode === null ? new Promise((r) => a.once('exit', r)) : undefined)));
    if (lab) await labDown(LAB).catch(() => undefined);
    for (const root of roots) Datapath.uninstall({ bpffsRoot: root, interfaces: [] });
    rmSync(dir, { recursive: true, force: true });
    if (t.passed === false) t.log(logs.slice(-40).join('\n'));
  }
});
