// `npm run bench:agent` (root, BPF-capable kernel): the agent's costs, each next to a baseline
// measured in the same run.
//   1. events/s through decode, enrich and the flow ring on one core (baseline: decode alone),
//      from ring-buffer records laid out as the datapath writes them; losses must stay 0;
//   2. agent CPU (cores) and RSS at 10k flows/s: a real agent in a child process reads the real
//      ring buffer while this process makes the datapath emit 10k events/s (BPF_PROG_TEST_RUN);
//   3. GetFlows throughput (flows/s) to a client in a separate process, over a unix socket;
//   4. policy change to policy map update (p50/p99 ms) with 10 and with 10k rules.
// Last line: one JSON object with the figures.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Datapath, decodeEvent, EVENT_LAYOUT } from '../bpf/loader/index.ts';
import { parseIp } from '../bpf/loader/addr.ts';
import { ObserverClient, observerService } from '../api/grpc.ts';
import type { Flow } from '../api/types.ts';
import { FlowRing } from '../agent/observer/ring.ts';
import { observerHandlers } from '../agent/observer/handlers.ts';
import { timestampFromMs } from '../api/flow-time.ts';
import { FlowPipeline } from '../agent/flows/pipeline.ts';
import { ClusterState } from '../agent/cluster/state.ts';
import { EndpointManager } from '../agent/endpoints/manager.ts';
import { VethDiscovery } from '../agent/endpoints/discover.ts';
import { DnsNames } from '../agent/flows/dns-names.ts';
import { MonotonicClock } from '../agent/flows/clock.ts';
import { L7Decoder } from '../agent/flows/l7.ts';
import { CidrIdentities } from '../agent/identity/cidr-identities.ts';
import { podSecurityLabels } from '../agent/identity/security-labels.ts';
import { RuleIds } from '../agent/datapath/rule-ids.ts';
import { PolicyApplier } from '../agent/datapath/policy-apply.ts';
import { AgentFlowContext } from '../agent/runtime/flow-context.ts';
import { eventConverter } from '../agent/runtime/flow-events.ts';
import { PolicyState } from '../agent/runtime/policies.ts';
import { Agent } from '../agent/runtime/agent.ts';
import { MemoryClusterSource } from '../agent/k8s/memory-source.ts';
import { listenGrpc, serverCredentials } from '../lib/listen.ts';
import type { LabelSet } from '../agent/identity/labels.ts';
import { parsePolicy } from '../agent/policy/validate.ts';
import type { ClusterView } from '../agent/policy/compile.ts';
import type { IdentityInfo } from '../agent/policy/views.ts';
import { renderConfigData } from '../api/config.ts';
import { defaultValues } from '../install/values.ts';

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

// ---------- a cluster of 1000 pods for enrichment ----------
function benchContext(): { ctx: AgentFlowContext; ips: string[] } {
  const state = new ClusterState();
  const podIdentities = new Map<string, { id: number; labels: LabelSet }>();
  const ips: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const ip = `10.1.${i >> 8}.${i & 255}`;
    ips.push(ip);
    const labels = { app: `app-${i % 50}`, 'pod-template-hash': 'abc123' };
    state.apply({ kind: 'pods', type: 'upsert', obj: {
      metadata: { name: `pod-${i}`, namespace: `ns-${i % 10}`, labels, resourceVersion: String(i), ownerReferences: [{ kind: 'ReplicaSet', name: `app-${i % 50}-abc123`, controller: true }] },
      spec: { nodeName: i < 100 ? 'bench' : 'other' }, status: { phase: 'Running', podIP: ip },
    } });
    podIdentities.set(`ns-${i % 10}/pod-${i}`, { id: 256 + (i % 50), labels: podSecurityLabels({ namespace: `ns-${i % 10}`, podLabels: { app: `app-${i % 50}` } }) });
  }
  const endpoints = new EndpointManager(new VethDiscovery({ netnsDirs: [] }));
  const rules = new RuleIds();
  const policies = new PolicyState({ endpoints: [], identities: new Map(), cidrIdentities: new CidrIdentities() });
  const ctx = new AgentFlowContext({ nodeName: 'bench', state, endpoints, podIdentities, cidr: new CidrIdentities(), rules, policies, dns: new DnsNames(), clock: new MonotonicClock() });
  ctx.invalidate();
  return { ctx, ips };
}

