// Real traffic between two pods (network namespaces on a bridge) with the datapath on
// both host-side veths: ping, TCP, UDP, explicit and default denies, and a 100 MB
// transfer that must cost only a handful of events.
import test from 'ava';
import { Datapath, Direction, DropReason, EventType, type NetobsEvent } from '../../bpf/loader/index.ts';
import { datapathObject } from './support/fixture.ts';
import { SCRIPTS, finish, inPod, makeTopology, nodeInPod, sh, startInPod, type Topology } from './support/netns.ts';
import { ifindexOf } from '../../bpf/loader/tc.ts';

const A_ID = 1001;
const B_ID = 1002;

let topo: Topology;
let dp: Datapath;
const events: NetobsEvent[] = [];

test.before(() => {
  topo = makeTopology('traf', 231);
  dp = Datapath.open({ pin: false, object: datapathObject() });
  const [a, b] = topo.pods as [NonNullable<Topology['pods'][0]>, NonNullable<Topology['pods'][1]>];
  dp.ipcache.set(a.ip, A_ID);
  dp.ipcache.set(b.ip, B_ID);
  dp.endpoints.set(ifindexOf(a.hostIf), { endpointId: 1, identity: A_ID, ipv4: a.ip, checkSource: true });
  dp.endpoints.set(ifindexOf(b.hostIf), { endpointId: 2, identity: B_ID, enforceIngress: true });
  const allow = (protocol: number, port: number, action: 'allow' | 'deny' = 'allow') =>
    dp.policy.set({ endpointId: 2, remoteIdentity: A_ID, protocol, port, direction: Direction.INGRESS }, { action, ruleId: port });
  allow(1, 8); // echo request
  allow(6, 8000);
  allow(6, 5201);
  allow(17, 9000);
  allow(6, 0); // any TCP port from A ...
  allow(6, 8001, 'deny'); // ... except 8001
  dp.setConfig({ reportIntervalMs: 5000 });
  for (const p of topo.pods) dp.attach(p.hostIf);
});

test.after.always(() => {
  for (const p of topo?.pods ?? []) dp?.detach(p.hostIf);
  dp?.close();
  topo?.close();
});

function drain(): NetobsEvent[] {
  const got = dp.events.read();
  events.push(...got);
  return got;
}

const pods = () => topo.pods as [Topology['pods'][0] & object, Topology['pods'][1] & object];

test.serial('ping: echo requests and replies pass and are traced at both hooks', async (t) => {
  const [a, b] = pods();
  drain();
  const r = await finish(inPod(a, ['busybox', 'ping', '-c', '3', '-W', '2', b.ip]));
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /3 packets received/);
  const got = drain().filter((e) => e.protocol === 1);
  t.true(got.some((e) => e.type === EventType.TRACE && e.icmpType === 8 && e.direction === Direction.INGRESS && e.srcIdentity === A_ID && e.dstIdentity === B_ID));
  t.true(got.some((e) => e.type === EventType.TRACE && e.icmpType === 0 && e.isReply === true));
  t.true(got.some((e) => e.type === EventType.POLICY_VERDICT && e.verdict === 1 && e.direction === Direction.INGRESS));
});

test.serial('TCP connect, transfer and close: SYN, SYN-ACK, FIN seen in order', async (t) => {
  const [a, b] = pods();
  const srv = await startInPod(b, [process.execPath, '-e', SCRIPTS.tcpSink, '--', '8000'], /listening/);
  try {
    drain();
    const r = await nodeInPod(a, SCRIPTS.tcpSend, [b.ip, '8000', String(1 << 20)]);
    t.is(r.stdout.trim(), `sent ${1 << 20}`, r.stderr);
    await new Promise((res) => setTimeout(res, 100));
    const conn = drain().filter((e) => e.protocol === 6 && (e.dstPort === 8000 || e.srcPort === 8000) && e.type === EventType.TRACE && e.ifindex === ifindexOf(b.hostIf));
    const flags = conn.map((e) => e.tcpFlags);
    const syn = flags.findIndex((f) => (f & 0x12) === 0x02);
    const synAck = flags.findIndex((f) => (f & 0x12) === 0x12);
    const fin = flags.findIndex((f) => (f & 0x01) !== 0);
    t.true(syn >= 0 && synAck > syn && fin > synAck, `flags in order: ${flags.map((f) => f.toString(16)).join(',')}`);
    t.true(conn.length < 12, `a 1 MiB transfer costs ${conn.length} trace events`);
    const entry = dp.conntrack.entries().find((c) => c.dport === 8000 && c.direction === Direction.INGRESS);
    t.truthy(entry);
    t.true(entry!.bytesForward > BigInt(1 << 20));
    t.is(entry!.tcpState, 'closed');
  } finally {
    srv.kill();
  }
});

