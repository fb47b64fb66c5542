// Hostile and unusual packets through BPF_PROG_TEST_RUN: every malformed input gets a
// verdict and the drop reason Hubble users know; unusual but valid ones are parsed right.
import test from 'ava';
import { DropReason, EndpointFlags } from '../../bpf/loader/index.ts';
import {
  arp,
  ETH_ARP,
  ETH_IP,
  ETH_IPV6,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  eth,
  icmp,
  icmp4,
  ipv4,
  ipv6,
  sctp,
  tcp,
  tcp4,
  tcp6,
  udp,
  udp4,
} from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const A = '10.0.0.1';
const B = '10.0.0.2';
const A6 = 'fd00::1';
const B6 = 'fd00::2';

const truncate = (p: Uint8Array, n: number) => p.subarray(0, n);

const drops = test.macro({
  exec(t, packet: Uint8Array, reason: number) {
    const dp = openTestDatapath(t);
    dp.endpoints.set(LO, LOCAL_EP);
    const r = run(dp, 'to-endpoint', packet);
    t.is(r.verdict, 'dropped');
    t.is(r.reason, reason);
    const m = dp.metrics();
    t.deepEqual(
      m.map((x) => [x.direction, x.reason, x.packets]),
      [['ingress', reason, 1n]],
      'one drop counted under its reason',
    );
  },
  title: (given = '') => `drops ${given}`,
});

// BPF_PROG_TEST_RUN refuses frames shorter than their L3 header (EINVAL since Linux 6.x),
// so truncated Ethernet/IPv4/IPv6 headers are sent as raw frames over a real veth in
// raw-frames.test.ts instead.
const ipTcp = (ip: Uint8Array) => eth(ETH_IP, ip);
const base4 = ipv4({ src: A, dst: B, proto: 6 }, tcp({ sport: 1000, dport: 80, flags: TCP_SYN }));

