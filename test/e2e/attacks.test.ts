// Issue 13's attacks in the lab, through the built executable: netobs installed on a 1-node lab,
// a hostile pod (mallory) writes forged frames out of its own eth0 with an AF_PACKET socket from
// inside its network namespace (test/bpf/support/rawsend.c; what a pod with CAP_NET_RAW can do),
// and each forgery must show up in `kubectl netobs observe --verdict DROPPED -o json` with its
// drop reason. Then conntrack against pods coming and going: deleting the policy that allowed a
// running UDP flow stops it (the endpoint's policy revision changes, the next packet of the
// established flow is judged again: POLICY_DENIED, long before the 60 s UDP lifetime), and a new
// pod that gets a deleted pod's IP does not inherit that pod's flow on the same tuple.
import test from 'ava';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';
import { LAB_POD_IP_ANNOTATION } from '../../lab/node/kubelet.ts';
import { PinnedDatapath } from '../../bpf/loader/index.ts';
import { ETH_IPV6, TCP_ACK, TCP_SYN, arp, eth, icmp, ipv6, tcp4, tcp6, udp4 } from '../bpf/support/packets.ts';

const LAB = 'e2e-atk';
const binary = path.resolve(import.meta.dirname, '../../dist/kubectl-netobs');
let lab: LabInfo;
let tmp: string;
let rawsend: string;

interface FlowJson {
  verdict?: string;
  drop_reason_desc?: string;
  IP?: { source?: string; destination?: string; ipVersion?: string };
  l4?: { TCP?: { source_port?: number; destination_port?: number }; UDP?: { source_port?: number; destination_port?: number } };
  source?: { pod_name?: string };
  destination?: { pod_name?: string };
}

const sh = (args: string[]): string => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
const kubectl = (args: string[], input?: string): string =>
  execFileSync('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
const podIP = (name: string): string => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(binary, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: lab.kubeconfig }, timeout: 120_000, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
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

/** The lab's network namespace holding a pod IP: the test's way into a pod (the agent never does this). */
function netnsOf(ip: string): string {
  for (const ns of sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (!ns.startsWith(`netobs-${LAB}-`)) continue;
    try {
      if (sh(['ip', '-n', ns, '-j', 'addr', 'show']).includes(`"local":"${ip}"`)) return ns;
    } catch {
      /* gone meanwhile */
    }
  }
  throw new Error(`no network namespace of lab ${LAB} holds ${ip}`);
}

/** Frames out of the pod's eth0 through AF_PACKET, from inside its namespace. */
function rawSend(ip: string, frames: Uint8Array[]): void {
  sh(['ip', 'netns', 'exec', netnsOf(ip), rawsend, 'eth0', ...frames.map((f) => Buffer.from(f).toString('hex'))]);
}

/** The dropped flows `observe` shows that match, once there are any. */
async function dropped(what: string, match: (f: FlowJson) => boolean): Promise<FlowJson[]> {
  return until(`observe --verdict DROPPED to show ${what}`, () => {
    const r = cli(['observe', '--last', '2000', '--verdict', 'DROPPED', '-o', 'json']);
    if (r.code !== 0) throw new Error(r.stderr.trim());
    const flows = r.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { flow?: FlowJson }).flow).filter((f): f is FlowJson => !!f);
    const hits = flows.filter(match);
    return hits.length > 0 ? hits : undefined;
  });
}

const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
});
const apply = (o: unknown) => kubectl(['apply', '-f', '-'], JSON.stringify(o));
const waitReady = (names: string[]) => kubectl(['wait', '--for=condition=Ready', '--timeout=60s', ...names.map((n) => `pod/${n}`)]);

// The victim's ingress: nothing (base), and UDP 9000 from role=client (allow-udp).
const BASE = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'base', namespace: 'default' }, spec: { podSelector: { matchLabels: { app: 'victim' } }, policyTypes: ['Ingress'], ingress: [] } };
const ALLOW_UDP = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-udp', namespace: 'default' },
  spec: { podSelector: { matchLabels: { app: 'victim' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'UDP', port: 9000 }] }] },
};

