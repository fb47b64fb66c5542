// Policy decisions through BPF_PROG_TEST_RUN: default deny, allow entries at every level
// of wildcard, deny over allow, directions, identities from the ipcache.
import test from 'ava';
import { Direction, DropReason, MatchType, type PolicyKey, type PolicyValue } from '../../bpf/loader/index.ts';
import { TCP_SYN, icmp4, tcp4, tcp6, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD = '10.0.0.10';
const PEER = '10.1.2.3';
const EP = LOCAL_EP.endpointId;
const PEER_ID = 3000;

interface Case {
  entries: Array<[Omit<PolicyKey, 'endpointId' | 'direction'>, PolicyValue]>;
  packet: Uint8Array;
  verdict: 'forwarded' | 'dropped';
  reason?: number;
  match?: number;
  ruleId?: number;
}

const ingress = test.macro({
  exec(t, c: Case) {
    const dp = openTestDatapath(t);
    dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
    dp.ipcache.set('10.1.0.0/16', PEER_ID);
    for (const [k, v] of c.entries) dp.policy.set({ ...k, endpointId: EP, direction: Direction.INGRESS }, v);
    const r = run(dp, 'to-endpoint', c.packet);
    t.is(r.verdict, c.verdict);
    t.is(r.reason, c.reason ?? 0);
    const pv = r.events.find((e) => e.type === 5);
    t.truthy(pv, 'a policy-verdict event');
    t.is(pv?.verdict, c.verdict === 'forwarded' ? 1 : 2);
    t.is(pv?.direction, Direction.INGRESS);
    t.is(pv?.srcIdentity, PEER_ID);
    t.is(pv?.dstIdentity, LOCAL_EP.identity);
    if (c.match !== undefined) t.is(pv?.matchType, c.match);
    if (c.ruleId !== undefined) t.is(pv?.ruleId, c.ruleId);
  },
  title: (given = '') => `ingress policy: ${given}`,
});

const syn80 = tcp4(PEER, POD, 40000, 80, TCP_SYN);

test('no entry: default deny', ingress, { entries: [], packet: syn80, verdict: 'dropped', reason: DropReason.POLICY_DENIED });
test('exact identity, protocol and port', ingress, {
  entries: [[{ remoteIdentity: PEER_ID, protocol: 6, port: 80 }, { action: 'allow', ruleId: 11 }]],
  packet: syn80,
  verdict: 'forwarded',
  match: MatchType.L3_L4,
  ruleId: 11,
});
test('another port of the same identity stays denied', ingress, {
  entries: [[{ remoteIdentity: PEER_ID, protocol: 6, port: 443 }, { action: 'allow' }]],
  packet: syn80,
  verdict: 'dropped',
  reason: DropReason.POLICY_DENIED,
});
test('wildcard port', ingress, {
  entries: [[{ remoteIdentity: PEER_ID, protocol: 6, port: 0 }, { action: 'allow', ruleId: 12 }]],
  packet: syn80,
  verdict: 'forwarded',
  match: MatchType.L3_PROTO,
  ruleId: 12,
});
test('wildcard identity', ingress, {
  entries: [[{ remoteIdentity: 0, protocol: 6, port: 80 }, { action: 'allow', ruleId: 13 }]],
  packet: syn80,
  verdict: 'forwarded',
  match: MatchType.L4_ONLY,
});
test('wildcard identity and port', ingress, {
  entries: [[{ remoteIdentity: 0, protocol: 6, port: 0 }, { action: 'allow' }]],
  packet: syn80,
  verdict: 'forwarded',
  match: MatchType.PROTO_ONLY,
});
test('L3 only (any protocol)', ingress, {
  entries: [[{ remoteIdentity: PEER_ID, protocol: 0, port: 0 }, { action: 'allow' }]],
  packet: udp4(PEER, POD, 1, 5000),
  verdict: 'forwarded',
  match: MatchType.L3_ONLY,
});
test('allow all', ingress, {
  entries: [[{ remoteIdentity: 0, protocol: 0, port: 0 }, { action: 'allow' }]],
  packet: syn80,
  verdict: 'forwarded',
  match: MatchType.ALL,
});
test('the most specific allow is reported', ingress, {
  entries: [
    [{ remoteIdentity: 0, protocol: 0, port: 0 }, { action: 'allow', ruleId: 1 }],
    [{ remoteIdentity: PEER_ID, protocol: 6, port: 80 }, { action: 'allow', ruleId: 2 }],
  ],
  packet: syn80,
  verdict: 'forwarded',
  match: MatchType.L3_L4,
  ruleId: 2,
});
test('deny wins over a more specific allow', ingress, {
  entries: [
    [{ remoteIdentity: PEER_ID, protocol: 6, port: 80 }, { action: 'allow', ruleId: 1 }],
    [{ remoteIdentity: 0, protocol: 0, port: 0 }, { action: 'deny', ruleId: 66 }],
  ],
  packet: syn80,
  verdict: 'dropped',
  reason: DropReason.POLICY_DENY,
  match: MatchType.ALL,
  ruleId: 66,
});
test('deny on wildcard port beats allow on the port', ingress, {
  entries: [
    [{ remoteIdentity: 0, protocol: 6, port: 80 }, { action: 'allow' }],
    [{ remoteIdentity: PEER_ID, protocol: 6, port: 0 }, { action: 'deny', ruleId: 5 }],
  ],
  packet: syn80,
  verdict: 'dropped',
  reason: DropReason.POLICY_DENY,
  match: MatchType.L3_PROTO,
});
test('a deny of another identity does not apply', ingress, {
  entries: [
    [{ remoteIdentity: 0, protocol: 6, port: 80 }, { action: 'allow' }],
    [{ remoteIdentity: PEER_ID + 1, protocol: 0, port: 0 }, { action: 'deny' }],
  ],
  packet: syn80,
  verdict: 'forwarded',
});
test('a port allowed only through the L7 proxy drops a packet that was not redirected (fails closed)', ingress, {
  entries: [[{ remoteIdentity: PEER_ID, protocol: 6, port: 80 }, { action: 'proxy', ruleId: 9 }]],
  packet: syn80,
  verdict: 'dropped',
  reason: DropReason.SOCKET_LOOKUP_FAILED,
  match: MatchType.L3_L4,
  ruleId: 9,
});
test('a less specific plain allow does not open a proxy-only port', ingress, {
  entries: [
    [{ remoteIdentity: PEER_ID, protocol: 6, port: 80 }, { action: 'proxy', ruleId: 9 }],
    [{ remoteIdentity: 0, protocol: 0, port: 0 }, { action: 'allow', ruleId: 1 }],
  ],
  packet: syn80,
  verdict: 'dropped',
  reason: DropReason.SOCKET_LOOKUP_FAILED,
});
test('a deny of any identity still wins over a proxy entry', ingress, {
  entries: [
    [{ remoteIdentity: PEER_ID, protocol: 6, port: 80 }, { action: 'proxy' }],
    [{ remoteIdentity: 0, protocol: 0, port: 0 }, { action: 'deny', ruleId: 66 }],
  ],
  packet: syn80,
  verdict: 'dropped',
  reason: DropReason.POLICY_DENY,
  ruleId: 66,
});
// Within one identity the longest prefix decides: the compiler writes a deny on every allow key a
// deny of the same identity overlaps (agent/policy/merge.ts), so a longer allow never hides one.
test('within one identity the longest prefix decides', ingress, {
  entries: [
    [{ remoteIdentity: PEER_ID, protocol: 6, port: 80 }, { action: 'deny', ruleId: 66 }],
    [{ remoteIdentity: PEER_ID, protocol: 0, port: 0 }, { action: 'allow', ruleId: 1 }],
  ],
  packet: syn80,
  verdict: 'dropped',
  reason: DropReason.POLICY_DENY,
  match: MatchType.L3_L4,
  ruleId: 66,
});
test('ICMP type as the port', ingress, {
  entries: [[{ remoteIdentity: PEER_ID, protocol: 1, port: 8 }, { action: 'allow' }]],
  packet: icmp4(PEER, POD, 8, { id: 7 }),
  verdict: 'forwarded',
  match: MatchType.L3_L4,
});

test('directions are separate: an ingress allow does not open egress', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true, enforceEgress: true });
  dp.policy.set({ endpointId: EP, remoteIdentity: 0, protocol: 6, port: 80, direction: Direction.INGRESS }, { action: 'allow' });
  t.is(run(dp, 'to-endpoint', tcp4(PEER, POD, 1, 80, TCP_SYN)).verdict, 'forwarded');
  const r = run(dp, 'from-endpoint', tcp4(POD, PEER, 2, 80, TCP_SYN));
  t.is(r.reason, DropReason.POLICY_DENIED);
  t.is(r.events.find((e) => e.type === 1)?.direction, Direction.EGRESS);
});

