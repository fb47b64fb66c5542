// Events through BPF_PROG_TEST_RUN: L7 payload capture, switching events off, lost
// events counted when the ring is full, metrics by direction and reason.
import test from 'ava';
import { DropReason, EventType, ObsPoint } from '../../bpf/loader/index.ts';
import { TCP_ACK, TCP_PSH, TCP_SYN, tcp4, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD = '10.0.0.10';
const PEER = '10.0.0.20';
const text = (s: string) => new TextEncoder().encode(s);

test('DNS payload is copied in both directions', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, LOCAL_EP);
  const query = new Uint8Array(200).map((_, i) => i);
  const q = run(dp, 'from-endpoint', udp4(POD, PEER, 5353, 53, query));
  const l7 = q.events.find((e) => e.type === EventType.L7);
  t.truthy(l7);
  t.is(l7?.subType, ObsPoint.FROM_ENDPOINT);
  t.deepEqual(l7?.payload, query.subarray(0, 128), 'first 128 bytes');
  t.false(q.events.some((e) => e.type === EventType.TRACE), 'the L7 event stands for the trace');
  const a = run(dp, 'to-endpoint', udp4(PEER, POD, 53, 5353, text('answer')));
  t.deepEqual(a.events.find((e) => e.type === EventType.L7)?.payload, text('answer'));
  t.is(a.events[0]?.isReply, true);
});

test('HTTP request and status lines are copied on HTTP ports, bodies are not', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, LOCAL_EP);
  dp.setConfig({ httpPorts: [8080], captureLen: 64, reportIntervalMs: 3_600_000 });
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 8080, TCP_SYN));
  const req = text('GET /index.html HTTP/1.1\r\nHost: peer\r\n\r\n');
  const r = run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 8080, TCP_ACK | TCP_PSH, req));
  t.deepEqual(r.events.find((e) => e.type === EventType.L7)?.payload, req.subarray(0, Math.min(64, req.length)));
  const resp = run(dp, 'to-endpoint', tcp4(PEER, POD, 8080, 40000, TCP_ACK | TCP_PSH, text('HTTP/1.1 200 OK\r\n\r\n')));
  t.is(resp.events.find((e) => e.type === EventType.L7)?.isReply, true);
  const body = run(dp, 'to-endpoint', tcp4(PEER, POD, 8080, 40000, TCP_ACK, new Uint8Array(1000).fill(0x41)));
  t.deepEqual(body.events, [], 'a body segment is aggregated');
  const other = run(dp, 'from-endpoint', tcp4(POD, PEER, 40001, 9090, TCP_SYN));
  t.false(other.events.some((e) => e.type === EventType.L7), 'not an HTTP port');
});

test('events off: no records at all, metrics still counted', (t) => {
  const dp = openTestDatapath(t, { config: { events: false } });
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  t.deepEqual(run(dp, 'to-endpoint', tcp4(PEER, POD, 1, 80, TCP_SYN)).events, []);
  t.deepEqual(run(dp, 'from-endpoint', tcp4(POD, PEER, 1, 80, TCP_SYN)).events, []);
  t.deepEqual(
    dp.metrics().map((m) => [m.direction, m.verdict, m.reasonName, m.packets, m.bytes]),
    [
      ['ingress', 'dropped', 'POLICY_DENIED', 1n, 54n],
      ['egress', 'forwarded', '', 1n, 54n],
    ],
  );
  t.false(dp.config().events);
});

test('a full ring counts every lost event', (t) => {
  // The smallest ring (one page) holds 36 records of 112 bytes.
  const dp = openTestDatapath(t, { maxEntries: { netobs_events: 4096 } });
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  dp.events.read();
  const sent = 200;
  for (let i = 0; i < sent; i++) dp.testRun('to-endpoint', tcp4(PEER, POD, 1000 + i, 80, TCP_SYN), { ifindex: LO });
  // Each denied SYN emits a policy verdict and a drop.
  const read = dp.events.read().length;
  const lost = dp.events.lost();
  t.true(read > 0 && read < 2 * sent);
  t.is(BigInt(read) + lost, BigInt(2 * sent), 'read + lost = emitted');
  t.is(dp.events.lostPerCpu().length >= 1, true);
  const m = dp.metrics().find((x) => x.reason === DropReason.POLICY_DENIED);
  t.is(m?.packets, BigInt(sent), 'drops are counted even when their events are lost');
});

test('maps() lists every map with its size and entries', (t) => {
  const dp = openTestDatapath(t);
  dp.ipcache.set('10.0.0.0/8', 5);
  const maps = Object.fromEntries(dp.maps().map((m) => [m.name, m]));
  t.is(maps.netobs_ipcache?.type, 'lpm_trie');
  t.is(maps.netobs_ipcache?.entries, 1);
  t.is(maps.netobs_ct_tcp?.type, 'lru_hash');
  t.is(maps.netobs_ct_any?.type, 'lru_hash');
  t.is(maps.netobs_events?.type, 'ringbuf');
  t.is(maps.netobs_policy?.keySize, 16); // LPM trie key: prefixlen, endpoint, identity, direction, protocol, port
  t.is(maps.netobs_lb_svc?.keySize, 24);
  t.is(maps.netobs_lb_conn?.type, 'lru_hash');
  t.is(maps.netobs_l7_orig?.type, 'lru_hash');
  t.is(Object.keys(maps).length, 14);
});
