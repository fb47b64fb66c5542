// A policy change reaches established connections: the agent bumps the endpoint's
// policy revision with its policy entries, and the next packet of a connection judged
// under another revision is judged again (bpf/lib/conntrack.h says why not a flush).
import test from 'ava';
import { Direction, DropReason } from '../../bpf/loader/index.ts';
import { udp4 } from './support/packets.ts';
import { LO, LOCAL_EP, openTestDatapath, run } from './support/fixture.ts';

const POD = '10.0.0.10';
const PEER = '10.0.0.20';

test('removing the allow entry stops a running UDP flow at its next packet, both ways', (t) => {
  const dp = openTestDatapath(t);
  const ep = { ...LOCAL_EP, ipv4: POD, checkSource: true, enforceEgress: true };
  const allow = { endpointId: LOCAL_EP.endpointId, remoteIdentity: 0, protocol: 17, port: 5000, direction: Direction.EGRESS } as const;
  dp.endpoints.set(LO, { ...ep, policyRev: 1 });
  dp.policy.set(allow, { action: 'allow' });
  t.is(run(dp, 'from-endpoint', udp4(POD, PEER, 40000, 5000)).verdict, 'forwarded');
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 5000, 40000)).verdict, 'forwarded');

  dp.endpoints.set(LO, { ...ep, policyRev: 2 });
  t.is(run(dp, 'from-endpoint', udp4(POD, PEER, 40000, 5000)).verdict, 'forwarded', 'still allowed: re-judged and kept');
  t.is(dp.conntrack.count(), 1);

  dp.policy.delete(allow);
  dp.endpoints.set(LO, { ...ep, policyRev: 3 });
  t.is(run(dp, 'to-endpoint', udp4(PEER, POD, 5000, 40000)).reason, DropReason.POLICY_DENIED, 'the reply');
  t.is(dp.conntrack.count(), 1, 'the entry stays, marked denied, so a reply in flight cannot reopen it from the other side');
  t.is(run(dp, 'from-endpoint', udp4(POD, PEER, 40000, 5000)).reason, DropReason.POLICY_DENIED, 'and the request');
});
