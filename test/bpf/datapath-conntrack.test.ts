// Conntrack through BPF_PROG_TEST_RUN: replies of allowed connections pass, replies
// without a request do not, TCP state and counters, port reuse, ICMP echo.
import test from 'ava';
import { Direction, DropReason } from '../../bpf/loader/index.ts';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, icmp4, tcp4, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD = '10.0.0.10';
const PEER = '10.0.0.20';
const EP = LOCAL_EP.endpointId;

function enforcing(t: Parameters<typeof openTestDatapath>[0]) {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true, enforceEgress: true });
  dp.policy.set({ endpointId: EP, remoteIdentity: 0, protocol: 6, port: 80, direction: Direction.EGRESS }, { action: 'allow' });
  return dp;
}

test('the reply of an allowed request passes; the same packet without the request does not', (t) => {
  const dp = enforcing(t);
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40000, TCP_SYN | TCP_ACK)).reason, DropReason.POLICY_DENIED, 'reply without request');
  t.is(run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_SYN)).verdict, 'forwarded');
  const r = run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40000, TCP_SYN | TCP_ACK));
  t.is(r.verdict, 'forwarded');
  const trace = r.events.find((e) => e.type === 4);
  t.is(trace?.isReply, true);
  t.is(trace?.srcIdentity, 2, 'reply source is the peer (world)');
  t.is(trace?.dstIdentity, LOCAL_EP.identity);
  t.false(r.events.some((e) => e.type === 5), 'replies are not policy decisions');
});

test('a reply to another port, or from another peer, is not a reply', (t) => {
  const dp = enforcing(t);
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_SYN));
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40001, TCP_SYN | TCP_ACK)).verdict, 'dropped');
  t.is(run(dp, 'to-endpoint', tcp4('10.0.0.21', POD, 80, 40000, TCP_SYN | TCP_ACK)).verdict, 'dropped');
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 80, 40000)).verdict, 'dropped', 'another protocol');
});

test('TCP state, counters and events along a connection', (t) => {
  const dp = enforcing(t);
  dp.setConfig({ reportIntervalMs: 3_600_000 });
  const out = (flags: number, len = 0) => run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, flags, new Uint8Array(len)));
  const back = (flags: number, len = 0) => run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40000, flags, new Uint8Array(len)));
  const traces = (r: ReturnType<typeof run>) => r.events.filter((e) => e.type === 4);
  const state = () => dp.conntrack.entries()[0]?.tcpState;

  t.is(traces(out(TCP_SYN)).length, 1);
  t.is(state(), 'syn-sent');
  t.is(traces(back(TCP_SYN | TCP_ACK)).length, 1, 'SYN-ACK reported');
  t.is(state(), 'established');
  t.is(traces(out(TCP_ACK)).length, 0, 'plain ACK aggregated');
  for (let i = 0; i < 20; i++) {
    t.is(traces(out(TCP_ACK | TCP_PSH, 1000)).length, 0);
    t.is(traces(back(TCP_ACK)).length, 0);
  }
  const fin = traces(out(TCP_FIN | TCP_ACK));
  t.is(fin.length, 1, 'FIN reported');
  t.is(fin[0]?.tcpState, 'fin-wait');
  t.is(fin[0]?.packets, 23n, 'connection totals in the event');
  t.is(traces(back(TCP_FIN | TCP_ACK)).length, 1);
  t.is(state(), 'closed');
  t.is(traces(out(TCP_ACK)).length, 0);
  const e = dp.conntrack.entries()[0]!;
  t.is(e.packetsForward, 24n);
  t.is(e.packetsReply, 22n);
  t.is(e.bytesForward, 24n * 54n + 20n * 1000n);
  t.true(e.replySeen);
  t.is(e.direction, Direction.EGRESS);
});

test('RST closes; a new SYN on a closed connection is judged by policy again', (t) => {
  const dp = enforcing(t);
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_SYN));
  run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40000, TCP_RST | TCP_ACK));
  t.is(dp.conntrack.entries()[0]?.tcpState, 'closed');
  // A stray ACK of the closed connection is still let through as part of it.
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40000, TCP_ACK)).verdict, 'forwarded');
  dp.policy.clear();
  const r = run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_SYN));
  t.is(r.reason, DropReason.POLICY_DENIED);
  t.is(dp.conntrack.count(), 0, 'the old entry is gone with the denied SYN');
});

test('every report interval an established connection reports again', (t) => {
  const dp = enforcing(t);
  dp.setConfig({ reportIntervalMs: 0 });
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_SYN));
  const r = run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_ACK));
  t.is(r.events.filter((e) => e.type === 4).length, 1);
});

test('ICMP echo: the reply matches the request by identifier', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true, enforceEgress: true });
  dp.policy.set({ endpointId: EP, remoteIdentity: 0, protocol: 1, port: 8, direction: Direction.EGRESS }, { action: 'allow' });
  t.is(run(dp, 'to-endpoint', icmp4(PEER, POD, 0, { id: 99 })).verdict, 'dropped', 'unsolicited echo reply');
  t.is(run(dp, 'from-endpoint', icmp4(POD, PEER, 8, { id: 99 })).verdict, 'forwarded');
  const r = run(dp, 'to-endpoint', icmp4(PEER, POD, 0, { id: 99 }));
  t.is(r.verdict, 'forwarded');
  t.is(r.events.find((e) => e.type === 4)?.icmpType, 0);
  t.is(run(dp, 'to-endpoint', icmp4(PEER, POD, 0, { id: 100 })).verdict, 'dropped', 'another identifier');
});

test('conntrack flush makes the next packet a new connection', (t) => {
  const dp = enforcing(t);
  run(dp, 'from-endpoint', tcp4(POD, PEER, 40000, 80, TCP_SYN));
  t.is(dp.conntrack.count(), 1);
  t.is(dp.conntrack.flush(), 1);
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 80, 40000, TCP_SYN | TCP_ACK)).verdict, 'dropped');
});