test('entries of another endpoint do not apply', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceIngress: true });
  dp.policy.set({ endpointId: EP + 1, remoteIdentity: 0, protocol: 0, port: 0, direction: Direction.INGRESS }, { action: 'allow' });
  t.is(run(dp, 'to-endpoint', syn80).reason, DropReason.POLICY_DENIED);
});

test('without enforcement everything passes, deny entries included, and no verdict events', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, LOCAL_EP);
  dp.policy.set({ endpointId: EP, remoteIdentity: 0, protocol: 0, port: 0, direction: Direction.INGRESS }, { action: 'deny' });
  const r = run(dp, 'to-endpoint', syn80);
  t.is(r.verdict, 'forwarded');
  t.false(r.events.some((e) => e.type === 5));
});

test('ipcache: longest prefix wins, IPv6 too, a miss is world', (t) => {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, LOCAL_EP);
  dp.ipcache.set('10.0.0.0/8', 2000);
  dp.ipcache.set('10.1.0.0/16', 3000);
  dp.ipcache.set('10.1.2.3', 4000);
  dp.ipcache.set('fd00:1::/32', 5000);
  const src = (p: Uint8Array) => run(dp, 'to-endpoint', p).events.find((e) => e.type === 4)?.srcIdentity;
  t.is(src(tcp4('10.1.2.3', POD, 1, 80, TCP_SYN)), 4000);
  t.is(src(tcp4('10.1.9.9', POD, 1, 80, TCP_SYN)), 3000);
  t.is(src(tcp4('10.200.0.1', POD, 1, 80, TCP_SYN)), 2000);
  t.is(src(tcp4('192.0.2.1', POD, 1, 80, TCP_SYN)), 2, 'world');
  t.is(src(tcp6('fd00:1:2::3', 'fd00::10', 1, 80, TCP_SYN)), 5000);
  t.is(dp.ipcache.get('10.1.0.0/16'), 3000);
  t.deepEqual(
    dp.ipcache.entries().map((e) => e.cidr).sort(),
    ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3/32', 'fd00:1::/32'],
  );
  t.true(dp.ipcache.delete('10.1.2.3/32'));
  t.is(src(tcp4('10.1.2.3', POD, 2, 80, TCP_SYN)), 3000);
});

test('policy entries list, and clear per endpoint', (t) => {
  const dp = openTestDatapath(t);
  const k = { remoteIdentity: 0, protocol: 6, port: 80, direction: Direction.INGRESS } as const;
  dp.policy.set({ ...k, endpointId: 1 }, { action: 'allow', ruleId: 3 });
  dp.policy.set({ ...k, endpointId: 2 }, { action: 'deny' });
  t.deepEqual(dp.policy.get({ ...k, endpointId: 1 }), { action: 'allow', ruleId: 3 });
  t.is(dp.policy.entries().length, 2);
  t.is(dp.policy.clear(1), 1);
  t.deepEqual(dp.policy.entries().map((e) => e.key.endpointId), [2]);
});