/** Ring-buffer records as the datapath lays them out (trace events of TCP packets). */
function records(n: number, ips: string[]): { view: DataView; offsets: number[] } {
  const size = EVENT_LAYOUT.size;
  const buf = new ArrayBuffer(n * size);
  const view = new DataView(buf);
  const F = EVENT_LAYOUT.fields;
  const bytes = new Uint8Array(buf);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    view.setUint8(o + F.version[0], 1);
    view.setUint8(o + F.type[0], 4);
    view.setUint8(o + F.sub_type[0], i % 2 ? 5 : 0);
    view.setUint8(o + F.direction[0], i % 2 ? 2 : 1);
    view.setUint8(o + F.verdict[0], 1);
    view.setUint8(o + F.family[0], 4);
    view.setUint8(o + F.proto[0], 6);
    view.setBigUint64(o + F.ts_ns[0], process.hrtime.bigint(), true);
    view.setUint32(o + F.ifindex[0], 7, true);
    view.setUint32(o + F.src_identity[0], 256 + (i % 50), true);
    view.setUint32(o + F.dst_identity[0], 256 + ((i + 7) % 50), true);
    bytes.set(parseIp(ips[i % ips.length] as string).addr, o + F.saddr[0]);
    bytes.set(parseIp(ips[(i * 7 + 3) % ips.length] as string).addr, o + F.daddr[0]);
    view.setUint16(o + F.sport[0], 30000 + (i % 30000), true);
    view.setUint16(o + F.dport[0], 8080, true);
    view.setUint8(o + F.tcp_flags[0], i % 4 === 0 ? 0x02 : 0x18);
    view.setUint8(o + F.flags[0], 0x02 | (i % 3 === 0 ? 0x01 : 0));
    view.setUint32(o + F.orig_len[0], 100, true);
  }
  return { view, offsets: Array.from({ length: n }, (_, i) => i * size) };
}

function throughput(): { eventsPerSec: number; decodeOnlyPerSec: number; lost: number } {
  const { ctx, ips } = benchContext();
  const N = 400_000;
  const { view, offsets } = records(N, ips);
  const ring = new FlowRing(4095);
  let pos = 0;
  const pipeline = new FlowPipeline({
    source: {
      read: (max) => {
        const out = [];
        for (let i = 0; i < max && pos < N; i++, pos++) out.push(decodeEvent(view, offsets[pos] as number, EVENT_LAYOUT.size));
        return out;
      },
      lostPerCpu: () => [0n],
    },
    ring, convert: eventConverter(ctx, new L7Decoder(new DnsNames())), now: () => timestampFromMs(Date.now()),
  });
  const run = (): number => {
    pos = 0;
    const t0 = process.hrtime.bigint();
    while (pos < N) pipeline.drainOnce();
    return N / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const decodeOnly = (): number => {
    const t0 = process.hrtime.bigint();
    let x = 0;
    for (const off of offsets) x += decodeEvent(view, off, EVENT_LAYOUT.size).srcPort;
    if (x < 0) log('');
    return N / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  run();
  decodeOnly(); // warm up
  const full: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 3; i++) {
    full.push(run());
    base.push(decodeOnly());
  }
  const l = pipeline.lost();
  return { eventsPerSec: Math.max(...full), decodeOnlyPerSec: Math.max(...base), lost: l.observer_events_queue + l.perf_event_ring_buffer };
}

// ---------- 2. CPU and RSS at 10k flows/s ----------
function synPacket(sport: number): Uint8Array {
  const p = new Uint8Array(14 + 20 + 20);
  const v = new DataView(p.buffer);
  p.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  v.setUint16(12, 0x0800);
  p[14] = 0x45;
  v.setUint16(16, 40);
  p[22] = 64;
  p[23] = 6;
  p.set([10, 2, 0, 1], 26);
  p.set([10, 2, 0, 2], 30);
  v.setUint16(34, sport);
  v.setUint16(36, 8080);
  p[46] = 0x50;
  p[47] = 0x02;
  return p;
}

function procStats(pid: number): { cpuSeconds: number; rssBytes: number; anonBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const anon = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: ticks / 100, rssBytes: Number(rss?.[1] ?? 0) * 1024, anonBytes: Number(anon?.[1] ?? 0) * 1024 };
}