const UDP_ECHO = `
  const s = require('dgram').createSocket('udp4');
  s.on('message', (m, r) => s.send(m, r.port, r.address));
  s.bind(9000, () => console.log('listening'));`;
// One datagram every 100 ms from a fixed source port; prints a line per reply, with the time.
const UDP_PINGER = `
  const s = require('dgram').createSocket('udp4');
  s.on('message', () => console.log('reply ' + Date.now()));
  s.bind(41000, () => setInterval(() => s.send('ping', 9000, process.argv[1]), 100));`;
const UDP_ONCE = `
  const s = require('dgram').createSocket('udp4');
  s.bind(41000, () => s.send('ping', 9000, process.argv[1]));
  s.on('message', () => { console.log('reply'); process.exit(0); });
  setTimeout(() => { console.log('timeout'); process.exit(0); }, 1500);`;

function inPod(ip: string, script: string, args: string[] = []): ChildProcess {
  return spawn('ip', ['netns', 'exec', netnsOf(ip), process.execPath, '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

test.before(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' before the tests`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'netobs-e2e-atk-'));
  rawsend = path.join(tmp, 'rawsend');
  sh(['clang', '-O2', '-o', rawsend, path.resolve(import.meta.dirname, '../bpf/support/rawsend.c')]);
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 1 });
  const r = cli(['install', '--set', 'agent.mountBpffs=false', '--timeout', '3m']);
  if (r.code !== 0) throw new Error(`install: ${r.stderr}`);
  apply(BASE);
  apply(ALLOW_UDP);
  for (const [name, labels] of [['victim', { app: 'victim' }], ['mallory', { app: 'mallory' }], ['client', { role: 'client' }]] as const) apply(pod(name, labels));
  waitReady(['victim', 'mallory', 'client']);
  const st = cli(['status', '--wait', '--timeout', '2m']);
  if (st.code !== 0) {
    let logs = '';
    try {
      logs = kubectl(['-n', 'netobs-system', 'logs', '-l', 'app.kubernetes.io/name=netobs-agent', '--tail', '40']);
    } catch (err) {
      logs = (err as Error).message;
    }
    throw new Error(`status: ${st.stdout}${st.stderr}\nagent log:\n${logs}`);
  }
  // Every pod an endpoint, so its first packet meets its own program.
  const want = ['victim', 'mallory', 'client'].map(podIP);
  await until('every pod an endpoint', () => {
    const e = cli(['endpoints', '-o', 'json']);
    const got = e.code === 0 ? (JSON.parse(e.stdout) as { ipv4?: string; status?: string }[]).filter((x) => x.status === 'ready').map((x) => x.ipv4) : [];
    return want.every((ip) => got.includes(ip)) ? true : undefined;
  }, 60_000);
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test.serial('a forged IPv4 source is INVALID_SOURCE_IP', async (t) => {
  const m = podIP('mallory');
  const v = podIP('victim');
  rawSend(m, [udp4(v, '10.123.45.67', 5353, 5353)]);
  const d = await dropped('the forged source', (f) => f.IP?.source === v && f.IP?.destination === '10.123.45.67');
  t.is(d[0]!.drop_reason_desc, 'INVALID_SOURCE_IP');
});

test.serial('a forged SYN|ACK, then a connect on the reversed tuple: the victim’s policy still refuses it', async (t) => {
  const m = podIP('mallory');
  const v = podIP('victim');
  rawSend(m, [tcp4(v, m, 80, 40000, TCP_SYN | TCP_ACK)]);
  const forged = await dropped('the forged SYN|ACK', (f) => f.IP?.source === v && f.l4?.TCP?.source_port === 80 && f.l4?.TCP?.destination_port === 40000);
  t.is(forged[0]!.drop_reason_desc, 'INVALID_SOURCE_IP');
  const r = spawnSync('ip', ['netns', 'exec', netnsOf(m), process.execPath, '-e', `
    const s = require('net').connect({ host: process.argv[1], port: 80, localPort: 40000 });
    s.setTimeout(1500, () => { console.log('timeout'); process.exit(0); });
    s.on('connect', () => { console.log('connected'); process.exit(0); });
    s.on('error', (e) => { console.log('error ' + e.code); process.exit(0); });`, '--', v], { encoding: 'utf8' });
  t.is(r.stdout.trim(), 'timeout', 'no connection to the default-deny victim');
  const denied = await dropped('the connect from port 40000', (f) => f.IP?.source === m && f.IP?.destination === v && f.l4?.TCP?.source_port === 40000);
  t.is(denied[0]!.drop_reason_desc, 'POLICY_DENIED');
  t.is(denied[0]!.destination?.pod_name, 'victim');
});

test.serial('IPv4-mapped IPv6: a mapped source is INVALID_SOURCE_IP, a mapped destination STALE_OR_UNROUTABLE_IP', async (t) => {
  const m = podIP('mallory');
  const v = podIP('victim');
  rawSend(m, [tcp6(`::ffff:${m}`, 'fd00:13::1', 40001, 80, TCP_SYN), tcp6('fe80::13', `::ffff:${v}`, 40002, 80, TCP_SYN)]);
  // Dropped while parsing the addresses, before the ports: the flows carry the IPs only.
  const src = await dropped('the mapped source', (f) => f.IP?.source === `::ffff:${m}` && f.IP?.destination === 'fd00:13::1');
  t.is(src[0]!.drop_reason_desc, 'INVALID_SOURCE_IP');
  const dst = await dropped('the mapped destination', (f) => f.IP?.source === 'fe80::13' && f.IP?.destination === `::ffff:${v}`);
  t.is(dst[0]!.drop_reason_desc, 'STALE_OR_UNROUTABLE_IP');
});

test.serial('ICMPv6 disguised as neighbour solicitation, with a payload, to a routed address is FORBIDDEN_ICMPV6_MESSAGE', async (t) => {
  const m = podIP('mallory');
  const exfil = eth(ETH_IPV6, ipv6({ src: 'fe80::13', dst: '2001:db8::13', proto: 58, hopLimit: 255 }, icmp({ type: 135, data: new Uint8Array(512).fill(0x41) })));
  rawSend(m, [exfil]);
  const d = await dropped('the disguised ND', (f) => f.IP?.destination === '2001:db8::13');
  t.is(d[0]!.drop_reason_desc, 'FORBIDDEN_ICMPV6_MESSAGE');
});

test.serial('ARP claiming the victim’s address is INVALID_SOURCE_IP', async (t) => {
  const m = podIP('mallory');
  const v = podIP('victim');
  const before = cli(['observe', '--last', '2000', '--verdict', 'DROPPED', '-o', 'json']).stdout.trim().split('\n').filter(Boolean).length;
  rawSend(m, [arp(v, m, 2)]);
  // An ARP drop has no IP header: the flow names the endpoint it was dropped at and the reason.
  const d = await until('the ARP spoof in observe', () => {
    const r = cli(['observe', '--last', '2000', '--verdict', 'DROPPED', '-o', 'json']);
    const lines = r.stdout.trim().split('\n').filter(Boolean);
    if (lines.length <= before) return undefined;
    const fresh = lines.slice(before).map((l) => (JSON.parse(l) as { flow?: FlowJson }).flow).filter((f): f is FlowJson => !!f);
    return fresh.find((f) => f.source?.pod_name === 'mallory' || f.IP?.source === v) ?? undefined;
  });
  t.is(d.drop_reason_desc, 'INVALID_SOURCE_IP', JSON.stringify(d));
});

test.serial('deleting the policy that allowed a running UDP flow stops it at once (policy revision)', async (t) => {
  const v = podIP('victim');
  const c = podIP('client');
  const server = inPod(v, UDP_ECHO);
  const pinger = inPod(c, UDP_PINGER, [v]);
  const replies: number[] = [];
  pinger.stdout!.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) if (l.startsWith('reply ')) replies.push(Number(l.slice(6)));
  });
  try {
    await until('replies of the allowed flow', () => (replies.length >= 5 ? true : undefined));
    const deletedAt = Date.now();
    kubectl(['delete', 'networkpolicy', 'allow-udp']);
    const denied = await dropped('the flow judged again', (f) => f.IP?.source === c && f.IP?.destination === v && f.l4?.UDP?.source_port === 41000 && f.l4?.UDP?.destination_port === 9000);
    t.is(denied[0]!.drop_reason_desc, 'POLICY_DENIED');
    // The observe calls above block this process: replies the pinger printed before the deny
    // are still queued in its pipe. One second drains them; then two seconds without a reply
    // while the pinger keeps sending every 100 ms.
    await new Promise((r) => setTimeout(r, 1000));
    const n = replies.length;
    await new Promise((r) => setTimeout(r, 2000));
    t.is(replies.length, n, 'no reply after the deny');
    const last = replies.at(-1)!;
    t.log(`last reply ${last - deletedAt} ms after the delete; the UDP lifetime is 60 s`);
    t.true(last - deletedAt < 60_000, 'within the UDP lifetime, which would end it anyway');
  } finally {
    pinger.kill();
    server.kill();
    apply(ALLOW_UDP);
  }
});

