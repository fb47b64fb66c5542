// Service translation through BPF_PROG_TEST_RUN: a pod's packet to a Service address leaves
// rewritten to a backend (checksums still right), policy and conntrack see the backend, the
// reply gets the Service address back as its source, and backend changes keep existing
// connections where they can (bpf/lib/lb.h).
import test from 'ava';
import { Direction, DropReason, formatIp, parseIp, type Datapath } from '../../bpf/loader/index.ts';
import { lbHash } from '../../bpf/loader/layout.ts';
import { ETH_IP, ETH_IPV6, TCP_ACK, TCP_SYN, eth, ipv4, ipv6, tcp4, udp, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath } from './support/fixture.ts';
import { checksumsValid, withChecksums, withIpv4HeaderChecksum } from './support/checksum.ts';

const POD = '10.0.0.10';
const VIP = '10.96.0.10';
const BE1 = '10.0.1.21';
const BE2 = '10.0.1.22';
const BE3 = '10.0.1.23';
const BACKEND_ID = 2000;
const EP = LOCAL_EP.endpointId;

type Hook = 'from-endpoint' | 'to-endpoint';

function send(dp: Datapath, hook: Hook, frame: Uint8Array) {
  dp.events.read();
  const r = dp.testRun(hook, frame, { ifindex: LO });
  const events = dp.events.read();
  return { verdict: r.retval === 2 ? 'dropped' : 'forwarded', data: r.data, events, reason: events.find((e) => e.type === 1)?.dropReason ?? 0 };
}

/** Destination (or source) address and port of an IPv4 / IPv6 frame. */
function dst(f: Uint8Array): [string, number] {
  const v6 = f[12] === 0x86;
  const a = new Uint8Array(16);
  if (v6) a.set(f.subarray(38, 54));
  else a.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...f.subarray(30, 34)]);
  const l4 = v6 ? 54 : 34;
  return [formatIp(a), (f[l4 + 2]! << 8) | f[l4 + 3]!];
}
function src(f: Uint8Array): [string, number] {
  const v6 = f[12] === 0x86;
  const a = new Uint8Array(16);
  if (v6) a.set(f.subarray(22, 38));
  else a.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...f.subarray(26, 30)]);
  const l4 = v6 ? 54 : 34;
  return [formatIp(a), (f[l4]! << 8) | f[l4 + 1]!];
}

function setup(t: Parameters<typeof openTestDatapath>[0], backends = [BE1]) {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceEgress: true });
  for (const b of [BE1, BE2, BE3]) dp.ipcache.set(b, BACKEND_ID);
  dp.services.sync([{ addr: VIP, port: 80, protocol: 6, svcId: 7, backends: backends.map((addr) => ({ addr, port: 8080 })) }]);
  return dp;
}

const allowBackend = (dp: Datapath, port = 8080, protocol = 6) =>
  dp.policy.set({ endpointId: EP, remoteIdentity: BACKEND_ID, protocol, port, direction: Direction.EGRESS }, { action: 'allow' });

test('a TCP connection to a ClusterIP is rewritten to the backend and back, checksums right', (t) => {
  const dp = setup(t);
  allowBackend(dp);
  const syn = send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40000, 80, TCP_SYN, new Uint8Array([1, 2, 3]))));
  t.is(syn.verdict, 'forwarded');
  t.deepEqual(dst(syn.data), [BE1, 8080]);
  t.deepEqual(src(syn.data), [POD, 40000]);
  t.deepEqual(checksumsValid(syn.data), { l3: true, l4: true, l4Zero: false });
  const verdict = syn.events.find((e) => e.type === 5);
  t.is(verdict?.dstIdentity, BACKEND_ID, 'policy judged the backend');
  t.is(verdict?.dstIp, BE1);
  t.is(verdict?.dstPort, 8080);

  const ct = dp.conntrack.entries();
  t.is(ct.length, 1);
  t.like(ct[0], { saddr: POD, daddr: BE1, dport: 8080, direction: Direction.EGRESS, service: { addr: VIP, port: 80, svcId: 7 } });

  const synack = send(dp, 'to-endpoint', withChecksums(tcp4(BE1, POD, 8080, 40000, TCP_SYN | TCP_ACK)));
  t.is(synack.verdict, 'forwarded');
  t.deepEqual(src(synack.data), [VIP, 80], 'the reply comes from the Service address');
  t.deepEqual(dst(synack.data), [POD, 40000]);
  t.deepEqual(checksumsValid(synack.data), { l3: true, l4: true, l4Zero: false });
  const trace = synack.events.find((e) => e.type === 4);
  t.is(trace?.srcIp, BE1, 'events name the backend');
  t.is(trace?.srcIdentity, BACKEND_ID);

  const ack = send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40000, 80, TCP_ACK)));
  t.deepEqual(dst(ack.data), [BE1, 8080]);
  t.true(checksumsValid(ack.data).l4);
  t.is(dp.conntrack.entries()[0]?.tcpState, 'established');
});