async function childAgent(root: string): Promise<void> {
  const dp = Datapath.open({ bpffsRoot: root });
  const agent = new Agent({ nodeName: 'bench', source: new MemoryClusterSource(), datapath: dp, discovery: new VethDiscovery({ netnsDirs: [] }) });
  await agent.start();
  process.stdout.write('ready\n');
  await new Promise((r) => process.once('SIGTERM', r));
  process.stdout.write(`${JSON.stringify({ ...agent.flows.pipeline.counters, lost: agent.flows.pipeline.lost(), memory: process.memoryUsage() })}\n`);
  await agent.stop();
  dp.close();
}

/** The agent under test: the built binary when there is one (what runs in clusters), else from source. */
function startAgentProcess(root: string, dir: string): { child: ReturnType<typeof spawn>; kind: string; counters: () => Promise<{ flows: number; lost: number }> } {
  const binary = path.resolve(import.meta.dirname, '../dist/kubectl-netobs');
  if (existsSync(binary) && !process.env.BENCH_FROM_SOURCE) {
    const cfg = path.join(dir, 'config');
    mkdirSync(cfg);
    const data = { ...renderConfigData(defaultValues('bench')), 'bpffs-root': root, 'run-dir': path.join(dir, 'run'), 'tls-enabled': 'false', 'health-port': '0', 'metrics-port': '0', 'flow-metrics-port': '0', 'flow-server-port': '0', 'metrics-handlers': '' };
    for (const [k, v] of Object.entries(data)) writeFileSync(path.join(cfg, k), v);
    writeFileSync(path.join(dir, 'cluster.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n');
    const env = process.env.AGENT_NODE_OPTIONS ? { ...process.env, NODE_OPTIONS: process.env.AGENT_NODE_OPTIONS } : process.env;
    const child = spawn(binary, ['agent', '--config-dir', cfg, '--cluster-file', path.join(dir, 'cluster.yaml'), '--node', 'bench'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    const counters = async (): Promise<{ flows: number; lost: number }> => {
      const s = await new Promise<string>((resolve, reject) => http.get({ socketPath: path.join(dir, 'run', 'agent.sock'), path: '/v1/status' }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve(b));
      }).on('error', reject));
      const st = JSON.parse(s) as { flows: { seenFlows: number }; lostEvents: Record<string, number> };
      return { flows: st.flows.seenFlows, lost: Object.values(st.lostEvents).reduce((a, b) => a + b, 0) };
    };
    return { child, kind: 'binary', counters };
  }
  const child = spawn(process.execPath, [...(process.env.AGENT_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import=tsx', import.meta.filename, '--child', 'agent', root], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, kind: 'tsx', counters: async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const c = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { flows?: number; lost?: Record<string, number> };
    return { flows: c.flows ?? 0, lost: Object.values(c.lost ?? {}).reduce((a, b) => a + b, 0) };
  } };
}

async function cpuAt10k(): Promise<{ cores: number; rssMiB: number; anonMiB: number; flows: number; lost: number; rate: number; agent: string }> {
  const root = `/sys/fs/bpf/netobs-bench-agent-${process.pid}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-bench-agent-'));
  const { child, kind, counters } = startAgentProcess(root, dir);
  const ready = kind === 'binary' ? path.join(dir, 'run', 'agent.sock') : '';
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (kind === 'binary' ? existsSync(ready) && existsSync(path.join(root, 'netobs_events')) : existsSync(path.join(root, 'netobs_events'))) {
        clearInterval(t);
        resolve();
      }
    }, 50);
    child.once('exit', (c) => reject(new Error(`bench agent exited ${c}`)));
  });
  const dp = Datapath.open({ bpffsRoot: root });
  try {
    dp.endpoints.set(1, { endpointId: 1, identity: 300, ipv4: '10.2.0.1' });
    const rate = 10_000;
    const seconds = 10;
    const tickMs = 20;
    const perTick = (rate * tickMs) / 1000;
    await new Promise((r) => setTimeout(r, 1000)); // the child settles
    const before = procStats(child.pid as number);
    const t0 = Date.now();
    let sent = 0;
    let sport = 1;
    while (Date.now() - t0 < seconds * 1000) {
      const due = Math.floor(((Date.now() - t0) / 1000) * rate);
      for (; sent < due; sent++) {
        dp.testRun('from-endpoint', synPacket(sport), { ifindex: 1 });
        sport = (sport % 60000) + 1;
        if (sport === 1) dp.conntrack.flush();
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    const wall = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    const after = procStats(child.pid as number);
    const c = await counters();
    void perTick;
    return { cores: (after.cpuSeconds - before.cpuSeconds) / wall, rssMiB: after.rssBytes / 2 ** 20, anonMiB: after.anonBytes / 2 ** 20, flows: c.flows, lost: c.lost, rate: sent / wall, agent: kind };
  } finally {
    dp.close();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    Datapath.uninstall({ bpffsRoot: root, interfaces: [] });
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- 3. GetFlows throughput ----------
async function childClient(socket: string): Promise<void> {
  const c = new ObserverClient(`unix:${socket}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 << 20 });
  const t0 = process.hrtime.bigint();
  let n = 0;
  for await (const r of c.getFlows({})) if ((r as { flow?: Flow }).flow) n++;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ flows: n, flowsPerSec: n / s })}\n`);
  c.close();
}

async function getFlowsThroughput(): Promise<{ flowsPerSec: number; flows: number }> {
  const { ctx, ips } = benchContext();
  const N = 65535;
  const ring = new FlowRing(N);
  const { view, offsets } = records(N, ips);
  const convert = eventConverter(ctx, new L7Decoder(new DnsNames()));
  for (const off of offsets) for (const flow of convert(decodeEvent(view, off, EVENT_LAYOUT.size))) ring.write({ flow, node_name: 'bench', time: flow.time ?? {} });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-bench-'));
  const socket = path.join(dir, 'hubble.sock');
  const server = await listenGrpc([{ definition: observerService, handlers: observerHandlers(ring, { name: 'bench', version: 'bench', startedNs: 0n, nowNs: () => process.hrtime.bigint(), now: () => timestampFromMs(Date.now()) }) }], [{ address: `unix:${socket}`, credentials: serverCredentials() }]);
  try {
    const rates: number[] = [];
    let flows = 0;
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, ['--import=tsx', import.meta.filename, '--child', 'client', socket], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => child.once('exit', r));
      const res = JSON.parse(out.trim()) as { flows: number; flowsPerSec: number };
      rates.push(res.flowsPerSec);
      flows = res.flows;
    }
    return { flowsPerSec: Math.max(...rates), flows };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- 4. policy change latency ----------
function policyLatency(rules: number): { p50: number; p99: number; compileP99: number; writeP99: number } {
  const identities = new Map<number, IdentityInfo>();
  for (let i = 0; i < 500; i++) identities.set(256 + i, { labels: podSecurityLabels({ namespace: 'default', podLabels: { app: `client-${i}` } }) });
  const endpoints = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, identity: 1000 + i, labels: podSecurityLabels({ namespace: 'default', podLabels: { app: `server-${i}` } }) }));
  for (const e of endpoints) identities.set(e.identity, { labels: e.labels });
  const view: ClusterView = { endpoints, identities, cidrIdentities: new CidrIdentities() };
  const policy = (i: number, port: number) => parsePolicy({
    apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: `p-${i}`, namespace: 'default' },
    spec: { endpointSelector: { matchLabels: { app: `server-${i % 20}` } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: `client-${i % 500}` } }], toPorts: [{ ports: [{ port: String(port), protocol: 'TCP' }] }] }] },
  });
  const dp = Datapath.open({ pin: false, maxEntries: { netobs_policy: 65536 } });
  try {
    const state = new PolicyState(view);
    const applier = new PolicyApplier(dp.policy, new RuleIds());
    state.compiler.load(Array.from({ length: rules }, (_, i) => policy(i, 1000 + (i % 5000))));
    applier.reconcile(state.compiler.result().entries);
    const times: number[] = [];
    const compile: number[] = [];
    const write: number[] = [];
    for (let k = 0; k < 300; k++) {
      const p = policy(0, k % 2 ? 2000 : 1000);
      const t0 = process.hrtime.bigint();
      const d = state.compiler.upsert(p);
      const t1 = process.hrtime.bigint();
      applier.apply(d.entries.add, d.entries.remove);
      const t2 = process.hrtime.bigint();
      times.push(Number(t2 - t0) / 1e6);
      compile.push(Number(t1 - t0) / 1e6);
      write.push(Number(t2 - t1) / 1e6);
    }
    const tail = (xs: number[]): number[] => xs.slice(20);
    return { p50: pct(tail(times), 50), p99: pct(tail(times), 99), compileP99: pct(tail(compile), 99), writeP99: pct(tail(write), 99) };
  } finally {
    dp.close();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    if (process.argv[3] === 'agent') return childAgent(process.argv[4] as string);
    if (process.argv[3] === 'client') return childClient(process.argv[4] as string);
  }
  if (process.getuid?.() !== 0) throw new Error('bench:agent needs root (BPF maps, BPF_PROG_TEST_RUN)');
  const only = process.env.BENCH_ONLY;
  if (only === 'cpu') {
    log(JSON.stringify(await cpuAt10k()));
    return;
  }
  const t = throughput();
  log(`decode+enrich+ring: ${Math.round(t.eventsPerSec)} events/s on one core (decode alone ${Math.round(t.decodeOnlyPerSec)}/s), lost ${t.lost}`);
  const c = await cpuAt10k();
  log(`agent (${c.agent}) at ${Math.round(c.rate)} events/s: ${round(c.cores, 4)} cores, ${round(c.rssMiB, 1)} MiB RSS (${round(c.anonMiB, 1)} MiB anonymous), ${c.flows} flows, lost ${c.lost}`);
  const g = await getFlowsThroughput();
  log(`GetFlows: ${Math.round(g.flowsPerSec)} flows/s to a separate process (${g.flows} flows)`);
  const small = policyLatency(10);
  const large = policyLatency(10_000);
  log(`policy change -> map: 10 rules p50 ${round(small.p50)} ms p99 ${round(small.p99)} ms; 10k rules p50 ${round(large.p50)} ms p99 ${round(large.p99)} ms (compile p99 ${round(large.compileP99)} ms, map writes p99 ${round(large.writeP99)} ms)`);
  process.stdout.write(`${JSON.stringify({
    events_per_sec: Math.round(t.eventsPerSec), decode_only_events_per_sec: Math.round(t.decodeOnlyPerSec),
    events_ratio_to_decode: round(t.eventsPerSec / t.decodeOnlyPerSec), events_lost: t.lost, events_target_ratio: round(t.eventsPerSec / 300_000),
    agent_process: c.agent, cpu_cores_at_10k: round(c.cores, 4), rss_mib_at_10k: round(c.rssMiB, 1), anon_rss_mib_at_10k: round(c.anonMiB, 1), rate_at_10k: Math.round(c.rate), flows_at_10k: c.flows, lost_at_10k: c.lost,
    getflows_flows_per_sec: Math.round(g.flowsPerSec),
    policy_p50_ms_10_rules: round(small.p50), policy_p99_ms_10_rules: round(small.p99),
    policy_p50_ms_10k_rules: round(large.p50), policy_p99_ms_10k_rules: round(large.p99),
    policy_compile_p99_ms_10k_rules: round(large.compileP99), policy_write_p99_ms_10k_rules: round(large.writeP99),
    policy_p99_ratio_10k_to_10: round(large.p99 / Math.max(small.p99, 1e-6), 2),
  })}\n`);
}

await main();