test.serial('a new pod that gets a deleted pod’s IP does not inherit its flow, same tuple', async (t) => {
  const v = podIP('victim');
  const old = podIP('client');
  const server = inPod(v, UDP_ECHO);
  try {
    const ask = () => spawnSync('ip', ['netns', 'exec', netnsOf(old), process.execPath, '-e', UDP_ONCE, '--', v], { encoding: 'utf8' }).stdout.trim();
    await until('the client allowed again', () => (ask() === 'reply' ? true : undefined));
    kubectl(['delete', 'pod', 'client', '--wait=true', '--timeout=60s']);
    await until('the old address released', () => {
      try {
        netnsOf(old);
        return undefined;
      } catch {
        return true;
      }
    });
    // The deleted pod's connections went with it (CNI DEL and the agent flush them).
    const dp = PinnedDatapath.open(`/sys/fs/bpf/netobs-lab-${LAB}-${lab.plan.nodes[0]!.name}/netobs`);
    try {
      await until('the deleted pod’s conntrack entries flushed', () => (dp.conntrack.entries().some((e) => e.saddr === old || e.daddr === old) ? undefined : true));
    } finally {
      dp.close();
    }
    // host-local hands out addresses round robin: the newcomer asks for the deleted pod's
    // address (CNI_ARGS IP=, through the lab's pod-ip annotation), as a recycled IP arrives.
    const newcomer = pod('newcomer', { app: 'newcomer' });
    apply({ ...newcomer, metadata: { ...newcomer.metadata, annotations: { [LAB_POD_IP_ANNOTATION]: old } } });
    waitReady(['newcomer']);
    t.is(podIP('newcomer'), old, 'the newcomer has the deleted pod’s address');
    await until('the newcomer an endpoint', () => {
      const e = cli(['endpoints', '-o', 'json']);
      return e.code === 0 && (JSON.parse(e.stdout) as { ipv4?: string; podName?: string; status?: string }[]).some((x) => x.ipv4 === old && x.podName === 'newcomer' && x.status === 'ready') ? true : undefined;
    }, 60_000);
    t.is(ask(), 'timeout', 'the same tuple from the new pod gets no reply');
    const d = await dropped('the newcomer refused', (f) => f.IP?.source === old && f.IP?.destination === v && f.l4?.UDP?.source_port === 41000 && f.source?.pod_name === 'newcomer');
    t.is(d[0]!.drop_reason_desc, 'POLICY_DENIED');
  } finally {
    server.kill();
  }
});