test('IPv4 version 5', drops, ipTcp(Uint8Array.from(base4, (b, i) => (i === 0 ? 0x55 : b))), DropReason.INVALID_PACKET_DROPPED);
test('IPv4 IHL 4', drops, ipTcp(Uint8Array.from(base4, (b, i) => (i === 0 ? 0x44 : b))), DropReason.INVALID_PACKET_DROPPED);
test('IPv4 IHL 15 with no options present', drops, ipTcp(truncate(Uint8Array.from(base4, (b, i) => (i === 0 ? 0x4f : b)), 40)), DropReason.INVALID_PACKET_DROPPED);
test('IPv4 total length below its header length', drops, ipTcp(Uint8Array.from(base4, (b, i) => (i === 2 ? 0 : i === 3 ? 10 : b))), DropReason.INVALID_PACKET_DROPPED);
test('TCP header cut at 10 bytes', drops, ipTcp(ipv4({ src: A, dst: B, proto: 6 }, truncate(tcp({ sport: 1, dport: 2, flags: TCP_SYN }), 10))), DropReason.CT_TRUNCATED_OR_INVALID_HEADER);
test('TCP data offset 4', drops, ipTcp(ipv4({ src: A, dst: B, proto: 6 }, Uint8Array.from(tcp({ sport: 1, dport: 2, flags: TCP_SYN }), (b, i) => (i === 12 ? 0x40 : b)))), DropReason.CT_TRUNCATED_OR_INVALID_HEADER);
test('TCP data offset past the packet end', drops, ipTcp(ipv4({ src: A, dst: B, proto: 6 }, Uint8Array.from(tcp({ sport: 1, dport: 2, flags: TCP_SYN }), (b, i) => (i === 12 ? 0xf0 : b)))), DropReason.CT_TRUNCATED_OR_INVALID_HEADER);
test('UDP header cut at 4 bytes', drops, ipTcp(ipv4({ src: A, dst: B, proto: 17 }, truncate(udp({ sport: 1, dport: 53 }), 4))), DropReason.CT_TRUNCATED_OR_INVALID_HEADER);
test('SCTP common header cut at 8 bytes', drops, ipTcp(ipv4({ src: A, dst: B, proto: 132 }, truncate(sctp({ sport: 1, dport: 2 }), 8))), DropReason.CT_TRUNCATED_OR_INVALID_HEADER);
test('ICMP header cut at 4 bytes', drops, ipTcp(ipv4({ src: A, dst: B, proto: 1 }, truncate(icmp({ type: 8 }), 4))), DropReason.CT_TRUNCATED_OR_INVALID_HEADER);
test('ICMPv4 type 42 (unassigned)', drops, icmp4(A, B, 42), DropReason.UNKNOWN_ICMPV4_TYPE);
test('IPv6 version 4 in an IPv6 frame', drops, eth(ETH_IPV6, Uint8Array.from(ipv6({ src: A6, dst: B6, proto: 6 }, tcp({ sport: 1, dport: 2, flags: TCP_SYN })), (b, i) => (i === 0 ? 0x40 : b))), DropReason.INVALID_PACKET_DROPPED);
test('IPv6 hop-by-hop header cut short', drops, eth(ETH_IPV6, truncate(ipv6({ src: A6, dst: B6, proto: 6, ext: [{ type: 0 }] }, new Uint8Array(0)), 41)), DropReason.INVALID_IPV6_EXTENSION_HEADER);
test('IPv6 fragment header cut short', drops, eth(ETH_IPV6, truncate(ipv6({ src: A6, dst: B6, proto: 6, ext: [{ type: 44 }] }, new Uint8Array(0)), 44)), DropReason.INVALID_IPV6_EXTENSION_HEADER);
test('IPv6 with nine extension headers', drops, tcp6(A6, B6, 1, 2, TCP_SYN, Array.from({ length: 9 }, () => ({ type: 60 }))), DropReason.INVALID_IPV6_EXTENSION_HEADER);
test('TCP truncated behind IPv6 extension headers', drops, eth(ETH_IPV6, truncate(ipv6({ src: A6, dst: B6, proto: 6, ext: [{ type: 0 }, { type: 60 }] }, tcp({ sport: 1, dport: 2, flags: 0 })), 40 + 16 + 12)), DropReason.CT_TRUNCATED_OR_INVALID_HEADER);
test('an unsupported L3 protocol (LLDP)', drops, eth(0x88cc, new Uint8Array(46)), DropReason.UNSUPPORTED_L3_PROTOCOL);
test('an IPv4 later fragment whose first fragment was not seen', drops, eth(ETH_IP, ipv4({ src: A, dst: B, proto: 17, id: 7, fragOffset: 100 }, new Uint8Array(64))), DropReason.IP_FRAGMENTATION_NOT_SUPPORTED);
test('an IPv6 later fragment whose first fragment was not seen', drops, eth(ETH_IPV6, ipv6({ src: A6, dst: B6, proto: 17, ext: [{ type: 44, fragOffset: 100, id: 9 }] }, new Uint8Array(64))), DropReason.IP_FRAGMENTATION_NOT_SUPPORTED);

const parses = test.macro({
  exec(t, packet: Uint8Array, expect: { sport: number; dport: number; proto: number; tcpFlags?: number; ipVersion?: 4 | 6 }) {
    const dp = openTestDatapath(t);
    dp.endpoints.set(LO, LOCAL_EP);
    const r = run(dp, 'to-endpoint', packet);
    t.is(r.verdict, 'forwarded');
    const trace = r.events.find((e) => e.type === 4);
    t.truthy(trace, 'a trace event for the new connection');
    t.is(trace?.srcPort, expect.sport);
    t.is(trace?.dstPort, expect.dport);
    t.is(trace?.protocol, expect.proto);
    if (expect.tcpFlags !== undefined) t.is(trace?.tcpFlags, expect.tcpFlags);
    if (expect.ipVersion !== undefined) t.is(trace?.ipVersion, expect.ipVersion);
  },
  title: (given = '') => `parses ${given}`,
});

