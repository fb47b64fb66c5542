// Port ranges and ICMP types through BPF_PROG_TEST_RUN: a range is the few port-prefix keys the
// compiler makes of it (portPrefixes), enforced at and around its edges; a deny range inside an
// allow range; ICMP echo reply (type 0) is its own key, not "every type".
import test from 'ava';
import { Direction, DropReason, MatchType, type Datapath, type PolicyValue } from '../../bpf/loader/index.ts';
import { portPrefixes } from '../../agent/policy/entries.ts';
import { TCP_SYN, icmp4, tcp4, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD = '10.0.0.10';
const PEER = '10.1.2.3';
const EP = LOCAL_EP.endpointId;
const PEER_ID = 3000;

function setup(t: Parameters<typeof openTestDatapath>[0]): Datapath {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  dp.ipcache.set('10.1.0.0/16', PEER_ID);
  return dp;
}

function range(dp: Datapath, remoteIdentity: number, protocol: number, from: number, to: number, v: PolicyValue): number {
  const blocks = portPrefixes(from, to);
  for (const [port, portBits] of blocks) dp.policy.set({ endpointId: EP, direction: Direction.INGRESS, remoteIdentity, protocol, port, portBits }, v);
  return blocks.length;
}

let sport = 30000;
const tcpTo = (dp: Datapath, port: number) => run(dp, 'to-endpoint', tcp4(PEER, POD, sport++, port, TCP_SYN));

test('a range 1000-2000 is enforced at 999, 1000, 2000, 2001 (and inside)', (t) => {
  const dp = setup(t);
  t.is(range(dp, PEER_ID, 6, 1000, 2000, { action: 'allow', ruleId: 7 }), 8, 'eight keys, not 1001');
  t.is(tcpTo(dp, 999).reason, DropReason.POLICY_DENIED);
  const first = tcpTo(dp, 1000);
  t.is(first.verdict, 'forwarded');
  t.is(first.events.find((e) => e.type === 5)?.matchType, MatchType.L3_L4);
  t.is(first.events.find((e) => e.type === 5)?.ruleId, 7);
  for (const p of [1001, 1023, 1024, 1500, 1999]) t.is(tcpTo(dp, p).verdict, 'forwarded', `port ${p}`);
  t.is(tcpTo(dp, 2000).verdict, 'forwarded');
  t.is(tcpTo(dp, 2001).reason, DropReason.POLICY_DENIED);
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 1, 1500)).reason, DropReason.POLICY_DENIED, 'another protocol');
});

test('a wide range 1-65535 of any identity: 16 keys, every port but 0 allowed', (t) => {
  const dp = setup(t);
  t.is(range(dp, 0, 17, 1, 65535, { action: 'allow' }), 16);
  for (const p of [1, 2, 3, 1024, 32767, 32768, 65534, 65535]) t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 5, p)).verdict, 'forwarded', `port ${p}`);
  const r = run(dp, 'to-endpoint', udp4(PEER, POD, 5, 0));
  t.is(r.reason, DropReason.POLICY_DENIED, 'port 0 is outside the range');
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 6, 443)).events.find((e) => e.type === 5)?.matchType, MatchType.L4_ONLY);
});

test('a deny range inside an allow range: denied inside, allowed around it', (t) => {
  const dp = setup(t);
  range(dp, PEER_ID, 6, 1000, 2000, { action: 'allow', ruleId: 1 });
  range(dp, 0, 6, 1100, 1199, { action: 'deny', ruleId: 66 });
  for (const p of [1000, 1099, 1200, 2000]) t.is(tcpTo(dp, p).verdict, 'forwarded', `port ${p}`);
  for (const p of [1100, 1150, 1199]) {
    const r = tcpTo(dp, p);
    t.is(r.reason, DropReason.POLICY_DENY, `port ${p}`);
    t.is(r.events.find((e) => e.type === 5)?.ruleId, 66);
  }
});

test('a deny range of the same identity inside its allow range wins (the deny keys are longer)', (t) => {
  const dp = setup(t);
  range(dp, PEER_ID, 6, 1024, 2047, { action: 'allow' });
  range(dp, PEER_ID, 6, 1500, 1600, { action: 'deny' });
  t.is(tcpTo(dp, 1499).verdict, 'forwarded');
  t.is(tcpTo(dp, 1500).reason, DropReason.POLICY_DENY);
  t.is(tcpTo(dp, 1600).reason, DropReason.POLICY_DENY);
  t.is(tcpTo(dp, 1601).verdict, 'forwarded');
});

test('ICMP echo reply (type 0) deny is enforced and is not "every type"', (t) => {
  const dp = setup(t);
  dp.policy.set({ endpointId: EP, direction: Direction.INGRESS, remoteIdentity: 0, protocol: 1, port: 0, portBits: 0 }, { action: 'allow', ruleId: 1 });
  dp.policy.set({ endpointId: EP, direction: Direction.INGRESS, remoteIdentity: PEER_ID, protocol: 1, port: 0, portBits: 16 }, { action: 'deny', ruleId: 66 });
  const reply = run(dp, 'to-endpoint', icmp4(PEER, POD, 0, { id: 9 }));
  t.is(reply.reason, DropReason.POLICY_DENY);
  t.is(reply.events.find((e) => e.type === 5)?.matchType, MatchType.L3_L4);
  t.is(run(dp, 'to-endpoint', icmp4(PEER, POD, 8, { id: 10 })).verdict, 'forwarded', 'echo request: every type but 0 is allowed');
  t.is(dp.policy.entries().length, 2, 'type 0 and every type are two keys');
});

test('ICMP echo reply (type 0) allow opens type 0 only', (t) => {
  const dp = setup(t);
  dp.policy.set({ endpointId: EP, direction: Direction.INGRESS, remoteIdentity: PEER_ID, protocol: 1, port: 0, portBits: 16 }, { action: 'allow' });
  t.is(run(dp, 'to-endpoint', icmp4(PEER, POD, 0, { id: 11 })).verdict, 'forwarded');
  t.is(run(dp, 'to-endpoint', icmp4(PEER, POD, 8, { id: 12 })).reason, DropReason.POLICY_DENIED);
});