test.serial('UDP request and reply', async (t) => {
  const [a, b] = pods();
  const srv = await startInPod(b, [process.execPath, '-e', SCRIPTS.udpEcho, '--', '9000'], /listening/);
  try {
    const r = await nodeInPod(a, SCRIPTS.udpAsk, [b.ip, '9000']);
    t.is(r.stdout.trim(), 'got ping');
  } finally {
    srv.kill();
  }
});

test.serial('a deny entry drops with POLICY_DENY, no entry with POLICY_DENIED', async (t) => {
  const [a, b] = pods();
  const srv = await startInPod(b, [process.execPath, '-e', SCRIPTS.udpEcho, '--', '9001'], /listening/);
  try {
    drain();
    const denied = await nodeInPod(a, SCRIPTS.tcpSend, [b.ip, '8001', '10', '1500']);
    t.is(denied.stdout.trim(), 'timeout', 'SYNs to a denied port go unanswered');
    const udp = await nodeInPod(a, SCRIPTS.udpAsk, [b.ip, '9001']);
    t.is(udp.stdout.trim(), 'timeout', 'UDP 9001 has no allow entry');
    const drops = drain().filter((e) => e.type === EventType.DROP);
    const deny = drops.find((e) => e.dstPort === 8001);
    t.is(deny?.dropReason, DropReason.POLICY_DENY);
    t.is(deny?.ruleId, 8001, 'the deny entry that decided');
    t.is(deny?.srcIdentity, A_ID);
    t.is(drops.find((e) => e.dstPort === 9001)?.dropReason, DropReason.POLICY_DENIED);
    const m = dp.metrics();
    t.true((m.find((x) => x.reason === DropReason.POLICY_DENY)?.packets ?? 0n) >= 1n);
  } finally {
    srv.kill();
  }
});

test.serial('a 100 MB TCP transfer produces only a handful of events', async (t) => {
  const [a, b] = pods();
  const srv = await startInPod(b, ['iperf3', '-s', '-1', '--forceflush', '-p', '5201', '-B', b.ip], /listening/i);
  try {
    drain();
    const lostBefore = dp.events.lost();
    const r = await finish(inPod(a, ['iperf3', '-c', b.ip, '-p', '5201', '-n', '100M', '-J']), 120_000);
    t.is(r.code, 0, r.stderr);
    const sent = (JSON.parse(r.stdout) as { end: { sum_sent: { bytes: number } } }).end.sum_sent.bytes;
    t.true(sent >= 100 * 1024 * 1024);
    await new Promise((res) => setTimeout(res, 200));
    const got = drain().filter((e) => e.srcPort === 5201 || e.dstPort === 5201);
    const data = dp.conntrack.entries().find((c) => c.dport === 5201 && c.direction === Direction.INGRESS && c.bytesForward > 100_000_000n);
    t.truthy(data, 'the data connection carried the 100 MB');
    t.log(`${got.length} events for two connections, ${data?.packetsForward} packets on the data connection at one hook`);
    t.true(got.length <= 40, `${got.length} events`);
    t.is(dp.events.lost(), lostBefore, 'nothing lost');
  } finally {
    srv.kill();
  }
});

test.serial('maps and metrics after the traffic', (t) => {
  const m = dp.metrics();
  t.true((m.find((x) => x.direction === 'ingress' && x.verdict === 'forwarded')?.bytes ?? 0n) > 100_000_000n);
  t.true((m.find((x) => x.direction === 'egress' && x.verdict === 'forwarded')?.packets ?? 0n) > 1000n);
  const sums = Object.fromEntries(dp.maps().map((x) => [x.name, x.entries]));
  t.is(sums.netobs_endpoint, 2);
  t.true((sums.netobs_ct_tcp ?? 0) + (sums.netobs_ct_any ?? 0) > 4);
  t.notThrows(() => sh(['ip', 'link', 'show', topo.bridge]));
});