const nops = (n: number) => new Uint8Array(n).fill(1);
test('IPv4 with 4 bytes of options', parses, eth(ETH_IP, ipv4({ src: A, dst: B, proto: 6, options: nops(4) }, tcp({ sport: 1111, dport: 80, flags: TCP_SYN }))), { sport: 1111, dport: 80, proto: 6 });
test('IPv4 with 40 bytes of options (IHL 15)', parses, eth(ETH_IP, ipv4({ src: A, dst: B, proto: 17, options: nops(40) }, udp({ sport: 2222, dport: 53 }))), { sport: 2222, dport: 53, proto: 17 });
test('IPv6 hop-by-hop, routing, destination options, AH chain', parses, tcp6(A6, B6, 3333, 443, TCP_SYN, [{ type: 0 }, { type: 43, extraUnits: 2 }, { type: 60 }, { type: 51, extraUnits: 1 }]), { sport: 3333, dport: 443, proto: 6, ipVersion: 6 });
test('IPv6 with eight extension headers', parses, tcp6(A6, B6, 3334, 443, TCP_SYN, Array.from({ length: 8 }, () => ({ type: 60 }))), { sport: 3334, dport: 443, proto: 6, ipVersion: 6 });
test('TCP with options (data offset 15)', parses, eth(ETH_IP, ipv4({ src: A, dst: B, proto: 6 }, tcp({ sport: 5, dport: 6, flags: TCP_SYN, options: nops(40) }))), { sport: 5, dport: 6, proto: 6 });
test('SCTP ports', parses, eth(ETH_IP, ipv4({ src: A, dst: B, proto: 132 }, sctp({ sport: 7, dport: 9 }))), { sport: 7, dport: 9, proto: 132 });
test('an unknown L4 protocol (GRE) as portless', parses, eth(ETH_IP, ipv4({ src: A, dst: B, proto: 47 }, new Uint8Array(8))), { sport: 0, dport: 0, proto: 47 });
for (const [name, flags] of [
  ['no flags', 0],
  ['SYN', TCP_SYN],
  ['SYN+ACK', TCP_SYN | TCP_ACK],
  ['RST', TCP_RST],
  ['FIN+ACK', TCP_FIN | TCP_ACK],
  ['SYN+FIN (invalid)', TCP_SYN | TCP_FIN],
  ['all flags (xmas)', 0xff],
  ['PSH+ACK', TCP_PSH | TCP_ACK],
] as const) {
  test(`TCP flags ${name}`, parses, tcp4(A, B, 4000, 80, flags), { sport: 4000, dport: 80, proto: 6, tcpFlags: flags });
}

test('a not-ready endpoint sends and receives nothing, ARP and neighbour discovery included', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: A, ipv6: A6, flags: EndpointFlags.NOT_READY | EndpointFlags.ENFORCE_INGRESS });
  t.is(run(dp, 'to-endpoint', arp(B, A)).reason, DropReason.DROP_EP_NOT_READY);
  const ns = eth(ETH_IPV6, ipv6({ src: 'fe80::2', dst: 'ff02::1:ff00:1', proto: 58, hopLimit: 255 }, icmp({ type: 135, data: new Uint8Array(16) })));
  t.is(run(dp, 'to-endpoint', ns).reason, DropReason.DROP_EP_NOT_READY);
  t.is(run(dp, 'from-endpoint', tcp4(A, B, 1, 2, TCP_SYN)).reason, DropReason.DROP_EP_NOT_READY);
});

test('packets on an interface that is not an endpoint pass untouched and uncounted', (t) => {
  const dp = openTestDatapath(t);
  const r = run(dp, 'to-endpoint', eth(0x88cc, new Uint8Array(46)));
  t.is(r.verdict, 'forwarded');
  t.deepEqual(r.events, []);
  t.deepEqual(dp.metrics(), []);
});

test('source check drops spoofed packets from the pod', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, ipv4: A, ipv6: A6, checkSource: true });
  t.is(run(dp, 'from-endpoint', tcp4(A, B, 1, 2, TCP_SYN)).verdict, 'forwarded');
  t.is(run(dp, 'from-endpoint', tcp4('10.9.9.9', B, 1, 2, TCP_SYN)).reason, DropReason.INVALID_SOURCE_IP);
  t.is(run(dp, 'from-endpoint', tcp6(A6, B6, 1, 2, TCP_SYN)).verdict, 'forwarded');
  t.is(run(dp, 'from-endpoint', tcp6('fd00::99', B6, 1, 2, TCP_SYN)).reason, DropReason.INVALID_SOURCE_IP);
  // Towards the pod any source is fine.
  t.is(run(dp, 'to-endpoint', tcp4('10.9.9.9', A, 1, 2, TCP_SYN)).verdict, 'forwarded');
});