test('egress policy on the backend decides a Service connection, not world', (t) => {
  const dp = setup(t);
  dp.policy.set({ endpointId: EP, remoteIdentity: 2, protocol: 6, port: 80, direction: Direction.EGRESS }, { action: 'allow' });
  const r = send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40001, 80, TCP_SYN)));
  t.is(r.verdict, 'dropped', 'allowing world:80 does not allow the backend');
  t.is(r.reason, DropReason.POLICY_DENIED);
  const drop = r.events.find((e) => e.type === 1);
  t.is(drop?.dstIp, BE1);
  t.is(drop?.dstIdentity, BACKEND_ID);
  allowBackend(dp);
  t.is(send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40002, 80, TCP_SYN))).verdict, 'forwarded');
});

test('the same backend is reached by its own address and through the Service', (t) => {
  const dp = setup(t);
  allowBackend(dp);
  const direct = send(dp, 'from-endpoint', withChecksums(tcp4(POD, BE1, 40003, 8080, TCP_SYN)));
  t.is(direct.verdict, 'forwarded');
  t.deepEqual(dst(direct.data), [BE1, 8080], 'not translated');
  t.false(dp.conntrack.entries().some((e) => e.service), 'no Service recorded');
  t.is(send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40004, 80, TCP_SYN))).verdict, 'forwarded');
  t.is(send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40005, 81, TCP_SYN))).verdict, 'dropped', 'another port is no Service');
});

test('UDP over IPv6: DNAT and reverse NAT with the checksum kept right', (t) => {
  const dp = openTestDatapath(t);
  const V6POD = 'fd00::10';
  const V6VIP = 'fd00:96::a';
  const V6BE = 'fd00:1::21';
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceEgress: true });
  dp.ipcache.set(V6BE, BACKEND_ID);
  allowBackend(dp, 5353, 17);
  dp.services.sync([{ addr: V6VIP, port: 53, protocol: 17, svcId: 3, backends: [{ addr: V6BE, port: 5353 }] }]);
  const q = (s: string, d: string, sp: number, dp_: number) => withChecksums(eth(ETH_IPV6, ipv6({ src: s, dst: d, proto: 17 }, udp({ sport: sp, dport: dp_, payload: new Uint8Array([9, 8, 7, 6, 5]) }))));
  const out = send(dp, 'from-endpoint', q(V6POD, V6VIP, 33333, 53));
  t.is(out.verdict, 'forwarded');
  t.deepEqual(dst(out.data), [V6BE, 5353]);
  t.deepEqual(checksumsValid(out.data), { l3: true, l4: true, l4Zero: false });
  const back = send(dp, 'to-endpoint', q(V6BE, V6POD, 5353, 33333));
  t.is(back.verdict, 'forwarded');
  t.deepEqual(src(back.data), [V6VIP, 53]);
  t.deepEqual(checksumsValid(back.data), { l3: true, l4: true, l4Zero: false });
});

test('IPv4 UDP without a checksum keeps none', (t) => {
  const dp = setup(t);
  dp.services.sync([{ addr: VIP, port: 53, protocol: 17, svcId: 2, backends: [{ addr: BE1, port: 5353 }] }]);
  allowBackend(dp, 5353, 17);
  const out = send(dp, 'from-endpoint', withChecksums(udp4(POD, VIP, 33334, 53, new Uint8Array([1, 2])), { udpZero: true }));
  t.is(out.verdict, 'forwarded');
  t.deepEqual(dst(out.data), [BE1, 5353]);
  t.deepEqual(checksumsValid(out.data), { l3: true, l4: true, l4Zero: true });
});

