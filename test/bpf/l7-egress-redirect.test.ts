// The egress L7 redirect through BPF_PROG_TEST_RUN: a packet that the endpoint's egress policy
// allows only through the proxy (a DNS rule) leaves from_ep marked for the node's TPROXY rule, with
// its original destination recorded for the proxy; later packets of the same flow stay marked;
// replies and plainly allowed traffic are not marked; a policy change moves an established flow
// onto (or off) the proxy.
import test from 'ava';
import { Direction, DropReason, L7_PROXY_MARK } from '../../bpf/loader/index.ts';
import type { Datapath } from '../../bpf/loader/index.ts';
import { tcp4, TCP_SYN, udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD = '10.0.0.10';
const DNS = '10.1.2.3';
const DNS_ID = 3000;
const EP = LOCAL_EP.endpointId;

function setup(t: Parameters<typeof openTestDatapath>[0], action: 'proxy' | 'allow'): Datapath {
  const dp = openTestDatapath(t);
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceEgress: true, enforceIngress: true, policyRev: 1 });
  dp.ipcache.set(`${DNS}/32`, DNS_ID);
  dp.policy.set({ endpointId: EP, direction: Direction.EGRESS, remoteIdentity: DNS_ID, protocol: 17, port: 53 }, { action, ruleId: 4 });
  return dp;
}

const send = (dp: Datapath, hook: 'from-endpoint' | 'to-endpoint', packet: Uint8Array) => {
  const r = dp.testRun(hook, packet, { ifindex: LO });
  return { dropped: r.retval === 2, mark: r.mark };
};

test('a query on a proxy port leaves marked, its destination recorded; the flow stays marked', (t) => {
  const dp = setup(t, 'proxy');
  t.deepEqual(send(dp, 'from-endpoint', udp4(POD, DNS, 40000, 53)), { dropped: false, mark: L7_PROXY_MARK });
  t.deepEqual(dp.l7orig.lookup(POD, 40000, 17), { address: DNS, port: 53 });
  t.is(dp.l7orig.lookup(POD, 40001, 17), undefined);
  t.deepEqual(send(dp, 'from-endpoint', udp4(POD, DNS, 40000, 53)), { dropped: false, mark: L7_PROXY_MARK }, 'second packet, from conntrack');
  t.deepEqual(send(dp, 'to-endpoint', udp4(DNS, POD, 53, 40000)), { dropped: false, mark: 0 }, 'the answer enters the pod unmarked');
});

test('a plain allow is not marked; an unallowed port is still dropped', (t) => {
  const dp = setup(t, 'allow');
  t.deepEqual(send(dp, 'from-endpoint', udp4(POD, DNS, 40000, 53)), { dropped: false, mark: 0 });
  t.is(dp.l7orig.lookup(POD, 40000, 17), undefined);
  t.true(send(dp, 'from-endpoint', udp4(POD, DNS, 40000, 54)).dropped);
  t.true(send(dp, 'from-endpoint', tcp4(POD, DNS, 40000, 53, TCP_SYN)).dropped);
});

test('an ingress proxy entry still drops what reaches the pod unredirected', (t) => {
  const dp = setup(t, 'allow');
  dp.policy.set({ endpointId: EP, direction: Direction.INGRESS, remoteIdentity: DNS_ID, protocol: 17, port: 53 }, { action: 'proxy' });
  const r = run(dp, 'to-endpoint', udp4(DNS, POD, 5353, 53));
  t.is(r.verdict, 'dropped');
  t.is(r.reason, DropReason.SOCKET_LOOKUP_FAILED);
});

test('a policy change moves an established flow onto the proxy and off it again', (t) => {
  const dp = setup(t, 'allow');
  t.is(send(dp, 'from-endpoint', udp4(POD, DNS, 40000, 53)).mark, 0);
  dp.policy.set({ endpointId: EP, direction: Direction.EGRESS, remoteIdentity: DNS_ID, protocol: 17, port: 53 }, { action: 'proxy', ruleId: 4 });
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceEgress: true, enforceIngress: true, policyRev: 2 });
  t.deepEqual(send(dp, 'from-endpoint', udp4(POD, DNS, 40000, 53)), { dropped: false, mark: L7_PROXY_MARK });
  dp.policy.set({ endpointId: EP, direction: Direction.EGRESS, remoteIdentity: DNS_ID, protocol: 17, port: 53 }, { action: 'allow', ruleId: 4 });
  dp.endpoints.set(LO, { ...LOCAL_EP, enforceEgress: true, enforceIngress: true, policyRev: 3 });
  t.deepEqual(send(dp, 'from-endpoint', udp4(POD, DNS, 40000, 53)), { dropped: false, mark: 0 });
});