test('IPv4 fragments: later fragments follow the first one with its ports', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  dp.policy.set({ endpointId: LOCAL_EP.endpointId, remoteIdentity: 0, port: 53, protocol: 17, direction: 1 }, { action: 'allow' });
  const first = eth(ETH_IP, ipv4({ src: A, dst: B, proto: 17, id: 77, moreFragments: true }, udp({ sport: 5353, dport: 53, payload: new Uint8Array(32) })));
  const later = eth(ETH_IP, ipv4({ src: A, dst: B, proto: 17, id: 77, fragOffset: 5 }, new Uint8Array(40)));
  t.is(run(dp, 'to-endpoint', first).verdict, 'forwarded');
  const r = run(dp, 'to-endpoint', later);
  t.is(r.verdict, 'forwarded');
  const ct = dp.conntrack.entries();
  t.is(ct.length, 1);
  t.is(ct[0]?.packetsForward, 2n, 'the later fragment counted on the same connection');
  // A different datagram id was never seen.
  t.is(run(dp, 'to-endpoint', eth(ETH_IP, ipv4({ src: A, dst: B, proto: 17, id: 78, fragOffset: 5 }, new Uint8Array(40)))).reason, DropReason.IP_FRAGMENTATION_NOT_SUPPORTED);
});

test('IPv6 fragments: later fragments follow the first one with its ports', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, LOCAL_EP);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  dp.policy.set({ endpointId: LOCAL_EP.endpointId, remoteIdentity: 0, port: 9000, protocol: 17, direction: 1 }, { action: 'allow' });
  const first = eth(ETH_IPV6, ipv6({ src: A6, dst: B6, proto: 17, ext: [{ type: 44, id: 5, moreFragments: true }] }, udp({ sport: 1, dport: 9000, payload: new Uint8Array(16) })));
  const later = eth(ETH_IPV6, ipv6({ src: A6, dst: B6, proto: 17, ext: [{ type: 0 }, { type: 44, id: 5, fragOffset: 3 }] }, new Uint8Array(16)));
  t.is(run(dp, 'to-endpoint', first).verdict, 'forwarded');
  const r = run(dp, 'to-endpoint', later);
  t.is(r.verdict, 'forwarded');
  t.is(dp.conntrack.entries()[0]?.packetsForward, 2n);
});

test('ICMP errors about a tracked connection pass; unrelated ones meet policy', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  // The pod sends UDP out; the peer answers with port unreachable quoting that datagram.
  t.is(run(dp, 'from-endpoint', udp4(A, B, 40000, 9999)).verdict, 'forwarded');
  const quoted = ipv4({ src: A, dst: B, proto: 17 }, udp({ sport: 40000, dport: 9999 }));
  const r = run(dp, 'to-endpoint', icmp4(B, A, 3, { code: 3, data: quoted }));
  t.is(r.verdict, 'forwarded');
  t.true(r.events.some((e) => e.type === 4 && e.related && e.isReply === true), 'traced as related reply');
  // The same error about a datagram never sent is a new ICMP flow: default deny.
  const other = ipv4({ src: A, dst: B, proto: 17 }, udp({ sport: 40001, dport: 9999 }));
  t.is(run(dp, 'to-endpoint', icmp4(B, A, 3, { code: 3, data: other })).reason, DropReason.POLICY_DENIED);
  // Time exceeded with a truncated quote cannot be related either.
  t.is(run(dp, 'to-endpoint', icmp4(B, A, 11, { data: truncate(quoted, 10) })).reason, DropReason.POLICY_DENIED);
  // IPv6: packet too big about a tracked TCP connection.
  t.is(run(dp, 'from-endpoint', tcp6(A6, B6, 5000, 443, TCP_SYN)).verdict, 'forwarded');
  const q6 = ipv6({ src: A6, dst: B6, proto: 6 }, tcp({ sport: 5000, dport: 443, flags: TCP_ACK }));
  const ptb = eth(ETH_IPV6, ipv6({ src: B6, dst: A6, proto: 58 }, icmp({ type: 2, data: q6 })));
  t.is(run(dp, 'to-endpoint', ptb).verdict, 'forwarded');
});