test('a Service without backends drops with SERVICE_BACKEND_NOT_FOUND', (t) => {
  const dp = setup(t, []);
  allowBackend(dp);
  const r = send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40006, 80, TCP_SYN)));
  t.is(r.verdict, 'dropped');
  t.is(r.reason, DropReason.SERVICE_BACKEND_NOT_FOUND);
});

test('new connections take slot 1 + hash % count; existing ones keep their backend while it exists', (t) => {
  const dp = setup(t, [BE1, BE2, BE3]);
  allowBackend(dp);
  const list = [BE1, BE2, BE3];
  const seen = new Set<string>();
  const chosen = new Map<number, string>();
  for (let sport = 41000; sport < 41030; sport++) {
    const r = send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, sport, 80, TCP_SYN)));
    const want = list[lbHash(parseIp(POD).addr, sport, 6) % 3]!;
    t.is(dst(r.data)[0], want, `sport ${sport}`);
    seen.add(want);
    chosen.set(sport, want);
  }
  t.is(seen.size, 3, 'all backends used');

  // BE2 leaves: connections on BE1/BE3 stay, those on BE2 move to one of the two left.
  dp.services.sync([{ addr: VIP, port: 80, protocol: 6, svcId: 7, backends: [BE1, BE3].map((addr) => ({ addr, port: 8080 })) }]);
  for (const [sport, was] of chosen) {
    const now = dst(send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, sport, 80, TCP_ACK))).data)[0];
    if (was === BE2) t.not(now, BE2, `sport ${sport} moved`);
    else t.is(now, was, `sport ${sport} kept`);
  }

  // A draining backend (terminating, still serving) keeps its connections, takes no new ones.
  const onBe1 = [...chosen].filter(([, b]) => b === BE1).map(([s]) => s);
  dp.services.sync([{ addr: VIP, port: 80, protocol: 6, svcId: 7, backends: [{ addr: BE3, port: 8080 }] }], [{ addr: BE1, port: 8080 }]);
  for (const sport of onBe1) t.is(dst(send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, sport, 80, TCP_ACK))).data)[0], BE1);
  t.is(dst(send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 42000, 80, TCP_SYN))).data)[0], BE3);
});

test('the service maps read back what was synced; removal leaves nothing', (t) => {
  const dp = setup(t, [BE1, BE2]);
  t.deepEqual(dp.services.frontends(), [{ addr: VIP, port: 80, protocol: 6, svcId: 7, backends: [{ addr: BE1, port: 8080 }, { addr: BE2, port: 8080 }] }]);
  t.is(dp.services.sync([{ addr: VIP, port: 80, protocol: 6, svcId: 7, backends: [{ addr: BE1, port: 8080 }, { addr: BE2, port: 8080 }] }]).written, 0, 'no change, no write');
  dp.services.sync([]);
  t.deepEqual(dp.services.frontends(), []);
  t.is(dp.services.backends.count(), 0);
  t.is(send(dp, 'from-endpoint', withChecksums(tcp4(POD, VIP, 40007, 80, TCP_SYN))).events.find((e) => e.type === 1)?.dstIp, VIP, 'no longer translated');
});

test('a fragmented datagram to a Service: every fragment goes to the same backend, IPv4 header checksum right', (t) => {
  const dp = setup(t);
  dp.services.sync([{ addr: VIP, port: 53, protocol: 17, svcId: 2, backends: [{ addr: BE1, port: 5353 }, { addr: BE2, port: 5353 }] }]);
  allowBackend(dp, 5353, 17);
  const first = withChecksums(eth(ETH_IP, ipv4({ src: POD, dst: VIP, proto: 17, id: 77, moreFragments: true }, udp({ sport: 33335, dport: 53, payload: new Uint8Array(16) }))));
  const later = eth(ETH_IP, ipv4({ src: POD, dst: VIP, proto: 17, id: 77, fragOffset: 3 }, new Uint8Array(16)));
  const a = send(dp, 'from-endpoint', first);
  t.is(a.verdict, 'forwarded');
  const backend = dst(a.data)[0];
  t.true(backend === BE1 || backend === BE2);
  t.true(checksumsValid(a.data).l3);
  const b = send(dp, 'from-endpoint', withIpv4HeaderChecksum(later));
  t.is(b.verdict, 'forwarded');
  t.is(dst(b.data)[0], backend, 'the later fragment follows the first');
  t.true(checksumsValid(b.data).l3);
});
